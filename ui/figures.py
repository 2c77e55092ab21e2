"""Each page's figures: the tables it shows, built once for the page and for its snapshots.

A page draws these tables; a snapshot stores them (:class:`share.model.Figure`, in
both languages) so a permalink shows the numbers the page showed when it was saved.
Everything is computed from the data set in use (:mod:`ui.data`), headless as well
as in a page (``python -m share create`` runs these without a browser).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.indicators import WHOLE_AREA, coverage_by_zone, meets_target, zone_mean
from analysis.standards import sfca_radius_m
from layers.cluster_view import comparison_table
from layers.labels import Lang, tr
from layers.parks_view import zone_table
from share.model import Figure
from ui import data
from ui.choices import ClusterChoices, CorridorChoices, ParksChoices

__all__ = [
    "ParksFigures",
    "cluster_figures",
    "corridor_coverage_table",
    "corridor_figures",
    "demand_origins",
    "parks_figures",
    "parks_tables",
]

_LANGS: tuple[Lang, Lang] = ("zh", "en")


def _figure(key: str, title_key: str, build: Any) -> Figure:
    zh, en = (build(lang) for lang in _LANGS)
    return Figure.from_frames(key, (tr(title_key, "zh"), tr(title_key, "en")), zh, en)


# --- clusters ----------------------------------------------------------------------------------


def cluster_figures(choices: ClusterChoices) -> tuple[Figure, ...]:
    """Return the cluster page's figures: the four-cluster comparison."""
    del choices  # the comparison is the same whichever cluster is selected
    summary = data.summary()
    return (_figure("clusters", "compare_table", lambda lang: comparison_table(summary, lang)),)


# --- corridors ---------------------------------------------------------------------------------


def corridor_coverage_table(
    summary: pd.DataFrame, coverage: pd.DataFrame, lang: Lang
) -> pd.DataFrame:
    """Return the station-catchment coverage by cluster, headers in ``lang``."""
    name_col = "name_zh" if lang == "zh" else "name_en"
    names = dict(zip(summary["cluster_id"], summary[name_col], strict=True))
    table = pd.DataFrame(
        {
            tr("cluster", lang): coverage["cluster_id"].map(names),
            tr("stations_in_cluster", lang): coverage["stations"],
            tr("area_within", lang): (coverage["area_share"] * 100).round(1),
        }
    )
    if "residential_share" in coverage.columns:
        table[tr("residential_within", lang)] = (coverage["residential_share"] * 100).round(1)
    if "parks_within" in coverage.columns:
        table[tr("parks_within_cluster", lang)] = coverage["parks_within"]
    return table


def corridor_figures(choices: CorridorChoices) -> tuple[Figure, ...]:
    """Return the corridors page's figures: coverage by the stations' catchments."""
    summary = data.summary()
    coverage = data.coverage(choices.radius_m, choices.method)
    return (
        _figure(
            "station_coverage",
            "coverage_table",
            lambda lang: corridor_coverage_table(summary, coverage, lang),
        ),
    )


# --- parks -------------------------------------------------------------------------------------


def demand_origins(grid: data.ParkGrid, choices: ParksChoices) -> Any:
    """Return the grid's origins weighted by the chosen demand."""
    kind = "population" if choices.demand == "population_layer" else choices.demand
    return grid.origins.with_weights(grid.demands[choices.demand], kind)  # type: ignore[arg-type]


class ParksFigures:
    """The parks page's coverage, computed once: by cluster, by unit, the county's verdicts."""

    def __init__(self, choices: ParksChoices) -> None:
        """Compute the coverage for ``choices`` on the data set in use."""
        self.choices = choices
        self.standard = data.park_standards().standard(choices.standard_id)
        self.grid = data.park_grid(choices.cell_m)
        self.reach = data.park_reach_for(
            choices.cell_m,
            self.standard.standard_id,
            network=choices.method == "network",
            basis=choices.basis,
        )
        self.origins = demand_origins(self.grid, choices)
        self.by_cluster = coverage_by_zone(
            self.origins, self.reach, self.grid.cluster_of, tier_id=choices.tier_id
        )
        self.by_unit = coverage_by_zone(
            self.origins, self.reach, self.grid.unit_of, tier_id=choices.tier_id
        )

    def key_table(self, lang: Lang) -> pd.DataFrame:
        """Return the county's key figures (share, target, verdict) as a two-column table."""
        county = self.by_cluster.set_index("zone").loc[WHOLE_AREA]
        target = float(county["target_share"])  # type: ignore[arg-type]
        verdicts = {True: tr("meets", lang), False: tr("misses", lang), None: "—"}
        rows: list[tuple[str, str]] = []
        share = float(county["buffer_share"])  # type: ignore[arg-type]
        rows.append(
            (tr("coverage_county", lang), "—" if np.isnan(share) else f"{share * 100:.1f}%")
        )
        rows.append((tr("target_label", lang, target=f"{target * 100:g}"), ""))
        rows.append((tr("verdict", lang), verdicts[meets_target(share, target)]))
        if "network_share" in county:
            walk = float(county["network_share"])  # type: ignore[arg-type]
            rows.append((tr("coverage_network_county", lang), f"{walk * 100:.1f}%"))
            rows.append((tr("verdict", lang), verdicts[meets_target(walk, target)]))
        frame = pd.DataFrame(rows, columns=[tr("figure", lang), tr("value", lang)])
        return frame

    def tables(self, lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return the by-cluster and by-unit tables as the page shows them."""
        return parks_tables(
            lang, self.choices, by_cluster=self.by_cluster, by_unit=self.by_unit,
            origins=self.origins,
        )  # fmt: skip


def parks_tables(
    lang: Lang,
    choices: ParksChoices,
    *,
    by_cluster: pd.DataFrame,
    by_unit: pd.DataFrame,
    origins: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the parks page's by-cluster and by-unit tables, headers in ``lang``."""
    summary = data.summary()
    _, _, table, _ = data.bundle()
    name_col = "name_zh" if lang == "zh" else "name_en"
    cluster_names = dict(zip(summary["cluster_id"], summary[name_col], strict=True))
    unit_names = dict(zip(table["unit_id"], table[name_col], strict=True))
    per_unit = data.unit_per_capita()
    cluster_table = zone_table(by_cluster, cluster_names, lang, method=choices.method)
    unit_table = zone_table(by_unit, unit_names, lang, method=choices.method, per_capita=per_unit)
    if choices.demand in {"population", "population_layer"}:
        radius = sfca_radius_m(data.park_standards().standard(choices.standard_id), choices.tier_id)
        score = data.two_sfca_scores(choices.cell_m, radius, origins.weight)
        grid = data.park_grid(choices.cell_m)
        for frame, zone, out in (
            (by_cluster, grid.cluster_of, cluster_table),
            (by_unit, grid.unit_of, unit_table),
        ):
            mean = zone_mean(score, origins.weight, zone)
            out[tr("score_2sfca", lang)] = mean.reindex(frame["zone"]).to_numpy().round(2)
    return cluster_table, unit_table


def parks_figures(
    choices: ParksChoices, computed: ParksFigures | None = None
) -> tuple[Figure, ...]:
    """Return the parks page's figures: the county's key figures, by cluster, by unit."""
    parks = computed or ParksFigures(choices)
    both = {lang: parks.tables(lang) for lang in _LANGS}
    return (
        _figure("key_figures", "key_figures", parks.key_table),
        Figure.from_frames(
            "by_cluster", (tr("by_cluster", "zh"), tr("by_cluster", "en")),
            both["zh"][0], both["en"][0],
        ),
        Figure.from_frames(
            "by_unit", (tr("by_unit", "zh"), tr("by_unit", "en")), both["zh"][1], both["en"][1]
        ),
    )  # fmt: skip
