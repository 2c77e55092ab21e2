"""Each page's figures: the tables it shows, built once for the page and for its snapshots.

A page draws these tables; a snapshot stores them (:class:`views.table.Figure`,
in both languages) so a permalink shows the numbers the page showed when it was
saved. :func:`figures_for` is keyed by the page, its typed choices and the data
set's version: one computation serves every visitor who asks the same.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from geo.store.dataset import DataSet
from layers.cluster_view import comparison_table
from layers.labels import Lang, tr
from views import inputs
from views.choices import ClusterChoices, CorridorChoices, Page, PageChoices, ParksChoices
from views.memo import memo
from views.parks import parks_model, tier_label
from views.table import Figure

__all__ = [
    "LANGS",
    "cluster_figures",
    "corridor_coverage_table",
    "corridor_figures",
    "figures_for",
    "parks_figures",
]

LANGS: tuple[Lang, Lang] = ("zh", "en")


def _figure(key: str, titles: tuple[str, str], build: Callable[[Lang], pd.DataFrame]) -> Figure:
    zh, en = (build(lang) for lang in LANGS)
    return Figure.from_frames(key, titles, zh, en)


def _titles(title_key: str, **values: object) -> tuple[str, str]:
    return tr(title_key, "zh", **values), tr(title_key, "en", **values)


# --- clusters ----------------------------------------------------------------------------------


def cluster_figures(ds: DataSet, choices: ClusterChoices) -> tuple[Figure, ...]:
    """Return the cluster page's figures: the four-cluster comparison."""
    del choices  # the comparison is the same whichever cluster is selected
    summary = inputs.summary(ds)
    return (
        _figure("clusters", _titles("compare_table"), lambda lang: comparison_table(summary, lang)),
    )


# --- corridors ---------------------------------------------------------------------------------


def corridor_coverage_table(
    summary: pd.DataFrame, coverage: pd.DataFrame, lang: Lang
) -> pd.DataFrame:
    """Return the station-catchment coverage by cluster, headers in ``lang``."""
    name_col = "label_zh" if lang == "zh" else "label_en"
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


def corridor_figures(ds: DataSet, choices: CorridorChoices) -> tuple[Figure, ...]:
    """Return the corridors page's figures: coverage by the stations' catchments."""
    summary = inputs.summary(ds)
    coverage = inputs.coverage(ds, choices.radius_m, choices.method)
    return (
        _figure(
            "station_coverage",
            _titles("coverage_table"),
            lambda lang: corridor_coverage_table(summary, coverage, lang),
        ),
    )


# --- parks -------------------------------------------------------------------------------------


def parks_figures(ds: DataSet, choices: ParksChoices) -> tuple[Figure, ...]:
    """Return the parks page's figures: the county's key figures, by cluster, by unit.

    With a scenario in use, also its planned parks and the before/after table of
    the chosen tier by cluster.
    """
    model = parks_model(ds, choices)
    both = {lang: model.tables(lang) for lang in LANGS}
    out = (
        _figure("key_figures", _titles("key_figures"), model.key_table),
        Figure.from_frames("by_cluster", _titles("by_cluster"), both["zh"][0], both["en"][0]),
        Figure.from_frames("by_unit", _titles("by_unit"), both["zh"][1], both["en"][1]),
    )
    planned = {lang: model.planned_table(lang) for lang in LANGS}
    change = {lang: model.change_table(lang) for lang in LANGS}
    if planned["zh"] is None or change["zh"] is None:
        return out
    tiers = {lang: tier_label(model.standard, choices.tier_id, lang) for lang in LANGS}
    return (
        *out,
        Figure.from_frames(
            "planned_parks", _titles("layer_planned_parks"), planned["zh"], planned["en"]
        ),
        Figure.from_frames(
            "scenario_by_cluster",
            (
                tr("scenario_before_after", "zh", tier=tiers["zh"]),
                tr("scenario_before_after", "en", tier=tiers["en"]),
            ),
            change["zh"],
            change["en"],
        ),
    )


@memo(max_entries=64, copy=False)
def _figures(ds: DataSet, page: Page, choices: PageChoices) -> tuple[Figure, ...]:
    if page == "clusters":
        return cluster_figures(ds, choices)  # type: ignore[arg-type]
    if page == "corridors":
        return corridor_figures(ds, choices)  # type: ignore[arg-type]
    return parks_figures(ds, choices)  # type: ignore[arg-type]


def figures_for(ds: DataSet, page: Page, choices: PageChoices) -> tuple[Figure, ...]:
    """Return the figures ``page`` shows for ``choices`` on ``ds`` (immutable, shared)."""
    return _figures(ds, page, choices)
