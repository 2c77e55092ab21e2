"""The datum question for a planner's lon/lat: what the file hints, what the network says.

A lon/lat layer that declares no datum is never read in a silent default: the
page asks WGS84 / GCJ-02 / BD-09 and shows what this module gathers: the
file's hints (:mod:`geo.files.datum_hints`) and, where the data set has a walk
network or roads, the distance from the network for each datum
(:mod:`analysis.datum_fit`). The proposal is the measured datum when one is
clear, else the one the hints agree on, else none.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from analysis.datum_fit import MAX_POINTS, DatumFit, fit_datum
from geo.crs import ANALYSIS_CRS, DATUMS, Datum
from geo.files.datum_hints import DatumHint, datum_hints
from geo.store.active import optional_layer, walk_arrays_of
from geo.store.dataset import DataSet
from views.memo import memo

__all__ = ["CHOICE_OF_DATUM", "DatumProposal", "datum_proposal", "raw_lonlat"]

# The reading choice (geo.files.crs_choice.NAMED_CRS) of each datum.
CHOICE_OF_DATUM: dict[Datum, str] = {"WGS84": "wgs84", "GCJ-02": "gcj02", "BD-09": "bd09"}

_NETWORK_NAMES = {"walk_network": ("步行路网", "walk network"), "roads": ("道路", "roads")}


@dataclass(frozen=True)
class DatumProposal:
    """What the page shows before a lon/lat layer is read: hints, distances, the proposal."""

    hints: tuple[DatumHint, ...]
    fit: DatumFit | None
    network: str | None  # "walk_network" or "roads": what the distances were measured to
    proposed: Datum | None
    basis: str | None  # "network" or "hints": where the proposal comes from

    @property
    def order(self) -> tuple[Datum, ...]:
        """The datums in the order offered: the proposed first, then nearest the network."""
        ranked = [d.datum for d in self.fit.distances] if self.fit else list(DATUMS)
        if self.proposed is not None:
            ranked = [self.proposed, *(d for d in ranked if d != self.proposed)]
        return tuple(ranked)

    def lines(self, lang: str) -> tuple[str, ...]:
        """Return the sentences the page shows, in ``lang`` only (hints, distances, proposal)."""
        zh = lang == "zh"
        out = [h.reason_zh if zh else h.reason_en for h in self.hints]
        if self.fit is not None and self.network is not None:
            net_zh, net_en = _NETWORK_NAMES[self.network]
            text_zh, text_en = self.fit.text(net_zh, net_en)
            out.append(
                f"按各坐标系读取 {self.fit.n_points} 个点，测其到{net_zh}的距离：{text_zh}。"
                if zh
                else f"{self.fit.n_points} points read in each datum, measured to the "
                f"{net_en}: {text_en}."
            )
        if self.proposed is not None:
            why_zh = "距路网最近" if self.basis == "network" else "文件的提示"
            why_en = "nearest the network" if self.basis == "network" else "the file's hints"
            out.append(
                f"建议：{self.proposed}（{why_zh}）。请确认后读取。"
                if zh
                else f"Proposed: {self.proposed} ({why_en}). Confirm it to read the layer."
            )
        else:
            out.append(
                "经纬度本身无法区分 WGS84、GCJ-02（高德、腾讯）与 BD-09（百度），"
                "请选择数据来源的坐标系。"
                if zh
                else "Longitude/latitude alone cannot tell WGS84 from GCJ-02 (Amap, Tencent) "
                "or BD-09 (Baidu): choose the datum of the file's source."
            )
        return tuple(out)


@memo(max_entries=4, copy=False)
def _network_tree(ds: DataSet) -> tuple[shapely.STRtree, str, str] | None:
    """Return the walk network's edges (else the roads) as a tree in a metric CRS, with the kind."""
    arrays = walk_arrays_of(ds) if ds.source("walk_network") is not None else None
    if arrays is not None and len(arrays.length_m):
        return shapely.STRtree(arrays.edge_geometry()), arrays.crs, "walk_network"
    roads = optional_layer(ds, "roads") if ds.source("roads") is not None else None
    if roads is not None and not roads.empty:
        lines = roads.to_crs(ANALYSIS_CRS).geometry.to_numpy()
        return shapely.STRtree(lines), ANALYSIS_CRS, "roads"
    return None


def raw_lonlat(layer: gpd.GeoDataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return a point per feature of a layer read without conversion (its raw lon/lat)."""
    geoms = layer.geometry.to_numpy()[: MAX_POINTS * 4]
    points = shapely.get_coordinates(shapely.point_on_surface(geoms[~shapely.is_empty(geoms)]))
    return points[:, 0], points[:, 1]


def datum_proposal(ds: DataSet, layer: gpd.GeoDataFrame) -> DatumProposal:
    """Gather the file's hints and, with a network in ``ds``, each datum's distance from it.

    ``layer`` is the planner's file read as WGS84 (no conversion), so its
    coordinates are the file's own.
    """
    columns = [str(c) for c in layer.columns if c != layer.geometry.name]
    typecodes: list[object] = next(
        (layer[c].head(200).tolist() for c in columns if c.lower() == "typecode"), []
    )
    hints = datum_hints(columns, typecodes)
    lon, lat = raw_lonlat(layer)
    kinds = [k for k in ("walk_network", "roads") if k in ds.kinds()]
    found = _network_tree(ds.subset(*kinds)) if kinds else None
    fit = fit_datum(lon, lat, found[0], found[1]) if found is not None else None
    named = {h.datum for h in hints}
    if fit is not None and fit.proposed is not None:
        proposed, basis = fit.proposed, "network"
    elif len(named) == 1:
        proposed, basis = next(iter(named)), "hints"
    else:
        proposed, basis = None, None
    return DatumProposal(hints, fit, found[2] if found is not None else None, proposed, basis)
