"""快照 / Snapshots: the saved views — search, open, copy the link, download, delete."""

from __future__ import annotations

import base64
import html
from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import PlanningMapError
from layers.bilingual import in_language
from layers.labels import Lang, tr
from share.store import LIST_MAX, open_store
from ui import layout, share_panel, state
from ui import snapshot as ui_snapshot


def _page_name(page: str, lang: Lang) -> str:
    return tr(f"page_{page}", lang)


def _no_thumbnail(lang: Lang) -> str:
    """A grey tile saying there is no preview yet (a missing image would show "None")."""
    words = html.escape(tr("snapshots_no_thumbnail", lang))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">'
        '<rect width="120" height="80" fill="#eee"/><text x="60" y="45" font-size="14" '
        f'text-anchor="middle" fill="#777">{words}</text></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _thumbnail_url(store: Any, row: Any, lang: Lang) -> str:
    """Return the row's thumbnail as a data URL (a "no preview" tile until it is rendered)."""
    if not row.thumbnail:
        return _no_thumbnail(lang)
    path = store.artefact_path(row.thumbnail)
    if not path.is_file():
        return _no_thumbnail(lang)
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def render(lang: Lang) -> None:
    """Draw the snapshots page."""
    layout.page_header(tr("page_snapshots", lang), tr("snapshots_intro", lang))
    done = st.session_state.pop(state.SNAPSHOTS_DONE, None)
    if done:  # said after the rerun that removed the row, so the planner sees it
        st.success(tr("snapshots_deleted", lang, title=done))
    search = st.text_input(tr("snapshots_search", lang), key=state.SNAPSHOTS_SEARCH, max_chars=100)
    try:
        store = open_store()
        rows = store.list(search=search or "", limit=LIST_MAX)
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        return
    if not rows:
        if search:
            st.info(tr("snapshots_no_match", lang, q=search))
        else:
            st.info(tr("snapshots_none", lang))
        return
    table = pd.DataFrame(
        {
            tr("col_thumbnail", lang): [_thumbnail_url(store, r, lang) for r in rows],
            tr("col_title", lang): [r.title for r in rows],
            tr("col_author", lang): [r.author for r in rows],
            tr("col_created", lang): [r.created_at.replace("T", " ")[:16] for r in rows],
            tr("col_page", lang): [_page_name(r.page, lang) for r in rows],
            tr("col_link", lang): [ui_snapshot.permalink(r.snapshot_id, r.page) for r in rows],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            tr("col_thumbnail", lang): st.column_config.ImageColumn(width="small"),
            tr("col_link", lang): st.column_config.LinkColumn(
                display_text=tr("snapshots_open", lang)
            ),
        },
    )
    if len(rows) >= LIST_MAX:
        st.caption(tr("snapshots_more", lang, n=LIST_MAX))
    labels = {r.snapshot_id: f"{r.title} · {r.created_at[:16].replace('T', ' ')}" for r in rows}
    chosen = st.selectbox(
        tr("snapshot_banner", lang), list(labels), format_func=labels.get, key=state.SNAPSHOTS_PICK
    )
    if chosen is None:
        return
    row = next(r for r in rows if r.snapshot_id == chosen)
    url = ui_snapshot.permalink(row.snapshot_id, row.page)
    st.code(url, language=None)
    st.link_button(tr("snapshots_open", lang), url)
    try:
        snap = store.get(row.snapshot_id)
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        return
    share_panel.download_buttons(snap, lang, where="list")
    _atlas(snap, lang)
    with st.expander(tr("snapshots_delete", lang)):
        with st.form(f"delete_{snap.snapshot_id}", border=False):
            token = st.text_input(tr("snapshots_delete_token", lang), type="password")
            sure = st.checkbox(tr("snapshots_delete_confirm", lang))
            go = st.form_submit_button(tr("snapshots_delete", lang))
        if go and not sure:
            st.warning(tr("snapshots_not_confirmed", lang))
        elif go:
            try:
                store.delete(snap.snapshot_id, token)
            except PlanningMapError as exc:
                st.error(in_language(str(exc), lang))
            else:
                st.session_state[state.SNAPSHOTS_DONE] = snap.title
                st.rerun()


def _atlas(snap: Any, lang: Lang) -> None:
    """Offer the atlas of the snapshot: one sheet per cluster or unit, in one PDF."""
    from share import sheets  # noqa: PLC0415 - Playwright, only when asked

    with st.expander(tr("atlas", lang)):
        by = st.radio(
            tr("atlas_by", lang),
            ["cluster", "unit"],
            format_func=lambda b: tr(f"atlas_by_{b}", lang),
            key=state.ATLAS_BY,
            horizontal=True,
        )
        size = st.radio(
            tr("atlas_size", lang), ["a4", "a3"], format_func=str.upper, key=state.ATLAS_SIZE,
            horizontal=True,
        )  # fmt: skip
        if st.button(tr("atlas_make", lang), key=state.ATLAS_MAKE):
            with st.spinner(tr("atlas_rendering", lang)):
                try:
                    pdf = sheets.atlas(snap, by=by, size=size, base_url=ui_snapshot.browser_url())
                except PlanningMapError as exc:
                    st.error(in_language(str(exc), lang))
                    return
            st.session_state[state.ATLAS_PDF] = (snap.snapshot_id, by, size, pdf)
        made = st.session_state.get(state.ATLAS_PDF)
        if made and made[0] == snap.snapshot_id:
            what = tr(f"atlas_by_{made[1]}", lang)
            st.download_button(
                tr("atlas_download", lang, by=what, size=made[2].upper()),
                data=made[3],
                file_name=f"atlas_{snap.snapshot_id}_{made[1]}_{made[2]}.pdf",
                mime="application/pdf",
                key=state.DOWNLOAD_ATLAS,
                on_click="ignore",
            )


if __name__ == "__main__":  # st.navigation runs a page file as __main__
    render(st.session_state[state.LANG])
