"""Where should the next pocket parks go? Maximum-coverage site suggestions.

A **site** is a square pocket park of a tier's minimum area centred on a grid
cell's centre (a *candidate*: on land, since the grid leaves water out, and not
inside an existing park; optionally only inside the planner's candidate layer,
e.g. vacant or green land of the 控规). A site **covers** an origin of the
demand grid as an existing park would: by straight line, when the origin lies
within the tier's radius of the square (the official buffer method); on foot,
when the walk from the square's entrances (:mod:`geo.osm.entrances`, the same rule
as for existing parks) to the origin is at most the radius. Only demand not yet
covered counts; on foot, demand off the walk network cannot be gained.

**Greedy** (:func:`greedy_sites`): take the site that adds the most uncovered
demand, k times. Coverage is monotone and submodular, so the greedy total is at
least (1 − 1/e) ≈ 63.2 % of the best possible total for the same k (Nemhauser,
Wolsey & Fisher 1978). Evaluation is *lazy* (Minoux 1978, "CELF"): gains only
fall as coverage grows, so a candidate whose fresh gain still beats every other
candidate's stale gain is the best, and most candidates are never re-evaluated.
The first stale gains are exact by buffer (a convolution of the uncovered-demand
raster with the site's coverage kernel) and, on foot, the buffer gain within
the radius plus the entrance tolerance: a walk is never shorter than the
straight line less that tolerance, so it bounds the walking gain from above.
A walking gain is one Dijkstra pass on the part of the network within reach of
the site, which contains every walk of at most the radius (exact, not a
shortcut); no candidate × cell matrix is ever built.

**Exact** (:func:`exact_sites`): the maximal covering location problem (Church
& ReVelle 1974) — maximise Σ wᵢ yᵢ subject to yᵢ ≤ Σ_{j covers i} xⱼ,
Σ xⱼ = k, xⱼ ∈ {0, 1}, 0 ≤ yᵢ ≤ 1 — solved by CBC through PuLP, with weighted
demand and no predefined facilities (pysal ``spopt``'s MCLP reports
``perc_cov`` as a share of demand *points* and counts predefined facilities in
``p_facilities``; we state the covered demand itself). Only for instances with
at most :data:`EXACT_MAX_PAIRS` candidate-cell pairs, and within a time limit.
"""
