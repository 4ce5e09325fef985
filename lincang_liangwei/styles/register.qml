<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis simplifyMaxScale="1" minScale="100000000" simplifyDrawingHints="1" symbologyReferenceScale="-1" styleCategories="Symbology|Labeling|Fields|Forms|Rendering" hasScaleBasedVisibilityFlag="0" simplifyDrawingTol="1" simplifyAlgorithm="0" maxScale="0" simplifyLocal="1" version="3.22.16-Białowieża" labelsEnabled="1">
 <renderer-v2 attr="verdict" enableorderby="0" type="categorizedSymbol" symbollevels="0" forceraster="0" referencescale="-1">
  <categories>
   <category label="拆除候选 demolition candidate" value="拆除候选" render="true" symbol="0"/>
   <category label="限期整改 correct within a deadline" value="限期整改" render="true" symbol="1"/>
   <category label="超期临时建筑 expired temporary building" value="超期临时建筑" render="true" symbol="2"/>
   <category label="待核查 to verify" value="待核查" render="true" symbol="3"/>
   <category label="历史存量 historic stock" value="历史存量" render="true" symbol="4"/>
   <category label="其他 other" value="" render="true" symbol="5"/>
  </categories>
  <symbols>
   <symbol name="0" alpha="1" force_rhr="0" type="fill" clip_to_extent="1">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleFill" locked="0" enabled="1" pass="0">
     <Option type="Map">
      <Option name="border_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="color" type="QString" value="215,25,28,170"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="215,25,28,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.5"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="style" type="QString" value="solid"/>
     </Option>
     <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="color" v="215,25,28,170"/>
     <prop k="joinstyle" v="miter"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="215,25,28,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.5"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="style" v="solid"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties" type="Map">
        <Option name="fillStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'b_diagonal', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
        <Option name="outlineStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'dash', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
       </Option>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol name="1" alpha="1" force_rhr="0" type="fill" clip_to_extent="1">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleFill" locked="0" enabled="1" pass="0">
     <Option type="Map">
      <Option name="border_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="color" type="QString" value="230,97,1,170"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="230,97,1,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.5"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="style" type="QString" value="solid"/>
     </Option>
     <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="color" v="230,97,1,170"/>
     <prop k="joinstyle" v="miter"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="230,97,1,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.5"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="style" v="solid"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties" type="Map">
        <Option name="fillStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'b_diagonal', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
        <Option name="outlineStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'dash', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
       </Option>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol name="2" alpha="1" force_rhr="0" type="fill" clip_to_extent="1">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleFill" locked="0" enabled="1" pass="0">
     <Option type="Map">
      <Option name="border_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="color" type="QString" value="178,24,154,170"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="178,24,154,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.5"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="style" type="QString" value="solid"/>
     </Option>
     <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="color" v="178,24,154,170"/>
     <prop k="joinstyle" v="miter"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="178,24,154,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.5"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="style" v="solid"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties" type="Map">
        <Option name="fillStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'b_diagonal', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
        <Option name="outlineStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'dash', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
       </Option>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol name="3" alpha="1" force_rhr="0" type="fill" clip_to_extent="1">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleFill" locked="0" enabled="1" pass="0">
     <Option type="Map">
      <Option name="border_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="color" type="QString" value="253,174,97,170"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="253,174,97,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.5"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="style" type="QString" value="solid"/>
     </Option>
     <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="color" v="253,174,97,170"/>
     <prop k="joinstyle" v="miter"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="253,174,97,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.5"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="style" v="solid"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties" type="Map">
        <Option name="fillStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'b_diagonal', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
        <Option name="outlineStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'dash', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
       </Option>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol name="4" alpha="1" force_rhr="0" type="fill" clip_to_extent="1">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleFill" locked="0" enabled="1" pass="0">
     <Option type="Map">
      <Option name="border_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="color" type="QString" value="158,158,158,170"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="158,158,158,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.5"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="style" type="QString" value="solid"/>
     </Option>
     <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="color" v="158,158,158,170"/>
     <prop k="joinstyle" v="miter"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="158,158,158,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.5"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="style" v="solid"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties" type="Map">
        <Option name="fillStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'b_diagonal', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
        <Option name="outlineStyle" type="Map">
         <Option name="active" type="bool" value="true"/>
         <Option name="expression" type="QString" value="if(coalesce(lower(to_string(&quot;gone&quot;)), '') IN ('1', 'true', 't', 'yes'), 'dash', 'solid')"/>
         <Option name="type" type="int" value="3"/>
        </Option>
       </Option>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol name="5" alpha="1" force_rhr="0" type="fill" clip_to_extent="1">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleFill" locked="0" enabled="1" pass="0">
     <Option type="Map">
      <Option name="border_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="color" type="QString" value="189,189,189,80"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="127,127,127,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.4"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="style" type="QString" value="solid"/>
     </Option>
     <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="color" v="189,189,189,80"/>
     <prop k="joinstyle" v="miter"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="127,127,127,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.4"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="style" v="solid"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
  </symbols>
  <rotation/>
  <sizescale/>
 </renderer-v2>
 <labeling type="simple">
  <settings calloutType="simple">
   <text-style fontLetterSpacing="0" namedStyle="" legendString="Aa" multilineHeight="1" fontSize="9" textColor="0,0,0,255" textOrientation="horizontal" fontFamily="Noto Sans CJK SC" textOpacity="1" fontSizeMapUnitScale="3x:0,0,0,0,0,0" fontStrikeout="0" fontWordSpacing="0" fontKerning="1" capitalization="0" blendMode="0" isExpression="0" fontItalic="0" fontWeight="50" previewBkgrdColor="255,255,255,255" fieldName="case_id" fontUnderline="0" fontSizeUnit="Point" allowHtml="0" useSubstitutions="0">
    <families/>
    <text-buffer bufferJoinStyle="128" bufferSizeMapUnitScale="3x:0,0,0,0,0,0" bufferDraw="1" bufferSizeUnits="MM" bufferNoFill="1" bufferColor="255,255,255,255" bufferOpacity="1" bufferSize="0.80000000000000004" bufferBlendMode="0"/>
    <text-mask maskSize="1.5" maskSizeMapUnitScale="3x:0,0,0,0,0,0" maskJoinStyle="128" maskSizeUnits="MM" maskOpacity="1" maskType="0" maskEnabled="0" maskedSymbolLayers=""/>
    <background shapeBorderWidth="0" shapeSizeX="0" shapeRadiiX="0" shapeBorderColor="128,128,128,255" shapeOpacity="1" shapeSizeUnit="MM" shapeSizeType="0" shapeOffsetMapUnitScale="3x:0,0,0,0,0,0" shapeDraw="0" shapeBorderWidthMapUnitScale="3x:0,0,0,0,0,0" shapeBlendMode="0" shapeOffsetX="0" shapeSizeY="0" shapeBorderWidthUnit="MM" shapeSVGFile="" shapeRotation="0" shapeSizeMapUnitScale="3x:0,0,0,0,0,0" shapeJoinStyle="64" shapeRotationType="0" shapeRadiiUnit="MM" shapeType="0" shapeOffsetUnit="MM" shapeFillColor="255,255,255,255" shapeOffsetY="0" shapeRadiiY="0" shapeRadiiMapUnitScale="3x:0,0,0,0,0,0">
     <symbol name="fillSymbol" alpha="1" force_rhr="0" type="fill" clip_to_extent="1">
      <data_defined_properties>
       <Option type="Map">
        <Option name="name" type="QString" value=""/>
        <Option name="properties"/>
        <Option name="type" type="QString" value="collection"/>
       </Option>
      </data_defined_properties>
      <layer class="SimpleFill" locked="0" enabled="1" pass="0">
       <Option type="Map">
        <Option name="border_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
        <Option name="color" type="QString" value="255,255,255,255"/>
        <Option name="joinstyle" type="QString" value="bevel"/>
        <Option name="offset" type="QString" value="0,0"/>
        <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
        <Option name="offset_unit" type="QString" value="MM"/>
        <Option name="outline_color" type="QString" value="128,128,128,255"/>
        <Option name="outline_style" type="QString" value="no"/>
        <Option name="outline_width" type="QString" value="0"/>
        <Option name="outline_width_unit" type="QString" value="MM"/>
        <Option name="style" type="QString" value="solid"/>
       </Option>
       <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
       <prop k="color" v="255,255,255,255"/>
       <prop k="joinstyle" v="bevel"/>
       <prop k="offset" v="0,0"/>
       <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
       <prop k="offset_unit" v="MM"/>
       <prop k="outline_color" v="128,128,128,255"/>
       <prop k="outline_style" v="no"/>
       <prop k="outline_width" v="0"/>
       <prop k="outline_width_unit" v="MM"/>
       <prop k="style" v="solid"/>
       <data_defined_properties>
        <Option type="Map">
         <Option name="name" type="QString" value=""/>
         <Option name="properties"/>
         <Option name="type" type="QString" value="collection"/>
        </Option>
       </data_defined_properties>
      </layer>
     </symbol>
    </background>
    <shadow shadowUnder="0" shadowOffsetUnit="MM" shadowRadiusUnit="MM" shadowBlendMode="6" shadowRadius="1.5" shadowOpacity="0.69999999999999996" shadowDraw="0" shadowScale="100" shadowRadiusMapUnitScale="3x:0,0,0,0,0,0" shadowOffsetDist="1" shadowColor="0,0,0,255" shadowOffsetGlobal="1" shadowOffsetMapUnitScale="3x:0,0,0,0,0,0" shadowRadiusAlphaOnly="0" shadowOffsetAngle="135"/>
    <dd_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </dd_properties>
    <substitutions/>
   </text-style>
   <text-format multilineAlign="3" plussign="0" wrapChar="" decimals="3" addDirectionSymbol="0" placeDirectionSymbol="0" formatNumbers="0" rightDirectionSymbol=">" reverseDirectionSymbol="0" leftDirectionSymbol="&lt;" useMaxLineLengthForAutoWrap="1" autoWrapLength="0"/>
   <placement repeatDistanceMapUnitScale="3x:0,0,0,0,0,0" placementFlags="10" layerType="UnknownGeometry" dist="0" xOffset="0" overrunDistanceUnit="MM" fitInPolygonOnly="0" yOffset="0" distUnits="MM" distMapUnitScale="3x:0,0,0,0,0,0" lineAnchorPercent="0.5" centroidInside="0" overrunDistance="0" offsetType="0" geometryGeneratorEnabled="0" geometryGeneratorType="PointGeometry" predefinedPositionOrder="TR,TL,BR,BL,R,L,TSR,BSR" quadOffset="4" preserveRotation="1" rotationUnit="AngleDegrees" labelOffsetMapUnitScale="3x:0,0,0,0,0,0" centroidWhole="0" placement="0" repeatDistance="0" lineAnchorType="0" polygonPlacementFlags="2" maxCurvedCharAngleOut="-25" priority="5" rotationAngle="0" maxCurvedCharAngleIn="25" lineAnchorClipping="0" geometryGenerator="" offsetUnits="MM" repeatDistanceUnits="MM" overrunDistanceMapUnitScale="3x:0,0,0,0,0,0"/>
   <rendering scaleMax="5000" scaleVisibility="1" obstacleType="1" maxNumLabels="2000" labelPerPart="0" upsidedownLabels="0" fontMaxPixelSize="10000" minFeatureSize="0" drawLabels="1" fontLimitPixelSize="0" displayAll="0" limitNumLabels="0" unplacedVisibility="0" mergeLines="0" obstacle="1" zIndex="0" fontMinPixelSize="0" obstacleFactor="1" scaleMin="0"/>
   <dd_properties>
    <Option type="Map">
     <Option name="name" type="QString" value=""/>
     <Option name="properties"/>
     <Option name="type" type="QString" value="collection"/>
    </Option>
   </dd_properties>
   <callout type="simple">
    <Option type="Map">
     <Option name="anchorPoint" type="QString" value="pole_of_inaccessibility"/>
     <Option name="blendMode" type="int" value="0"/>
     <Option name="ddProperties" type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
     <Option name="drawToAllParts" type="bool" value="false"/>
     <Option name="enabled" type="QString" value="0"/>
     <Option name="labelAnchorPoint" type="QString" value="point_on_exterior"/>
     <Option name="lineSymbol" type="QString" value="&lt;symbol name=&quot;symbol&quot; alpha=&quot;1&quot; force_rhr=&quot;0&quot; type=&quot;line&quot; clip_to_extent=&quot;1&quot;>&lt;data_defined_properties>&lt;Option type=&quot;Map&quot;>&lt;Option name=&quot;name&quot; type=&quot;QString&quot; value=&quot;&quot;/>&lt;Option name=&quot;properties&quot;/>&lt;Option name=&quot;type&quot; type=&quot;QString&quot; value=&quot;collection&quot;/>&lt;/Option>&lt;/data_defined_properties>&lt;layer class=&quot;SimpleLine&quot; locked=&quot;0&quot; enabled=&quot;1&quot; pass=&quot;0&quot;>&lt;Option type=&quot;Map&quot;>&lt;Option name=&quot;align_dash_pattern&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;capstyle&quot; type=&quot;QString&quot; value=&quot;square&quot;/>&lt;Option name=&quot;customdash&quot; type=&quot;QString&quot; value=&quot;5;2&quot;/>&lt;Option name=&quot;customdash_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;customdash_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;dash_pattern_offset&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;dash_pattern_offset_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;dash_pattern_offset_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;draw_inside_polygon&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;joinstyle&quot; type=&quot;QString&quot; value=&quot;bevel&quot;/>&lt;Option name=&quot;line_color&quot; type=&quot;QString&quot; value=&quot;60,60,60,255&quot;/>&lt;Option name=&quot;line_style&quot; type=&quot;QString&quot; value=&quot;solid&quot;/>&lt;Option name=&quot;line_width&quot; type=&quot;QString&quot; value=&quot;0.3&quot;/>&lt;Option name=&quot;line_width_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;offset&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;offset_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;offset_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;ring_filter&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;trim_distance_end&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;trim_distance_end_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;trim_distance_end_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;trim_distance_start&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;trim_distance_start_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;trim_distance_start_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;tweak_dash_pattern_on_corners&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;use_custom_dash&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;width_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;/Option>&lt;prop k=&quot;align_dash_pattern&quot; v=&quot;0&quot;/>&lt;prop k=&quot;capstyle&quot; v=&quot;square&quot;/>&lt;prop k=&quot;customdash&quot; v=&quot;5;2&quot;/>&lt;prop k=&quot;customdash_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;customdash_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;dash_pattern_offset&quot; v=&quot;0&quot;/>&lt;prop k=&quot;dash_pattern_offset_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;dash_pattern_offset_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;draw_inside_polygon&quot; v=&quot;0&quot;/>&lt;prop k=&quot;joinstyle&quot; v=&quot;bevel&quot;/>&lt;prop k=&quot;line_color&quot; v=&quot;60,60,60,255&quot;/>&lt;prop k=&quot;line_style&quot; v=&quot;solid&quot;/>&lt;prop k=&quot;line_width&quot; v=&quot;0.3&quot;/>&lt;prop k=&quot;line_width_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;offset&quot; v=&quot;0&quot;/>&lt;prop k=&quot;offset_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;offset_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;ring_filter&quot; v=&quot;0&quot;/>&lt;prop k=&quot;trim_distance_end&quot; v=&quot;0&quot;/>&lt;prop k=&quot;trim_distance_end_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;trim_distance_end_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;trim_distance_start&quot; v=&quot;0&quot;/>&lt;prop k=&quot;trim_distance_start_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;trim_distance_start_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;tweak_dash_pattern_on_corners&quot; v=&quot;0&quot;/>&lt;prop k=&quot;use_custom_dash&quot; v=&quot;0&quot;/>&lt;prop k=&quot;width_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;data_defined_properties>&lt;Option type=&quot;Map&quot;>&lt;Option name=&quot;name&quot; type=&quot;QString&quot; value=&quot;&quot;/>&lt;Option name=&quot;properties&quot;/>&lt;Option name=&quot;type&quot; type=&quot;QString&quot; value=&quot;collection&quot;/>&lt;/Option>&lt;/data_defined_properties>&lt;/layer>&lt;/symbol>"/>
     <Option name="minLength" type="double" value="0"/>
     <Option name="minLengthMapUnitScale" type="QString" value="3x:0,0,0,0,0,0"/>
     <Option name="minLengthUnit" type="QString" value="MM"/>
     <Option name="offsetFromAnchor" type="double" value="0"/>
     <Option name="offsetFromAnchorMapUnitScale" type="QString" value="3x:0,0,0,0,0,0"/>
     <Option name="offsetFromAnchorUnit" type="QString" value="MM"/>
     <Option name="offsetFromLabel" type="double" value="0"/>
     <Option name="offsetFromLabelMapUnitScale" type="QString" value="3x:0,0,0,0,0,0"/>
     <Option name="offsetFromLabelUnit" type="QString" value="MM"/>
    </Option>
   </callout>
  </settings>
 </labeling>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerOpacity>1</layerOpacity>
 <fieldConfiguration>
  <field name="case_id" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="district_code" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="district" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="x" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="2"/>
      <Option name="Step" type="double" value="0.01"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="y" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="2"/>
      <Option name="Step" type="double" value="0.01"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="lon" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="6"/>
      <Option name="Step" type="double" value="1e-06"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="lat" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="6"/>
      <Option name="Step" type="double" value="1e-06"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="area_m2" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="1"/>
      <Option name="Step" type="double" value="0.1"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="change" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="growth_m2" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="1"/>
      <Option name="Step" type="double" value="0.1"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="floors" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="1"/>
      <Option name="Step" type="double" value="0.1"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="epoch" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="prev_epoch" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="line_types" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="zones" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="enc_area_m2" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="1"/>
      <Option name="Step" type="double" value="0.1"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="pipe_kinds" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="min_clearance_m" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="2"/>
      <Option name="Step" type="double" value="0.01"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="required_m" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="2"/>
      <Option name="Step" type="double" value="0.01"/>
      <Option name="Style" type="QString" value="SpinBox"/>
      <Option name="Suffix" type="QString" value=""/>
     </Option>
    </config>
   </editWidget>
  </field>
  <field name="in_compound" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="permit_no" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="basis" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="verdict" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="priority" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="status" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="check_result" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="remarks" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="first_seen" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="last_run" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="gone" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="bld_fid" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="confidence" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="conf_reason" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="findings" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="rule_ids" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
 </fieldConfiguration>
 <aliases>
  <alias name="图斑编号" field="case_id" index="0"/>
  <alias name="行政区代码" field="district_code" index="1"/>
  <alias name="行政区" field="district" index="2"/>
  <alias name="X坐标" field="x" index="3"/>
  <alias name="Y坐标" field="y" index="4"/>
  <alias name="经度" field="lon" index="5"/>
  <alias name="纬度" field="lat" index="6"/>
  <alias name="面积(m²)" field="area_m2" index="7"/>
  <alias name="变化类型" field="change" index="8"/>
  <alias name="新增面积(m²)" field="growth_m2" index="9"/>
  <alias name="层数" field="floors" index="10"/>
  <alias name="时相" field="epoch" index="11"/>
  <alias name="前时相" field="prev_epoch" index="12"/>
  <alias name="压占类型" field="line_types" index="13"/>
  <alias name="压占对象" field="zones" index="14"/>
  <alias name="侵入面积(m²)" field="enc_area_m2" index="15"/>
  <alias name="管线种类" field="pipe_kinds" index="16"/>
  <alias name="最小净距(m)" field="min_clearance_m" index="17"/>
  <alias name="规范净距(m)" field="required_m" index="18"/>
  <alias name="小区内部" field="in_compound" index="19"/>
  <alias name="许可证号" field="permit_no" index="20"/>
  <alias name="依据" field="basis" index="21"/>
  <alias name="初判" field="verdict" index="22"/>
  <alias name="优先级" field="priority" index="23"/>
  <alias name="状态" field="status" index="24"/>
  <alias name="核查结果" field="check_result" index="25"/>
  <alias name="备注" field="remarks" index="26"/>
  <alias name="首次发现" field="first_seen" index="27"/>
  <alias name="最近运行" field="last_run" index="28"/>
  <alias name="已消失" field="gone" index="29"/>
  <alias name="建筑要素号" field="bld_fid" index="30"/>
  <alias name="可信度" field="confidence" index="31"/>
  <alias name="置信说明" field="conf_reason" index="32"/>
  <alias name="发现" field="findings" index="33"/>
  <alias name="规则编号" field="rule_ids" index="34"/>
 </aliases>
 <defaults>
  <default field="case_id" expression="" applyOnUpdate="0"/>
  <default field="district_code" expression="" applyOnUpdate="0"/>
  <default field="district" expression="" applyOnUpdate="0"/>
  <default field="x" expression="" applyOnUpdate="0"/>
  <default field="y" expression="" applyOnUpdate="0"/>
  <default field="lon" expression="" applyOnUpdate="0"/>
  <default field="lat" expression="" applyOnUpdate="0"/>
  <default field="area_m2" expression="" applyOnUpdate="0"/>
  <default field="change" expression="" applyOnUpdate="0"/>
  <default field="growth_m2" expression="" applyOnUpdate="0"/>
  <default field="floors" expression="" applyOnUpdate="0"/>
  <default field="epoch" expression="" applyOnUpdate="0"/>
  <default field="prev_epoch" expression="" applyOnUpdate="0"/>
  <default field="line_types" expression="" applyOnUpdate="0"/>
  <default field="zones" expression="" applyOnUpdate="0"/>
  <default field="enc_area_m2" expression="" applyOnUpdate="0"/>
  <default field="pipe_kinds" expression="" applyOnUpdate="0"/>
  <default field="min_clearance_m" expression="" applyOnUpdate="0"/>
  <default field="required_m" expression="" applyOnUpdate="0"/>
  <default field="in_compound" expression="" applyOnUpdate="0"/>
  <default field="permit_no" expression="" applyOnUpdate="0"/>
  <default field="basis" expression="" applyOnUpdate="0"/>
  <default field="verdict" expression="" applyOnUpdate="0"/>
  <default field="priority" expression="" applyOnUpdate="0"/>
  <default field="status" expression="" applyOnUpdate="0"/>
  <default field="check_result" expression="" applyOnUpdate="0"/>
  <default field="remarks" expression="" applyOnUpdate="0"/>
  <default field="first_seen" expression="" applyOnUpdate="0"/>
  <default field="last_run" expression="" applyOnUpdate="0"/>
  <default field="gone" expression="" applyOnUpdate="0"/>
  <default field="bld_fid" expression="" applyOnUpdate="0"/>
  <default field="confidence" expression="" applyOnUpdate="0"/>
  <default field="conf_reason" expression="" applyOnUpdate="0"/>
  <default field="findings" expression="" applyOnUpdate="0"/>
  <default field="rule_ids" expression="" applyOnUpdate="0"/>
 </defaults>
 <constraints>
  <constraint unique_strength="0" field="case_id" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="district_code" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="district" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="x" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="y" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="lon" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="lat" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="area_m2" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="change" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="growth_m2" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="floors" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="epoch" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="prev_epoch" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="line_types" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="zones" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="enc_area_m2" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="pipe_kinds" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="min_clearance_m" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="required_m" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="in_compound" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="permit_no" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="basis" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="verdict" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="priority" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="status" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="check_result" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="remarks" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="first_seen" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="last_run" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="gone" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="bld_fid" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="confidence" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="conf_reason" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="findings" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="rule_ids" exp_strength="0" notnull_strength="0" constraints="0"/>
 </constraints>
 <constraintExpressions>
  <constraint exp="" field="case_id" desc=""/>
  <constraint exp="" field="district_code" desc=""/>
  <constraint exp="" field="district" desc=""/>
  <constraint exp="" field="x" desc=""/>
  <constraint exp="" field="y" desc=""/>
  <constraint exp="" field="lon" desc=""/>
  <constraint exp="" field="lat" desc=""/>
  <constraint exp="" field="area_m2" desc=""/>
  <constraint exp="" field="change" desc=""/>
  <constraint exp="" field="growth_m2" desc=""/>
  <constraint exp="" field="floors" desc=""/>
  <constraint exp="" field="epoch" desc=""/>
  <constraint exp="" field="prev_epoch" desc=""/>
  <constraint exp="" field="line_types" desc=""/>
  <constraint exp="" field="zones" desc=""/>
  <constraint exp="" field="enc_area_m2" desc=""/>
  <constraint exp="" field="pipe_kinds" desc=""/>
  <constraint exp="" field="min_clearance_m" desc=""/>
  <constraint exp="" field="required_m" desc=""/>
  <constraint exp="" field="in_compound" desc=""/>
  <constraint exp="" field="permit_no" desc=""/>
  <constraint exp="" field="basis" desc=""/>
  <constraint exp="" field="verdict" desc=""/>
  <constraint exp="" field="priority" desc=""/>
  <constraint exp="" field="status" desc=""/>
  <constraint exp="" field="check_result" desc=""/>
  <constraint exp="" field="remarks" desc=""/>
  <constraint exp="" field="first_seen" desc=""/>
  <constraint exp="" field="last_run" desc=""/>
  <constraint exp="" field="gone" desc=""/>
  <constraint exp="" field="bld_fid" desc=""/>
  <constraint exp="" field="confidence" desc=""/>
  <constraint exp="" field="conf_reason" desc=""/>
  <constraint exp="" field="findings" desc=""/>
  <constraint exp="" field="rule_ids" desc=""/>
 </constraintExpressions>
 <expressionfields/>
 <editform tolerant="1"></editform>
 <editforminit/>
 <editforminitcodesource>0</editforminitcodesource>
 <editforminitfilepath></editforminitfilepath>
 <editforminitcode><![CDATA[]]></editforminitcode>
 <featformsuppress>0</featformsuppress>
 <editorlayout>generatedlayout</editorlayout>
 <editable/>
 <labelOnTop/>
 <reuseLastValue/>
 <dataDefinedFieldProperties/>
 <widgets/>
 <layerGeometryType>2</layerGeometryType>
</qgis>
