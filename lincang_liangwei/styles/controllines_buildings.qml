<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis simplifyMaxScale="1" minScale="100000000" simplifyDrawingHints="1" symbologyReferenceScale="-1" styleCategories="Symbology|Labeling|Fields|Forms|Rendering" hasScaleBasedVisibilityFlag="0" simplifyDrawingTol="1" simplifyAlgorithm="0" maxScale="0" simplifyLocal="1" version="3.22.16-Białowieża" labelsEnabled="0">
 <renderer-v2 attr="if(coalesce(&quot;n_zones&quot;, 0) > 0, 'hit', 'clear')" enableorderby="0" type="categorizedSymbol" symbollevels="0" forceraster="0" referencescale="-1">
  <categories>
   <category label="压占控制线的建筑" value="hit" render="true" symbol="0"/>
   <category label="未压占的建筑" value="clear" render="true" symbol="1"/>
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
      <Option name="color" type="QString" value="227,26,28,0"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="178,34,34,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.3"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="style" type="QString" value="no"/>
     </Option>
     <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="color" v="227,26,28,0"/>
     <prop k="joinstyle" v="miter"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="178,34,34,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.3"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="style" v="no"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
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
      <Option name="color" type="QString" value="158,158,158,0"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="158,158,158,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.15"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="style" type="QString" value="no"/>
     </Option>
     <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="color" v="158,158,158,0"/>
     <prop k="joinstyle" v="miter"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="158,158,158,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0.15"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="style" v="no"/>
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
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerOpacity>1</layerOpacity>
 <fieldConfiguration>
  <field name="n_zones" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="enc_area_total" configurationFlags="None">
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
  <field name="line_types" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="max_ratio" configurationFlags="None">
   <editWidget type="Range">
    <config>
     <Option type="Map">
      <Option name="AllowNull" type="bool" value="true"/>
      <Option name="Max" type="double" value="1e+15"/>
      <Option name="Min" type="double" value="-1e+15"/>
      <Option name="Precision" type="int" value="3"/>
      <Option name="Step" type="double" value="0.001"/>
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
  <field name="geom_status" configurationFlags="None">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field name="enc_red" configurationFlags="None">
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
  <field name="enc_blue" configurationFlags="None">
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
  <field name="enc_green" configurationFlags="None">
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
  <field name="enc_yellow" configurationFlags="None">
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
  <field name="enc_purple" configurationFlags="None">
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
  <field name="enc_water_source" configurationFlags="None">
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
 </fieldConfiguration>
 <aliases>
  <alias name="压占控制线数" field="n_zones" index="0"/>
  <alias name="压占总面积(m²)" field="enc_area_total" index="1"/>
  <alias name="压占类型" field="line_types" index="2"/>
  <alias name="最大压占比例" field="max_ratio" index="3"/>
  <alias name="面积(m²)" field="area_m2" index="4"/>
  <alias name="几何状态" field="geom_status" index="5"/>
  <alias name="道路红线压占面积(m²)" field="enc_red" index="6"/>
  <alias name="河道蓝线压占面积(m²)" field="enc_blue" index="7"/>
  <alias name="绿线压占面积(m²)" field="enc_green" index="8"/>
  <alias name="黄线压占面积(m²)" field="enc_yellow" index="9"/>
  <alias name="紫线压占面积(m²)" field="enc_purple" index="10"/>
  <alias name="水源保护区压占面积(m²)" field="enc_water_source" index="11"/>
 </aliases>
 <defaults>
  <default field="n_zones" expression="" applyOnUpdate="0"/>
  <default field="enc_area_total" expression="" applyOnUpdate="0"/>
  <default field="line_types" expression="" applyOnUpdate="0"/>
  <default field="max_ratio" expression="" applyOnUpdate="0"/>
  <default field="area_m2" expression="" applyOnUpdate="0"/>
  <default field="geom_status" expression="" applyOnUpdate="0"/>
  <default field="enc_red" expression="" applyOnUpdate="0"/>
  <default field="enc_blue" expression="" applyOnUpdate="0"/>
  <default field="enc_green" expression="" applyOnUpdate="0"/>
  <default field="enc_yellow" expression="" applyOnUpdate="0"/>
  <default field="enc_purple" expression="" applyOnUpdate="0"/>
  <default field="enc_water_source" expression="" applyOnUpdate="0"/>
 </defaults>
 <constraints>
  <constraint unique_strength="0" field="n_zones" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="enc_area_total" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="line_types" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="max_ratio" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="area_m2" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="geom_status" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="enc_red" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="enc_blue" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="enc_green" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="enc_yellow" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="enc_purple" exp_strength="0" notnull_strength="0" constraints="0"/>
  <constraint unique_strength="0" field="enc_water_source" exp_strength="0" notnull_strength="0" constraints="0"/>
 </constraints>
 <constraintExpressions>
  <constraint exp="" field="n_zones" desc=""/>
  <constraint exp="" field="enc_area_total" desc=""/>
  <constraint exp="" field="line_types" desc=""/>
  <constraint exp="" field="max_ratio" desc=""/>
  <constraint exp="" field="area_m2" desc=""/>
  <constraint exp="" field="geom_status" desc=""/>
  <constraint exp="" field="enc_red" desc=""/>
  <constraint exp="" field="enc_blue" desc=""/>
  <constraint exp="" field="enc_green" desc=""/>
  <constraint exp="" field="enc_yellow" desc=""/>
  <constraint exp="" field="enc_purple" desc=""/>
  <constraint exp="" field="enc_water_source" desc=""/>
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
