"""Bilingual texts of the parks page's scenario and suggested sites (Chinese first).

Kept apart from :mod:`layers.labels` (which merges them into its one lookup) so that
neither table grows past the house's module size.
"""

from __future__ import annotations

__all__ = ["SCENARIO_TEXT"]

SCENARIO_TEXT: dict[str, tuple[str, str]] = {
    "scenario_title": ("规划方案：假如在这里建公园", "Scenario: what if we build a park here"),
    "scenario_how": (
        "用地图左上角的绘图工具画出规划公园（多边形或矩形），或在下方“上传图层”中载入规划公园文件"
        "（如控规中的规划绿地）。",
        "Draw planned parks with the tools at the map's top left (polygon or rectangle), or load "
        "a file of them under 'Upload a layer' below (e.g. 控规 parcels of planned green space).",
    ),
    "scenario_drawn": (
        "已画出 {n} 个面：填写名称后加入方案。",
        "{n} shapes drawn: name them and add them to the scenario.",
    ),
    "scenario_name": ("方案名称", "Scenario name"),
    "scenario_default_name": ("方案", "Scenario"),
    "scenario_add": ("加入方案", "Add to scenario"),
    "scenario_clear": ("清空方案", "Clear the scenario"),
    "scenario_remove": ("移除所选规划公园", "Remove the chosen planned parks"),
    "scenario_in_use": (
        "方案“{name}”：{n} 个规划公园，共 {ha} 公顷。",
        "Scenario '{name}': {n} planned parks, {ha} ha in all.",
    ),
    "scenario_none": ("尚无方案。", "No scenario yet."),
    "planned_name": ("名称", "Name"),
    "planned_class": ("公园类别（可选）", "Park class (optional)"),
    "planned_year": ("规划年份（可选）", "Planned year (optional)"),
    "planned_area_ha": ("面积（公顷）", "Area (ha)"),
    "planned_tier": ("层级", "Tier"),
    "class_by_area": ("按面积", "by area"),
    "scenario_before_after": ("方案前后对比（{tier}）", "Before and after the scenario ({tier})"),
    "scenario_each_tier": ("各层级的全市对比", "The county, tier by tier"),
    "scenario_per_capita": (
        "人均公园面积（m²/人）前后对比",
        "Park area per person (m²) before and after",
    ),
    "scenario_sfca": (
        "两步移动搜索法（2SFCA）可达性得分（m²/人）前后对比",
        "Accessibility score by the two-step floating catchment method (m² per person), "
        "before and after",
    ),
    "scenario_csv": ("下载前后对比 CSV", "Download the comparison (CSV)"),
    "scenario_reach_note": (
        "方案只增加规划公园的服务范围；现有公园的服务范围不变。",
        "The scenario adds the planned parks' reach; the existing parks' reach is unchanged.",
    ),
    "sites_title": (
        "建议选址：下一批口袋公园放在哪里",
        "Suggested sites: where the next pocket parks should go",
    ),
    "sites_intro": (
        "按所选标准、层级与方法（有路网时为步行，否则为缓冲区），在陆地上、现有公园与水面之外的格心中，"
        "选出能新增覆盖最多未覆盖需求的 k 处口袋公园（面积为该层级的最小面积）。",
        "For the chosen standard, tier and method (walking with a network, else buffer): k pocket "
        "parks of the tier's minimum size, on cell centres on land outside parks and water, that "
        "add the most demand not yet covered.",
    ),
    "sites_candidates_in": (
        "候选点限于已载入的候选用地。",
        "Candidates are limited to the candidate land you loaded.",
    ),
    "sites_candidates_any": (
        "可在下方“上传图层”载入候选用地（如控规中的空地或绿地），将选址限制在其中。",
        "Load candidate land under 'Upload a layer' below (e.g. vacant or green 控规 parcels) to "
        "keep the sites inside it.",
    ),
    "sites_size": (
        "每处建议：{tier}，{area} m²，服务半径 {radius} 米（{method}）。",
        "Each site: {tier}, {area} m², serving {radius} m ({method}).",
    ),
    "sites_k": ("建议数量 k", "Number of sites k"),
    "sites_exact": (
        "同时求最佳组合（适合小范围，最多 60 秒）",
        "Also find the best set (small areas, up to 60 s)",
    ),
    "sites_run": ("给出建议", "Suggest sites"),
    "sites_guarantee": (
        "逐处挑选：每次选新增覆盖最多的地点。这样选出的一组，新增覆盖不低于最佳组合的 {share} %。",
        "Chosen one at a time, each adding the most coverage: the set adds at least {share} % "
        "of what the best possible set would.",
    ),
    "sites_exact_result": (
        "最佳组合（求解器验证）：覆盖率 {exact} %；逐处挑选 {greedy} %，相差 {gap} %{proved}。",
        "The best set (checked by a solver): coverage {exact} %; chosen one at a time "
        "{greedy} %, {gap} % apart{proved}.",
    ),
    "sites_not_proved": ("（60 秒内未能确认是最佳）", " (not confirmed best within 60 s)"),
    "sites_none": ("没有能新增覆盖的候选点。", "No candidate adds any coverage."),
    "sites_add": ("将建议加入方案", "Add the suggestions to the scenario"),
    "site_rank": ("序号", "Rank"),
    "site_gain": ("新增覆盖需求", "Demand added"),
    "site_after": ("累计覆盖率 %", "Coverage after %"),
    "site_tooltip": (
        "建议 {rank}（{place}）：新增 {gain} {unit}，覆盖率达 {after} %",
        "Site {rank} ({place}): adds {gain} {unit}, coverage {after} %",
    ),
    "site_unit": ("所在单元", "Unit"),
    "site_cluster": ("所属组团", "Cluster"),
    "site_lon": ("经度（WGS84）", "Longitude (WGS84)"),
    "site_lat": ("纬度（WGS84）", "Latitude (WGS84)"),
    "outside_units": ("不在任何单元内", "outside every unit"),
    "sites_pick": (
        "选中表格中的一行，地图即移到该建议点。",
        "Choose a row of the table to move the map to that site.",
    ),
}
