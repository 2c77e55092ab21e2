"""Bilingual texts of the layer panel's upload step (Chinese first, English second).

Kept apart from :mod:`layers.labels` (which merges them into its one lookup) so that
neither table grows past the house's module size.
"""

from __future__ import annotations

__all__ = ["UPLOAD_TEXT"]

UPLOAD_TEXT: dict[str, tuple[str, str]] = {
    "upload_layer": ("上传图层：{kind}", "Upload a layer: {kind}"),
    "upload_layer_help": (
        "GeoJSON、压缩的 Shapefile（.zip，可含中文文件名与 GBK 编码）、GeoPackage、KML/KMZ，"
        "或带坐标列（经度/纬度、x/y）或 WKT 的 CSV/XLSX。高德/腾讯（GCJ-02）与百度（BD-09）坐标"
        "读入时转换为 WGS84。上限 {mb} MB。上传后先预览，确认后仅在本会话生效。",
        "GeoJSON, a zipped Shapefile (.zip; Chinese file names and GBK text are fine), "
        "GeoPackage, KML/KMZ, or CSV/XLSX with coordinate columns (经度/纬度, x/y) or WKT. "
        "Amap/Tencent (GCJ-02) and Baidu (BD-09) coordinates are converted to WGS84 on reading. "
        "Limit {mb} MB. You see a preview first; once accepted it applies to this session only.",
    ),
    "upload_layer_choice": ("选择图层", "Layer"),
    "upload_datum_choice": (
        "经纬度的坐标系（文件未声明，请选择）",
        "Datum of the longitude/latitude (the file declares none: choose)",
    ),
    "upload_datum_placeholder": (
        "请选择：WGS84 / GCJ-02 / BD-09",
        "Choose: WGS84 / GCJ-02 / BD-09",
    ),
    "upload_datum_first": (
        "请先选择经纬度的坐标系：选错会使每个点偏移约 500 米至 1 公里。",
        "Choose the datum first: a wrong one moves every point by about 500 m to 1 km.",
    ),
    "datum_proposed": ("建议", "proposed"),
    "datum_wgs84": ("WGS84（GPS、天地图、OpenStreetMap）", "WGS84 (GPS, Tianditu, OpenStreetMap)"),
    "datum_cgcs2000": (
        "CGCS2000 经纬度（与 WGS84 相差不到 1 米）",
        "CGCS2000 lon/lat (within 1 m of WGS84)",
    ),
    "datum_gcj02": ("GCJ-02（高德、腾讯地图）", "GCJ-02 (Amap, Tencent maps)"),
    "datum_bd09": ("BD-09（百度地图）", "BD-09 (Baidu maps)"),
    "upload_crs_choice": (
        "文件未声明坐标系：请选择（最可能的在前）",
        "The file declares no coordinate system: choose one (the likeliest first)",
    ),
    "upload_crs_declared": (
        "文件声明的坐标系：{crs}",
        "Coordinate system declared by the file: {crs}",
    ),
    "upload_encoding": ("属性编码（检测为 {detected}）", "Text encoding (detected: {detected})"),
    "upload_encoding_auto": ("自动", "automatic"),
    "upload_outside_kunshan": (
        "该图层不在昆山范围内：请检查坐标系。",
        "The layer does not lie in Kunshan: check the coordinate system.",
    ),
    "upload_summary": (
        "预览：{file} 中 {n} 个要素（坐标系 {crs}）。确认无误后点击“使用此图层”。",
        "Preview: {n} features from {file} (CRS {crs}). Check it, then press 'Use this layer'.",
    ),
    "upload_accept": ("使用此图层（本会话）", "Use this layer (this session)"),
    "upload_session_layer": (
        "本会话使用你上传的图层 {file}；同事的数据不受影响。",
        "This session uses your layer {file}; colleagues' figures are not affected.",
    ),
    "upload_make_server": ("设为服务器图层（所有人）", "Make it the server's layer (everyone)"),
    "upload_made_server": ("已设为服务器图层。", "It is now the server's layer."),
    "field_name": ("名称字段", "Name column"),
    "field_area_m2": ("面积（平方米）字段", "Area (m²) column"),
    "field_area_ha": ("面积（公顷）字段", "Area (ha) column"),
    "field_park_class": ("公园类型字段", "Park class column"),
    "field_park_id": ("编号字段", "Id column"),
    "field_year": ("年份字段", "Year column"),
    "field_population": ("人口字段", "Population column"),
    "field_unit_id": ("单元编号字段", "Unit id column"),
    "field_station_id": ("站点编号字段", "Station id column"),
    "field_lines": ("线路字段", "Lines column"),
    "layer_upload_preview": ("上传预览", "Upload preview"),
    "upload_in_use": (
        "此文件已作为图层使用中（左侧“图层来源”可切换回去）。",
        "This file is in use as the layer (switch back under 'Layer sources' in the sidebar).",
    ),
    "upload_kinds_here": (
        "本页可替换的图层：{kinds}。",
        "Layers this page can take from your files: {kinds}.",
    ),
}
