"""Upload a planner's layer: read, check, preview, map the columns, accept (session or server)."""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from geo.errors import PlanningMapError
from geo.files.reading import MAX_UPLOAD_BYTES, ReadOptions
from geo.files.schema import FIELD_ALIASES, guess_mapping
from geo.store.dataset import layer_kind
from layers.bilingual import in_language
from layers.cluster_view import cluster_layers
from layers.labels import Lang, tr
from layers.parks_view import park_features
from layers.preview_view import preview_features
from layers.render import surface_group
from layers.specs import MapLayer
from ui import data, page_map, state
from views import datum, inputs, reach

UPLOAD_TYPES = ["zip", "geojson", "json", "gpkg", "kml", "kmz", "csv", "xlsx"]
_ENCODINGS = ["", "utf-8", "gb18030"]
# The fields a planner maps, per kind (the rest of the file's columns are kept as they are).
_FIELDS = {
    "parks": ("name", "area_m2", "area_ha", "park_class", "park_id", "year"),
    "stations": ("name", "station_id", "lines"),
    "units": ("name", "unit_id"),
    "population": ("population", "name"),
    "residential": ("name",),
    "plan_lines": ("name",),
}


def _key(kind: str, what: str) -> str:
    return state.upload_key(kind, what)


def panel(kinds: str | tuple[str, ...], lang: Lang, basemap_id: str) -> None:
    """Draw one upload panel (an expander) for ``kinds``: kind, file, options, preview, accept."""
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    names = " / ".join(layer_kind(k).name(lang) for k in kinds)
    with st.expander(tr("upload_layer", lang, kind=names), expanded=False):
        kind = kinds[0]
        if len(kinds) > 1:
            kind = state.choose_in_lang(
                "segmented_control",
                tr("upload_choose_kind", lang),
                list(kinds),
                state_key=state.upload_kind_key(kinds),
                lang=lang,
                format_func=lambda k: layer_kind(k).name(lang),
            )
        st.caption(tr("upload_layer_help", lang, mb=MAX_UPLOAD_BYTES // (1024 * 1024)))
        upload = st.file_uploader(
            tr("upload_layer", lang, kind=layer_kind(kind).name(lang)),
            type=UPLOAD_TYPES,
            key=_key(kind, "file"),
        )
        if upload is not None:
            _read_and_preview(kind, upload.name, upload.getvalue(), lang, basemap_id)
        own = (st.session_state.get(state.SESSION_LAYERS) or {}).get(kind)
        if own:
            record = data.upload_record(own)
            st.info(tr("upload_session_layer", lang, file=record.file_name if record else own[:12]))
            if st.button(tr("upload_make_server", lang), key=_key(kind, "server")):
                data.make_server_layer(kind, own)
                st.success(tr("upload_made_server", lang))


# The lon/lat readings whose datum the coordinates cannot tell apart.
_LONLAT = ("wgs84", "cgcs2000", "gcj02", "bd09")


def _options(
    kind: str, info: Any, content: bytes, file_name: str, lang: Lang
) -> ReadOptions | None:
    """The planner's reading choices: layer, CRS, encoding (None: the datum is still to choose).

    A longitude/latitude layer that declares no datum gets no default: the planner
    chooses WGS84, GCJ-02 or BD-09, with the file's hints and, where the data set
    has a walk network or roads, each datum's distance from it.
    """
    layer = None
    if len(info.layers) > 1:
        layer = st.selectbox(tr("upload_layer_choice", lang), info.layers, key=_key(kind, "layer"))
    encoding = None
    if info.format == "shapefile_zip" and not info.encoding_from_cpg:
        chosen = st.selectbox(
            tr("upload_encoding", lang, detected=info.encoding or "?"),
            _ENCODINGS,
            key=_key(kind, "encoding"),
            format_func=lambda e: e or tr("upload_encoding_auto", lang),
        )
        encoding = chosen or None
    if info.declared_crs is not None:
        st.caption(tr("upload_crs_declared", lang, crs=info.declared_crs))
        return ReadOptions(encoding=encoding, layer=layer)
    choices = [c.crs for c in info.crs_candidates]
    reasons = {c.crs: c.reason for c in info.crs_candidates}
    lonlat = bool(info.crs_candidates) and info.crs_candidates[0].crs in _LONLAT
    if not lonlat:
        crs = st.selectbox(
            tr("upload_crs_choice", lang),
            choices,
            key=_key(kind, "crs"),
            format_func=lambda c: f"{c} — {in_language(reasons.get(c, ''), lang)}",
        )
        return ReadOptions(crs=crs, encoding=encoding, layer=layer)
    raw = data.read_upload(
        content, file_name, ReadOptions(crs="wgs84", encoding=encoding, layer=layer), kind
    )
    proposal = datum.datum_proposal(data.active_dataset(), raw.gdf)
    first = [datum.CHOICE_OF_DATUM[d] for d in proposal.order]
    choices = [*first, *(c for c in choices if c not in first)]
    st.info("\n\n".join(proposal.lines(lang)))
    proposed = datum.CHOICE_OF_DATUM[proposal.proposed] if proposal.proposed else None
    crs = st.selectbox(
        tr("upload_datum_choice", lang),
        choices,
        index=None,
        placeholder=tr("upload_datum_placeholder", lang),
        key=_key(kind, "crs"),
        format_func=lambda c: _datum_label(c, proposed, lang),
    )
    if crs is None:
        return None
    return ReadOptions(crs=crs, encoding=encoding, layer=layer)


def _datum_label(choice: str, proposed: str | None, lang: Lang) -> str:
    name = tr(f"datum_{choice}", lang) if choice in _LONLAT else choice
    return f"{name}（{tr('datum_proposed', lang)}）" if choice == proposed else name


def _mapping(kind: str, columns: list[str], lang: Lang) -> dict[str, str]:
    """Show the guessed column for each field; the planner confirms or changes it."""
    guessed = guess_mapping(kind, columns)
    fields = [f for f in _FIELDS.get(kind, ()) if f in FIELD_ALIASES]
    mapping = {}
    cells = st.columns(3)
    for i, field in enumerate(fields):
        options = ["", *columns]
        default = options.index(guessed[field]) if field in guessed else 0
        chosen = cells[i % 3].selectbox(
            tr(f"field_{field}", lang),
            options,
            index=default,
            key=_key(kind, f"map_{field}"),
            format_func=lambda c: c or "—",
        )
        if chosen:
            mapping[field] = chosen
    return mapping


def _read_and_preview(kind: str, file_name: str, content: bytes, lang: Lang, basemap: str) -> None:
    try:
        info = data.inspect_upload(content, file_name)
        options = _options(kind, info, content, file_name, lang)
        if options is None:
            st.warning(tr("upload_datum_first", lang))
            return
        result = data.read_upload(content, file_name, options, kind)
        if result.location.elsewhere:
            # Checked before the columns are mapped: a layer read in the wrong CRS cannot
            # be measured, and the location check names the CRS that would fit.
            st.error(f"{tr('upload_error', lang)} {in_language(result.location.message, lang)}")
            return
        columns = [c for c in result.gdf.columns if c != result.gdf.geometry.name]
        mapping = _mapping(kind, columns, lang)
        fitted, in_use = data.fitted_upload(
            content, file_name, options, kind, tuple(mapping.items())
        )
    except PlanningMapError as exc:
        st.error(f"{tr('upload_error', lang)} {in_language(str(exc), lang)}")
        return
    for note in result.notes:
        st.caption(note)
    if not result.location.in_kunshan:
        st.warning(result.location.message or tr("upload_outside_kunshan", lang))
    st.markdown(
        tr(
            "upload_summary",
            lang,
            n=len(fitted),
            file=html.escape(file_name),
            crs=html.escape(result.crs_used),
        )
    )
    if data.active_upload(kind) == in_use:
        st.success(tr("upload_in_use", lang))  # accepted: no preview, no second button
        return
    _preview(kind, fitted, lang, basemap)
    if st.button(tr("upload_accept", lang), key=_key(kind, "accept"), type="primary"):
        record = data.accept_upload(kind, content, file_name, fitted, result)
        state.set_session_layer(kind, record.content_hash)
        st.rerun()


def _preview(kind: str, fitted: Any, lang: Lang, basemap_id: str) -> None:
    ds = data.active_dataset()
    # A preview: the planner's layer over muted clusters (parks by tier, others in magenta).
    if kind == "parks":
        standard = reach.park_standards(ds).default
        own = MapLayer("parks", park_features(fitted, standard, lang))
    else:
        own = MapLayer("upload_preview", preview_features(fitted))
    bounds = tuple(float(v) for v in fitted.total_bounds)
    layers = [*cluster_layers(inputs.map_inputs(ds, lang), lang, muted=True), own]
    m = page_map.base_map(layers, lang, basemap_id, bounds=bounds)  # type: ignore[arg-type]
    if m is None:
        return
    page_map.show(
        m,
        key=_key(kind, "preview"),
        height_px=360,
        overlay=surface_group(None, None, lang=lang),
        returned=[],
    )
