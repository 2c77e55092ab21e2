"""The custom Leaflet elements our maps use: a map script, a fast GeoJSON layer, the legend."""

from __future__ import annotations

import json
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from layers.assets import script_safe_json

__all__ = ["FastGeoJson", "Legend", "MapScript"]


class MapScript(MacroElement):
    """A snippet of JavaScript run with the map (``MAP`` stands for the map variable).

    Scripts added to the root figure are not run by streamlit-folium, only the
    map's children are, so map-level behaviour is attached as a child.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this.code.replace("MAP", this._parent.get_name()) }}
{% endmacro %}
"""
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "MapScript"
        self.code = code


class FastGeoJson(folium.map.Layer):
    """A GeoJSON layer serialised once, styled and labelled in the browser.

    ``folium.GeoJson`` serialises its data, maps a Python style function over every
    feature and walks every coordinate for its bounds, and streamlit-folium
    renders a map two or three times per rerun: for layers of thousands of
    features that is most of a rerun. Here the data become JSON text once; the
    style is a base style plus, optionally, colours read from a property; the
    tooltip is the pre-escaped ``tt`` property.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson(null, {
  interactive: {{ this.interactive|tojson }},
  style: function (f) {
    var s = Object.assign({}, {{ this.base_style|tojson }});
    {% if this.colour_property %}
    var c = f.properties[{{ this.colour_property|tojson }}];
    {% if this.colour_stroke %}s.color = c;{% endif %}
    {% if this.colour_fill %}s.fillColor = c;{% endif %}
    {% endif %}
    {% if this.dash_property %}
    if (f.properties[{{ this.dash_property|tojson }}]) { s.dashArray = "8 6"; }
    {% endif %}
    return s;
  },
  {% if this.point_radius %}
  pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: {{ this.point_radius }}}); },
  {% endif %}
  onEachFeature: function (f, l) {
    {% if this.tooltip %}
    if (f.properties.tt) { l.bindTooltip(f.properties.tt, {sticky: true}); }
    {% endif %}
  }
});
{{ this.get_name() }}.addData({{ this.json_text }});
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        name: str,
        base_style: dict[str, Any],
        colour_property: str | None = None,
        colour_stroke: bool = True,
        colour_fill: bool = False,
        dash_property: str | None = None,
        tooltip: bool = True,
        interactive: bool = True,
        point_radius: int | None = None,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "FastGeoJson"
        self.json_text = script_safe_json(data)
        self.base_style = base_style
        self.colour_property = colour_property
        self.colour_stroke = colour_stroke
        self.colour_fill = colour_fill
        self.dash_property = dash_property
        self.tooltip = tooltip
        self.interactive = interactive
        self.point_radius = point_radius


class Legend(MacroElement):
    """A Leaflet control holding pre-escaped legend HTML."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "topright"});
{{ this.get_name() }}.onAdd = function (map) {
    var div = L.DomUtil.create("div", "planning-legend");
    div.innerHTML = {{ this.html_json }};
    // A phone-sized map starts with the legend folded (one tap opens it).
    if (map.getSize().x < {{ this.fold_below_px }}) {
        var d = div.querySelector("details");
        if (d) { d.open = false; }
    }
    L.DomEvent.disableClickPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html_json = json.dumps(legend_html)
        # The top right covers the least of the county (6 % of that corner's box against
        # 9-73 % for the others, measured on the outline), under the layer switcher.
        self.fold_below_px = 560
