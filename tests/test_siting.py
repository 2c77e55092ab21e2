"""Suggested sites: lazy greedy maximum coverage, the exact MCLP, and planned parks agreeing."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis.distances import park_reach, prepare_reach, with_planned_park
from analysis.indicators import covered
from analysis.network import walk_graph_from
from analysis.siting.problem import siting_problem
from analysis.siting.search import (
    GREEDY_GUARANTEE,
    _coverage_fn,
    exact_sites,
    greedy_sites,
    site_footprints,
)
from analysis.siting.walking import WalkCoverage, _Walker, walk_coverage
from analysis.standards import standards_from_dict
from geo.errors import SitingError
from geo.grid import grid_origins
from tests.toy_networks import X0, Y0, river_town


def _standard(min_area=400.0, radius=300.0):
    raw = {
        "standards": [
            {
                "standard_id": "t",
                "target_share": 0.8,
                "tiers": [{"tier_id": "pocket", "min_area_m2": min_area, "radius_m": radius}],
            }
        ]
    }
    return standards_from_dict(raw).standard("t")


def _box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _parks(*geoms):
    return gpd.GeoDataFrame(
        {"park_id": [f"p{i}" for i in range(len(geoms))], "area_m2": [g.area for g in geoms]},
        geometry=list(geoms),
        crs=4549,
    )


FAR_PARK = _parks(_box(20_000, 20_000, 20_100, 20_100))  # a park nobody reaches


def _problem(weights_fn, *, size=(2000, 1000), cell=100, radius=300.0, parks=FAR_PARK, **kw):
    area = gpd.GeoDataFrame(geometry=[_box(0, 0, *size)], crs=4549)
    origins = grid_origins(area, cell_m=cell)
    origins = origins.with_weights(weights_fn(origins), "land")
    prepared = prepare_reach(origins, parks)
    reach = park_reach(prepared, _standard(radius=radius))
    return siting_problem(prepared, reach, tier_id="pocket", method="buffer", **kw), prepared, reach


def _total(problem, sites):
    cover = _coverage_fn(problem)
    hit = np.zeros(len(problem.gainable), dtype=bool)
    for s in sites:
        hit[cover(int(s))] = True
    return float(problem.gainable[hit].sum())


def test_two_blobs_of_demand_get_one_site_each_the_bigger_first():
    def weights(o):
        w = np.zeros(len(o))
        w[(o.x - X0 < 300) & (o.y - Y0 < 300)] = 10.0  # 9 cells in the south-west corner
        w[(o.x - X0 > 1700) & (o.y - Y0 > 800)] = 10.0  # 6 cells in the north-east corner
        return w

    problem, _, _ = _problem(weights)
    assert problem.total_demand == pytest.approx(150)
    result = greedy_sites(problem, 3)
    assert [s.gain for s in result.sites] == [pytest.approx(90), pytest.approx(60)]  # then none
    assert result.after_share == pytest.approx(1.0)
    assert result.before_share == 0.0
    first = result.sites[0]
    assert first.x - X0 < 400
    assert first.covered_share_after == pytest.approx(0.6)


def test_lazy_greedy_picks_what_a_brute_force_greedy_picks():
    rng = np.random.default_rng(7)
    problem, _, _ = _problem(lambda o: rng.integers(0, 5, len(o)).astype(float) ** 2)
    lazy = greedy_sites(problem, 6)
    cover = _coverage_fn(problem)
    remaining = problem.gainable.copy()
    picks = []
    for _ in range(6):  # evaluate every candidate each round
        gains = [remaining[cover(int(c))].sum() for c in problem.candidates]
        best = int(problem.candidates[int(np.argmax(gains))])
        picks.append((best, float(max(gains))))
        remaining[cover(best)] = 0.0
    assert [s.gain for s in lazy.sites] == pytest.approx([g for _, g in picks])
    assert [s.origin for s in lazy.sites] == [c for c, _ in picks]
    gains = [s.gain for s in lazy.sites]
    assert all(a >= b for a, b in itertools.pairwise(gains))  # gains never increase
    assert lazy.evaluations < 6 * len(problem.candidates) / 4  # most never re-evaluated


def test_exact_equals_brute_force_and_greedy_is_within_its_guarantee():
    rng = np.random.default_rng(3)
    problem, _, _ = _problem(
        lambda o: rng.random(len(o)) * (rng.random(len(o)) < 0.3), size=(900, 600)
    )
    k = 2
    best = max(
        _total(problem, pair) for pair in itertools.combinations(problem.candidates.tolist(), k)
    )
    exact = exact_sites(problem, k, time_limit_s=30)
    assert exact.optimal
    assert (exact.after_share - exact.before_share) * problem.total_demand == pytest.approx(best)
    greedy = greedy_sites(problem, k)
    greedy_total = (greedy.after_share - greedy.before_share) * problem.total_demand
    assert greedy_total >= GREEDY_GUARANTEE * best
    assert exact.gap == pytest.approx((best - greedy_total) / best)


def test_greedy_is_within_one_minus_one_over_e_of_exact_on_a_random_instance():
    rng = np.random.default_rng(11)
    problem, _, _ = _problem(
        lambda o: rng.pareto(1.5, len(o)) * (rng.random(len(o)) < 0.4),
        size=(2500, 1500),
        cell=100,
        radius=250.0,
    )
    exact = exact_sites(problem, 5, time_limit_s=60)
    greedy = greedy_sites(problem, 5)
    assert exact.optimal
    exact_total = exact.after_share - exact.before_share
    greedy_total = greedy.after_share - greedy.before_share
    assert greedy_total >= GREEDY_GUARANTEE * exact_total
    assert greedy_total <= exact_total + 1e-9
    assert 0.0 <= exact.gap <= 1 - GREEDY_GUARANTEE


def test_suggested_sites_as_planned_parks_give_the_coverage_the_greedy_reports():
    rng = np.random.default_rng(5)
    existing = _parks(_box(900, 400, 1000, 500))
    problem, prepared, reach = _problem(
        lambda o: rng.random(len(o)), parks=existing, size=(3000, 2000)
    )
    assert problem.before_share > 0
    result = greedy_sites(problem, 4)
    sites = site_footprints(problem, result)
    assert list(sites["rank"]) == [1, 2, 3, 4]
    assert sites.crs.to_epsg() == 4326
    assert sites["area_m2"].to_numpy() == pytest.approx(400.0)
    after = with_planned_park(reach, prepared, sites)
    w = prepared.origins.weight
    assert w[covered(after, "buffer")].sum() / w.sum() == pytest.approx(result.after_share)


def test_candidates_stay_outside_parks_and_inside_the_candidate_land():
    existing = _parks(_box(0, 0, 1000, 1000))
    land = gpd.GeoDataFrame(geometry=[_box(1500, 0, 2000, 500)], crs=4549)
    problem, _, _ = _problem(lambda o: np.ones(len(o)), parks=existing, candidate_area=land)
    xs = problem.origins.x[problem.candidates] - X0
    ys = problem.origins.y[problem.candidates] - Y0
    assert len(problem.candidates) == 25
    assert (xs > 1500).all()
    assert (ys < 500).all()
    sites = greedy_sites(problem, 2).sites
    assert all(problem.origins.x[s.origin] - X0 > 1500 for s in sites)


def test_bad_requests_get_clear_messages():
    problem, _, _ = _problem(lambda o: np.ones(len(o)))
    with pytest.raises(SitingError, match="k must be"):
        greedy_sites(problem, 0)
    big, _, _ = _problem(lambda o: np.ones(len(o)), size=(20_000, 20_000), radius=800.0)
    with pytest.raises(SitingError, match="too large to solve exactly"):
        exact_sites(big, 3)
    _, prepared, reach = _problem(lambda o: np.ones(len(o)))
    with pytest.raises(SitingError, match="walk network"):
        siting_problem(prepared, reach, tier_id="pocket", method="network")


# --- on foot ---------------------------------------------------------------------------------


def _banks():
    """Demand on the south bank of the river town; zero-demand cells on the north bank."""
    graph = walk_graph_from(*river_town())
    area = gpd.GeoDataFrame(geometry=[_box(0, -40, 1000, 0), _box(0, 90, 1000, 130)], crs=4549)
    origins = grid_origins(area, cell_m=40)
    assert sorted(set(origins.y - Y0)) == [-20.0, 100.0]
    origins = origins.with_weights(np.where(origins.y < Y0, 1.0, 0.0), "land")
    # A park on the north bank puts the network in use; on foot it serves no one south.
    north_park = _parks(_box(100, 90, 200, 150))
    prepared = prepare_reach(origins, north_park, graph=graph)
    reach = park_reach(prepared, _standard(radius=300.0))
    return prepared, reach


def test_a_site_across_a_river_with_no_bridge_adds_nothing_on_foot():
    prepared, reach = _banks()
    north_west = gpd.GeoDataFrame(geometry=[_box(0, 90, 400, 130)], crs=4549)
    walk = siting_problem(
        prepared, reach, tier_id="pocket", method="network", candidate_area=north_west
    )
    assert len(walk.candidates) > 0
    assert greedy_sites(walk, 2).sites == ()  # the bridge is 500 m away: nothing in reach
    buffer = siting_problem(
        prepared, reach, tier_id="pocket", method="buffer", candidate_area=north_west
    )
    assert greedy_sites(buffer, 1).sites[0].gain > 0  # a buffer crosses the river


def test_walking_gains_equal_a_full_recomputation_with_the_sites():
    prepared, reach = _banks()
    problem = siting_problem(prepared, reach, tier_id="pocket", method="network")
    result = greedy_sites(problem, 2)
    assert len(result.sites) == 2
    after = with_planned_park(reach, prepared, site_footprints(problem, result))
    w = prepared.origins.weight
    assert w[covered(after, "network")].sum() / w.sum() == pytest.approx(result.after_share)
    gains = [s.gain for s in result.sites]
    assert gains[0] >= gains[1] > 0


def test_batched_walking_coverage_equals_one_site_at_a_time():
    prepared, reach = _banks()
    problem = siting_problem(prepared, reach, tier_id="pocket", method="network")
    batched = WalkCoverage(problem, problem.candidates)
    assert batched.passes < len(problem.candidates)  # far-apart sites share a pass
    one = _Walker(problem)
    for cand in problem.candidates:
        np.testing.assert_array_equal(np.sort(batched(int(cand))), np.sort(one.covered(int(cand))))


def test_one_walking_coverage_serves_any_demand():
    prepared, reach = _banks()
    problem = siting_problem(prepared, reach, tier_id="pocket", method="network")
    coverage = walk_coverage(problem)
    with_given = greedy_sites(problem, 2, coverage=coverage).sites
    assert [s.origin for s in with_given] == [s.origin for s in greedy_sites(problem, 2).sites]
    heavier = siting_problem(
        prepared, reach, tier_id="pocket", method="network", weights=prepared.origins.weight * 3
    )
    tripled = greedy_sites(heavier, 2, coverage=coverage)
    assert [s.gain for s in tripled.sites] == pytest.approx(
        [3 * s.gain for s in greedy_sites(problem, 2).sites]
    )
    other = siting_problem(prepared, reach, tier_id="pocket", method="buffer")
    assert greedy_sites(other, 1, coverage=coverage).sites  # by buffer it is not used
