"""Map sheets (PDF, PNG) and the atlas, rendered by headless Debian Chromium (Playwright).

A sheet is A4 or A3 landscape: the title, the map with its legend, a north arrow
and a scale bar, the key figures, the standard and method used, the data's
sources, version and date, the snapshot's id with the QR code of its permalink,
the author and date, and "内部资料 / internal planning use".

The sheet is an HTML print view (:func:`sheet_document`): each map says it is
ready (``window.mapReady``, set after the fit and after every tile layer has
finished loading or failing; animations off); the view's own script then writes
each sheet's basemap note (:data:`BASEMAP_NOTES`) and sets ``window.sheetReady``,
which Chromium waits for before printing, never a fixed sleep. CJK text uses
Debian's ``fonts-noto-cjk``. Basemap tiles are drawn only where they load. A
snapshot's sheet is fitted to the area the planner saw; the atlas is one sheet
per cluster or per unit, fitted to it, in one PDF (QGIS's atlas is the model).
"""

from __future__ import annotations

import dataclasses
import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import segno

from layers.labels import LANGUAGES, Lang, tr
from layers.specs import BasemapSpec, basemap_by_id
from share import sheet_text
from share.capture import choices_from, dataset_of, permalink
from share.model import Snapshot
from views import inputs, maps
from views.table import Figure

__all__ = [
    "BASEMAP_NOTES",
    "CHROMIUM",
    "SIZES",
    "Sheet",
    "render_pdf",
    "render_png",
    "sheet_document",
    "sheet_html",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
Size = Literal["a4", "a3"]
SIZES: dict[str, tuple[int, int]] = {"a4": (297, 210), "a3": (420, 297)}  # mm, landscape
_PX_PER_MM = 96 / 25.4
_READY_TIMEOUT_MS = 30_000
_TILE_WAIT_MS = 8_000  # after this, tiles still loading are given up on
_ROWS_ON_SHEET = 12

_READY_JS = (
    """
MAP.options.fadeAnimation = false; MAP.options.zoomAnimation = false;
(function () {
  var pending = 0, loaded = 0, failed = 0, done = false;
  function ready() {
    if (done) { return; }
    if (MAP._viewsPending) { MAP.once('viewset', ready); return; }  // not fitted yet
    done = true;
    requestAnimationFrame(function () { requestAnimationFrame(function () {
      window.mapReady = {tiles: loaded, failed: failed};
    }); });
  }
  MAP.eachLayer(function (layer) {
    if (layer instanceof L.TileLayer) {
      pending += 1;
      layer.on('tileload', function () { loaded += 1; });
      layer.on('tileerror', function () { failed += 1; });
      layer.on('load', function () { pending -= 1; if (pending <= 0) { ready(); } });
    }
  });
  MAP.whenReady(function () { if (pending === 0) { ready(); } });
  setTimeout(ready, TILE_WAIT_MS);
})();
"""
).replace("TILE_WAIT_MS", str(_TILE_WAIT_MS))

# What a sheet says of its basemap, from its map's ready signal ({failed}: tiles that failed),
# in the sheet's language.
BASEMAP_NOTES: dict[str, dict[str, str]] = {
    lang: {
        state: tr(f"basemap_note_{state}", lang, failed="{failed}")
        for state in ("drawn", "partial", "failed", "none")
    }
    for lang in LANGUAGES
}

# The print view's own script: once every sheet's map is ready, write each sheet's
# basemap note and set ``window.sheetReady`` (what the renderer waits for).
_SHEET_READY_JS = """
<script>
(function () {
  var notes = NOTES, continued = CONTINUED;
  function note(s) {
    var ok = s.tiles || 0, bad = s.failed || 0;
    if (ok && !bad) { return notes.drawn; }
    if (ok) { return notes.partial.split('{failed}').join(String(bad)); }
    return bad ? notes.failed : notes.none;
  }
  function overflows(box) { return box.scrollHeight > box.clientHeight + 1; }
  // A sheet's tables never clip: they shrink to fit down to a legible size, and what
  // still does not fit continues on a page of its own after the sheet ("续表").
  function fit(box, sheet) {
    var size = 7.5;
    while (overflows(box) && size > 6) { size -= 0.5; box.style.fontSize = size + 'pt'; }
    if (!overflows(box)) { return; }
    var page = document.createElement('section');
    page.className = 'sheet cont';
    page.innerHTML = '<header>' + sheet.querySelector('header').innerHTML + '</header>' +
      '<div class="figs"></div>';
    page.querySelector('h1').insertAdjacentHTML(
      'beforeend', '<span class="sub">' + continued + '</span>');
    sheet.parentNode.insertBefore(page, sheet.nextSibling);
    var into = page.querySelector('.figs');
    into.style.fontSize = size + 'pt';
    while (overflows(box)) {  // move the last row of the last table over, one at a time
      var figs = box.querySelectorAll('.fig');
      if (!figs.length) { break; }
      var last = figs[figs.length - 1], rows = last.querySelectorAll('tbody tr');
      var head = into.firstElementChild;
      if (!head || head.dataset.key !== last.dataset.key) {
        head = last.cloneNode(true);
        head.querySelector('tbody').innerHTML = '';
        into.insertBefore(head, into.firstChild);
      }
      var body = head.querySelector('tbody');
      if (rows.length) { body.insertBefore(rows[rows.length - 1], body.firstChild); }
      if (!last.querySelectorAll('tbody tr').length) { last.remove(); }  // all of it moved
    }
    into.querySelectorAll('.fig').forEach(function (f) {  // a table split in two says so
      if (box.querySelector('.fig[data-key="' + f.dataset.key + '"]')) {
        f.querySelector('h3').insertAdjacentText('beforeend', continued);
      }
    });
    if (overflows(into)) { fit(into, page); }
  }
  function paginate() {
    Array.prototype.slice.call(document.querySelectorAll('.sheet')).forEach(function (s) {
      var box = s.querySelector('.figs');
      if (box) { fit(box, s); }
    });
  }
  var frames = document.querySelectorAll('.sheet .map iframe');
  function poll() {
    var waiting = 0;
    frames.forEach(function (frame, i) {
      var s = frame.contentWindow && frame.contentWindow.mapReady;
      var el = document.getElementById('basemap' + i);
      if (!s) { waiting += 1; } else if (!el.dataset.done) {
        el.textContent = note(s); el.dataset.done = '1';
      }
    });
    if (waiting) { setTimeout(poll, 50); return; }
    paginate();
    window.sheetReady = {sheets: frames.length, pages: document.querySelectorAll('.sheet').length};
  }
  (document.fonts ? document.fonts.ready : Promise.resolve()).then(poll);
})();
</script>
"""

_PRINT_CSS = (
    "<style>.leaflet-control-zoom,.leaflet-control-layers,.leaflet-draw"
    "{display:none !important}</style>"
)
_NORTH_ARROW = (
    '<svg class="north" viewBox="0 0 40 60" width="30" height="45" aria-label="N">'
    '<polygon points="20,4 32,44 20,36 8,44" fill="#222"/>'
    '<polygon points="20,4 20,36 8,44" fill="#fff" stroke="#222" stroke-width="1.5"/>'
    '<text x="20" y="58" font-size="14" text-anchor="middle" font-weight="700">N</text></svg>'
)


@dataclass(frozen=True)
class Sheet:
    """One sheet: the map's HTML, the figures it shows (all their rows), an optional subtitle."""

    map_html: str
    figures: tuple[Figure, ...]
    subtitle: str = ""
    key_html: str = ""  # the key of the map's coloured surface (escaped HTML), under the map


def _continued(lang: Lang) -> str:
    """Return what a table continued on another page is marked with (in ``lang``)."""
    word = tr("sheet_continued", lang)
    return f"（{word}）" if lang == "zh" else f" ({word})"


def _qr_svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=3, border=1, xmldecl=False)
    return out.getvalue().decode("utf-8")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _figure_table(fig: Figure, lang: Lang) -> str:
    """Return the figure as a table with every row (the print view continues what does not fit)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in fig.columns(lang))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(v))}</td>" for v in r) + "</tr>"
        for r in fig.rows_in(lang)
    )
    return (
        f'<div class="fig" data-key="{html.escape(fig.key, quote=True)}">'
        f"<h3>{html.escape(fig.title(lang))}</h3><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def sheet_html(
    snapshot: Snapshot,
    sheets: Sequence[Sheet],
    *,
    lang: Lang,
    size: Size,
    permalink: str,
    sources: str,
    method: str = "",
) -> str:
    """Return the print view: one page per sheet, each the map beside its figures.

    ``sources`` and ``method`` are HTML already escaped (:mod:`share.sheet_text`).
    Tables that do not fit beside the map shrink, then continue on pages of their
    own (the document's script, before it says it is ready).
    """
    width_mm, height_mm = SIZES[size]
    title = html.escape(snapshot.title)
    when = html.escape(snapshot.created_at.replace("T", " ").replace("+00:00", " UTC"))
    author = html.escape(snapshot.author) if snapshot.author else "—"
    qr = _qr_svg(permalink)
    pages = []
    for i, sheet in enumerate(sheets):
        figs = "".join(_figure_table(f, lang) for f in sheet.figures)
        key = f'<div class="key">{sheet.key_html}</div>' if sheet.key_html else ""
        subtitle = f"<span class=sub>{html.escape(sheet.subtitle)}</span>" if sheet.subtitle else ""
        pages.append(
            f'<section class="sheet" id="sheet{i}">'
            f"<header><h1>{title}{subtitle}</h1><span class=internal>"
            f"{tr('internal_use', lang)}</span></header>"
            f'<div class="body"><div class="mapcol"><div class="map">'
            f'<iframe title="map{i}" srcdoc="{html.escape(sheet.map_html, quote=True)}"></iframe>'
            f"{_NORTH_ARROW}</div>{key}</div>"
            f'<aside><div class="figs">{figs}</div><div class="foot">'
            f'<p class="method">{method}</p>'
            f'<p class="sources">{sources}</p><p class="basemap" id="basemap{i}"></p>'
            f'<div class="qr">{qr}<div>{tr("sheet_snapshot_id", lang)}: '
            f"<b>{html.escape(snapshot.snapshot_id)}</b><br>"
            f"{html.escape(permalink)}</div></div>"
            f'<p class="by">{author} · {when}</p></div></aside></div></section>'
        )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title><style>'
        f"@page {{ size: {width_mm}mm {height_mm}mm; margin: 0; }}"
        "html,body{margin:0;padding:0;font-family:'Noto Sans CJK SC','Noto Sans CJK JP',"
        "'Noto Sans',sans-serif;color:#222}"
        f".sheet{{width:{width_mm}mm;height:{height_mm}mm;box-sizing:border-box;padding:8mm;"
        "display:flex;flex-direction:column;page-break-after:always;break-after:page;"
        "overflow:hidden}"
        ".sheet:last-child{page-break-after:auto;break-after:auto}"
        "header{display:flex;justify-content:space-between;align-items:baseline;"
        "border-bottom:1.5px solid #222;margin-bottom:3mm}"
        "h1{font-size:16pt;margin:0}.sub{font-size:12pt;font-weight:400;margin-left:4mm}"
        ".internal{font-size:9pt;color:#a00;border:1px solid #a00;padding:0 2mm}"
        ".body{flex:1;display:flex;gap:4mm;min-height:0}"
        ".mapcol{flex:0 0 66%;display:flex;flex-direction:column;min-height:0}"
        ".map{flex:1;position:relative;border:1px solid #999;min-height:0}"
        ".key{flex:0 0 auto;font-size:8pt;padding-top:1mm}.key div{font-size:8pt !important}"
        ".map iframe{width:100%;height:100%;border:0}"
        ".north{position:absolute;top:3mm;left:50%;transform:translateX(-50%)}"
        "aside{flex:1;font-size:7.5pt;overflow:hidden;display:flex;flex-direction:column;min-width:0}"
        ".figs{flex:1;overflow:hidden;min-height:0}.foot{flex:0 0 auto}"
        ".cont .figs{font-size:7.5pt}.cont .fig{break-inside:auto}"
        "aside h3{font-size:9pt;margin:0 0 1mm}"
        "table{border-collapse:collapse;width:100%;margin-bottom:2mm}"
        "td,th{border:0.5px solid #bbb;padding:0.4mm 1mm;text-align:left}"
        ".more{margin:0 0 2mm;color:#666}.method,.sources{margin:1mm 0;color:#333}"
        ".qr{display:flex;gap:2mm;align-items:center;word-break:break-all}"
        ".qr svg{flex:0 0 auto;width:22mm;height:22mm}.by{margin:1mm 0 0;color:#555}"
        "</style></head><body>"
        + "".join(pages)
        + _SHEET_READY_JS.replace(
            "NOTES", json.dumps(BASEMAP_NOTES[lang], ensure_ascii=False)
        ).replace("CONTINUED", json.dumps(_continued(lang), ensure_ascii=False))
        + "</body></html>\n"
    )


def map_document(view: Any, lang: Lang, *, basemap: BasemapSpec, basemap_key: str | None) -> str:
    """Return one map's HTML for a sheet: vendored assets inlined, the ready signal added.

    ``basemap`` is drawn as given (resolved by :func:`views.maps.basemap`).
    """
    from branca.element import Element  # noqa: PLC0415

    from layers.elements import MapScript  # noqa: PLC0415
    from layers.render import build_map  # noqa: PLC0415
    from share.exports import PLACEHOLDER, inline_assets  # noqa: PLC0415

    m = build_map(
        list(view.layers),
        lang=lang,
        basemap=basemap,
        basemap_key=basemap_key,
        view_bounds=view.bounds,
        static_url=PLACEHOLDER,
    )
    view.overlay.add_to(m)
    MapScript(_READY_JS).add_to(m)
    # A printed map has no buttons: zoom and layer controls are hidden (the scale bar stays).
    m.get_root().header.add_child(Element(_PRINT_CSS))  # type: ignore[attr-defined]
    return inline_assets(m.get_root().render())


def _render(document: str, *, size: Size, kind: Literal["pdf", "png"], n_sheets: int) -> bytes:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    width_mm, height_mm = SIZES[size]
    viewport = {
        "width": round(width_mm * _PX_PER_MM),
        "height": round(height_mm * _PX_PER_MM),
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                viewport=viewport,  # type: ignore[arg-type]
                device_scale_factor=2 if kind == "png" else 1,
            )
            page.set_content(document, wait_until="load")
            # Every map ready, every basemap note written (the document's own script).
            page.wait_for_function(
                "() => window.sheetReady", timeout=_READY_TIMEOUT_MS + 2_000 * n_sheets
            )
            if kind == "pdf":
                return page.pdf(
                    width=f"{width_mm}mm",
                    height=f"{height_mm}mm",
                    landscape=False,  # the page size is already landscape
                    print_background=True,
                    prefer_css_page_size=True,
                )
            return page.locator("#sheet0").screenshot(type="png")
        finally:
            browser.close()


def render_pdf(document: str, *, size: Size, n_sheets: int = 1) -> bytes:
    """Print the sheet document to PDF once every map on it is ready."""
    return _render(document, size=size, kind="pdf", n_sheets=n_sheets)


def render_png(document: str, *, size: Size) -> bytes:
    """Render the first sheet to PNG (twice the screen resolution) once its map is ready."""
    return _render(document, size=size, kind="png", n_sheets=1)


# --- from a snapshot ---------------------------------------------------------------------------


def sheet_document(
    snapshot: Snapshot, *, size: Size = "a4", lang: str | None = None, base_url: str | None = None
) -> str:
    """Return the print view of the snapshot's map sheet (its layers, choices and view).

    ``base_url`` is the app's address as the planner's browser used it (the sheet's
    permalink and QR code point there); without one, the server's public address.
    """
    lang_: Lang = "en" if (lang or snapshot.lang) == "en" else "zh"
    ds = dataset_of(snapshot)
    choices = choices_from(ds, snapshot.page, snapshot.choices)
    view = maps.page_map(ds, snapshot.page, choices, lang_, bounds=snapshot.view.bounds)
    view = dataclasses.replace(view, overlay=_relocated(view.overlay))
    basemap_spec, key, _ = maps.basemap(snapshot.view.basemap)
    doc_map = map_document(view, lang_, basemap=basemap_spec, basemap_key=key)
    return sheet_html(
        snapshot,
        [Sheet(doc_map, sheet_text.sheet_figures(snapshot.figures), key_html=view.key_html)],
        lang=lang_,
        size=size,
        permalink=permalink(snapshot.snapshot_id, snapshot.page, base_url=base_url),
        sources=sheet_text.sources_line(snapshot, lang_),
        method=sheet_text.method_text(snapshot, ds, lang_),
    )


def snapshot_sheet(
    snapshot: Snapshot,
    *,
    kind: Literal["pdf", "png"],
    size: Size = "a4",
    lang: str | None = None,
    base_url: str | None = None,
) -> bytes:
    """Render the snapshot's map sheet on its own layers and choices (``base_url``: as above)."""
    document = sheet_document(snapshot, size=size, lang=lang, base_url=base_url)
    if kind == "pdf":
        return render_pdf(document, size=size)
    return render_png(document, size=size)


def _relocated(overlay: Any) -> Any:
    """Return the overlay with its assets pointing at the placeholder that gets inlined."""
    from layers.assets import localize_assets  # noqa: PLC0415
    from share.exports import PLACEHOLDER  # noqa: PLC0415

    return localize_assets(overlay, static_url=PLACEHOLDER)


def atlas(
    snapshot: Snapshot,
    *,
    by: Literal["cluster", "unit"],
    size: Size = "a4",
    lang: str | None = None,
    base_url: str | None = None,
) -> bytes:
    """Render one sheet per cluster or per unit, each fitted to it, in one PDF.

    ``base_url``: the app's address for the permalink, as :func:`sheet_document`.
    """
    lang_: Lang = "en" if (lang or snapshot.lang) == "en" else "zh"
    ds = dataset_of(snapshot)
    choices = choices_from(ds, snapshot.page, snapshot.choices)
    # Each page is fitted to its zone, not to the snapshot's view or selection.
    base = maps.page_map(ds, snapshot.page, choices, lang_, bounds=inputs.map_view_bounds(ds))
    basemap_spec, key, _ = maps.basemap(snapshot.view.basemap)
    figures = sheet_text.sheet_figures(snapshot.figures)
    sheets = []
    for zone in sheet_text.zones(ds, by, lang_):
        # Each sheet shows its zone's rows: a cluster's own row and its units', not the county's.
        view = maps.PageMap(base.layers, _relocated(base.overlay), zone.bounds)
        sheets.append(
            Sheet(
                map_document(view, lang_, basemap=basemap_spec, basemap_key=key),
                sheet_text.zone_figures(figures, zone),
                subtitle=zone.name,
                key_html=base.key_html,
            )
        )
    document = sheet_html(
        snapshot,
        sheets,
        lang=lang_,
        size=size,
        permalink=permalink(snapshot.snapshot_id, snapshot.page, base_url=base_url),
        sources=sheet_text.sources_line(snapshot, lang_),
        method=sheet_text.method_text(snapshot, ds, lang_),
    )
    return render_pdf(document, size=size, n_sheets=len(sheets))


THUMBNAIL_PX = (480, 320)


def snapshot_thumbnail(snapshot: Snapshot) -> bytes:
    """Render a small PNG of the snapshot's map for the snapshots list (no basemap)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    lang: Lang = "en" if snapshot.lang == "en" else "zh"
    ds = dataset_of(snapshot)
    choices = choices_from(ds, snapshot.page, snapshot.choices)
    view = maps.page_map(ds, snapshot.page, choices, lang, bounds=snapshot.view.bounds)
    view = dataclasses.replace(view, overlay=_relocated(view.overlay))
    document = map_document(view, lang, basemap=basemap_by_id("none"), basemap_key=None)
    width, height = THUMBNAIL_PX
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_content(document, wait_until="load")
            page.wait_for_function("() => window.mapReady", timeout=_READY_TIMEOUT_MS)
            page.add_style_tag(content=".planning-legend,.leaflet-control{display:none!important}")
            return page.screenshot(type="png")
        finally:
            browser.close()
