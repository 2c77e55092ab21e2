"""Fit a planner's layer to the shared schema: which column is the name, the area, the class.

:func:`guess_mapping` proposes, from common Chinese and English headers, which of
the file's columns holds each field of the layer kind (the planner confirms or
changes it); :func:`apply_mapping` then returns the layer in the schema: renamed
columns, ids made where the file has none, areas measured where it gives none,
park classes normalised (综合公园 / 社区公园 / 游园 / 专类公园).
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from geo.boundaries import read_unit_table, units_from_frame
from geo.crs import DISPLAY_CRS, metric_crs_for
from geo.errors import BoundaryDataError, ScenarioError, UploadError
from geo.store.dataset import layer_kind

__all__ = [
    "FIELD_ALIASES",
    "MAX_PLANNED",
    "PARK_CLASSES",
    "apply_mapping",
    "check_layer",
    "guess_mapping",
    "line_list",
    "park_class_of",
    "planned_parks",
]

# Field -> headers that usually hold it (compared without case, spaces or punctuation).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "公园名称", "站点名称", "站名", "名字", "mc", "name_zh", "地名"),
    "area_m2": ("area_m2", "area", "面积", "面积m2", "面积平方米", "占地面积", "mj", "shape_area"),
    "area_ha": ("area_ha", "面积公顷", "面积ha", "公顷"),
    "park_class": ("park_class", "class", "类型", "公园类型", "类别", "分类", "lx", "type"),
    "population": ("population", "pop", "人口", "人口数", "常住人口", "人数", "rk"),
    "unit_id": ("unit_id", "id", "编号", "代码", "bm"),
    "station_id": ("station_id", "id", "编号", "站点编号"),
    "park_id": ("park_id", "id", "编号", "公园编号", "bh"),
    "year": ("year", "年份", "建成年份", "规划年份"),
    # The lines serving a station (several joined by ; 、 , / or |).
    "lines": ("lines", "line", "线路", "所属线路", "线路名称", "线路名", "途经线路", "xl"),
}
_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "parks": ("park_id", "name", "area_m2", "area_ha", "park_class", "year"),
    "stations": ("station_id", "name", "lines"),
    "units": ("unit_id", "name"),
    "population": ("population", "name"),
    "residential": ("name",),
    "plan_lines": ("name",),
    "planned_parks": ("park_id", "name", "park_class", "year"),
}

# Park classes of GB/T 51346 (the 公园名录's column) and the words that mean them.
PARK_CLASSES: dict[str, tuple[str, ...]] = {
    "comprehensive": ("综合公园", "综合", "comprehensive"),
    "community": ("社区公园", "社区", "community"),
    "garden": ("游园", "口袋公园", "街头绿地", "小游园", "garden", "pocket"),
    "specialised": (
        "专类公园",
        "专类",
        "植物园",
        "动物园",
        "湿地公园",
        "specialised",
        "specialized",
    ),
}


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-()（）:：/]+", "", str(text)).lower()


def guess_mapping(kind: str, columns: list[str]) -> dict[str, str]:
    """Return field -> column for the fields of ``kind`` whose header is recognised.

    >>> guess_mapping("parks", ["FID", "公园名称", "类型", "面积（公顷）"])
    {'name': '公园名称', 'area_ha': '面积（公顷）', 'park_class': '类型'}
    """
    layer_kind(kind)
    by_norm = {_norm(c): c for c in columns}
    mapping: dict[str, str] = {}
    for field in _KIND_FIELDS.get(kind, ()):
        for alias in FIELD_ALIASES[field]:
            if _norm(alias) in by_norm and by_norm[_norm(alias)] not in mapping.values():
                mapping[field] = by_norm[_norm(alias)]
                break
    return mapping


def park_class_of(value: object) -> str:
    """Return the park class id of a class text ("" when it names none).

    >>> park_class_of("社区公园"), park_class_of(" 口袋公园 "), park_class_of("广场")
    ('community', 'garden', '')
    """
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    text = "" if missing else _norm(str(value))
    for class_id, words in PARK_CLASSES.items():
        if any(_norm(w) in text for w in words):
            return class_id
    return ""


def line_list(value: object) -> str:
    """Return the lines a station's cell names, joined by ``;`` (the station schema's form).

    >>> line_list("11号线、S1线"), line_list(" 1号线 ; 3号线 "), line_list(None)
    ('11号线;S1线', '1号线;3号线', '')
    """
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    parts = re.split(r"[;；、,，/|]+", "" if missing else str(value))
    return ";".join(p.strip() for p in parts if p.strip())


def _numbers(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().all():
        msg = (
            f"字段“{column}”中没有可读的{what}数值。 / Column {column!r} holds no readable "
            f"{what} numbers: map another column."
        )
        raise UploadError(msg)
    return values


def apply_mapping(
    gdf: gpd.GeoDataFrame, kind: str, mapping: dict[str, str], *, id_prefix: str
) -> gpd.GeoDataFrame:
    """Return ``gdf`` (WGS84) in the schema of ``kind`` using ``mapping`` (field -> column).

    Parks get ``park_id`` (the file's, else ``<id_prefix>:<row>``), ``name``,
    ``area_m2`` (the file's, from hectares, or measured in the metric CRS — then
    ``area_measured`` is true), ``park_class`` (normalised) and ``year``; other
    kinds get their mapped fields. Columns not mapped are kept as they are.

    Raises
    ------
    UploadError
        If a mapped column is missing, a numeric field holds no numbers, or ids repeat.
    """
    layer_kind(kind)
    missing = [c for c in mapping.values() if c not in gdf.columns]
    if missing:
        msg = f"文件中没有字段 {missing}。 / The file has no column {missing}."
        raise UploadError(msg)
    out = gdf.to_crs(DISPLAY_CRS).reset_index(drop=True)
    renamed = {column: f"_src_{field}" for field, column in mapping.items()}
    source = out.rename(columns=renamed)
    for field in mapping:
        source[field] = source[f"_src_{field}"]
    source = source.drop(columns=list(renamed.values()))
    id_field = {"parks": "park_id", "stations": "station_id", "units": "unit_id"}.get(kind)
    if id_field is not None:
        if id_field in mapping:
            ids = source[id_field].astype(str).str.strip()
            repeated = sorted(set(ids[ids.duplicated()]))
            if repeated:
                shown = ", ".join(repeated[:5])
                msg = (
                    f"编号字段“{mapping[id_field]}”有重复：{shown}。 / The id column "
                    f"{mapping[id_field]!r} repeats: {shown}. Map another column, or none to "
                    "number the features."
                )
                raise UploadError(msg)
            source[id_field] = ids
        else:
            source[id_field] = [f"{id_prefix}:{i}" for i in range(len(source))]
    if kind == "parks":
        source = _fit_parks(source, mapping)
    if kind == "stations" and "lines" in mapping:
        source["lines"] = source["lines"].map(line_list)
    if kind == "planned_parks":
        source = planned_parks(
            gpd.GeoDataFrame(source, geometry=out.geometry.name, crs=DISPLAY_CRS)
        )
    if kind == "population":
        if "population" not in mapping:
            msg = (
                "请指定人口字段。 / Choose the column that holds the population "
                "(人口, 常住人口, population…)."
            )
            raise UploadError(msg)
        people = pd.to_numeric(source["population"], errors="coerce")
        bad = int((people.isna() | (people < 0)).sum())
        if bad:
            msg = (
                f"人口字段“{mapping['population']}”有 {bad} 个值不是零或正数。 / The population "
                f"column {mapping['population']!r} has {bad} values that are not numbers of "
                "zero or more."
            )
            raise UploadError(msg)
        source["population"] = people.astype(float)
    fitted = gpd.GeoDataFrame(source, geometry=out.geometry.name, crs=DISPLAY_CRS)
    check_layer(kind, fitted)
    return fitted


def _fit_parks(source: gpd.GeoDataFrame, mapping: dict[str, str]) -> gpd.GeoDataFrame:
    """Areas (given, from hectares, else measured), classes, names of a park layer."""
    if "area_m2" in mapping:
        source["area_m2"] = _numbers(source, "area_m2", "面积 / area")
    elif "area_ha" in mapping:
        source["area_m2"] = _numbers(source, "area_ha", "面积 / area") * 10_000
    source = _point_parks_as_circles(source)
    measured = source.to_crs(metric_crs_for(source)).area.to_numpy()
    given = (
        source["area_m2"].to_numpy(float) if "area_m2" in source else np.full(len(source), np.nan)
    )
    source["area_measured"] = ~np.isfinite(given)
    source["area_m2"] = np.where(np.isfinite(given), given, measured).round(1)
    source["park_class"] = (
        source["park_class"].map(park_class_of) if "park_class" in mapping else ""
    )
    if "name" not in source:
        source["name"] = None
    if "name_en" not in source:
        source["name_en"] = None
    return source


def _point_parks_as_circles(parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Draw a park inventory given as points with areas as circles of those areas.

    A 公园名录 often holds a point and an area per park: the circle (centred on the
    point, of the stated area) stands for the footprint, flagged in ``approximate``
    (as the bundled register's approximate footprints); a point without an area
    cannot stand for a park.
    """
    points = parks.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    parks = parks.copy()
    given = parks["approximate"] if "approximate" in parks else pd.Series(False, parks.index)
    parks["approximate"] = given.fillna(False).astype(bool).to_numpy() | points
    if not points.any():
        return parks
    area = pd.to_numeric(parks.get("area_m2"), errors="coerce") if "area_m2" in parks else None
    if area is None or area[points].isna().any() or (area[points] <= 0).any():
        msg = (
            "点状公园需要面积字段（以面积画出近似范围）。 / Parks given as points need an "
            "area column (each is then drawn as a circle of that area, marked approximate)."
        )
        raise UploadError(msg)
    metric = parks.to_crs(metric_crs_for(parks))
    radius = np.sqrt(area[points].to_numpy(float) / np.pi)
    circles = metric.geometry[points].centroid.buffer(radius, quad_segs=16)
    geometry = metric.geometry.copy()
    geometry[points] = circles
    return gpd.GeoDataFrame(
        parks.drop(columns=parks.geometry.name),
        geometry=gpd.GeoSeries(geometry, crs=metric.crs).to_crs(DISPLAY_CRS).to_numpy(),
        crs=DISPLAY_CRS,
    )


_FAMILY = {
    "point": {"Point", "MultiPoint"},
    "line": {"LineString", "MultiLineString"},
    "polygon": {"Polygon", "MultiPolygon"},
}
_FAMILY_NAMES = {"point": "点 / points", "line": "线 / lines", "polygon": "面 / polygons"}


def check_layer(kind: str, gdf: gpd.GeoDataFrame) -> None:
    """Check that a fitted layer can serve as ``kind``: its geometry family and its rules.

    Planning units must name the unit table's units (by ``unit_id`` or by their
    Chinese names, e.g. 花桥镇) and cover them all, as an official replacement of
    the bundled units does.

    Raises
    ------
    UploadError
        With a bilingual message saying what does not fit.
    """
    spec = layer_kind(kind)
    if gdf.empty:
        msg = "图层没有要素。 / The layer holds no features."
        raise UploadError(msg)
    family = _FAMILY.get(spec.geometry)
    if family is not None:
        found = set(gdf.geom_type.dropna())
        if wrong := sorted(found - family):
            msg = (
                f"{spec.name_zh}图层需要{_FAMILY_NAMES[spec.geometry].split(' / ')[0]}，"
                f"文件中有 {wrong}。 / A {spec.name_en.lower()} layer needs "
                f"{_FAMILY_NAMES[spec.geometry].split(' / ')[1]}; the file holds {wrong}."
            )
            raise UploadError(msg)
    if spec.geometry == "any" and (found := set(gdf.geom_type.dropna())) & _FAMILY["line"]:
        msg = (
            f"{spec.name_zh}图层需要点或面，文件中有 {sorted(found)}。 / A {spec.name_en.lower()} "
            f"layer needs points or polygons; the file holds {sorted(found)}."
        )
        raise UploadError(msg)
    if kind == "units":
        try:
            units_from_frame(gdf, read_unit_table(), what="Planning units")
        except BoundaryDataError as exc:
            msg = (
                f"上传的规划单元不符合要求（{exc}）。规划单元须用 planning_units.csv 的 unit_id "
                f"或单元名称（如 花桥镇）。 / {exc} Units must carry the ids of planning_units.csv "
                "or the units' Chinese names."
            )
            raise UploadError(msg) from exc


MAX_PLANNED = 200  # planned parks in one scenario
_MIN_AREA_M2 = 1.0
_YEARS = (1949, 2100)


def planned_parks(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Normalise planned parks: ids, names, areas, classes and years, checked; WGS84.

    Columns out: ``park_id`` (``planned_1``…, or the file's own unique ids
    prefixed ``planned_``), ``name``, ``area_m2`` (EPSG:4549), ``park_class``
    ("" where the tier follows from the area), ``year`` (nullable integer),
    ``planned`` (True). Raises :class:`geo.errors.ScenarioError` for a layer with
    no CRS, a non-polygon, a park of no area, a year outside 1949–2100, or more
    than :data:`MAX_PLANNED` parks.
    """
    if frame.crs is None:
        msg = "规划公园图层没有坐标系。 / The planned parks declare no coordinate system."
        raise ScenarioError(msg)
    if len(frame) > MAX_PLANNED:
        msg = (
            f"一个方案最多 {MAX_PLANNED} 个规划公园，收到 {len(frame)} 个。 / "
            f"A scenario holds at most {MAX_PLANNED} planned parks; got {len(frame)}."
        )
        raise ScenarioError(msg)
    geoms = shapely.make_valid(frame.geometry.to_numpy())
    kinds = shapely.get_type_id(geoms)
    if not np.isin(kinds, [3, 6, 7]).all():  # Polygon, MultiPolygon, GeometryCollection
        msg = "规划公园必须是面。 / Planned parks must be polygons."
        raise ScenarioError(msg)
    geoms = np.array([_polygonal(g) for g in geoms], dtype=object)
    metric = gpd.GeoSeries(geoms, crs=frame.crs)
    metric = metric.to_crs(metric_crs_for(gpd.GeoDataFrame(geometry=metric)))
    area = metric.area.to_numpy(float)
    if (area < _MIN_AREA_M2).any():
        msg = "有规划公园面积为 0。 / A planned park has no area."
        raise ScenarioError(msg)
    n = len(frame)
    names = _texts(frame, "name", n)
    names = [name or f"规划公园 {i + 1} / Planned park {i + 1}" for i, name in enumerate(names)]
    ids = _texts(frame, "park_id", n)
    if all(ids) and len(set(ids)) == n:
        park_ids = [i if i.startswith("planned_") else f"planned_{i}" for i in ids]
    else:
        park_ids = [f"planned_{i + 1}" for i in range(n)]
    years = pd.array([None] * n, dtype="Int64")
    if "year" in frame.columns:
        years = (
            pd.to_numeric(frame["year"], errors="coerce").astype("Float64").round().astype("Int64")
        )
        bad = years.notna() & ((years < _YEARS[0]) | (years > _YEARS[1]))
        if bad.any():
            msg = (
                f"规划年份须在 {_YEARS[0]}–{_YEARS[1]} 之间。 / "
                f"Planned years must lie in {_YEARS[0]}-{_YEARS[1]}."
            )
            raise ScenarioError(msg)
        years = years.array
    return gpd.GeoDataFrame(
        {
            "park_id": park_ids,
            "name": names,
            "area_m2": np.round(area, 1),
            "park_class": [park_class_of(v) if v else "" for v in _texts(frame, "park_class", n)],
            "year": years,
            "planned": [True] * n,
        },
        geometry=metric.to_crs(DISPLAY_CRS).to_numpy(),
        crs=DISPLAY_CRS,
    )


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    if shapely.get_type_id(geom) == 7:  # a collection from make_valid: keep its polygons
        parts = [g for g in shapely.get_parts(geom) if shapely.get_type_id(g) in {3, 6}]
        return shapely.union_all(parts) if parts else shapely.Polygon()
    return geom


def _texts(frame: pd.DataFrame, column: str, n: int) -> list[str]:
    if column not in frame.columns:
        return [""] * n
    return ["" if pd.isna(v) else str(v).strip() for v in frame[column]]


def drawn_polygons(features: list[dict[str, object]] | None) -> gpd.GeoDataFrame:
    """Return the polygons a planner drew on the map (Leaflet.draw GeoJSON features), WGS84.

    Rectangles arrive as polygons; other shapes (lines, markers, circles) are
    left out, as are features without a valid geometry.
    """
    geoms = []
    for feature in features or []:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in {
            "Polygon",
            "MultiPolygon",
        }:
            continue
        try:
            shape = shapely.geometry.shape(geometry)
        except (ValueError, TypeError, AttributeError):
            continue
        shape = shapely.make_valid(shape)
        if not shape.is_empty and shape.area > 0:
            geoms.append(shape)
    return gpd.GeoDataFrame({"name": [""] * len(geoms)}, geometry=geoms, crs=DISPLAY_CRS)
