"""Prepare the corridors page's layers: rail by mode and status, stations, roads, water."""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import DISPLAY_CRS
from geo.display import geojson_for_display
from layers.labels import Lang, tr
from layers.specs import RAIL_MODE_COLOURS, RAIL_OTHER_COLOUR, MapLayer

__all__ = [
    "MODE_COLOURS",
    "TransitMapInputs",
    "plan_geojson",
    "schematic_lines",
    "transit_layers",
    "transit_map_inputs",
]

MODE_COLOURS = RAIL_MODE_COLOURS  # the rail layer's classes, declared with its spec
_EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}


@dataclass(frozen=True)
class TransitMapInputs:
    """The corridors map's transit layers, light and escaped."""

    rail_geojson: dict[str, Any]
    stations: list[dict[str, Any]]
    roads_geojson: dict[str, Any] = field(default_factory=lambda: dict(_EMPTY))
    water_geojson: dict[str, Any] = field(default_factory=lambda: dict(_EMPTY))
    plan_geojson: dict[str, Any] = field(default_factory=lambda: dict(_EMPTY))
    corridor_geojson: dict[str, Any] = field(default_factory=lambda: dict(_EMPTY))
    modes: tuple[str, ...] = ()
    schematic: bool = False


def transit_layers(transit: TransitMapInputs, lang: Lang) -> list[MapLayer]:
    """Return the corridors page's layers over the clusters: networks, rail, stations, names."""
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                "properties": {
                    "station_id": s["station_id"],  # a click comes back by this id
                    "tooltip": s["tooltip"],
                    "label": html.escape(s["label"]),
                },
            }
            for s in transit.stations
        ],
    }
    rail_classes = (
        *(
            (tr("mode_" + m, lang), RAIL_MODE_COLOURS.get(m, RAIL_OTHER_COLOUR), False)
            for m in transit.modes
        ),
        (
            f"{tr('status_planned', lang)} / {tr('status_under_construction', lang)}",
            RAIL_OTHER_COLOUR,
            True,
        ),
    )
    return [
        MapLayer("water", transit.water_geojson),
        MapLayer("roads", transit.roads_geojson),
        MapLayer("plan_lines", transit.plan_geojson),
        MapLayer("eco_corridors", transit.corridor_geojson),
        MapLayer("rail", transit.rail_geojson, categories=rail_classes if transit.modes else ()),
        MapLayer("stations", points),
        MapLayer("station_labels", points),
    ]


def schematic_lines(
    lines: pd.DataFrame, line_stations: pd.DataFrame, stations: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return straight segments between consecutive located stations of each line.

    Only stations next to each other in the line's sequence are joined, so a
    line with gaps in its cited locations is drawn only where it is known.
    Every segment is flagged ``schematic``.
    """
    located = stations.set_index("station_id").geometry
    rows = []
    for line_id, group in line_stations.groupby("line_id"):
        ordered = group.sort_values("seq")
        pairs = list(zip(ordered["seq"], ordered["station_id"], strict=True))
        for (s1, a), (s2, b) in itertools.pairwise(pairs):
            # Stations of another data set (a planner's list) may not be the cited ones.
            if a in located.index and b in located.index and s2 == s1 + 1:
                rows.append(
                    {"line_id": line_id, "geometry": shapely.LineString([located[a], located[b]])}
                )
    if not rows:
        return gpd.GeoDataFrame(
            {"line_id": [], "name_zh": [], "name_en": [], "mode": [], "status": []},
            geometry=gpd.GeoSeries([], crs=DISPLAY_CRS),
        )
    segments = gpd.GeoDataFrame(rows, geometry="geometry", crs=DISPLAY_CRS)
    meta = lines.set_index("line_id")[["name_zh", "name_en", "mode", "status"]]
    return segments.join(meta, on="line_id")


def _merged(frame: gpd.GeoDataFrame, by: list[str]) -> gpd.GeoDataFrame:
    """Merge the segments that look the same on the map into one feature per group.

    OpenStreetMap splits a line into many ways; sending one feature per group
    (same name, mode, status...) cuts the payload several-fold.
    """
    if frame.empty:
        return frame
    keys = frame[by].astype(str).fillna("")
    groups = []
    for _, part in frame.groupby([keys[c] for c in by], sort=False):
        pieces = shapely.get_parts(part.geometry.dropna().to_numpy())
        # line_merge joins ways end to end; no union (noding) is needed for display.
        merged = shapely.line_merge(shapely.multilinestrings(pieces))
        groups.append({**dict(zip(by, part.iloc[0][by], strict=True)), "geometry": merged})
    return gpd.GeoDataFrame(groups, geometry="geometry", crs=frame.crs)


def _rail_features(rail: gpd.GeoDataFrame, lang: Lang, *, schematic: bool) -> dict[str, Any]:
    if rail.empty:
        return dict(_EMPTY)
    frame = rail.copy()
    if "name" not in frame.columns:
        frame["name"] = frame["name_zh"] if lang == "zh" else frame["name_en"]
    frame = _merged(frame, ["name", "mode", "status"])
    frame["colour"] = frame["mode"].map(MODE_COLOURS).fillna(RAIL_OTHER_COLOUR)
    frame["dashed"] = frame["status"] != "operating"
    status_text = {
        "operating": tr("status_operating", lang),
        "under_construction": tr("status_under_construction", lang),
        "planned": tr("status_planned", lang),
        "closed": tr("status_closed", lang),
    }
    frame["tt"] = [
        html.escape(
            f"{name or '—'} · {tr('mode_' + str(mode), lang)} · "
            f"{status_text.get(str(status), status)}"
            + (f" · {tr('schematic', lang)}" if schematic else "")
        )
        for name, mode, status in zip(frame["name"], frame["mode"], frame["status"], strict=True)
    ]
    return geojson_for_display(
        frame, columns=["colour", "dashed", "tt"], tolerance_m=10.0, precision=5
    )


def transit_map_inputs(
    *,
    lines: pd.DataFrame,
    line_stations: pd.DataFrame,
    stations: gpd.GeoDataFrame,
    lang: Lang,
    osm: Mapping[str, gpd.GeoDataFrame] | None = None,
    plan_layer: gpd.GeoDataFrame | None = None,
    corridors: pd.DataFrame | None = None,
) -> TransitMapInputs:
    """Build the transit layers: OpenStreetMap geometry when given, else cited schematics."""
    name_col = "name_zh" if lang == "zh" else "name_en"
    line_names = lines.set_index("line_id")[name_col]
    if osm is not None and not osm["rail_lines"].empty:
        rail = _rail_features(osm["rail_lines"], lang, schematic=False)
        modes = tuple(sorted(set(osm["rail_lines"]["mode"])))
        schematic = False
    else:
        segments = schematic_lines(lines, line_stations, stations)
        segments["name"] = segments[name_col] if not segments.empty else []
        rail = _rail_features(segments, lang, schematic=True)
        modes = tuple(sorted(set(lines["mode"])))
        schematic = True
    station_rows = []
    for _, row in stations.iterrows():
        served = [str(line_names.get(lid, lid)) for lid in str(row["lines"]).split(";") if lid]
        opened = str(row["opened"])[:4] or "?"
        tooltip = (
            f"<b>{html.escape(str(row[name_col]))}</b><br>"
            f"{html.escape('、'.join(served) if lang == 'zh' else ', '.join(served))}<br>"
            f"{html.escape(tr('opened', lang))}: {html.escape(opened)} · "
            f"{html.escape(tr('status_' + str(row['status']), lang))}"
        )
        if str(row.get("coord_confidence", "")) == "P":
            tooltip += f"<br><i>{html.escape(tr('coord_partial', lang))}</i>"
        station_rows.append(
            {
                "station_id": str(row["station_id"]),
                "lat": round(row.geometry.y, 6),
                "lon": round(row.geometry.x, 6),
                "label": str(row[name_col]),
                "tooltip": tooltip,
            }
        )

    def _lines_geojson(layer: str, columns: list[str]) -> dict[str, Any]:
        if osm is None or osm[layer].empty:
            return dict(_EMPTY)
        # A planner's layer may lack OpenStreetMap's columns (a road file of lines only).
        wanted = ["name", *columns, *(["kind"] if layer == "water_lines" else [])]
        frame = osm[layer].assign(**{c: None for c in wanted if c not in osm[layer]})
        if layer == "water_lines":
            # Streams and drains are too many for a county map (Kunshan is a water town).
            frame = frame[frame["kind"].isin(["river", "canal"])]
        if frame.empty:
            return dict(_EMPTY)
        frame = _merged(frame, ["name", *columns])
        frame["tt"] = [html.escape(str(v or "")) for v in frame["name"]]
        return geojson_for_display(frame, columns=[*columns, "tt"], tolerance_m=20.0, precision=5)

    plan = dict(_EMPTY)
    if plan_layer is not None and not plan_layer.empty:
        frame = plan_layer.copy()
        frame["tt"] = [
            html.escape(str(v or "")) for v in frame.get("name", pd.Series([""] * len(frame)))
        ]
        plan = geojson_for_display(frame, columns=["tt"], tolerance_m=10.0)
    return TransitMapInputs(
        corridor_geojson=_named_corridors(osm, corridors, lang),
        rail_geojson=rail,
        stations=station_rows,
        roads_geojson=_lines_geojson("roads", ["highway"]),
        water_geojson=_lines_geojson("water_lines", ["kind"]),
        plan_geojson=plan,
        modes=modes,
        schematic=schematic,
    )


def plan_geojson(plan_layer: gpd.GeoDataFrame | None) -> dict[str, Any]:
    """Return an uploaded plan network (``name`` + lines) as escaped display GeoJSON."""
    if plan_layer is None or plan_layer.empty:
        return dict(_EMPTY)
    frame = plan_layer.copy()
    names = frame["name"] if "name" in frame.columns else pd.Series([""] * len(frame))
    frame["tt"] = [html.escape(str(v or "")) for v in names]
    return geojson_for_display(frame, columns=["tt"], tolerance_m=10.0)


def _named_corridors(
    osm: Mapping[str, gpd.GeoDataFrame] | None, corridors: pd.DataFrame | None, lang: Lang
) -> dict[str, Any]:
    """Return the OSM waterways whose names match a cited ecological corridor."""
    if osm is None or corridors is None or corridors.empty:
        return dict(_EMPTY)
    label = {}
    for _, row in corridors.iterrows():
        for osm_name in str(row["osm_names"]).split(";"):
            label[osm_name] = str(row["name_zh" if lang == "zh" else "name_en"])
    frames = [osm[layer] for layer in ("water_lines", "water_areas") if not osm[layer].empty]
    if not frames:
        return dict(_EMPTY)
    water = pd.concat([f[["name", "geometry"]] for f in frames], ignore_index=True)
    water = gpd.GeoDataFrame(water, geometry="geometry", crs=DISPLAY_CRS)
    named = water[water["name"].isin(label)].copy()
    if named.empty:
        return dict(_EMPTY)
    named["tt"] = [html.escape(label[n]) for n in named["name"]]
    return geojson_for_display(named, columns=["tt"], tolerance_m=20.0)
