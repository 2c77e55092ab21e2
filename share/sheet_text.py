"""What a map sheet says beside its map: its figures in order, its zone's rows, method and sources.

A sheet reports what the view reported: with a scenario its key figures (after,
with before), the before/after table and the planned parks come first; an atlas
sheet of a cluster or unit shows that zone's rows, not the county's. Every label
is in the sheet's language, and no internal id appears unlabelled: standards,
tiers, methods, clusters and layer kinds are named, the data version and the
snapshot's id are labelled as such.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geo.store.dataset import DataSet, layer_kind
from layers.labels import Lang, tr
from share.model import Snapshot
from views import inputs
from views.parks import tier_label
from views.reach import park_standards
from views.table import Figure

__all__ = [
    "FIRST_ON_SHEET",
    "Zone",
    "method_text",
    "sheet_figures",
    "sources_line",
    "zone_figures",
    "zones",
]

# The figures a sheet leads with (a scenario's first), then the page's others in their order.
FIRST_ON_SHEET = ("key_figures", "scenario_by_cluster", "planned_parks")


def sheet_figures(figures: Sequence[Figure]) -> tuple[Figure, ...]:
    """Return every figure, the key figures and the scenario's before/after first.

    >>> a, b = (Figure(k, k, k, ("x",), ("x",), ()) for k in ("by_unit", "planned_parks"))
    >>> [f.key for f in sheet_figures([a, b])]
    ['planned_parks', 'by_unit']
    """
    rank = {key: i for i, key in enumerate(FIRST_ON_SHEET)}
    return tuple(sorted(figures, key=lambda f: rank.get(f.key, len(rank))))


@dataclass(frozen=True)
class Zone:
    """An atlas sheet's area: its name, its bounds, and the row names that belong to it.

    ``rows`` holds the zone's own name and, for a cluster, its units' names, in
    both languages (a figure's first column names its rows).
    """

    zone_id: str
    name: str
    bounds: tuple[float, float, float, float]
    rows: frozenset[str]


def zone_figures(figures: Sequence[Figure], zone: Zone) -> tuple[Figure, ...]:
    """Return each figure cut to the zone's rows; figures with none of them are left out.

    The county's key figures and a list of planned parks name no zone, so a
    cluster's sheet shows its own row of each table and its units' rows.
    """
    out = []
    for fig in figures:
        keep = [i for i, r in enumerate(fig.rows) if r and str(r[0]) in zone.rows]
        if keep:
            rows = tuple(fig.rows[i] for i in keep)
            rows_en = tuple(fig.rows_en[i] for i in keep) if fig.rows_en else ()
            out.append(replace(fig, rows=rows, rows_en=rows_en))
    return tuple(out)


def _bounds(frame) -> tuple[float, float, float, float]:  # type: ignore[no-untyped-def]
    b = frame.total_bounds
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def zones(ds: DataSet, by: str, lang: Lang) -> list[Zone]:
    """Return each cluster or unit as an atlas zone, in the page's order (bounds in WGS84)."""
    _, units, table, clusters = inputs.bundle(ds)
    units = units.to_crs(4326)
    unit_names = {
        row.unit_id: (str(row.name_zh), str(row.name_en)) for row in table.itertuples(index=False)
    }
    out: list[Zone] = []
    if by == "cluster":
        polygons = inputs.cluster_polygon_frame(ds).to_crs(4326)
        for cluster in clusters:
            names = {cluster.label("zh"), cluster.label("en")}
            for unit in cluster.members:
                names.update(unit_names.get(unit, ()))
            shape = polygons.loc[polygons["cluster_id"] == cluster.cluster_id]
            out.append(
                Zone(cluster.cluster_id, cluster.label(lang), _bounds(shape), frozenset(names))
            )
        return out
    cluster_of = {unit: c for c in clusters for unit in c.members}
    for uid in units["unit_id"]:
        zh, en = unit_names.get(uid, (str(uid), str(uid)))
        names = {zh, en}
        home = cluster_of.get(uid)
        if home is not None:
            names.update({home.label("zh"), home.label("en")})
        shape = units.loc[units["unit_id"] == uid]
        out.append(Zone(str(uid), zh if lang == "zh" else en, _bounds(shape), frozenset(names)))
    return out


def method_text(snapshot: Snapshot, ds: DataSet, lang: Lang) -> str:
    """Return the standard, tier, method and grid the figures used, in words (HTML-escaped)."""
    c = snapshot.choices
    parts = []
    if snapshot.page == "parks":
        standards = park_standards(ds)
        sid = str(c.get("standard_id") or standards.standards[0].standard_id)
        known = {s.standard_id: s for s in standards.standards}
        standard = known.get(sid)
        parts.append(f"{tr('standard', lang)}: {standard.name(lang) if standard else sid}")
        tier_id = c.get("tier_id")
        if tier_id and standard is not None and tier_id in {t.tier_id for t in standard.tiers}:
            parts.append(f"{tr('tier', lang)}: {tier_label(standard, str(tier_id), lang)}")
        parts.append(
            f"{tr('method', lang)}: {tr('method_' + str(c.get('method', 'buffer')), lang)}"
        )
        parts.append(f"{tr('grid_m', lang)}: {c.get('cell_m', '')}")
    elif snapshot.page == "corridors":
        parts.append(f"{tr('radius_m', lang)}: {c.get('radius_m', '')}")
        method = tr("method_" + str(c.get("method", "straight")), lang)
        parts.append(f"{tr('method', lang)}: {method}")
    else:
        cid = c.get("cluster_id")
        _, _, _, clusters = inputs.bundle(ds)
        names = {cl.cluster_id: cl.label(lang) for cl in clusters}
        parts.append(
            f"{tr('sheet_cluster', lang)}: {names.get(str(cid), tr('all_clusters', lang))}"
        )
    return " · ".join(html.escape(p) for p in parts)


def sources_line(snapshot: Snapshot, lang: Lang) -> str:
    """Return the data's line: the base, the planner's layers by name, the labelled version."""
    base = {"bundled": tr("dataset_bundled", lang), "osm": "OpenStreetMap"}.get(
        snapshot.dataset, snapshot.dataset
    )
    uploads = [layer_kind(kind).name(lang) for kind in sorted(snapshot.uploads)]
    joined = ("、" if lang == "zh" else ", ").join(uploads)
    extra = f" + {tr('sheet_planner_layers', lang)}: {joined}" if uploads else ""
    version = tr("sheet_data_version", lang, version=snapshot.dataset_version[:12])
    return html.escape(
        f"{tr('sheet_data', lang)}: {base}{extra} · {version} · {snapshot.created_at[:10]}"
    )
