"""Which datum puts a planner's longitude/latitude nearest the network: WGS84, GCJ-02 or BD-09.

Longitude/latitude alone cannot tell WGS84 from GCJ-02 (Amap, Tencent) or
BD-09 (Baidu): around Kunshan the three differ by about 470 m and 1 km, and
every reading lands in the county. Points a planner has (stations, POIs, park
gates) stand on or beside paths and roads, so each datum is tried: the points
are read in it, moved to WGS84 and measured, in metres, to the nearest line of
the network. The datum whose median distance is clearly the smallest is
proposed, with every datum's distances, so the planner sees why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

from geo.crs import DATUMS, Datum, to_wgs84

__all__ = ["MAX_POINTS", "DatumDistance", "DatumFit", "fit_datum"]

# Enough points for a stable median; more only cost time.
MAX_POINTS = 500
# A proposal needs the best median well below the others. In a dense street grid a wrong
# datum (~470 m off) still lands some tens of metres from some path, so the test is a ratio
# (with a floor in metres, and enough points for a median to mean something).
CLEAR_MARGIN_M = 10.0
CLEAR_RATIO = 2.0
MIN_POINTS = 3


@dataclass(frozen=True)
class DatumDistance:
    """How far the points lie from the network when read in one datum (metres)."""

    datum: Datum
    median_m: float
    p90_m: float


@dataclass(frozen=True)
class DatumFit:
    """The distances for each datum (nearest first) and the datum proposed, if one is clear.

    ``proposed`` is None when no datum stands out (points far from any path, a
    network that does not reach them): then nothing is proposed.
    """

    distances: tuple[DatumDistance, ...]
    n_points: int
    proposed: Datum | None

    def text(self, network_zh: str, network_en: str) -> tuple[str, str]:
        """Return the distances as a sentence per language (zh, en)."""
        zh = "；".join(
            f"{d.datum}：中位距{network_zh} {d.median_m:,.0f} 米" for d in self.distances
        )
        en = "; ".join(
            f"{d.datum}: median {d.median_m:,.0f} m from the {network_en}" for d in self.distances
        )
        return zh, en


def _sample(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if len(finite) <= MAX_POINTS:
        return finite
    return finite[np.linspace(0, len(finite) - 1, MAX_POINTS).round().astype(np.int64)]


def fit_datum(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    tree: shapely.STRtree,
    metric_crs: str,
) -> DatumFit | None:
    """Measure, for each datum, how far the raw ``lon``/``lat`` lie from the network's lines.

    Parameters
    ----------
    lon, lat
        The planner's raw coordinates (degrees), in whatever datum the file used.
    tree
        The network's lines (paths or roads) in ``metric_crs``.
    metric_crs
        A metric CRS (metres) the lines are in, e.g. ``EPSG:4549``.

    Returns
    -------
    DatumFit or None
        None without a finite point or a line.
    """
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    picked = _sample(lon, lat)
    if len(picked) == 0 or len(tree) == 0:
        return None
    to_metric = pyproj.Transformer.from_crs("EPSG:4326", metric_crs, always_xy=True)
    found = []
    for datum in DATUMS:
        wlon, wlat = to_wgs84(lon[picked], lat[picked], datum)
        mx, my = to_metric.transform(wlon, wlat)
        _, dist = tree.query_nearest(
            shapely.points(mx, my), return_distance=True, all_matches=False
        )
        found.append(DatumDistance(datum, float(np.median(dist)), float(np.percentile(dist, 90))))
    found.sort(key=lambda d: d.median_m)
    best, second = found[0], found[1]
    clear = (
        len(picked) >= MIN_POINTS
        and second.median_m - best.median_m >= CLEAR_MARGIN_M
        and second.median_m >= CLEAR_RATIO * best.median_m
    )
    return DatumFit(tuple(found), len(picked), best.datum if clear else None)
