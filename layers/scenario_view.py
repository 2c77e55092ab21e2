"""The scenario parts of the parks page: planned parks, suggested sites, change map, tables."""

from __future__ import annotations

import html
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis.indicators import WHOLE_AREA
from analysis.scenario import ChangeClass
from analysis.standards import ParkStandard, TierBasis, tier_of, tier_text
from geo.crs import DISPLAY_CRS
from geo.display import geojson_for_display
from layers.labels import Lang, tr

__all__ = [
    "change_colours",
    "change_legend_html",
    "change_table",
    "planned_features",
    "site_features",
    "site_place",
    "site_view",
    "tier_name",
]

# The change map's classes (RGBA), declared once; unchanged cells stay clear.
_CHANGE_COLOURS: dict[ChangeClass, tuple[int, int, int, int]] = {
    ChangeClass.UNCHANGED: (0, 0, 0, 0),
    ChangeClass.NEW_ON_FOOT: (0, 109, 44, 215),
    ChangeClass.NEW_BUFFER_ONLY: (254, 153, 41, 215),
    ChangeClass.NEW_BY_BUFFER: (0, 109, 44, 215),
}
_CHANGE_KEYS = {
    ChangeClass.NEW_ON_FOOT: "legend_new_on_foot",
    ChangeClass.NEW_BUFFER_ONLY: "legend_new_buffer_only",
    ChangeClass.NEW_BY_BUFFER: "legend_new_by_buffer",
}


def change_colours(classes: NDArray[np.int8]) -> NDArray[np.uint8]:
    """Return one RGBA colour per origin for its :class:`analysis.scenario.ChangeClass`."""
    palette = np.zeros((max(ChangeClass) + 1, 4), dtype=np.uint8)
    for cls, rgba in _CHANGE_COLOURS.items():
        palette[cls] = rgba
    return palette[classes]


def change_legend_html(lang: Lang, *, walking: bool) -> str:
    """Return the change map's key (escaped HTML)."""
    shown = (
        (ChangeClass.NEW_ON_FOOT, ChangeClass.NEW_BUFFER_ONLY)
        if walking
        else (ChangeClass.NEW_BY_BUFFER,)
    )
    rows = []
    for cls in shown:
        r, g, b, _ = _CHANGE_COLOURS[cls]
        rows.append(
            f'<span style="display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;'
            f'background:#{r:02x}{g:02x}{b:02x}"></span>{html.escape(tr(_CHANGE_KEYS[cls], lang))}'
        )
    return "<div style='font-size:0.85rem;line-height:1.8'>" + " ".join(rows) + "</div>"


def tier_name(
    standard: ParkStandard, area: float, park_class: str, basis: TierBasis, lang: Lang
) -> str:
    """Return the name of the tier a (planned) park counts for (the rule of ``tier_of``)."""
    tier_id = tier_of(standard, area, park_class, basis=basis)
    return standard.tier(tier_id).name(lang) if tier_id else tr("tier_none", lang)


def planned_features(
    planned: gpd.GeoDataFrame, standard: ParkStandard, lang: Lang, *, basis: TierBasis = "area"
) -> dict[str, Any]:
    """Return the planned parks as display GeoJSON, with escaped tooltips (name, area, tier)."""
    if planned is None or planned.empty:
        return {"type": "FeatureCollection", "features": []}
    frame = planned.copy()
    label = html.escape(tr("planned_park", lang))
    area_text = html.escape(tr("park_area", lang))
    tips = []
    for name, area, kind, year in zip(
        frame["name"], frame["area_m2"], frame["park_class"], frame["year"], strict=True
    ):
        when = "" if pd.isna(year) else f" · {int(year)}"
        tips.append(
            f"<b>{html.escape(str(name))}</b><br>{label} · {area_text} {area / 1e4:,.2f} ha · "
            f"{html.escape(tier_name(standard, float(area), str(kind or ''), basis, lang))}"
            f"{when}"
        )
    frame["tt"] = tips
    return geojson_for_display(frame, columns=["park_id", "tt"], tolerance_m=0.5)


def _site_frame(
    sites: gpd.GeoDataFrame,
    lang: Lang,
    names: dict[str, dict[str, str]],
    *,
    demand_unit: str,
    demand_scale: tuple[float, int],
) -> gpd.GeoDataFrame:
    """Return ``sites`` with an escaped tooltip: rank, unit and cluster, demand added, after."""
    factor, decimals = demand_scale
    frame = sites.copy()
    frame["tt"] = [
        html.escape(
            tr(
                "site_tooltip",
                lang,
                rank=int(rank),
                place=site_place(unit, cluster, names, lang),
                gain=f"{gain * factor:,.{decimals}f}",
                unit=demand_unit,
                after=f"{after * 100:.1f}",
            )
        )
        for rank, unit, cluster, gain, after in zip(
            frame["rank"],
            frame["unit_id"],
            frame["cluster_id"],
            frame["gain"],
            frame["covered_share_after"],
            strict=True,
        )
    ]
    return frame


def site_place(unit: str, cluster: str, names: dict[str, dict[str, str]], lang: Lang) -> str:
    """Return where a site stands in words: its unit · its cluster (either may be unknown)."""
    unit_name = names.get("unit", {}).get(unit) or tr("outside_units", lang)
    cluster_name = names.get("cluster", {}).get(cluster)
    return f"{unit_name} · {cluster_name}" if cluster_name else unit_name


def site_features(
    sites: gpd.GeoDataFrame | None,
    lang: Lang,
    names: dict[str, dict[str, str]],
    *,
    demand_unit: str,
    demand_scale: tuple[float, int] = (1.0, 0),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return suggested sites as display GeoJSON: their squares, and a mark at each centre.

    The squares are a pocket park's size, too small to see at the county's zoom;
    the marks (drawn up to the zoom where the squares show) keep every site in
    sight. Tooltips say the rank, the unit and cluster, the demand added and the
    coverage after. ``demand_scale`` turns the demand's amount into ``demand_unit``.
    """
    empty = {"type": "FeatureCollection", "features": []}
    if sites is None or sites.empty:
        return empty, empty
    frame = _site_frame(sites, lang, names, demand_unit=demand_unit, demand_scale=demand_scale)
    squares = geojson_for_display(frame, columns=["park_id", "tt"], tolerance_m=0.5)
    marks = frame[["park_id", "tt"]].copy()
    marks = gpd.GeoDataFrame(
        marks, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=DISPLAY_CRS
    )
    return squares, geojson_for_display(marks, columns=["park_id", "tt"])


def site_view(
    sites: gpd.GeoDataFrame, rank: int
) -> tuple[tuple[float, float], tuple[float, float, float, float]]:
    """Return site ``rank``'s centre (lon, lat) and the bounds to show it at.

    The bounds are about 600 m across: the square, its street and the homes it
    would serve, in WGS84 (min lon, min lat, max lon, max lat).
    """
    row = sites[sites["rank"] == rank]
    if row.empty:
        msg = f"没有第 {rank} 个建议点。 / There is no site {rank}."
        raise KeyError(msg)
    lon, lat = float(row["lon"].iloc[0]), float(row["lat"].iloc[0])
    half_lat = 300 / 111_320  # metres per degree of latitude
    half_lon = half_lat / np.cos(np.radians(lat))
    return (lon, lat), (lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)


def _verdict(ok: object, lang: Lang) -> str:
    if ok is None or (isinstance(ok, float) and np.isnan(ok)):
        return "—"
    return tr("yes", lang) if bool(ok) else tr("no", lang)


def change_table(
    changes: pd.DataFrame,
    names: dict[str, str],
    lang: Lang,
    *,
    level: str,
    tier: str | None,
    demand_unit: str,
    demand_scale: tuple[float, int] = (1.0, 0),
) -> pd.DataFrame:
    """Return the before/after table of one level and tier (None: any), one row per zone.

    Per method: the share before and after (%), the signed change (points), the
    demand newly covered, and the verdict before → after. The county comes first.
    """
    chosen = (changes["tier"] == tier_text(tier)) & changes["level"].isin([level, "county"])
    rows = changes[chosen]
    out: dict[str, list[Any]] = {}
    zones = list(dict.fromkeys(rows["zone"]))
    zones.sort(key=lambda z: (z != WHOLE_AREA, z))
    out[tr("zone", lang)] = [
        tr("whole_county", lang) if z == WHOLE_AREA else names.get(z, z) for z in zones
    ]
    for method in dict.fromkeys(rows["method"]):
        part = rows[rows["method"] == method].set_index("zone").reindex(zones)
        m = tr(f"method_short_{method}", lang)
        out[f"{m} · {tr('before', lang)} %"] = (part["share_before"] * 100).round(1).tolist()
        out[f"{m} · {tr('after', lang)} %"] = (part["share_after"] * 100).round(1).tolist()
        out[f"{m} · Δ"] = [f"{v * 100:+.1f}" for v in part["change"]]
        factor, decimals = demand_scale
        out[f"{m} · {tr('newly_covered', lang)} ({demand_unit})"] = [
            f"{v * factor:,.{decimals}f}" for v in part["newly_covered"]
        ]
        out[f"{m} · {tr('meets_target', lang)}"] = [
            f"{_verdict(b, lang)} → {_verdict(a, lang)}"
            for b, a in zip(part["passes_before"], part["passes_after"], strict=True)
        ]
    return pd.DataFrame(out)
