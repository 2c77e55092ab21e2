"""The side-by-side cluster comparison on the bundled data."""

from __future__ import annotations

import pytest

from analysis.clusters import cluster_summary, unit_cluster_ids
from layers.cluster_view import comparison_table, members_table


def test_summary_areas_and_shares(units, unit_table, clusters, outline):
    summary = cluster_summary(units, unit_table, clusters)
    assert list(summary["cluster_id"]) == ["east", "west", "north", "south"]
    assert summary["area_km2"].sum() == pytest.approx(outline["area_km2"].iloc[0], abs=0.05)
    assert summary["share_of_county"].sum() == pytest.approx(1.0, abs=1e-3)
    assert list(summary["members"]) == [2, 2, 4, 4]
    # East = 花桥 zone (50.09 km² cited) + 陆家 (35.6 km² cited), within the 0.5 % fit.
    assert summary.set_index("cluster_id").loc["east", "area_km2"] == pytest.approx(85.69, rel=0.01)


def test_population_is_never_a_partial_sum(units, unit_table, clusters):
    summary = cluster_summary(units, unit_table, clusters).set_index("cluster_id")
    # East: only 花桥 has a figure -> no total, "1/2" known.
    assert summary.loc["east", "population"] is None or summary["population"].isna()["east"]
    assert summary.loc["east", "population_known"] == "1/2"
    # South: the tourism resort's own figure covers its three towns.
    assert summary.loc["south", "population"] == 275_000
    assert summary.loc["south", "population_year"] == "2021"


def test_every_unit_has_a_cluster(units, clusters):
    ids = unit_cluster_ids(units, clusters)
    assert ids.notna().all()
    assert ids.index.equals(units.index)


def test_comparison_and_member_tables_in_english(units, unit_table, clusters):
    summary = cluster_summary(units, unit_table, clusters)
    table = comparison_table(summary, "en")
    assert list(table.columns)[:2] == ["Cluster", "Direction"]
    assert table.iloc[3]["Population"] == "275,000 (2021)"
    assert table.iloc[0]["Population"] == "known for 1 of 2 units"
    south = next(c for c in clusters if c.cluster_id == "south")
    members = members_table(south.members, units, unit_table, "en")
    resort = members.iloc[0]
    assert resort["Unit"] == "Kunshan Tourism Resort"
    assert resort["Measured area"] == "—"
    assert resort["Boundary quality"] == (
        "No territory of its own; administers Dianshanhu, Zhouzhuang, Jinxi"
    )
