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
from analysis.scenario import coverage_change
from analysis.standards import ParkStandard, sfca_radius_m
from geo.files.schema import PARK_CLASSES
from layers.cluster_view import comparison_table
from layers.labels import Lang, tr
from layers.parks_view import zone_table
from layers.scenario_view import change_table, tier_name
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


def demand_unit(demand: str, lang: Lang) -> str:
    """Return the unit of a demand kind, in ``lang`` (m² of land, of residential land, people)."""
    kind = "population" if demand.startswith("population") else demand
    return tr(f"demand_unit_{kind}", lang)


def class_label(class_id: str, lang: Lang) -> str:
    """Return a park class's name in ``lang`` (or "by area" when none is given)."""
    if not class_id:
        return tr("class_by_area", lang)
    words = PARK_CLASSES[class_id]
    return words[0] if lang == "zh" else words[-1]


def zone_names(lang: Lang) -> dict[str, dict[str, str]]:
    """Return cluster and unit names in ``lang``, by id."""
    summary = data.summary()
    _, _, table, _ = data.bundle()
    name_col = "name_zh" if lang == "zh" else "name_en"
    return {
        "cluster": dict(zip(summary["cluster_id"], summary[name_col], strict=True)),
        "unit": dict(zip(table["unit_id"], table[name_col], strict=True)),
    }


def planned_table(
    planned: Any, standard: ParkStandard, choices: ParksChoices, lang: Lang
) -> pd.DataFrame:
    """Return the scenario's planned parks as the page lists them: name, area, class, tier, year."""
    return pd.DataFrame(
        {
            tr("planned_name", lang): planned["name"].astype(str),
            tr("planned_area_ha", lang): (planned["area_m2"] / 1e4).round(2),
            tr("planned_class", lang): [class_label(c or "", lang) for c in planned["park_class"]],
            tr("planned_tier", lang): [
                tier_name(standard, float(a), str(c or ""), choices.basis, lang)
                for a, c in zip(planned["area_m2"], planned["park_class"], strict=True)
            ],
            tr("planned_year", lang): ["—" if pd.isna(y) else str(int(y)) for y in planned["year"]],
        }
    )


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

    def scenario_tables(self, lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """Return the scenario's planned parks and its before/after table by cluster (or None).

        The table is the one the page shows first: the chosen tier, by cluster.
        """
        planned = data.active_planned()
        after = data.scenario_reach_for(
            self.choices.cell_m,
            self.standard.standard_id,
            network=self.choices.method == "network",
            basis=self.choices.basis,
        )
        if planned is None or after is None:
            return None
        changes = coverage_change(
            self.origins,
            self.reach,
            after,
            {"cluster": self.grid.cluster_of, "unit": self.grid.unit_of},
        )
        table = change_table(
            changes,
            zone_names(lang)["cluster"],
            lang,
            level="cluster",
            tier=self.choices.tier_id or "*",
            demand_unit=demand_unit(self.choices.demand, lang),
        )
        return planned_table(planned, self.standard, self.choices, lang), table

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
    """Return the parks page's figures: the county's key figures, by cluster, by unit.

    With a scenario in use, also its planned parks and the before/after table.
    """
    parks = computed or ParksFigures(choices)
    both = {lang: parks.tables(lang) for lang in _LANGS}
    out = (
        _figure("key_figures", "key_figures", parks.key_table),
        Figure.from_frames(
            "by_cluster", (tr("by_cluster", "zh"), tr("by_cluster", "en")),
            both["zh"][0], both["en"][0],
        ),
        Figure.from_frames(
            "by_unit", (tr("by_unit", "zh"), tr("by_unit", "en")), both["zh"][1], both["en"][1]
        ),
    )  # fmt: skip
    scenario = {lang: parks.scenario_tables(lang) for lang in _LANGS}
    zh, en = scenario["zh"], scenario["en"]
    if zh is None or en is None:
        return out
    tier = choices.tier_id
    tiers = {
        lang: tr("tier_any", lang) if tier is None else parks.standard.tier(tier).name(lang)
        for lang in _LANGS
    }
    return (
        *out,
        Figure.from_frames(
            "planned_parks", (tr("layer_planned_parks", "zh"), tr("layer_planned_parks", "en")),
            zh[0], en[0],
        ),
        Figure.from_frames(
            "scenario_by_cluster",
            (tr("scenario_before_after", "zh", tier=tiers["zh"]),
             tr("scenario_before_after", "en", tier=tiers["en"])),
            zh[1], en[1],
        ),
    )  # fmt: skip
