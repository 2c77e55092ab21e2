"""A snapshot's downloads: the figures as CSV, the visible layers as GeoPackage, offline HTML.

- **CSV**: every saved figure's rows, headers in the snapshot's language, UTF-8 with a
  byte-order mark (Excel then opens Chinese correctly).
- **GeoPackage**: the layers the page showed, one table each, WGS84, plus a
  ``snapshot`` table naming the snapshot, its choices and its data version.
- **HTML**: the page's map and the saved figures in one file that works offline:
  Leaflet's script and style (with its images as data URLs) and every layer's data
  are inlined; no request goes to any other host, and no basemap is drawn (tiles
  live on other hosts; the file says so). Every user text is escaped.

The GeoPackage and the HTML draw the snapshot's layers and choices with today's
copies of those layers (:func:`share.capture.dataset_of`); the figures are always the saved ones.
"""

from __future__ import annotations

import base64
import html
import json
import re
import tempfile
from pathlib import Path

import pandas as pd

from layers.assets import STATIC_DIR
from layers.labels import Lang, tr
from share.capture import choices_from, dataset_of
from share.model import Snapshot, figure_rows
from views import maps

__all__ = ["PLACEHOLDER", "figures_csv", "inline_assets", "offline_html", "visible_gpkg"]

PLACEHOLDER = "https://static.invalid"  # never requested: replaced by the inlined files


def figures_csv(snapshot: Snapshot, lang: str | None = None) -> bytes:
    """Return the snapshot's figures as CSV (UTF-8 with BOM), headers in ``lang``."""
    lang = lang or snapshot.lang
    rows = figure_rows(snapshot.figures, lang)
    frame = pd.DataFrame(rows)
    meta = pd.DataFrame(
        [
            {"figure": "snapshot", "id": snapshot.snapshot_id, "title": snapshot.title,
             "created_at": snapshot.created_at, "data_version": snapshot.dataset_version}
        ]
    )  # fmt: skip
    out = pd.concat([meta, frame], ignore_index=True) if not frame.empty else meta
    return out.to_csv(index=False).encode("utf-8-sig")


def visible_gpkg(snapshot: Snapshot) -> bytes:
    """Return the layers the snapshot's page shows as a GeoPackage (its own layers and choices)."""
    import geopandas as gpd  # noqa: PLC0415

    ds = dataset_of(snapshot)
    choices = choices_from(ds, snapshot.page, snapshot.choices)
    frames = maps.visible_frames(ds, snapshot.page, choices)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snapshot.gpkg"
        for name, frame in frames.items():
            if frame.empty:
                continue
            clean = frame.copy()
            for col in clean.columns:
                if col != clean.geometry.name and clean[col].dtype == object:
                    clean[col] = clean[col].map(_as_text)
            gpd.GeoDataFrame(clean, geometry=clean.geometry.name, crs=4326).to_file(
                path, layer=name, driver="GPKG", engine="pyogrio"
            )
        meta = pd.DataFrame(
            [
                {
                    "id": snapshot.snapshot_id,
                    "title": snapshot.title,
                    "page": snapshot.page,
                    "choices": json.dumps(dict(snapshot.choices), ensure_ascii=False),
                    "created_at": snapshot.created_at,
                    "data_version": snapshot.dataset_version,
                }
            ]
        )
        import pyogrio  # noqa: PLC0415

        pyogrio.write_dataframe(meta, path, layer="snapshot", driver="GPKG")
        return path.read_bytes()


def _as_text(value: object) -> object:
    """Return a cell GeoPackage can store: text stays, lists and dicts become JSON."""
    return value if value is None or isinstance(value, str) else json.dumps(value, default=str)


def _data_url(path: Path) -> str:
    mime = "image/png" if path.suffix == ".png" else "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def inline_assets(page: str) -> str:
    """Replace the vendored scripts and styles the map links to with their contents."""

    def css(path: Path) -> str:
        text = path.read_text("utf-8")
        return re.sub(
            r"url\((images/[^)]+)\)",
            lambda m: f"url({_data_url(path.parent / m.group(1))})",
            text,
        )

    def script(match: re.Match[str]) -> str:
        rel = match.group(1)
        body = (STATIC_DIR / rel).read_text("utf-8").replace("</script", "<\\/script")
        return f"<script>{body}</script>"

    def style(match: re.Match[str]) -> str:
        rel = match.group(1)
        return f"<style>{css(STATIC_DIR / rel)}</style>"

    page = re.sub(rf'<script src="{re.escape(PLACEHOLDER)}/([^"]+)"></script>', script, page)
    page = re.sub(
        rf'<link rel="stylesheet" href="{re.escape(PLACEHOLDER)}/([^"]+)"\s*/>', style, page
    )
    if PLACEHOLDER in page:  # pragma: no cover - a new asset must be inlined here
        msg = "An asset of the offline map was not inlined."
        raise RuntimeError(msg)
    return page


def _figures_html(snapshot: Snapshot, lang: str) -> str:
    parts = []
    for fig in snapshot.figures:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in fig.columns(lang))
        body = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
            + "</tr>"
            for row in fig.rows_in(lang)
        )
        parts.append(
            f"<h2>{html.escape(fig.title(lang))}</h2>"
            f'<div class="table-scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )
    return "".join(parts)


def offline_html(snapshot: Snapshot, lang: str | None = None) -> str:
    """Return the snapshot as one HTML file that works offline (its own layers and choices)."""
    from layers.render import build_map  # noqa: PLC0415
    from layers.specs import basemap_by_id  # noqa: PLC0415

    lang_: Lang = "en" if (lang or snapshot.lang) == "en" else "zh"
    ds = dataset_of(snapshot)
    choices = choices_from(ds, snapshot.page, snapshot.choices)
    saved = snapshot.view
    view = maps.page_map(
        ds, snapshot.page, choices, lang_, static_url=PLACEHOLDER, bounds=saved.bounds
    )
    m = build_map(
        list(view.layers),
        lang=lang_,
        basemap=basemap_by_id("none"),
        view_bounds=view.bounds,
        # Where the planner looked, as in the app (the area whole on a smaller screen).
        restore=saved.restore,
        static_url=PLACEHOLDER,
    )
    view.overlay.add_to(m)
    map_html = m.get_root().render()
    map_html = inline_assets(map_html)
    doc = _document(snapshot, lang_, map_html)
    return doc


def _document(snapshot: Snapshot, lang: Lang, map_html: str) -> str:
    """Wrap the map (in an iframe's srcdoc, so its page stays whole) with title and figures."""
    srcdoc = html.escape(map_html, quote=True)
    author = html.escape(snapshot.author) if snapshot.author else ""
    when = html.escape(snapshot.created_at)
    by = (
        tr("snapshot_by", lang, author=author, when=when)
        if author
        else tr("snapshot_at", lang, when=when)
    )
    note = html.escape(snapshot.note).replace("\n", "<br>")
    no_tiles = (
        "离线文件不含底图瓦片。" if lang == "zh" else "The offline file carries no basemap tiles."
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
        "frame-src 'self' about: data:; child-src 'self' about: data:\">"
        f"<title>{html.escape(snapshot.title)}</title>"
        "<style>body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;margin:16px;"
        "color:#222}iframe{width:100%;height:70vh;border:1px solid #ccc}"
        "table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}"
        ".table-scroll{max-width:100%;overflow-x:auto}"  # a wide table scrolls, not the page
        "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
        "h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:14px 0 2px}"
        ".meta{color:#555;font-size:12px}</style></head><body>"
        f"<h1>{html.escape(snapshot.title)}</h1>"
        f'<p class="meta">{by} · {tr("internal_use", lang)} · {html.escape(snapshot.snapshot_id)}'
        f" · {no_tiles}</p>"
        + (f"<p>{note}</p>" if note else "")
        + f'<iframe title="map" sandbox="allow-scripts" srcdoc="{srcdoc}"></iframe>'
        f"<h2>{tr('snapshot_saved_figures', lang)}</h2>"
        + _figures_html(snapshot, lang)
        + "</body></html>\n"
    )
