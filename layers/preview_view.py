"""A planner's layer before it is accepted: its features, named and escaped, for a preview map."""

from __future__ import annotations

import html
from typing import Any

import geopandas as gpd

from geo.display import geojson_for_display

__all__ = ["MAX_PREVIEW_FEATURES", "preview_features"]

# A preview shows the file's extent and shapes; more features than this are sampled evenly.
MAX_PREVIEW_FEATURES = 5000

_LABEL_COLUMNS = ("name", "unit_id", "station_id", "park_id", "parcel_id", "population")


def preview_features(layer: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return ``layer`` as light display GeoJSON with an escaped tooltip ``tt`` per feature.

    The tooltip is the first of the name, the id or the population that the
    layer has; names are kept as text (``<b>`` in a name shows as ``<b>``).

    Examples
    --------
    >>> import shapely
    >>> up = gpd.GeoDataFrame({"name": ["<b>站</b>"]},
    ...     geometry=[shapely.Point(121.0, 31.3)], crs=4326)
    >>> preview_features(up)["features"][0]["properties"]["tt"]
    '&lt;b&gt;站&lt;/b&gt;'
    """
    frame = layer
    if len(frame) > MAX_PREVIEW_FEATURES:
        step = len(frame) / MAX_PREVIEW_FEATURES
        frame = frame.iloc[[int(i * step) for i in range(MAX_PREVIEW_FEATURES)]]
    frame = frame[[frame.geometry.name]].assign(tt="")
    for column in reversed(_LABEL_COLUMNS):
        if column in layer.columns:
            values = layer.loc[frame.index, column]
            frame["tt"] = [
                html.escape(str(v)) if v is not None and str(v) != "nan" else t
                for v, t in zip(values, frame["tt"], strict=True)
            ]
    return geojson_for_display(frame, columns=["tt"], tolerance_m=5.0)
