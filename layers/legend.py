"""The map's legend, built from the specs of the layers a map draws."""

from __future__ import annotations

import html
from typing import Any

from layers.assets import walk_elements
from layers.labels import Lang, tr
from layers.specs import LayerSpec, layer_by_id

__all__ = ["drawn_specs", "legend_html"]


def swatch(spec: LayerSpec, colour: str | None = None) -> str:
    """Return a legend swatch drawn from the layer's own style (fill box, line or dot)."""
    look = spec.style
    colour = html.escape(str(colour or look.get("fillColor") or look.get("color") or "#525252"))
    if spec.kind == "line":
        dash = "dashed" if look.get("dashArray") else "solid"
        width = max(1, min(int(float(str(look.get("weight", 2)))), 5))
        return f'<span class="ln" style="border-top:{width}px {dash} {colour}"></span>'
    if spec.kind == "point":
        return f'<span class="dot" style="background:{colour}"></span>'
    if look.get("fill") is False or look.get("fillOpacity") == 0.0:
        dash = "dashed" if look.get("dashArray") else "solid"
        stroke = html.escape(str(look.get("color", "#444")))
        return f'<span class="ln" style="border-top:1px {dash} {stroke}"></span>'
    return f'<span class="sw" style="background:{colour}"></span>'


def legend_html(
    drawn: list[LayerSpec],
    *,
    lang: Lang,
    categories: dict[str, list[tuple[str, str, bool]]],
    titles: dict[str, str],
    extra_sources: str = "",
) -> str:
    """Return the legend of exactly the layers drawn that belong in it, each from its spec.

    ``categories`` lists a layer's classes as (label, colour, dashed) where its
    features are coloured by class (clusters, rail modes); ``titles`` overrides a
    layer's title (the units' "approximate").
    """
    # A <details> block lets the planner fold the legend away on a narrow map.
    rows = [f"<details open><summary><b>{html.escape(tr('legend_title', lang))}</b></summary>"]
    for spec in drawn:
        if not spec.in_legend or not spec.visible:
            continue
        attr = f'data-layer="{spec.id}"'
        if spec.id in categories:
            for label, colour, dashed in categories[spec.id]:
                mark = swatch(spec, colour)
                if dashed:
                    mark = mark.replace("solid", "dashed")
                rows.append(f"<div {attr}>{mark}{html.escape(label)}</div>")
            continue
        title = titles.get(spec.id) or tr(spec.label_key, lang)
        rows.append(f"<div {attr}>{swatch(spec)}{html.escape(title)}</div>")
    rows.append(f'<div class="src">{html.escape(tr("legend_sources", lang))}</div>')
    if extra_sources:
        rows.append(f'<div class="src">{html.escape(extra_sources)}</div>')
    rows.append("</details>")
    return "".join(rows)


def drawn_specs(m: Any) -> list[LayerSpec]:
    """Return the specs of the layers on ``m``, in drawing order, once each."""
    seen: dict[str, LayerSpec] = {}
    for child in walk_elements(m):
        spec_id = getattr(child, "spec_id", None)
        if spec_id is not None and spec_id not in seen:
            seen[spec_id] = layer_by_id(spec_id)
    return list(seen.values())
