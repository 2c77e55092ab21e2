"""The parks page's model: coverage against the standard, the scenario's before and after, tables.

:func:`parks_model` computes once, for a data set and the page's typed choices,
everything the parks page shows and a snapshot of it keeps: the standard
resolved to an object, the distances (before and with the scenario), coverage by
cluster and by unit, the county's verdicts, and the tables in either language.
The page draws it; :mod:`views.figures` turns it into a snapshot's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.demand import DemandGrid
from analysis.distances import ParkReach
from analysis.indicators import (
    CountyFigure,
    Verdict,
    county_figures,
    coverage_by_zone,
    zone_mean,
)
from analysis.scenario import areas_ha, coverage_change, per_capita_change, sfca_change
from analysis.standards import ParkStandard, sfca_radius_m
from geo.files.schema import PARK_CLASSES, drawn_polygons
from geo.grid import Origins
from geo.store.dataset import DataSet
from layers.labels import Lang, tr
from layers.parks_view import zone_table
from layers.scenario_view import change_table, tier_name
from views import inputs, reach
from views.choices import ParksChoices
from views.memo import memo

__all__ = [
    "VERDICT_LABELS",
    "Headline",
    "ParksModel",
    "class_label",
    "demand_origins",
    "demand_scale",
    "demand_unit",
    "drawn_table",
    "parks_model",
    "tier_label",
    "verdict_label",
    "zone_names",
]

# How each verdict reads on a page, a sheet and in a snapshot (label keys).
VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.MEETS: "meets",
    Verdict.MISSES: "misses",
    Verdict.UNKNOWN: "verdict_unknown",
}


def verdict_label(verdict: Verdict, lang: Lang) -> str:
    """Return the verdict's words in ``lang`` (达标 / meets …)."""
    return tr(VERDICT_LABELS[verdict], lang)


def demand_origins(grid: DemandGrid, demand: str) -> Origins:
    """Return the grid's origins weighted by the chosen demand."""
    kind = "population" if demand == "population_layer" else demand
    return grid.origins.with_weights(grid.demands[demand], kind)  # type: ignore[arg-type]


def demand_scale(demand: str) -> tuple[float, int]:
    """Return the factor from a demand's amount to what a planner reads, and its decimals.

    Land and residential land are counted in m² and shown in hectares (one decimal);
    people as they are.

    >>> demand_scale("land"), demand_scale("population")
    ((0.0001, 1), (1.0, 0))
    """
    return (1.0, 0) if demand.startswith("population") else (1e-4, 1)


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


def tier_label(standard: ParkStandard, tier_id: str | None, lang: Lang) -> str:
    """Return a tier's name in ``lang`` ("any tier" for None)."""
    return tr("tier_any", lang) if tier_id is None else standard.tier(tier_id).name(lang)


def drawn_table(
    drawings: list[dict[str, Any]] | None, lang: Lang
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return what the planner drew as polygons (WGS84) and the table to name them in.

    The table has a row per polygon: a default name, its area in hectares
    (measured in EPSG:4549, :func:`analysis.scenario.areas_ha`), no class, no year.
    """
    drawn = drawn_polygons(drawings)
    table = pd.DataFrame(
        {
            "name": [f"{tr('planned_park', lang)} {i + 1}" for i in range(len(drawn))],
            "area_ha": areas_ha(drawn).round(2) if len(drawn) else np.array([], dtype=float),
            "park_class": [class_label("", lang)] * len(drawn),
            "year": pd.array([None] * len(drawn), dtype="Int64"),
        }
    )
    return drawn, table


def zone_names(ds: DataSet, lang: Lang) -> dict[str, dict[str, str]]:
    """Return cluster and unit names in ``lang``, by id."""
    summary = inputs.summary(ds)
    table = inputs.unit_table(ds)
    name_col = "name_zh" if lang == "zh" else "name_en"
    return {
        "cluster": dict(zip(summary["cluster_id"], summary[f"label_{lang}"], strict=True)),
        "unit": dict(zip(table["unit_id"], table[name_col], strict=True)),
    }


def _percent(share: float) -> str:
    return "—" if np.isnan(share) else f"{share * 100:.1f}%"


@dataclass(frozen=True)
class Headline:
    """One headline figure: the county's coverage by one method, after the scenario if any.

    ``share`` and ``verdict`` are what the page leads with: with a scenario, the
    coverage once its planned parks are built, and ``before`` the coverage without
    them (None without a scenario).
    """

    method: str
    share: float
    before: float | None
    target: float
    verdict: Verdict

    def label(self, lang: Lang) -> str:
        """Return the figure's name (with "after the scenario" when there is one)."""
        key = "coverage_county" if self.method == "buffer" else "coverage_network_county"
        if self.before is None:
            return tr(key, lang)
        return tr("headline_after", lang, figure=tr(key, lang))

    def value(self) -> str:
        """Return the share as the page shows it (``—`` without demand)."""
        return _percent(self.share)

    def before_text(self, lang: Lang) -> str | None:
        """Return "现状 x%" / "before x%" (None without a scenario)."""
        return None if self.before is None else f"{tr('before', lang)} {_percent(self.before)}"

    def delta(self, lang: Lang) -> str | None:
        """Return the change in percentage points (None without a scenario or without demand)."""
        if self.before is None or np.isnan(self.share) or np.isnan(self.before):
            return None
        unit = "个百分点" if lang == "zh" else "pp"
        return f"{(self.share - self.before) * 100:+.1f} {unit}"


@dataclass(frozen=True, eq=False)
class ParksModel:
    """What the parks page shows for ``choices`` on ``ds`` (shared: never mutate its parts)."""

    ds: DataSet
    choices: ParksChoices
    standard: ParkStandard
    grid: DemandGrid
    reach: ParkReach
    after: ParkReach | None  # with the scenario's planned parks (None without a scenario)
    origins: Origins
    by_cluster: pd.DataFrame
    by_unit: pd.DataFrame
    county: tuple[CountyFigure, ...]
    county_after: tuple[CountyFigure, ...] | None = None  # with the scenario (None: none)

    def headlines(self) -> tuple[Headline, ...]:
        """Return the county's headline figures: after the scenario (and before) if there is one."""
        after = self.county_after or self.county
        return tuple(
            Headline(
                method=a.method,
                share=a.share,
                before=b.share if self.county_after is not None else None,
                target=a.target,
                verdict=a.verdict,
            )
            for a, b in zip(after, self.county, strict=True)
        )

    @property
    def planned(self) -> gpd.GeoDataFrame | None:
        """The scenario's planned parks (None without a scenario)."""
        return reach.planned(self.ds) if self.after is not None else None

    @property
    def n_parks(self) -> int:
        """How many parks the data set has."""
        return len(inputs.parks(self.ds).parks)

    def key_table(self, lang: Lang) -> pd.DataFrame:
        """Return the county's key figures (share, target, verdict).

        With a scenario the value is the coverage after it and a third column gives
        the coverage before (the headline the page shows, the same on a sheet).
        """
        scenario = self.county_after is not None
        rows: list[tuple[str, ...]] = []
        for h in self.headlines():
            before = (_percent(h.before),) if scenario and h.before is not None else ()
            rows.append((h.label(lang), h.value(), *before))
            if h.method == "buffer":
                target = tr("target_label", lang, target=f"{h.target * 100:g}")
                rows.append((target, "", *(("",) if scenario else ())))
            rows.append(
                (tr("verdict", lang), verdict_label(h.verdict, lang), *(("",) if scenario else ()))
            )
        columns = [tr("figure", lang), tr("col_after", lang) if scenario else tr("value", lang)]
        if scenario:
            columns.append(tr("col_before", lang))
        return pd.DataFrame(rows, columns=columns)

    def tables(self, lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return the by-cluster and by-unit tables as the page shows them."""
        names = zone_names(self.ds, lang)
        method = self.choices.method
        cluster_table = zone_table(self.by_cluster, names["cluster"], lang, method=method)
        unit_table = zone_table(
            self.by_unit, names["unit"], lang, method=method,
            per_capita=reach.unit_per_capita(self.ds),
        )  # fmt: skip
        if self.choices.demand in {"population", "population_layer"}:
            radius = sfca_radius_m(self.standard, self.choices.tier_id)
            score = reach.two_sfca_scores(
                self.ds, cell_m=self.choices.cell_m, radius_m=radius, demand=self.choices.demand
            )
            for frame, zone, out in (
                (self.by_cluster, self.grid.cluster_of, cluster_table),
                (self.by_unit, self.grid.unit_of, unit_table),
            ):
                mean = zone_mean(score, self.origins.weight, zone)
                out[tr("score_2sfca", lang)] = mean.reindex(frame["zone"]).to_numpy().round(2)
        return cluster_table, unit_table

    def planned_table(self, lang: Lang) -> pd.DataFrame | None:
        """Return the scenario's planned parks: name, area, class, tier, year (None: none)."""
        planned = self.planned
        if planned is None:
            return None
        return pd.DataFrame(
            {
                tr("planned_name", lang): planned["name"].astype(str),
                tr("planned_area_ha", lang): (planned["area_m2"] / 1e4).round(2),
                tr("planned_class", lang): [
                    class_label(c or "", lang) for c in planned["park_class"]
                ],
                tr("planned_tier", lang): [
                    tier_name(self.standard, float(a), str(c or ""), self.choices.basis, lang)
                    for a, c in zip(planned["area_m2"], planned["park_class"], strict=True)
                ],
                tr("planned_year", lang): [
                    "—" if pd.isna(y) else str(int(y)) for y in planned["year"]
                ],
            }
        )

    @cached_property
    def changes(self) -> pd.DataFrame | None:
        """Coverage before and after the scenario by level, zone, tier and method (None: none)."""
        if self.after is None:
            return None
        zones = {"cluster": self.grid.cluster_of, "unit": self.grid.unit_of}
        return coverage_change(self.origins, self.reach, self.after, zones)

    def change_table(
        self, lang: Lang, *, level: str = "cluster", tier: Any = ...
    ) -> pd.DataFrame | None:
        """Return the before/after table of ``level`` for ``tier`` (default: the chosen one)."""
        changes = self.changes
        if changes is None:
            return None
        chosen = self.choices.tier_id if tier is ... else tier
        names = zone_names(self.ds, lang)["cluster" if level == "county" else level]
        return change_table(
            changes[changes["level"] == "county"] if level == "county" else changes,
            names, lang, level=level, tier=chosen,
            demand_unit=demand_unit(self.choices.demand, lang),
            demand_scale=demand_scale(self.choices.demand),
        )  # fmt: skip

    def per_capita_change(self) -> pd.DataFrame | None:
        """Park area per person per unit before and after (units with a cited population)."""
        planned = self.planned
        _, units, table, _ = inputs.bundle(self.ds)
        population = table.set_index("unit_id")["population"].astype(float)
        if planned is None or population.notna().sum() == 0:
            return None
        floor = reach.park_standards(self.ds).per_capita_target_m2
        return per_capita_change(
            inputs.parks(self.ds).parks, planned, units, population,
            id_column="unit_id", floor_m2=floor,
        )  # fmt: skip

    def sfca_change(self) -> pd.DataFrame | None:
        """Return the 2SFCA score by cluster before and after (population demand; else None)."""
        planned = self.planned
        if planned is None or self.choices.demand not in {"population", "population_layer"}:
            return None
        radius = sfca_radius_m(self.standard, self.choices.tier_id)
        return sfca_change(
            self.origins, inputs.parks(self.ds).parks, planned, self.grid.cluster_of,
            radius_m=radius, people=self.origins.weight,
        )  # fmt: skip


@memo(max_entries=32, copy=False)
def _parks_model(ds: DataSet, choices: ParksChoices) -> ParksModel:
    standard = reach.park_standards(ds).standard(choices.standard_id)
    grid = reach.park_grid(ds, choices.cell_m)
    network = choices.method == "network"
    before = reach.park_reach_for(
        ds, standard, cell_m=choices.cell_m, network=network, basis=choices.basis
    )
    after = reach.scenario_reach_for(
        ds, standard, cell_m=choices.cell_m, network=network, basis=choices.basis
    )
    origins = demand_origins(grid, choices.demand)
    by_cluster = coverage_by_zone(origins, before, grid.cluster_of, tier_id=choices.tier_id)
    by_unit = coverage_by_zone(origins, before, grid.unit_of, tier_id=choices.tier_id)
    county_after = (
        None
        if after is None
        else county_figures(
            coverage_by_zone(origins, after, grid.cluster_of, tier_id=choices.tier_id)
        )
    )
    return ParksModel(
        ds=ds,
        choices=choices,
        standard=standard,
        grid=grid,
        reach=before,
        after=after,
        origins=origins,
        by_cluster=by_cluster,
        by_unit=by_unit,
        county=county_figures(by_cluster),
        county_after=county_after,
    )


def parks_model(ds: DataSet, choices: ParksChoices) -> ParksModel:
    """Return the parks page's model for ``choices`` on ``ds`` (one per question, shared)."""
    kinds = (*reach.REACH_KINDS, "walk_network", "planned_parks", "candidate_land")
    return _parks_model(ds.subset(*kinds), choices)
