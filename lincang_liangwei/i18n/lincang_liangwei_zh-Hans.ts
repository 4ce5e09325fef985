<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>lincang_liangwei</name>
    <message>
        <location filename="../core/pipes.py"/>
        <source>fallback clearance must be &gt; 0 ({m})</source>
        <translation>默认净距必须大于 0（{m}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>class mapping &apos;{item}&apos;: {value} is not a class of the rules table (known: {known})</source>
        <translation>映射参数 &apos;{item}&apos;：{value} 不是规则表中的类别（可用：{known}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>empty key</source>
        <translation>键为空</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>expected a list of strings, got {v}</source>
        <translation>应为文本列表，实际为 {v}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>expected a number, got {v}</source>
        <translation>应为数字，实际为 {v}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>expected a string, got {v}</source>
        <translation>应为文本，实际为 {v}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>expected an integer, got {v}</source>
        <translation>应为整数，实际为 {v}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>expected true or false, got {v}</source>
        <translation>应为 true/false，实际为 {v}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>kind mapping &apos;{item}&apos;: {value} is not a pipe kind of the rules table (known: {known})</source>
        <translation>映射参数 &apos;{item}&apos;：{value} 不是规则表中的管线种类（可用：{known}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>malformed {what} item &apos;{item}&apos; (expected value=kind;value=kind)</source>
        <translation>映射参数 {what} 格式错误：&apos;{item}&apos;（应为 值=类别;值=类别）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>max_diameter_mm must exceed min_diameter_mm</source>
        <translation>管径上限应大于下限</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>missing required field(s): {join_missing}</source>
        <translation>缺少必填字段：{join_missing}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>must be a table</source>
        <translation>应为表</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>must be one of {names} (the [level.*] rows), got {v_verdict}</source>
        <translation>应为 {names} 之一（[level.*] 行），实际为 {v_verdict}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>must be one of {values}, got {where}</source>
        <translation>应为 {values} 之一，实际为 {where}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>must lie in (0, 1]</source>
        <translation>应在 (0, 1] 之间</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>must not be negative ({v})</source>
        <translation>不能为负数（{v}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>new row lacks required field (required: {join_missing})</source>
        <translation>新增行缺少必填字段（必填：{join_missing}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>reading TOML needs Python &gt;= 3.11</source>
        <translation>读取 TOML 需要 Python 3.11 以上</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>row names may contain only letters, digits and &apos;_&apos;</source>
        <translation>行名只能包含字母、数字和下划线</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>rules file not found: {file}</source>
        <translation>规则文件不存在：{file}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>rules file {file} is not UTF-8 ({error})</source>
        <translation>规则文件 {file} 不是 UTF-8 编码（{error}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>rules file {file}: syntax error: {error}</source>
        <translation>规则文件 {file} 语法错误：{error}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>rules file {file}: top level must be a table</source>
        <translation>规则文件 {file} 顶层应为表</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>rules table lacks a [level.*] row for {verdict}</source>
        <translation>规则表缺少 {verdict} 的 [level.*] 行</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>rules table lacks row [line.{type}]</source>
        <translation>规则表缺少控制线 [line.{type}]</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>same rank as [level.{ranks_lv_rank}]</source>
        <translation>与 [level.{ranks_lv_rank}] 的 rank 相同</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>target {target} is not defined (known: {join_sorted_targets})</source>
        <translation>目标 {target} 未定义（可用：{join_sorted_targets}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>undeclared pipe kind {k}</source>
        <translation>未定义的管线种类 {k}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>undeclared pipe kind {r_kind} (declare it as [kind.{r_kind2}])</source>
        <translation>未定义的管线种类 {r_kind}（需先在 [kind.{r_kind2}] 定义）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unit must be &quot;m&quot;, got {r_unit}</source>
        <translation>单位应为 &quot;m&quot;，实际为 {r_unit}</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unknown change class {c} (allowed: {join_change_values})</source>
        <translation>未知的变化类型 {c}（允许：{join_change_values}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unknown confidence {c} (allowed: {join_confidence_valu})</source>
        <translation>未知的可信度 {c}（允许：{join_confidence_valu}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unknown control-line type (allowed: {join_line_types})</source>
        <translation>未知的控制线类型（允许：{join_line_types}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unknown control-line type {type} (allowed: {allowed})</source>
        <translation>未知的控制线类型 {type}（允许：{allowed}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unknown field</source>
        <translation>未知字段</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unknown field (allowed: {join_schema})</source>
        <translation>未知字段（允许：{join_schema}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unknown finding {f} (allowed: {join_sorted_allowed_})</source>
        <translation>未知的判定对象 {f}（允许：{join_sorted_allowed_}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unknown section &apos;{name}&apos; (allowed: {allowed})</source>
        <translation>未知的节 &apos;{name}&apos;（允许：{allowed}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>unsupported schema {out_meta_schema} (expected {schema})</source>
        <translation>不支持的版本 {out_meta_schema}（应为 {schema}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>value is not finite ({v})</source>
        <translation>数值无效（{v}）</translation>
    </message>
    <message>
        <location filename="../core/rules.py"/>
        <source>{k_default_class} is not a class of any [pipe] row of this kind</source>
        <translation>{k_default_class} 不是该种类已有的管线类别</translation>
    </message>
    <message>
        <location filename="../deps.py"/>
        <source>(Debian 12: pip install --no-binary shapely &apos;shapely&gt;=2.0&apos; to link the system GEOS)</source>
        <translation>（Debian 12：pip install --no-binary shapely &apos;shapely&gt;=2.0&apos; 以匹配系统 GEOS）</translation>
    </message>
    <message>
        <location filename="../deps.py"/>
        <source>Python package {name} is missing: install {hint}</source>
        <translation>缺少 Python 包 {name}，请安装 {hint}</translation>
    </message>
    <message>
        <location filename="../deps.py"/>
        <source>{name} {version} is too old: {hint} is needed</source>
        <translation>{name} 版本 {version} 过旧，需要 {hint}</translation>
    </message>
    <message>
        <location filename="../fieldstore.py"/>
        <source>conflict: {case} {field}: master={master} / team={team} (baseline={base})</source>
        <translation>冲突：{case} {field}：台账={master} / 外业={team}（打包时={base}）</translation>
    </message>
    <message>
        <location filename="../processing/base.py"/>
        <source>Checks</source>
        <translation>巡查检查</translation>
    </message>
    <message>
        <location filename="../processing/base.py"/>
        <source>Rules file (optional)</source>
        <translation>规则文件（可选）</translation>
    </message>
    <message>
        <location filename="../processing/base.py"/>
        <source>Working CRS (optional, projected)</source>
        <translation>计算坐标系（可选，投影坐标系）</translation>
    </message>
    <message>
        <location filename="../processing/base.py"/>
        <source>{name}: reprojected on the fly from {src} to {dst}</source>
        <translation>{name}：坐标系 {src} 实时转换到 {dst}</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>(empty)</source>
        <translation>(空)</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>CAD drawing (DXF / DWG)</source>
        <translation>CAD 文件 (DXF / DWG)</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>CAD feature {fid} (layer {layer}, {type}): gap {gap} m</source>
        <translation>CAD 要素 {fid}（图层 {layer}，{type}）缺口 {gap} m</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>CAD features in</source>
        <translation>CAD 要素数</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>CAD file not found: {path}</source>
        <translation>找不到 CAD 文件 {path}</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>CAD layer field (empty = auto: Layer)</source>
        <translation>图层名字段（留空自动识别 Layer）</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>CAD layer name → line type (name=type;…)</source>
        <translation>CAD 图层名→控制线类型（名称=类型;…）</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>Closing tolerance (m)</source>
        <translation>闭合容差</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>Control lines that stay lines</source>
        <translation>未闭合的控制线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>Control-line polygons</source>
        <translation>控制线面</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>Drawing CRS (required: a DXF has none)</source>
        <translation>图纸坐标系（必填，DXF 不带坐标系）</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>Import control lines from CAD</source>
        <translation>CAD 控制线导入</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>No control line imported: check the layer mapping</source>
        <translation>没有导入任何控制线：请检查图层映射</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>Prepare data</source>
        <translation>数据准备</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>The CAD drawing has no coordinate reference system: choose the projected CRS its coordinates are in (e.g. EPSG:4542) in the Drawing CRS parameter; without it areas, distances and overlays are meaningless.</source>
        <translation>CAD 图纸不带坐标系：请在“图纸坐标系”参数中选择图纸坐标所用的投影坐标系（如 EPSG:4542 CGCS2000 3度带 中央经线 99°E），否则面积、距离和与其他图层的叠加都无从谈起。</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>blue</source>
        <translation>蓝线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>cannot read the CAD file {path}: GDAL does not read it (DWG needs GDAL&apos;s CAD driver; otherwise save it as DXF in the CAD program)</source>
        <translation>无法读取 CAD 文件 {path}：GDAL 不支持此文件（DWG 需要 GDAL 的 CAD 驱动，或先在 CAD 中另存为 DXF）</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>closed</source>
        <translation>闭合</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>closed across a gap</source>
        <translation>按容差闭合</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>closed, no area</source>
        <translation>闭合但无面积</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>features on unmatched CAD layers</source>
        <translation>未匹配图层的要素</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>gap beyond tolerance</source>
        <translation>缺口超过容差</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>green</source>
        <translation>绿线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>hatch/area</source>
        <translation>填充面</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>layer &apos;{layer}&apos; of the CAD file has no field &apos;{field}&apos;</source>
        <translation>CAD 文件图层“{layer}”中没有字段“{field}”</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <location filename="../qgis_io/reader.py"/>
        <source>lines</source>
        <translation>线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>not closed: gap beyond tolerance</source>
        <translation>缺口超过容差</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>open line</source>
        <translation>开口线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>output {param} points at the input CAD file {path}: writing it would replace the drawing. Choose another output file.</source>
        <translation>输出 {param} 指向输入的 CAD 文件 {path}，写入会覆盖原图。请另选输出文件。</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <location filename="../qgis_io/reader.py"/>
        <source>polygons</source>
        <translation>面</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>polylines whose ends are at most this far apart are closed and become polygons</source>
        <translation>首尾点距离不超过此值的多段线视为闭合，转为面</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>purple</source>
        <translation>紫线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>red</source>
        <translation>红线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>the OGR layer names</source>
        <translation>OGR 图层名</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>the drawing CRS {crs} is geographic (degrees); the closing tolerance is in metres: choose a projected CRS</source>
        <translation>图纸坐标系 {crs} 是地理坐标系（经纬度），闭合容差以米计，请选择投影坐标系</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>the drawing&apos;s coordinates ({span}) do not fit the chosen CRS {crs}: the drawing may use a local grid or another 3-degree zone. Choose the right CRS (or transform the drawing in CAD first).</source>
        <translation>CAD 图纸坐标（范围 {span}）与所选坐标系 {crs} 不符：图纸可能是独立坐标系或另一 3 度带，请选对坐标系（或先在 CAD 中转换到城市坐标系）</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>the projected CRS the drawing&apos;s coordinates are in, e.g. CGCS2000 3-degree zone EPSG:4542</source>
        <translation>图纸坐标所用的投影坐标系，如 CGCS2000 3 度带 EPSG:4542</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <location filename="../processing/fullcheck.py"/>
        <source>time: {s} s</source>
        <translation>用时：{s} s</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>types: red blue green yellow purple water_source; =ignore (or =忽略) marks a layer that is not a control line. Matching ignores case, spaces, prefixes and suffixes</source>
        <translation>类型：red blue green yellow purple water_source；=忽略（或 =ignore）表示该图层不是控制线。匹配不区分大小写、空格和前后缀</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>unknown line type &apos;{value}&apos; in the layer mapping item &apos;{key}={value}&apos;; use one of {types} or ignore</source>
        <translation>图层映射“{key}={value}”中的类型“{value}”未知，可用：{types} 或 忽略</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>unmatched CAD layers</source>
        <translation>未匹配的 CAD 图层</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>water source</source>
        <translation>水源保护区</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>yellow</source>
        <translation>黄线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>{file} (GDAL {driver}): {n} CAD features, layer names from {field}, CRS {crs}</source>
        <translation>{file}（GDAL {driver}）：{n} 个 CAD 要素，图层名取自 {field}，坐标系 {crs}</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>{n} CAD features: {polygons} polygons, {lines} lines; {unmapped} features on unmatched layers, {ignored} ignored by the mapping, {null} without geometry, {other} parts neither line nor area (text, points)</source>
        <translation>CAD 要素 {n} 个：控制线面 {polygons} 个、线 {lines} 条；未匹配图层 {unmapped} 个要素，按映射忽略 {ignored} 个，无几何 {null} 个，非线非面（文字、点）{other} 个</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>{n} CAD layers matched no line type and their {features} features were not imported; add any control-line layer among them to the mapping: {layers}</source>
        <translation>{n} 个 CAD 图层未匹配任何控制线类型，其 {features} 个要素未导入；如其中有控制线，请在“CAD 图层名→控制线类型”中添加：{layers}</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>{n} curves (arcs, bulges) segmentised</source>
        <translation>{n} 个曲线（圆弧、凸度多段线）已离散为折线</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>{n} polylines look closed but their gap exceeds the closing tolerance {m} m: kept as lines (a building inside is not flagged). Close them in CAD or raise the tolerance.</source>
        <translation>{n} 条多段线看似闭合但首尾缺口大于闭合容差 {m} m，仍按线处理（建筑在其内部不会被认定压占），请在 CAD 中闭合或调大容差</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>{n} self-crossing rings or hatches repaired to valid polygons</source>
        <translation>{n} 个自相交的闭合线/填充已修复为有效面</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>{type} (polygons + lines)</source>
        <translation>{type}（面+线）</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>{type}: {polygons} polygons ({area} m²), {lines} lines</source>
        <translation>{type}：面 {polygons} 个（{area} m²），线 {lines} 条</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <source>… ({n} in all)</source>
        <translation>…（共 {n} 个）</translation>
    </message>
    <message>
        <location filename="../processing/cadimport.py"/>
        <location filename="../processing/fieldsync.py"/>
        <source>… {n} more</source>
        <translation>…… 另有 {n} 条</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>CJK font family (empty = automatic)</source>
        <translation>中文字体（留空自动选择）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>CJK font: {family}</source>
        <translation>中文字体：{family}</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>Case atlas PDF</source>
        <translation>核查图册 PDF</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>Context layers (control lines, pipes, earlier buildings, districts…)</source>
        <translation>参考图层（控制线、管线、前期建筑、行政区…）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>Filter expression (empty = every case)</source>
        <translation>筛选表达式（留空为全部）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>Include cases no longer found (gone)</source>
        <translation>包括已消失的图斑</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>Map scales (the first that fits is used)</source>
        <translation>比例尺（依次选用第一个能容下图斑的）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>PDF case atlas</source>
        <translation>核查图册</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>PDF export failed: {error}</source>
        <translation>PDF 导出失败：{error}</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <location filename="../processing/fieldpackage.py"/>
        <location filename="../processing/fieldsync.py"/>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../processing/register.py"/>
        <location filename="../ui/caselist.py"/>
        <location filename="../ui/dock.py"/>
        <source>Register</source>
        <translation>台账</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>Register (layer register of register.gpkg)</source>
        <translation>台账（register.gpkg 中的 register 图层）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>Rules file (optional: names of control lines and pipes, verdict order)</source>
        <translation>规则文件（可选，控制线与管线名称、初判顺序）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>case pages</source>
        <translation>图斑页数</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>context layer {layer} as {role}</source>
        <translation>参考图层 {layer} ← {role}</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>context layers of unknown kind are drawn grey (names with red/红线, blue/蓝线, pipe/管线, district/行政区… are recognised)</source>
        <translation>未识别类型的参考图层按灰色绘制（图层名含 red/红线、blue/蓝线、pipe/管线、district/行政区 等可识别）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>e.g. &quot;verdict&quot; = &apos;拆除候选&apos;</source>
        <translation>如 &quot;verdict&quot; = &apos;拆除候选&apos;</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>invalid filter expression: {error}</source>
        <translation>筛选表达式有误：{error}</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>no CJK font installed: Chinese text may show as boxes; install Microsoft YaHei / SimHei (Windows) or fonts-noto-cjk (Debian)</source>
        <translation>未找到中文字体，PDF 中的中文可能显示为方框；请安装 微软雅黑/黑体（Windows）或 fonts-noto-cjk（Debian）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>no case matches ({n} cases in the register, filter: {filter}); no PDF written</source>
        <translation>没有符合条件的图斑（{n} 个图斑，筛选：{filter}），未生成 PDF</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>no case matches ({n} cases in the register, filter: {filter}, gone cases left out); no PDF written</source>
        <translation>没有符合条件的图斑（{n} 个图斑，筛选：{filter}，不含已消失的），未生成 PDF</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../qgis_io/messages.py"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>not a map scale: {error} (e.g. 1000,2000,5000)</source>
        <translation>比例尺无法识别：{error}（如 1000,2000,5000）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>pages incl. cover</source>
        <translation>总页数（含封面）</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>selecting cases…</source>
        <translation>筛选图斑…</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>the filter expression failed: {error}</source>
        <translation>筛选表达式无法计算：{error}</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>the output must be a .pdf file: {path}</source>
        <translation>输出应为 PDF 文件（.pdf）：{path}</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>the output {path} is the file of the input layer {layer}; choose another file</source>
        <translation>输出文件 {path} 是输入图层 {layer} 的文件，不能覆盖，请另选文件</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>the register is in a geographic CRS; scales are more accurate in a projected CRS</source>
        <translation>台账为地理坐标系：比例尺按投影坐标系计算更准确</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>the register {layer} has no CRS</source>
        <translation>台账 {layer} 没有坐标系</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>wrote {path}: cover + {n} pages in {s} s ({rate} pages/s), preparation {prep} s</source>
        <translation>已写出 {path}：封面 + {n} 页，用时 {s} s（{rate} 页/秒），准备 {prep} s</translation>
    </message>
    <message>
        <location filename="../processing/caseatlas.py"/>
        <source>{n} cases: {verdicts}</source>
        <translation>图斑 {n} 个：{verdicts}</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Added parts (new and extensions)</source>
        <translation>新增部分</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Change detection</source>
        <translation>变化发现</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Compare survey epochs</source>
        <translation>时相比对</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Demolished buildings</source>
        <translation>已拆除建筑</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Earlier epoch footprints</source>
        <translation>前时相建筑</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Earlier epoch label (e.g. 2019-06)</source>
        <translation>前时相标签</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Earlier floors or height field</source>
        <translation>前时相层数/高度字段（可选）</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Exact match_iou for unchanged buildings too (about 2x slower)</source>
        <translation>为未变化建筑也计算精确重叠度 match_iou（约慢一倍）</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Later buildings with change class</source>
        <translation>后时相建筑及变化类型</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <location filename="../processing/fullcheck.py"/>
        <source>Later epoch footprints</source>
        <translation>后时相建筑</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Later epoch label (e.g. 2023-06)</source>
        <translation>后时相标签</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Later floors or height field</source>
        <translation>后时相层数/高度字段（可选）</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Minimum added area for an expansion (m²)</source>
        <translation>扩建最小增加面积 (m²)</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Minimum added share of the old footprint</source>
        <translation>扩建最小增加比例</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Outline jitter allowance (m)</source>
        <translation>轮廓抖动容差 (m)</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Positional accuracy field (optional, metres, used in each epoch that has it)</source>
        <translation>平面精度字段（可选，米，两期图层中有此字段即用）</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Positional tolerance (m)</source>
        <translation>位置容差 (m)：两期整体偏移不超过此值视为同一位置</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>Rebuilt below this IoU after registration</source>
        <translation>翻建判定：配准后重叠度 IoU 低于此值</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>added area (m²)</source>
        <translation>新增面积</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>by default outlines that agree within the jitter band are unchanged without an overlay and match_iou is left NULL</source>
        <translation>默认情况下，轮廓在抖动容差内一致的建筑直接判为未变化，match_iou 留空</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <location filename="../processing/fullcheck.py"/>
        <source>demolished</source>
        <translation>已拆除</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>earlier features</source>
        <translation>前时相要素</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>expanded (incl. +floors)</source>
        <translation>扩建</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>floors added (incl. expanded+)</source>
        <translation>加层</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>later features</source>
        <translation>后时相要素</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <location filename="../qgis_io/messages.py"/>
        <source>merged</source>
        <translation>合并</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>neither epoch has the accuracy field &apos;{field}&apos;: confidence is graded on the outline noise only</source>
        <translation>两期图层中都没有精度字段“{field}”，可信度只按两期轮廓噪声判定</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <location filename="../qgis_io/messages.py"/>
        <source>new</source>
        <translation>新增</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>per-feature positional accuracy in metres, used to grade the confidence of each change</source>
        <translation>逐要素的平面测量精度（米），用于判定变化的可信度</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <location filename="../qgis_io/messages.py"/>
        <source>rebuilt</source>
        <translation>翻建</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <location filename="../qgis_io/messages.py"/>
        <source>split</source>
        <translation>拆分</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <location filename="../qgis_io/messages.py"/>
        <source>unchanged</source>
        <translation>未变化</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>{layer}: accuracy field &apos;{field}&apos;: {n} values</source>
        <translation>{layer}：精度字段“{field}”有值 {n} 个</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>{layer}: floors field &apos;{field}&apos;: {n} text values read as floors (e.g. 3层, 二层, 3F)</source>
        <translation>{layer}：层数字段“{field}”中 {n} 个文字值已识别为层数（如 3层、二层、3F）</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <source>{layer}: floors field &apos;{field}&apos;: {n} values are not a floor count and are treated as missing (e.g. {examples})</source>
        <translation>{layer}：层数字段“{field}”中 {n} 个值无法识别为层数，按无层数信息处理（例如 {examples}）</translation>
    </message>
    <message>
        <location filename="../processing/compareepochs.py"/>
        <location filename="../qgis_io/reader.py"/>
        <source>{layer}: {n} features, read tile by tile from the GeoPackage (memory stays bounded; results as for the whole layer)</source>
        <translation>{layer}：{n} 个要素，从 GeoPackage 按图块分块读取（内存占用有上限；结果与整层计算相同）</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>(building, zone) hits</source>
        <translation>压占记录数（建筑 × 控制线）</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Blue lines (rivers, lakes, wetlands)</source>
        <translation>河道蓝线</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <location filename="../processing/pipeclearance.py"/>
        <source>Building footprints</source>
        <translation>建筑轮廓</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <location filename="../processing/pipeclearance.py"/>
        <source>Building id fields copied to the output (empty = auto)</source>
        <translation>复制到输出的建筑编号字段（留空 = 自动识别）</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <location filename="../processing/pipeclearance.py"/>
        <source>Building id fields copied to the output: {fields}</source>
        <translation>复制到输出的建筑编号字段：{fields}</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Buildings with encroachment summary</source>
        <translation>建筑压占汇总</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Choose at least one control-line layer (red, blue, green, yellow, purple or water source)</source>
        <translation>请至少选择一个控制线图层（红线、蓝线、绿线、黄线、紫线或水源保护区）</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Control-line encroachment</source>
        <translation>控制线压占检查</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Encroached pieces</source>
        <translation>压占图斑</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Green lines (public green space)</source>
        <translation>绿线</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Minimum encroached area (m²)</source>
        <translation>最小压占面积</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Minimum share of the footprint (0–1)</source>
        <translation>最小压占比例</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <location filename="../processing/pipeclearance.py"/>
        <source>No building id field found: the output identifies buildings by bld_fid only</source>
        <translation>未找到建筑编号字段：输出仅以 bld_fid 标识建筑</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Purple lines (historic conservation areas)</source>
        <translation>紫线</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Red lines (road / land-use boundaries)</source>
        <translation>道路红线</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Rules file (optional: setbacks and legal basis)</source>
        <translation>规则文件（可选，覆盖默认退让距离与依据）</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Water-source protection zones</source>
        <translation>水源保护区</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Yellow lines (key infrastructure land)</source>
        <translation>黄线</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>Zone name field (empty = auto)</source>
        <translation>控制线名称字段（留空自动识别）</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>buildings encroaching</source>
        <translation>压占建筑数</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../processing/pipeclearance.py"/>
        <location filename="../processing/register.py"/>
        <source>buildings in</source>
        <translation>建筑数</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>buildings used</source>
        <translation>参与计算</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>buildings {n} = {used} used + {skipped} skipped; {hit} encroaching, {area} m² encroached</source>
        <translation>建筑 {n} 栋 = 参与计算 {used} + 跳过 {skipped}；压占建筑 {hit} 栋，压占总面积 {area} m²</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <location filename="../processing/pipeclearance.py"/>
        <source>copied next to bld_fid; empty = the first field named like a building id (survey_id, bsm, fwbh, building_id, objectid, id, code or their Chinese names)</source>
        <translation>写在 bld_fid 旁边；留空时取第一个名称像建筑编号的字段（survey_id、bsm、标识码、编号、建筑编号、fwbh、building_id、objectid、id、code）</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>smaller overlaps are treated as outline noise</source>
        <translation>小于此面积的压占视为轮廓误差忽略</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>total encroached area (m²)</source>
        <translation>压占总面积</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>{label} ({type}): {buildings} buildings, {hits} hits, {area} m²</source>
        <translation>{label} ({type})：{buildings} 栋建筑，{hits} 处，{area} m²</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>{layer} → {label} ({type}): {kind} layer, setback {m} m, name field {field}</source>
        <translation>{layer} → {label} ({type})：{kind}图层，退让 {m} m，名称字段 {field}</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>{layer} → {label} ({type}): {kind} layer, setback {m} m, no name field</source>
        <translation>{layer} → {label} ({type})：{kind}图层，退让 {m} m，无名称字段</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>{layer}: {closed} closed rings treated as polygons (a building inside encroaches), {open} open lines as lines</source>
        <translation>{layer}：{closed} 条闭合线按面处理（其内部的建筑计为压占），{open} 条开口线按线处理</translation>
    </message>
    <message>
        <location filename="../processing/controllines.py"/>
        <source>{pairs} candidate pairs, {hits} encroachments, {touching} touching only (not counted), {small} below MIN_AREA/MIN_RATIO (not counted)</source>
        <translation>候选对 {pairs}，压占 {hits} 处，仅接触 {touching} 处（不计），小于阈值 {small} 处（不计）</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Cases packed</source>
        <translation>打包图斑数</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Cases to pack (expression, optional)</source>
        <translation>选择图斑（表达式，可选）</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Context features</source>
        <translation>参考要素数</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Context layers (optional)</source>
        <translation>参考图层（可选）</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Context margin (m)</source>
        <translation>参考图层外扩距离 (m)</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Field package for QField</source>
        <translation>外业包 (QField)</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <location filename="../ui/caselist.py"/>
        <source>Liangwei cases</source>
        <translation>两违图斑</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Liangwei field check {date} ({n} cases)</source>
        <translation>两违外业核查 {date}（{n} 个图斑）</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Package folder</source>
        <translation>外业包文件夹</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Package id</source>
        <translation>外业包编号</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>Package zip (.zip)</source>
        <translation>外业包压缩文件 (.zip)</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>QField project (.qgz)</source>
        <translation>QField 工程 (.qgz)</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>cannot create folder {folder}: {error}</source>
        <translation>无法创建文件夹 {folder}：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>cannot write context layer {layer}: {error}</source>
        <translation>无法写入参考图层 {layer}：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <location filename="../processing/register.py"/>
        <source>cannot write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>context layer does not open: {path}</source>
        <translation>参考图层无法打开：{path}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>context layer {layer} lies in the output folder and would be replaced</source>
        <translation>参考图层 {layer} 在输出文件夹中，会被覆盖</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>context layer {layer}: cannot transform the package extent ({error})</source>
        <translation>参考图层 {layer} 无法转换坐标（{error}）</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>context layer {title}: {n} features within {m} m of the cases</source>
        <translation>参考图层 {title}：图斑周边 {m} m 内 {n} 个要素</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>duplicate case_id {case}</source>
        <translation>图斑编号重复：{case}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>edit widgets: {list}</source>
        <translation>编辑控件：{list}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>feature {fid} has no case_id</source>
        <translation>要素 {fid} 没有图斑编号</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>field package: {folder} ({files}) in {s} s</source>
        <translation>外业包：{folder}（{files}），用时 {s} s</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>more than {n} cases chosen: narrow FILTER</source>
        <translation>所选图斑超过 {n} 个，请缩小选择</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>no case matches FILTER: nothing to pack</source>
        <translation>没有符合条件的图斑，无可打包</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <location filename="../qgis_io/writer.py"/>
        <source>no permission to write in folder {path}</source>
        <translation>没有写入文件夹 {path} 的权限</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>output {out} is the file of input {layer}: choose another folder</source>
        <translation>输出 {out} 是输入 {layer} 的文件，拒绝覆盖，请另选文件夹</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>the FILTER expression is invalid: {error}</source>
        <translation>选择表达式有误：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>the output folder is input {layer}</source>
        <translation>输出文件夹是输入 {layer}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>the package register does not open: {path}</source>
        <translation>外业包台账无法打开：{path}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>write failed: {error}</source>
        <translation>写入失败：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>{folder} holds an earlier field package with entries not merged back ({cases} cases, {photos} photos): merge it with liangwei:fieldsync or choose another folder</source>
        <translation>文件夹 {folder} 中已有外业包，其中有未回传的外业录入（{cases} 个图斑，{photos} 张照片），请先用“回传合并”(liangwei:fieldsync) 合并或另选文件夹</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>{layer} has no CRS</source>
        <translation>{layer} 没有坐标系</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>{layer} has no case_id field: not a register (make one with liangwei:register)</source>
        <translation>{layer} 没有 case_id 字段，不是两违台账（用 liangwei:register 生成）</translation>
    </message>
    <message>
        <location filename="../processing/fieldpackage.py"/>
        <source>{n} cases packed, package id {id}</source>
        <translation>打包图斑 {n} 个，外业包编号 {id}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Canceled: the master register is unchanged</source>
        <translation>已取消，总台账未改变</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Cases updated</source>
        <translation>更新图斑数</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Conflicts</source>
        <translation>冲突数</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Conflicts CSV (optional)</source>
        <translation>冲突清单 CSV（可选）</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Master register (GeoPackage)</source>
        <translation>总台账（GeoPackage）</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Merge field packages back (QField)</source>
        <translation>回传合并 (QField)</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Packages merged</source>
        <translation>合并外业包数</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Photos copied</source>
        <translation>复制照片数</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Returned field packages (.gpkg, folder or .zip)</source>
        <translation>回传的外业包（.gpkg、文件夹或 .zip）</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Values rejected</source>
        <translation>拒收字段值数</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>Values updated</source>
        <translation>更新字段值数</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>a package file is a symbolic link</source>
        <translation>外业包文件是符号链接</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>broken zip</source>
        <translation>压缩包损坏</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>cannot read package {path}: {error}</source>
        <translation>无法读取外业包 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>cannot read the master register {path}: {error}</source>
        <translation>无法读取总台账 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>conflicts CSV: {path}</source>
        <translation>冲突清单：{path}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>duplicate case id in the master register</source>
        <translation>台账中图斑编号重复</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>duplicate case id in the package</source>
        <translation>外业包中图斑编号重复</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>fields added to the master: {fields}</source>
        <translation>总台账新增字段：{fields}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>file larger than allowed</source>
        <translation>文件超过大小上限</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>file not found</source>
        <translation>找不到文件</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>invalid package id</source>
        <translation>外业包编号无效</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>merge failed, the master register is unchanged: {error}</source>
        <translation>合并失败，总台账未改变：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>merged into {master} in {s} s; photos: {photos}</source>
        <translation>回传合并完成：{master}，用时 {s} s；照片：{photos}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>more photos than allowed</source>
        <translation>照片数量超过上限</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>more rows than allowed</source>
        <translation>外业包行数超过上限</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>no field package given (FIELD)</source>
        <translation>没有外业包（FIELD）</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>not a field package (package tables missing)</source>
        <translation>不是外业包（缺少外业包信息表）</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>package refused: {path}: {reason}. Nothing merged.</source>
        <translation>拒收外业包：{path}：{reason}。未合并任何内容。</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>package {id} made {created}: {n} cases</source>
        <translation>外业包 {id}（{created}）：{n} 个图斑</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo file type not allowed</source>
        <translation>照片文件类型不允许</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo is a symbolic link</source>
        <translation>照片是符号链接</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo is not a regular file</source>
        <translation>照片不是普通文件</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo lies outside the package</source>
        <translation>照片在外业包之外</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo path contains &apos;..&apos; (points outside the package)</source>
        <translation>照片路径含 “..”，指向外业包之外</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo path has a drive letter</source>
        <translation>照片路径含盘符</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo path has control characters</source>
        <translation>照片路径含控制字符</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo path is a URL</source>
        <translation>照片路径是网址</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo path is absolute</source>
        <translation>照片路径为绝对路径</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo path too long</source>
        <translation>照片路径过长</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo too large</source>
        <translation>照片过大</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>photo value is not text</source>
        <translation>照片字段不是文本</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>refused: {reason}. The master register is unchanged.</source>
        <translation>拒收：{reason}。总台账未改变。</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>rejected: {case} {field}: {why}</source>
        <translation>拒收：{case} {field}：{why}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>several field packages in one folder</source>
        <translation>文件夹中有多个外业包</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>the field package is the master register: {path}</source>
        <translation>外业包就是总台账本身：{path}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>the master register has no case_id field</source>
        <translation>台账没有 case_id 字段</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>the package was made from {made_from}, merging into {master}</source>
        <translation>外业包出自 {made_from}，合并到 {master}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>the package&apos;s case ids do not match the master register</source>
        <translation>外业包的图斑编号与台账不符</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>unsupported package format version</source>
        <translation>外业包格式版本不支持</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>zip holds a symbolic link</source>
        <translation>压缩包含符号链接</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>zip holds too many files</source>
        <translation>压缩包文件过多</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>zip is encrypted</source>
        <translation>压缩包已加密</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>zip member path contains &apos;..&apos;</source>
        <translation>压缩包成员路径含 “..”</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>zip member path is absolute</source>
        <translation>压缩包成员为绝对路径</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>zip unpacks to too many bytes</source>
        <translation>压缩包解压后过大</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>{file} ({id}): {cases} cases, {values} values updated, {conflicts} conflicts</source>
        <translation>{file} ({id})：更新 {cases} 个图斑、{values} 个值，冲突 {conflicts}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>{file} has no layer {name}</source>
        <translation>{file} 中没有图层 {name}</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>{layer} has unsaved edits: save or discard them first</source>
        <translation>{layer} 有未保存的编辑，请先保存或放弃</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>{layer} is not a GeoPackage layer: fieldsync merges into a GeoPackage register</source>
        <translation>{layer} 不是 GeoPackage 图层；回传合并需要 GeoPackage 总台账</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>{n} conflicts: the master&apos;s value kept, the team&apos;s in table {table} (remarks appended after the master&apos;s)</source>
        <translation>{n} 个冲突：台账值保留，外业值记入 {table} 表（备注追加在原备注后）</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>{n} features without case_id (digitised on the tablet) were not merged</source>
        <translation>{n} 个无图斑编号的新要素（平板上新绘）未合并</translation>
    </message>
    <message>
        <location filename="../processing/fieldsync.py"/>
        <source>… {n} more conflicts</source>
        <translation>…… 另有 {n} 个冲突</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>Cases in the PDF case atlas (filter expression, empty = every case)</source>
        <translation>核查图册收录的图斑（筛选表达式，留空为全部）</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../processing/register.py"/>
        <source>Demolition-candidate register</source>
        <translation>拆除候选台账</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>Earlier epoch footprints (optional)</source>
        <translation>前时相建筑（可选）</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>Full check: every check and the register</source>
        <translation>一键巡查</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>Only used when a PDF case atlas is written</source>
        <translation>仅在输出核查图册 PDF 时使用</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../ui/dock.py"/>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>PDF case atlas (optional)</source>
        <translation>核查图册 PDF（可选）</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>PDF case atlas: {path} ({n} cases)</source>
        <translation>核查图册：{path}（{n} 个图斑）</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>Pipelines (optional)</source>
        <translation>地下管线（可选）</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../processing/register.py"/>
        <source>Register CSV</source>
        <translation>台账 CSV（UTF-8 BOM）</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>Register spreadsheet</source>
        <translation>台账 Excel 表</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>added parts</source>
        <translation>新增部分</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>buildings with encroachment</source>
        <translation>建筑压占汇总</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>cannot create the output folder {folder}: {error}</source>
        <translation>无法建立输出文件夹 {folder}：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>cases found</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../processing/register.py"/>
        <source>cases no longer found</source>
        <translation>已消失案件</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>clearance breaches</source>
        <translation>净距不足</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>control lines: {buildings} buildings, {hits} hits</source>
        <translation>控制线：{buildings} 栋建筑，{hits} 处</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>encroached pieces</source>
        <translation>压占图斑</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>epochs: new {new}, expanded {expanded}, rebuilt {rebuilt}, floors added {floors}, unchanged {unchanged}, demolished {demolished}</source>
        <translation>时相比对：新增 {new}，扩建 {expanded}，翻建 {rebuilt}，加层 {floors}，未变化 {unchanged}，拆除 {demolished}</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>files: {folder}</source>
        <translation>文件：{folder}</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>full check summary</source>
        <translation>一键巡查小结</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>ids: kept {kept}, new {new}, gone {gone}</source>
        <translation>编号：沿用 {kept}，新增 {new}，已消失 {gone}</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>invalid PDF filter expression: {error}</source>
        <translation>核查图册的筛选表达式有误：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../processing/register.py"/>
        <source>kept ids</source>
        <translation>沿用编号</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>later buildings with change</source>
        <translation>时相比对</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>later buildings {n} = {cases} cases + {clean} without findings + {skipped} skipped</source>
        <translation>后时相建筑 {n} 栋 = 案件 {cases} + 无发现 {clean} + 跳过 {skipped}</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <location filename="../processing/register.py"/>
        <source>new cases</source>
        <translation>新增案件</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>no case matches the PDF filter ({filter}): no PDF case atlas written</source>
        <translation>没有符合核查图册筛选条件的图斑（{filter}），未生成核查图册</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>pipes: {buildings} buildings, {breaches} breaches</source>
        <translation>管线净距：{buildings} 栋建筑，{breaches} 处</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>the PDF case atlas is skipped: the register {uri} cannot be read</source>
        <translation>未生成核查图册：无法读取台账 {uri}</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>the PDF case atlas is skipped: this run is in a background thread and print layouts need the main thread; run &quot;PDF case atlas&quot; (liangwei:caseatlas) on the register afterwards</source>
        <translation>未生成核查图册：本次在后台线程中运行，而打印布局只能在主线程中输出；请在运行结束后对台账运行“核查图册”（liangwei:caseatlas）</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>the PDF filter expression failed: {error}</source>
        <translation>核查图册的筛选表达式执行出错：{error}</translation>
    </message>
    <message>
        <location filename="../processing/fullcheck.py"/>
        <source>the output folder already holds a register from an earlier run ({path}): this run is merged into it (ids, check results, remarks and added columns kept), never overwritten</source>
        <translation>输出文件夹中已有上次的台账 {path}：本次结果与其合并（沿用图斑编号，保留核查结果、备注和自建字段），不会覆盖</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>Choose the pipe kind field</source>
        <translation>请指定管线种类字段</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>Class value mapping, e.g. MB=medium_b</source>
        <translation>类别取值映射（可选）</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>Clearance breaches</source>
        <translation>净距不足</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>Clearance field (optional, m)</source>
        <translation>净距字段（可选，逐条覆盖规则表）</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <location filename="../ui/dock.py"/>
        <source>Diameter field (mm)</source>
        <translation>管径字段 (mm)</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>Fallback clearance for unmapped pipes (m; empty = skip and report)</source>
        <translation>无法匹配规则的管线按此净距检查（m，留空则跳过并报告）</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>Kind value mapping (optional), e.g. 燃气=gas;上水=water</source>
        <translation>种类取值映射（可选），如 燃气=gas;上水=water</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>Pipe kind field</source>
        <translation>管线种类字段</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>Pipeline clearance</source>
        <translation>管线净距检查</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <location filename="../ui/dock.py"/>
        <source>Pipelines</source>
        <translation>地下管线</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <location filename="../ui/dock.py"/>
        <source>Pressure class field</source>
        <translation>压力级别/类别字段</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>breaches</source>
        <translation>净距不足记录</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>buildings in breach</source>
        <translation>净距不足建筑</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>layer value=rules kind, separated by &apos;;&apos;</source>
        <translation>图层中的取值=规则表种类，分号分隔</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>pipe layer &apos;{layer}&apos; has no kind field &apos;{field}&apos;: choose the field holding the pipe kind</source>
        <translation>管线图层“{layer}”中没有种类字段“{field}”，请在参数中选择表示管线种类的字段</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>pipe layer has no field &apos;{field}&apos;: treated as missing</source>
        <translation>管线图层中没有字段“{field}”，按无此属性处理</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>pipe layer has no field &apos;{field}&apos;: using &apos;{cut}&apos; (shapefile field names are cut to 10 characters)</source>
        <translation>管线图层中没有字段“{field}”，使用截短的同名字段“{cut}”（shapefile 字段名最多 10 个字符）</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>pipes checked</source>
        <translation>参与检查管线</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>pipes in</source>
        <translation>管线数</translation>
    </message>
    <message>
        <location filename="../processing/pipeclearance.py"/>
        <source>pipes with unmapped kind/class</source>
        <translation>无法匹配规则的管线</translation>
    </message>
    <message>
        <location filename="../processing/provider.py"/>
        <source>Liangwei</source>
        <translation>两违巡查</translation>
    </message>
    <message>
        <location filename="../processing/provider.py"/>
        <source>Liangwei — control-line encroachment, pipeline clearance, survey-epoch comparison, register</source>
        <translation>两违巡查 — 控制线压占 / 管线净距 / 时相比对 / 台账</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>BREACHES layer &apos;{layer}&apos; lacks {fields}: it is not a pipeclearance OUTPUT</source>
        <translation>BREACHES 图层“{layer}”缺少字段 {fields}，不是管线净距检查的输出</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Build the register</source>
        <translation>生成台账</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>CHANGES has no confidence field (an older compareepochs output): every change counts as confident</source>
        <translation>CHANGES 没有 confidence 字段（旧版时相比对结果），变化一律按可信处理</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>CHANGES layer &apos;{layer}&apos; has no &apos;change&apos; field: it is not a compareepochs OUTPUT. Choose that layer, or give the buildings as FOOTPRINTS</source>
        <translation>CHANGES 图层“{layer}”没有 change 字段，不是时相比对的输出。请选择 compareepochs 的 OUTPUT，或把建筑图层填入 FOOTPRINTS</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Clearance breaches (optional)</source>
        <translation>管线净距不足（pipeclearance 的 OUTPUT，可选）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>District code field (empty = auto)</source>
        <translation>行政区代码字段（留空自动识别）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>District name field (empty = auto)</source>
        <translation>行政区名称字段（留空自动识别）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Districts (optional)</source>
        <translation>行政区（可选）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>ENCROACHMENTS layer &apos;{layer}&apos; lacks {fields}: it is not a controllines OUTPUT</source>
        <translation>ENCROACHMENTS 图层“{layer}”缺少字段 {fields}，不是控制线压占检查的输出</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Encroachments (optional)</source>
        <translation>控制线压占图斑（controllines 的 OUTPUT，可选）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Epoch changes (optional)</source>
        <translation>时相比对结果（compareepochs 的 OUTPUT，可选）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Give CHANGES (compareepochs OUTPUT) or FOOTPRINTS (the later buildings): every case is a later building</source>
        <translation>请提供时相比对结果 CHANGES 或后时相建筑 FOOTPRINTS（台账的每个案件都是一栋后时相建筑）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Later buildings (needed without CHANGES)</source>
        <translation>后时相建筑（无时相比对结果时必填）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>PERMIT_KIND_MAP: &apos;{key}={value}&apos;: the kind must be temporary, permanent or unknown</source>
        <translation>PERMIT_KIND_MAP：“{key}={value}”中的类别应为 temporary / permanent / unknown</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>PREVIOUS is given, but {table} already holds cases: the table is the previous register. Leave PREVIOUS empty (it only seeds a new or empty table)</source>
        <translation>指定了 PREVIOUS，但 {table} 中已有案件：该表本身就是上次的台账。请将 PREVIOUS 留空（它只用于初始化新表或空表）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>PREVIOUS layer &apos;{layer}&apos; has no case_id field: it is not a register</source>
        <translation>PREVIOUS 图层“{layer}”没有 case_id 字段，不是台账</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <location filename="../ui/dock.py"/>
        <source>Permit expiry field</source>
        <translation>许可到期日字段（日期或 YYYY-MM-DD，留空自动识别）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Permit kind field (empty = auto)</source>
        <translation>许可类型字段（临时/永久，留空自动识别）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Permit kind mapping (optional), e.g. 临=temporary;正式=permanent</source>
        <translation>许可类型取值映射（可选），如 临=temporary;正式=permanent</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Permit number field (empty = auto)</source>
        <translation>许可证号字段（留空自动识别）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Planning permits (optional)</source>
        <translation>规划许可地块（可选）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>PostGIS register table (schema.table)</source>
        <translation>PostGIS 台账表（schema.table）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Previous register (optional: keeps ids and field teams&apos; entries)</source>
        <translation>上次台账（可选，保留编号和核查结果）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>RUN_DATE &apos;{text}&apos; is not a date (YYYY-MM-DD)</source>
        <translation>运行日期“{text}”无法识别，应为 YYYY-MM-DD</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Register spreadsheet (XLSX)</source>
        <translation>台账 Excel 表</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Residential compounds (optional)</source>
        <translation>住宅小区（可选）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Run date (empty = today)</source>
        <translation>运行日期 YYYY-MM-DD（留空为今天）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>Shared register in PostGIS (optional): QGIS connection, service=… or URI</source>
        <translation>PostGIS 共享台账（可选）：QGIS 连接名、service=… 或连接 URI</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>The register is then this PostgreSQL + PostGIS table, merged in one transaction; credentials from an authentication configuration (authcfg) or pg_service.conf</source>
        <translation>此时台账即为该 PostgreSQL + PostGIS 表，在一个事务中合并；凭据取自认证配置（authcfg）或 pg_service.conf</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>XLSX not written: the Python package openpyxl is missing ({error}). The other formats are written as usual.</source>
        <translation>未写出 Excel 表：缺少 Python 包 openpyxl（{error}）。其他格式照常写出。</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>bld_fid of CHANGES has NULL or repeated values: joining findings by feature id instead</source>
        <translation>CHANGES 的 bld_fid 有空值或重复，改用要素 fid 关联压占与净距结果</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>buildings skipped</source>
        <translation>跳过的建筑</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>buildings {n} = {cases} cases + {clean} without findings + {skipped} skipped</source>
        <translation>建筑 {n} 栋 = 案件 {cases} + 无发现 {clean} + 跳过 {skipped}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>cases found in this run</source>
        <translation>本次发现案件</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>could not build the register: {error}</source>
        <translation>生成台账失败：{error}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>could not carry over layer {name}</source>
        <translation>无法保留图层 {name}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>could not merge with the previous register: {error}</source>
        <translation>与上次台账合并失败：{error}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>default: 临时/临建/temporary → temporary, 永久/permanent → permanent</source>
        <translation>默认：临时/临建/temporary → temporary，永久/permanent → permanent</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>demolition candidates</source>
        <translation>拆除候选</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>expired temporary buildings</source>
        <translation>超期临时建筑</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>findings: {list}</source>
        <translation>发现：{list}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>legacy stock</source>
        <translation>历史存量</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>merged with the previous register ({rows} rows): kept {kept}, new {new}, newly gone {gone}, still gone {still_gone}, found again {revived}; status, check_result, remarks and added columns carried over</source>
        <translation>与上次台账合并（{rows} 条）：沿用编号 {kept}，新增 {new}，本次消失 {gone}，仍未发现 {still_gone}，重新出现 {revived}；核查结果、备注及自建字段已保留</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>no district code field found: case ids use 000000000; set DISTRICT_CODE_FIELD</source>
        <translation>行政区图层没有可识别的代码字段，图斑编号使用 000000000；请指定 DISTRICT_CODE_FIELD</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>no findings given (CHANGES, ENCROACHMENTS, BREACHES, PERMITS): no new cases</source>
        <translation>没有任何检查结果（CHANGES / ENCROACHMENTS / BREACHES / PERMITS），台账将没有新案件</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>other layers of the file kept: {layers}</source>
        <translation>保留了文件中的其他图层：{layers}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>permits have no kind field: every permit counts as of unknown kind (no expired-temporary findings)</source>
        <translation>规划许可没有类型字段：全部按类型未知处理，不判超期临时建筑</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>permits: permanent {permanent}, temporary {temporary}, unknown {unknown}</source>
        <translation>许可：永久 {permanent}，临时 {temporary}，未知 {unknown}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>rectify within a deadline</source>
        <translation>限期整改</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>to verify</source>
        <translation>待核查</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>unrecognised permit kinds treated as unknown: {values}; map them with PERMIT_KIND_MAP</source>
        <translation>许可类型中有无法识别的取值，按类型未知处理：{values}；可用 PERMIT_KIND_MAP 指定</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{layer}: code field {code}, name field {name}</source>
        <translation>{layer}：代码字段 {code}，名称字段 {name}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{layer}: number field {number}, kind field {kind}, expiry field {expiry}</source>
        <translation>{layer}：证号字段 {number}，类型字段 {kind}，到期日字段 {expiry}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{layer}: {n} breach rows</source>
        <translation>{layer}：{n} 条净距不足记录</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{layer}: {n} buildings with a finding or a change read from the GeoPackage (the others can be no case)</source>
        <translation>{layer}：从 GeoPackage 只读取了 {n} 栋有检查发现或有变化的建筑（其余建筑不会成为案件）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{layer}: {n} encroachment rows</source>
        <translation>{layer}：{n} 条压占记录</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{name} not written: with DATABASE the register is the PostGIS table {table}</source>
        <translation>未写出 {name}：指定 DATABASE 时台账即为 PostGIS 表 {table}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{name}: {n} cases written (previous register updated in place) to {uri}</source>
        <translation>{name}：{n} 条案件（原地更新上次台账）写入 {uri}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{name}: {n} cases written to {uri}</source>
        <translation>{name}：{n} 条案件写入 {uri}</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{table} is empty: PREVIOUS seeds it (ids and team entries carried over)</source>
        <translation>{table} 为空：用 PREVIOUS 初始化（沿用编号和外业录入）</translation>
    </message>
    <message>
        <location filename="../processing/register.py"/>
        <source>{what}: {n} rows whose bld_fid is not a building of {layer} (results of another layer?): ignored</source>
        <translation>{what}：{n} 条记录的 bld_fid 不在建筑图层 {layer} 中（检查结果来自另一图层？），已忽略</translation>
    </message>
    <message>
        <location filename="../qgis_io/atlas.py"/>
        <source>SVG layer error</source>
        <translation>SVG 图层错误</translation>
    </message>
    <message>
        <location filename="../qgis_io/atlas.py"/>
        <source>atlas iteration error</source>
        <translation>图册迭代错误</translation>
    </message>
    <message>
        <location filename="../qgis_io/atlas.py"/>
        <source>cannot write the file</source>
        <translation>无法写入文件</translation>
    </message>
    <message>
        <location filename="../qgis_io/atlas.py"/>
        <source>export error {code}</source>
        <translation>导出错误 {code}</translation>
    </message>
    <message>
        <location filename="../qgis_io/atlas.py"/>
        <source>out of memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <location filename="../qgis_io/atlas.py"/>
        <source>print error</source>
        <translation>打印错误</translation>
    </message>
    <message>
        <location filename="../qgis_io/fieldproject.py"/>
        <source>&lt;empty&gt;</source>
        <translation>&lt;空&gt;</translation>
    </message>
    <message>
        <location filename="../qgis_io/fieldproject.py"/>
        <source>Case</source>
        <translation>图斑信息</translation>
    </message>
    <message>
        <location filename="../qgis_io/fieldproject.py"/>
        <location filename="../ui/caselist.py"/>
        <source>Check result</source>
        <translation>核查结果</translation>
    </message>
    <message>
        <location filename="../qgis_io/fieldproject.py"/>
        <source>Field check</source>
        <translation>外业核查</translation>
    </message>
    <message>
        <location filename="../qgis_io/fieldproject.py"/>
        <location filename="../ui/caselist.py"/>
        <source>Remarks</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../qgis_io/fieldproject.py"/>
        <source>Site photo</source>
        <translation>现场照片</translation>
    </message>
    <message>
        <location filename="../qgis_io/fieldproject.py"/>
        <location filename="../ui/caselist.py"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../qgis_io/fieldproject.py"/>
        <source>Visit date</source>
        <translation>核查日期</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>(unknown)</source>
        <translation>（未知）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>CGCS2000 3-degree GK zone</source>
        <translation>CGCS2000 3度带</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>Canceled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>UTM zone</source>
        <translation>UTM 分带</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>demolished: {n}</source>
        <translation>拆除：{n}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>duplicate (same outline as another feature, compared once)</source>
        <translation>重复录入（与另一要素轮廓相同，只比对一次）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>duplicate of another feature&apos;s outline (the same building entered twice; counted once)</source>
        <translation>与另一要素轮廓重复（同一建筑录入两次，只计一次）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>earlier duplicates (copies of another outline, not compared): {n}</source>
        <translation>前时相重复录入（与另一要素轮廓相同，不比对）：{n}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>earlier {n_earlier} features ({n_earlier_skipped} skipped), later {n_later} ({n_later_skipped} skipped)</source>
        <translation>前时相 {n_earlier} 个要素（跳过 {n_earlier_skipped}），后时相 {n_later} 个要素（跳过 {n_later_skipped}）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>empty geometry</source>
        <translation>几何为空 (empty)</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>expanded</source>
        <translation>扩建</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>expanded and floors added</source>
        <translation>扩建+加层</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>floors added</source>
        <translation>加层</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>geographic input {crs}: areas and distances computed in EPSG:{code} (CGCS2000 3-degree GK zone, central meridian {cm}°E)</source>
        <translation>输入为地理坐标 {crs}，按中央经线 {cm}°E 投影到 EPSG:{code}（CGCS2000 3度带）计算面积和距离</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>geographic input {crs}: areas and distances computed in UTM zone EPSG:{code}</source>
        <translation>输入为地理坐标 {crs}，投影到 UTM 分带 EPSG:{code} 计算面积和距离</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>growth polygons: {n}</source>
        <translation>新增部分图斑：{n}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>input CRS {crs} distorts lengths by about {length}% (areas {area}%) at the data, more than the {limit}% limit: areas and distances computed in EPSG:{code} ({kind}) instead</source>
        <translation>输入坐标系 {crs} 在数据所在处长度变形约 {length}%（面积约 {area}%），超过 {limit}% 的限值，不能直接用于量算；改在 EPSG:{code}（{kind}）中计算面积和距离</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>invalid geometry with no line left after repair</source>
        <translation>无效几何无法修复为线</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>invalid geometry with no polygon left after repair</source>
        <translation>无效几何无法修复为面</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>line</source>
        <translation>线</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>not a line geometry</source>
        <translation>几何类型不符（需要线）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>not a polygon geometry</source>
        <translation>几何类型不符（需要面）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>null geometry</source>
        <translation>几何为空值 (NULL)</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>outline noise (area ratio P{q}): {ratio} ({pairs} pairs); confidence high/medium/low: {high}/{medium}/{low}</source>
        <translation>轮廓噪声（面积比 P{q}）：{ratio}（{pairs} 对）；可信度 高/中/低：{high}/{medium}/{low}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>pipes by kind: {kinds}</source>
        <translation>管线按种类：{kinds}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>polygon</source>
        <translation>面</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>rules file {path}, line {line}, row {row}</source>
        <translation>规则文件 {path}，第 {line} 行，行 {row}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>rules file {path}, line {line}, row {row}, field &apos;{field}&apos;</source>
        <translation>规则文件 {path}，第 {line} 行，行 {row} 字段 &apos;{field}&apos;</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>rules file {path}, row {row}</source>
        <translation>规则文件 {path}，行 {row}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>rules file {path}, row {row}, field &apos;{field}&apos;</source>
        <translation>规则文件 {path}，行 {row} 字段 &apos;{field}&apos;</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>rules: defaults {defaults}, user file {user} ({overridden} rows overridden or added); {rows} rows, {pipes} pipe clearances ({unverified} not verified against the standard)</source>
        <translation>规则表：默认 {defaults}，用户文件 {user}（覆盖/新增 {overridden} 行）；共 {rows} 行，管线净距 {pipes} 行（其中 {unverified} 行未核对规范原文）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>rules: defaults {defaults}; {rows} rows, {pipes} pipe clearances ({unverified} not verified against the standard)</source>
        <translation>规则表：默认 {defaults}；共 {rows} 行，管线净距 {pipes} 行（其中 {unverified} 行未核对规范原文）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>skipped (empty geometry)</source>
        <translation>跳过（几何为空）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>skipped {n}: {reason}</source>
        <translation>跳过 {n} 个：{reason}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>time: read {read} s, compute {compute} s, write {write} s</source>
        <translation>用时：读取 {read} s，计算 {compute} s，写出 {write} s</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{checked} of {n} pipes checked</source>
        <translation>参与检查管线 {checked} / {n} 条</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{name}: {n_in} features in, {n_used} used ({n_repaired} invalid geometries repaired), {n_skipped} skipped</source>
        <translation>{name}：输入 {n_in} 个要素，参与计算 {n_used} 个（其中修复 {n_repaired} 个无效几何），跳过 {n_skipped} 个</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} buildings checked, {breaches} clearance breaches in {hit} buildings</source>
        <translation>检查建筑 {n} 栋，发现净距不足 {breaches} 处，涉及建筑 {hit} 栋</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} checked with the fallback clearance {m} m</source>
        <translation>按默认净距 {m} m 检查 {n} 条</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} features had Z/M values, computed in 2D</source>
        <translation>{n} 个要素含 Z/M 值，已按二维计算</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} multipart features kept whole</source>
        <translation>{n} 个多部件要素按整体计算</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} multipart features with overlapping parts repaired as the union of their parts</source>
        <translation>{n} 个多部件要素的部件相互重叠，已合并为其并集</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} pipes use a clearance not verified against the standard text (verified = false)</source>
        <translation>{n} 条管线所用净距未核对规范原文（verified = false）</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} pipes use the clearance field, {ignored} field values ignored (&lt;= 0 or not a number)</source>
        <translation>{n} 条管线使用净距字段值，{ignored} 个字段值无效（≤0 或非数字）按规则表</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} pipes with a kind/class the rules do not map ({what}): {values}</source>
        <translation>{n} 条管线的种类/类别无法匹配规则（{what}）：{values}</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} pipes without a class took their kind&apos;s default class</source>
        <translation>{n} 条管线缺少类别，按该种类默认类别取值</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{n} skipped</source>
        <translation>跳过 {n} 条</translation>
    </message>
    <message>
        <location filename="../qgis_io/messages.py"/>
        <source>{where}: {detail}</source>
        <translation>{where}：{detail}</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>Another run is updating {table}: waiting for it (at most {s} s)</source>
        <translation>另一次运行正在更新 {table}：等待其完成（最多 {s} s）</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>Another run kept {table} locked for more than {s} s: nothing was changed, run again later</source>
        <translation>另一次运行锁定 {table} 超过 {s} s：未做任何修改，请稍后再运行</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>Cannot connect to the database {db}: {detail}</source>
        <translation>无法连接数据库 {db}：{detail}</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>DATABASE &apos;{name}&apos; is neither a PostgreSQL connection of this QGIS nor a connection URI (service=… or dbname=… host=… authcfg=…). Connections: {names}</source>
        <translation>DATABASE “{name}”既不是此 QGIS 中的 PostgreSQL 连接，也不是连接 URI（service=… 或 dbname=… host=… authcfg=…）。已有连接：{names}</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>DATABASE holds a password: QGIS would keep it in the Processing history and log. Store it in QGIS&apos;s authentication manager (authcfg=…), in a QGIS PostgreSQL connection or in pg_service.conf / .pgpass and give that instead. Nothing was changed</source>
        <translation>DATABASE 中含有密码：QGIS 会把它记入处理历史和日志。请将密码存入 QGIS 认证管理器（authcfg=…）、QGIS 的 PostgreSQL 连接或 pg_service.conf / .pgpass，并改用它们。未做任何修改</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>DATABASE is empty</source>
        <translation>DATABASE 为空</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>DATABASE is not a PostgreSQL URI: {error}</source>
        <translation>DATABASE 不是 PostgreSQL 连接 URI：{error}</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>DB_TABLE &apos;{text}&apos; is not a table name: write schema.table, e.g. public.liangwei_register</source>
        <translation>DB_TABLE “{text}”不是表名：请写成 schema.table，如 public.liangwei_register</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>PostGIS register {table} on {db}: {what} failed, nothing was changed: {detail}</source>
        <translation>PostGIS 台账 {table}（{db}）：{what}失败，未做任何修改：{detail}</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>PostGIS register: {table} on {db} ({state})</source>
        <translation>PostGIS 台账：{table}（{db}，{state}）</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>The PostGIS register needs the Python package psycopg2, which this QGIS lacks. Debian / Ubuntu: apt-get install python3-psycopg2; Windows (OSGeo4W): it ships with QGIS, reinstall QGIS with the OSGeo4W installer; macOS: pip install psycopg2-binary in QGIS&apos;s Python</source>
        <translation>PostGIS 台账需要 Python 包 psycopg2，此 QGIS 中没有。Debian / Ubuntu：apt-get install python3-psycopg2；Windows（OSGeo4W）：QGIS 自带，请用 OSGeo4W 安装程序重新安装 QGIS；macOS：在 QGIS 的 Python 中 pip install psycopg2-binary</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>The authentication configuration &apos;{auth}&apos; could not be read: no such configuration, or QGIS&apos;s authentication database is locked (set its master password). Nothing was changed</source>
        <translation>无法读取认证配置“{auth}”：没有此配置，或 QGIS 认证数据库已锁定（请设置主密码）。未做任何修改</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>The database {db} has no PostGIS: ask its administrator to run CREATE EXTENSION postgis</source>
        <translation>数据库 {db} 没有 PostGIS：请数据库管理员执行 CREATE EXTENSION postgis</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>The working CRS {crs} has no EPSG code, which the PostGIS table needs: set WORK_CRS to an EPSG CRS (e.g. EPSG:4542)</source>
        <translation>计算坐标系 {crs} 没有 EPSG 代码，PostGIS 表需要它：请把 WORK_CRS 设为 EPSG 坐标系（如 EPSG:4542）</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>existing table, SRID {srid}</source>
        <translation>已有表，SRID {srid}</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>new table, SRID {srid}</source>
        <translation>新建表，SRID {srid}</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>opening</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>reading</source>
        <translation>读取</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>the register has no case_id column</source>
        <translation>台账没有 case_id 列</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>writing</source>
        <translation>写入</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>{table} exists but is not a register (no case_id or geom column): choose another DB_TABLE</source>
        <translation>{table} 已存在但不是台账（没有 case_id 或 geom 列）：请另选 DB_TABLE</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>{table}: columns added: {names}</source>
        <translation>{table}：新增列：{names}</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>{table}: {inserted} new cases inserted, {updated} updated, {unchanged} unchanged, {gone} marked gone; team columns untouched; committed</source>
        <translation>{table}：新增 {inserted} 个案件，更新 {updated} 个，未变 {unchanged} 个，标记消失 {gone} 个；外业字段未改动；已提交</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>{table}: {n} cases read (the previous register)</source>
        <translation>{table}：读取 {n} 个案件（上次的台账）</translation>
    </message>
    <message>
        <location filename="../qgis_io/pgstore.py"/>
        <source>{table}: {n} cases were deleted by someone while this run merged: not put back</source>
        <translation>{table}：本次合并期间有 {n} 个案件被他人删除，不予恢复</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source> or </source>
        <translation>或</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>Layer &apos;{name}&apos; has no .cpg file and its text is GBK, not UTF-8 ({n} distinct non-ASCII values): read as GBK (GB18030). Put a file {cpg} containing GBK next to the .shp so other software reads it right too.</source>
        <translation>图层“{name}”没有 .cpg 编码文件，其属性文字不是 UTF-8 而是 GBK 编码（{n} 个不同的中文取值），已按 GBK（GB18030）读取。请在 .shp 旁建立内容为 GBK 的文件 {cpg}，其他软件才能正确读取。</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>Layer &apos;{name}&apos; has no .cpg file and its text is GBK, which cannot be re-read for selected or limited features only. Create {cpg} containing GBK and run again.</source>
        <translation>图层“{name}”没有 .cpg 编码文件，其属性文字是 GBK 编码；只用选中要素或限定要素时无法改用 GBK 读取。请建立内容为 GBK 的文件 {cpg} 后重试。</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>Layer &apos;{name}&apos; has no .cpg file and its text is neither UTF-8 nor GBK: Chinese text may be garbled. Create {cpg} naming the encoding (e.g. GBK) and run again.</source>
        <translation>图层“{name}”没有 .cpg 编码文件，其属性文字既不是 UTF-8 也不是 GBK，中文可能是乱码。请建立文件 {cpg}，内容写明编码（如 GBK）后重试。</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>Layer &apos;{name}&apos; has no coordinate reference system, so areas and distances cannot be computed. Set its CRS in the layer properties and run again.</source>
        <translation>图层“{name}”没有坐标参考系，无法计算面积和距离。请在图层属性中设置正确的坐标系后重试。</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>Layer &apos;{name}&apos;: its coordinates ({span}) do not fit its CRS {crs}; the CRS is probably set wrong (e.g. projected metres labelled as degrees, or the wrong 3-degree zone). Correct the layer&apos;s CRS and run again.</source>
        <translation>图层“{name}”的坐标值（范围 {span}）与其坐标系 {crs} 不符，可能设错了坐标系（例如把投影坐标标成了经纬度，或选错了 3 度带）。请在图层属性中改正坐标系后重试。</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>M values of {n} features ignored</source>
        <translation>{n} 个要素的 M 值已忽略</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>The working CRS given is not metric here: {why}. Use EPSG:{code} or leave it empty to choose automatically</source>
        <translation>指定的计算坐标系不适合量算：{why}。请改用 EPSG:{code} 或留空自动选择</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>The working CRS {crs} is geographic: choose a projected CRS in metres</source>
        <translation>指定的计算坐标系 {crs} 是地理坐标系，请选择以米为单位的投影坐标系</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>WARNING: layer &apos;{name}&apos; does not overlap &apos;{ref}&apos; at all (about {km} km apart), so it can give no result. Its CRS is probably wrong (e.g. the wrong 3-degree zone) or the wrong layer was chosen.</source>
        <translation>警告：图层“{name}”与“{ref}”的范围完全不重叠（相距约 {km} km），不会得到任何结果。可能是坐标系设错（例如选错了 3 度带）或选错了图层。</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>layer &apos;{name}&apos; has no field &apos;{field}&apos;</source>
        <translation>图层“{name}”中没有字段“{field}”</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>no geometry (a table)</source>
        <translation>无几何的属性表</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>points</source>
        <translation>点</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>working CRS (given): {crs}</source>
        <translation>计算坐标系（用户指定）：{crs}</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>working CRS: {crs} ({unit})</source>
        <translation>计算坐标系：{crs}（{unit}）</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>{n} curved geometries segmentised</source>
        <translation>{n} 个曲线几何已离散为折线</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>{param} needs a layer of {want}, but &apos;{name}&apos; holds {have} ({n} features): none of them could be used. Choose the right layer.</source>
        <translation>{param}需要{want}图层，但图层“{name}”是{have}图层（{n} 个要素），其中的要素都无法参与计算。请选择正确的图层。</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>{param}: file {path} holds {n} layers ({names}) and none was named. Write &apos;{path}|layername=NAME&apos;, e.g. &apos;{path}|layername={first}&apos;.</source>
        <translation>{param}：文件 {path} 中有 {n} 个图层（{names}），但没有指定用哪一个。请写成“{path}|layername=图层名”，例如“{path}|layername={first}”。</translation>
    </message>
    <message>
        <location filename="../qgis_io/reader.py"/>
        <source>{param}: using layer {layer} of {path}</source>
        <translation>{param}：使用文件 {path} 中的图层 {layer}</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei CAD lines</source>
        <translation>两违巡查 CAD 控制线</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei CAD polygons</source>
        <translation>两违巡查 CAD 控制区</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei added parts</source>
        <translation>两违巡查 新增部分</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei change classes</source>
        <translation>两违巡查 变化类型</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei demolished</source>
        <translation>两违巡查 已拆除</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei encroached pieces</source>
        <translation>两违巡查 压占图斑</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei every building</source>
        <translation>两违巡查 建筑汇总</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei pipe breaches</source>
        <translation>两违巡查 管线净距</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>Liangwei register</source>
        <translation>两违巡查 台账</translation>
    </message>
    <message>
        <location filename="../qgis_io/styles.py"/>
        <source>style not applied: {error}</source>
        <translation>样式未能应用：{error}</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>cannot write output {name} ({target}): {reason}.</source>
        <translation>无法写入输出 {name}（{target}）：{reason}。</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>cannot write output {name}: {problem}.</source>
        <translation>无法写入输出 {name}：{problem}。</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>could not create output {name} ({target})</source>
        <translation>无法创建输出 {name}（{target}）</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>could not create output {name} ({target}): {error}</source>
        <translation>无法创建输出 {name}（{target}）：{error}</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>could not write {name}: {error}</source>
        <translation>写入输出 {name} 失败：{error}</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>folder {path} does not exist</source>
        <translation>文件夹 {path} 不存在</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>layer {layer}</source>
        <translation>图层 {layer}</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>output {name} ({target}) would replace {what} input {input} is read from: the original data would be lost. Choose another output file or layer name.</source>
        <translation>输出 {name}（{target}）会覆盖输入 {input} 的{what}，原始数据将丢失。请另选输出文件或图层名。</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>outputs {first} and {second} both point at {target}: the second would replace the first. Give each output its own file (or its own layer of an existing GeoPackage).</source>
        <translation>输出 {first} 与 {second} 指向同一目标 {target}，后写的会覆盖先写的。请为每个输出选择不同的文件（或同一 GeoPackage 中已存在文件里的不同图层）。</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>the file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>{name}: removed {n} temporary file(s) left by an interrupted run</source>
        <translation>{name}：清理了上次中断运行留下的 {n} 个临时文件</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>{name}: {n} features bulk-written to {path}</source>
        <translation>{name}：{n} 个要素批量写入 {path}</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>{name}: {n} features written to {path}</source>
        <translation>{name}：{n} 个要素写入 {path}</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>{path} is an existing folder</source>
        <translation>{path} 是已存在的文件夹</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>{path} is not a folder</source>
        <translation>{path} 不是文件夹</translation>
    </message>
    <message>
        <location filename="../qgis_io/writer.py"/>
        <source>{path} on the way is a file, not a folder</source>
        <translation>路径中的 {path} 是文件而不是文件夹</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Area (m²)</source>
        <translation>面积 (m²)</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Basis</source>
        <translation>依据</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Case id</source>
        <translation>图斑编号</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Change</source>
        <translation>变化类型</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Control lines</source>
        <translation>控制线</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Could not save the edit to {name}: {error}</source>
        <translation>无法将修改保存到 {name}：{error}</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>District</source>
        <translation>行政区</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>First seen</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Gone</source>
        <translation>已消失</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Pipes</source>
        <translation>管线</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Search…</source>
        <translation>搜索…</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Status must be one of: {values}</source>
        <translation>状态只能是以下之一：{values}</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>The register {name} is read-only: edits cannot be saved.</source>
        <translation>台账 {name} 为只读，修改无法保存。</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>Verdict</source>
        <translation>初判</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>the data source refused it</source>
        <translation>数据源拒绝了修改</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>{name} is not a register (it has no case_id / verdict fields).</source>
        <translation>{name} 不是台账（没有 case_id / verdict 字段）。</translation>
    </message>
    <message>
        <location filename="../ui/caselist.py"/>
        <source>{shown} of {total} cases</source>
        <translation>显示 {shown} / 共 {total} 个图斑</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Administrative districts: their code starts every case id</source>
        <translation>行政区：图斑编号以其代码开头</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Approved planning-permit parcels (temporary and permanent)</source>
        <translation>已批准的规划许可地块（临时与永久）</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Blue lines</source>
        <translation>河道蓝线</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Blue lines: rivers, lakes, wetlands (城市蓝线)</source>
        <translation>城市蓝线：河道、湖泊、湿地</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Building footprints of the earlier survey</source>
        <translation>前一期测量的建筑轮廓</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Building footprints of the later survey: every case is one of them</source>
        <translation>后一期测量的建筑轮廓：每个图斑都是其中一栋</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Buried pipelines, checked against the clearances of the rules table</source>
        <translation>地下管线，按规则表中的净距检查</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Cancelled: earlier outputs were left as they were.</source>
        <translation>已取消：之前的输出保持不变。</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <location filename="../ui/rules_editor.py"/>
        <source>Class values</source>
        <translation>类别取值</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Clearance field (m)</source>
        <translation>净距字段 (m)</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Compounds</source>
        <translation>住宅小区</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>District code field</source>
        <translation>行政区代码字段</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>District name field</source>
        <translation>行政区名称字段</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Districts</source>
        <translation>行政区</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Done: {n} cases in the register, {k} layers added.</source>
        <translation>完成：台账中 {n} 个图斑，已添加 {k} 个图层。</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Drinking-water source protection zones (饮用水水源保护区)</source>
        <translation>饮用水水源保护区</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Earlier footprints</source>
        <translation>前时相建筑</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Fallback clearance (m)</source>
        <translation>默认净距 (m)</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Floors (earlier)</source>
        <translation>层数（前时相）</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Floors (later)</source>
        <translation>层数（后时相）</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Footprints (two survey epochs)</source>
        <translation>建筑轮廓（两期测量）</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Green lines</source>
        <translation>绿线</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Green lines: public green space (城市绿线)</source>
        <translation>城市绿线：公共绿地</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Kind field</source>
        <translation>种类字段</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <location filename="../ui/rules_editor.py"/>
        <source>Kind values</source>
        <translation>种类取值</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Later footprints</source>
        <translation>后时相建筑</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Liangwei check</source>
        <translation>两违巡查</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Liangwei check {time}</source>
        <translation>两违巡查 {time}</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Permit kind field</source>
        <translation>许可类型字段</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Permit number field</source>
        <translation>许可证号字段</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Permits</source>
        <translation>规划许可</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Planning control lines</source>
        <translation>规划控制线</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Previous register</source>
        <translation>上次台账</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Purple lines</source>
        <translation>紫线</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Purple lines: historic conservation areas (城市紫线)</source>
        <translation>城市紫线：历史文化保护区</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Red lines</source>
        <translation>道路红线</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Residential compounds (住宅小区): new buildings inside one are cases</source>
        <translation>住宅小区：其内部的新增建筑即为图斑</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Road red lines (道路红线): zones or closed lines</source>
        <translation>道路红线：面或闭合线</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Rules file</source>
        <translation>规则文件</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <location filename="../ui/rules_editor.py"/>
        <source>Rules table (*.toml *.json)</source>
        <translation>规则表 (*.toml *.json)</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Run check</source>
        <translation>开始巡查</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Running {name}…</source>
        <translation>正在运行 {name}…</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Some parameters are missing or wrong.</source>
        <translation>部分参数缺失或有误。</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Suggest layers from their names</source>
        <translation>按图层名推荐图层</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>The check failed; see the log above.</source>
        <translation>巡查失败，请查看上方日志。</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>The one-shot check</source>
        <translation>一键巡查</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>The one-shot check ({id}) is not available in this installation of the plugin yet. Run the single checks from the Processing toolbox meanwhile.</source>
        <translation>此插件安装中尚无一键巡查（{id}）。请先在处理工具箱中分别运行各项检查。</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>The register of an earlier run: ids, status and field results are kept</source>
        <translation>上次运行的台账：保留编号、状态和外业核查结果</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Water source</source>
        <translation>水源保护区</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Yellow lines</source>
        <translation>黄线</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>Yellow lines: key infrastructure land (城市黄线)</source>
        <translation>城市黄线：重要基础设施用地</translation>
    </message>
    <message>
        <location filename="../ui/dock.py"/>
        <source>empty = skip and report</source>
        <translation>留空 = 跳过并报告</translation>
    </message>
    <message>
        <location filename="../ui/menu.py"/>
        <source>&amp;Liangwei</source>
        <translation>两违巡查(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/menu.py"/>
        <source>Liangwei toolbox</source>
        <translation>两违巡查工具箱</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Add row</source>
        <translation>添加行</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Cells that differ from the shipped defaults are highlighted; only they are written to the rules file. Changing a value without a new source marks the row unverified.</source>
        <translation>与插件默认值不同的单元格以高亮显示，只有这些写入规则文件。修改数值而不填写新的来源时，该行标记为未核对。</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Control-line setbacks</source>
        <translation>控制线退让</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Could not write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Export rules file</source>
        <translation>导出规则文件</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Import rules file</source>
        <translation>导入规则文件</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Imported: {path}</source>
        <translation>已导入：{path}</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Liangwei rules table</source>
        <translation>两违巡查规则表</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>No rules file chosen: the shipped defaults are used. Save to create one.</source>
        <translation>未选择规则文件：使用插件默认值。保存即可创建规则文件。</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Pipe clearances</source>
        <translation>管线净距</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Pipe kinds</source>
        <translation>管线种类</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Register settings</source>
        <translation>台账设置</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Remove row</source>
        <translation>删除行</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Reset to defaults</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Rules file: {path} (on top of the shipped defaults)</source>
        <translation>规则文件：{path}（在插件默认值之上）</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Rules id</source>
        <translation>规则编号</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Rules table (*.toml)</source>
        <translation>规则表 (*.toml)</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Save rules file</source>
        <translation>保存规则文件</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Saved and checked: {path}</source>
        <translation>已保存并检查：{path}</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Setting</source>
        <translation>设置项</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Shipped defaults restored (not saved yet).</source>
        <translation>已恢复插件默认值（尚未保存）。</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Shipped rows cannot be removed; untick &apos;enabled&apos; (where the row has it) or change its values instead.</source>
        <translation>插件自带的行不能删除；请取消勾选“enabled”（如该行有此项）或修改其数值。</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Value in the layer</source>
        <translation>图层中的取值</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Verdict levels</source>
        <translation>初判等级</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>Verdict rules</source>
        <translation>初判规则</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>integer</source>
        <translation>整数</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>list, separated by commas</source>
        <translation>列表，以逗号分隔</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>number</source>
        <translation>数字</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../ui/rules_editor.py"/>
        <source>true/false</source>
        <translation>true/false</translation>
    </message>
    <message>
        <location filename="../ui/workbench.py"/>
        <source>Case list</source>
        <translation>图斑列表</translation>
    </message>
    <message>
        <location filename="../ui/workbench.py"/>
        <source>Liangwei check (dock)</source>
        <translation>两违巡查（面板）</translation>
    </message>
    <message>
        <location filename="../ui/workbench.py"/>
        <source>Rules table…</source>
        <translation>规则表…</translation>
    </message>
</context>
</TS>
