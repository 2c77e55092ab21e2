"""The custom Leaflet elements our maps use: a map script, a fast GeoJSON layer, the legend."""

from __future__ import annotations

import html
import json
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from layers.assets import script_safe_json
from layers.specs import MapLayer

__all__ = [
    "KEEP_TOOLTIPS_IN_JS",
    "MAP_CSS",
    "WHEN_SIZED_JS",
    "FastGeoJson",
    "FitView",
    "Legend",
    "MapScript",
    "RestoreView",
]

# The look of the elements below and of label text (sizes in px, fonts with CJK first).
MAP_CSS = """
<style>
.cluster-label div {font: 600 13px/1.2 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;
  color:#222; text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff; white-space:pre;
  text-align:center; width:max-content;
  transform: translate(-50%, -50%); pointer-events:none;}
.planning-legend {background:rgba(255,255,255,.92); padding:6px 9px; border-radius:4px;
  font: 12px/1.45 "Noto Sans CJK SC","Microsoft YaHei",sans-serif; color:#222;
  box-shadow:0 1px 4px rgba(0,0,0,.3); max-width:240px;}
.planning-legend .sw {display:inline-block; width:14px; height:10px; margin-right:5px;
  vertical-align:middle; border:1px solid #555;}
.planning-legend .ln {display:inline-block; width:14px; height:0; margin-right:5px;
  vertical-align:middle;}
.planning-legend summary {cursor:pointer;}
.planning-legend .src {color:#555; font-size:10.5px; margin-top:3px;}
.planning-legend details[open] {max-height:45vh; overflow-y:auto;}
.planning-legend .dot {display:inline-block; width:9px; height:9px; margin:0 7px 0 2px;
  border-radius:50%; border:1px solid #222; vertical-align:middle;}
.leaflet-container.no-basemap {background:#eef2f3;}
@media (max-width: 520px) {  /* a phone: the scale bar sits above the attribution's line */
  .leaflet-bottom.leaflet-left {bottom: 20px;}
}
.basemap-failed {background:#fff3cd; color:#664d03; border:1px solid #e0c36a; padding:2px 6px;
  font: 12px/1.4 "Noto Sans CJK SC","Microsoft YaHei",sans-serif; max-width:220px;}
.leaflet-interactive:focus {outline:none;}
.leaflet-tooltip {white-space: normal; max-width: min(340px, calc(100vw - 24px));}
.station-label div {font: 12px/1.2 "Noto Sans CJK SC","Microsoft YaHei",sans-serif; color:#111;
  text-shadow:0 0 3px #fff,0 0 3px #fff; white-space:nowrap; transform: translate(8px, -50%);
  pointer-events:none;}
</style>
"""


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


# A tooltip stays inside the map: Leaflet places it beside the pointer, and near an edge
# (a tap on a phone) it would run out of the map's frame and be cut. Once placed, it is
# moved back inside, a few pixels from the edge. Patched once per page, for every map.
KEEP_TOOLTIPS_IN_JS = """(function () {
  if (L.Tooltip.prototype._keptInside) { return; }
  var place = L.Tooltip.prototype._setPosition;
  L.Tooltip.prototype._setPosition = function (pos) {
    place.call(this, pos);
    var map = this._map, el = this._container;
    if (!map || !el) { return; }
    var at = map.layerPointToContainerPoint(L.DomUtil.getPosition(el));
    var size = map.getSize(), w = el.offsetWidth, h = el.offsetHeight, pad = 8;
    var x = Math.max(pad, Math.min(at.x, size.x - w - pad));
    var y = Math.max(pad, Math.min(at.y, size.y - h - pad));
    if (x !== at.x || y !== at.y) {
      L.DomUtil.setPosition(el, map.containerPointToLayerPoint(L.point(x, y)));
    }
  };
  L.Tooltip.prototype._keptInside = true;
})();"""


# Run a change of view once the map has a size. A map in a frame not laid out yet
# (a sheet or the offline file, on a busy machine) measures 0 × 0, and a fit then
# goes to zoom 0. The change waits for the first real size; ``_viewsPending``
# counts the changes still waiting (a sheet's ready signal waits for them), and
# each fires ``viewset`` when done.
WHEN_SIZED_JS = """function (m, go) {
  var c = m.getContainer();
  function sized() { return c.clientWidth > 0 && c.clientHeight > 0; }
  if (sized()) { m.invalidateSize(false); go(); return; }
  m._viewsPending = (m._viewsPending || 0) + 1;
  var ro = new ResizeObserver(function () {
    if (!sized()) { return; }
    ro.disconnect(); m.invalidateSize(false); go();
    m._viewsPending -= 1; m.fire('viewset');
  });
  ro.observe(c);
}"""


class FitView(MacroElement):
    """Fit the map to bounds in the browser, at the map's real size (desktop or phone).

    A view computed on the server has to guess the map's width; Leaflet's own
    ``fitBounds`` knows it. Added to a map it runs when the map is built; added
    to an overlay group it runs each time that group changes (a new selection).

    With ``keep`` (a name, e.g. the page's map key) the map remembers where the
    planner looked, for this browser tab: a map rebuilt with new layers (a park
    added to the scenario) opens there instead of fitting the bounds again, as
    long as its bounds are the same (the same data set).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
({{ this.when_sized }})({{ this.map_name }}, function () {
  var m = {{ this.map_name }}, b = {{ this.bounds|tojson }}, keep = {{ this.keep|tojson }};
  var seen = null;
  if (keep) { try { seen = JSON.parse(window.sessionStorage.getItem(keep) || 'null'); } catch (e) {} }
  if (seen && JSON.stringify(seen.b) === JSON.stringify(b)) {
    m.setView(seen.c, seen.z, {animate: false});
  } else {
    m.fitBounds(b, {padding: [6, 6], maxZoom: {{ this.max_zoom }}, animate: false});
  }
  if (keep) {
    m.on('moveend', function () {
      var c = m.getCenter();
      try { window.sessionStorage.setItem(keep, JSON.stringify({b: b, c: [c.lat, c.lng], z: m.getZoom()})); } catch (e) {}
    });
  }
});
{% endmacro %}
"""  # noqa: E501 - lines of script
    )

    def __init__(
        self, bounds: tuple[float, float, float, float], *, max_zoom: int = 16, keep: str = ""
    ) -> None:
        super().__init__()
        self._name = "FitView"
        min_lon, min_lat, max_lon, max_lat = bounds
        self.bounds = [[min_lat, min_lon], [max_lat, max_lon]]
        self.max_zoom = max_zoom
        self.keep = f"kunshan-view:{keep}" if keep else ""
        self.map_name = "window.map"
        self.when_sized = WHEN_SIZED_JS

    def render(self, **kwargs: Any) -> Any:
        """Render against the map this element sits on (directly or inside a group)."""
        parent = self._parent
        while parent is not None and not isinstance(parent, folium.Map):
            parent = getattr(parent, "_parent", None)
        if parent is not None:
            self.map_name = parent.get_name()
        return super().render(**kwargs)


class RestoreView(MacroElement):
    """Open the map where a snapshot was looking: its centre and zoom, or its area whole.

    On a screen at least about as large as the one the snapshot was saved on, the
    map shows the saved centre at the saved zoom; on a smaller one (a phone) the
    saved area would not fit at that zoom, so the map is fitted to it instead.
    The decision needs the map's real size, so it is made in the browser.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
({{ this.when_sized }})({{ this.map_name }}, function () {
  var m = {{ this.map_name }};
  var b = L.latLngBounds({{ this.bounds|tojson }}), z = {{ this.zoom }};
  var need = m.project(b.getSouthEast(), z).subtract(m.project(b.getNorthWest(), z));
  var have = m.getSize(), slack = {{ this.slack }};
  if (need.x <= have.x * slack && need.y <= have.y * slack) {
    m.setView({{ this.center|tojson }}, z, {animate: false});
  } else {
    m.fitBounds(b, {animate: false});
  }
});
{% endmacro %}
"""
    )

    # A map up to this much smaller than the saved view still opens at the saved zoom:
    # a scroll bar or a narrower window should not drop a whole zoom level.
    SLACK = 1.15

    def __init__(
        self,
        center: tuple[float, float],
        zoom: float,
        bounds: tuple[float, float, float, float],
    ) -> None:
        super().__init__()
        self._name = "RestoreView"
        min_lon, min_lat, max_lon, max_lat = bounds
        self.bounds = [[min_lat, min_lon], [max_lat, max_lon]]
        self.center = [center[0], center[1]]
        self.zoom = float(zoom)
        self.slack = self.SLACK
        self.map_name = "window.map"
        self.when_sized = WHEN_SIZED_JS

    def render(self, **kwargs: Any) -> Any:
        """Render against the map this element sits on."""
        if isinstance(self._parent, folium.Map):
            self.map_name = self._parent.get_name()
        return super().render(**kwargs)


class FastGeoJson(folium.map.Layer):
    """A GeoJSON layer drawn as its spec says, serialised once and styled in the browser.

    ``folium.GeoJson`` serialises its data, maps a Python style function over every
    feature and walks every coordinate for its bounds, and streamlit-folium
    renders a map two or three times per rerun: for layers of thousands of
    features that is most of a rerun. Here the data become JSON text once; the
    style is the spec's base style plus, as its style function says, colours
    read from a feature's ``colour``; tooltips are built from pre-escaped
    properties (one field as it is, several as a table under escaped aliases).
    Every element carries the spec's CSS class (:attr:`LayerSpec.css_class`).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson(null, {
  interactive: {{ this.interactive|tojson }},
  style: function (f) {
    var s = Object.assign({}, {{ this.base_style|tojson }});
    {% if this.colour_stroke or this.colour_fill %}
    var c = f.properties.colour;
    {% if this.colour_stroke %}s.color = c;{% endif %}
    {% if this.colour_fill %}s.fillColor = c;{% endif %}
    {% endif %}
    {% if this.dashed %}
    if (f.properties.dashed) { s.dashArray = "8 6"; }
    {% endif %}
    return s;
  },
  {% if this.label_class %}
  pointToLayer: function (f, ll) {
    return L.marker(ll, {interactive: false, keyboard: false, icon: L.divIcon({
      className: {{ this.label_class|tojson }}, iconSize: [0, 0],
      html: "<div>" + f.properties.label + "</div>"})});
  },
  {% elif this.point_radius %}
  pointToLayer: function (f, ll) {
    return L.circleMarker(ll, {radius: {{ this.point_radius }}});
  },
  {% endif %}
  onEachFeature: function (f, l) {
    {% if this.tooltip_fields %}
    var fields = {{ this.tooltip_fields|tojson }}, aliases = {{ this.tooltip_aliases|tojson }};
    var t = "";
    if (aliases.length) {
      t = "<table>" + fields.map(function (k, i) {
        return "<tr><th>" + aliases[i] + "</th><td>" + (f.properties[k] || "") + "</td></tr>";
      }).join("") + "</table>";
    } else {
      t = fields.map(function (k) { return f.properties[k] || ""; }).join("<br>");
    }
    if (t) { l.bindTooltip(t, {sticky: true}); }
    {% endif %}
    {% if this.highlight %}
    l.on("mouseover", function (e) { e.target.setStyle({{ this.highlight|tojson }}); });
    l.on("mouseout", function (e) { {{ this.get_name() }}.resetStyle(e.target); });
    {% endif %}
  }
});
{{ this.get_name() }}.addData({{ this.json_text }});
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )

    def __init__(self, layer: MapLayer, *, name: str, control: bool = True) -> None:
        spec = layer.spec
        super().__init__(name=name, overlay=spec.overlay, control=control, show=spec.visible)
        self._name = "FastGeoJson"
        self.json_text = script_safe_json(layer.data)
        self.base_style = {**spec.path_style(muted=layer.muted), "className": spec.css_class}
        fn = spec.style_function
        self.colour_stroke = fn in {"colour", "colour_dashed"}
        self.colour_fill = fn in {"colour", "colour_fill"}
        self.dashed = fn == "colour_dashed"
        self.tooltip_fields = list(spec.tooltip_fields)
        self.tooltip_aliases = [html.escape(a) for a in layer.tooltip_aliases]
        self.highlight = spec.highlight
        self.label_class = f"{spec.label_class} {spec.css_class}" if spec.label_class else ""
        self.point_radius = spec.point_radius
        self.interactive = spec.interactive


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
