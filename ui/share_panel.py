"""分享 / Share on every page, and the banner of a snapshot opened from its permalink.

The share panel saves the page's view (its typed choices, its figures, the layers
in use) as a snapshot and gives the permanent link with a copy button, its QR code
(segno) and the downloads. The delete token is shown once, to whoever saved.

A page opened from ``?snapshot=<id>`` is read-only: it shows the snapshot's title,
note, author and date, says whether the data changed since (and which layers),
keeps the saved figures in view beside the map (below it on a phone), offers
"recompute with current data" (a new snapshot) and hides the editing panels
(uploads, drawing, the scenario) until the planner leaves the snapshot.

Every user text is shown as plain text: escaped for Markdown and HTML
(:func:`plain`), never as markup.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import segno
import streamlit as st

from geo import settings
from geo.errors import PlanningMapError, SnapshotNotFoundError
from geo.store.dataset import layer_kind
from layers.bilingual import in_language
from layers.labels import Lang, tr
from share import exports
from share.capture import SNAPSHOT_PARAM
from share.model import AUTHOR_MAX, NOTE_MAX, TITLE_MAX, Snapshot
from share.store import open_store
from ui import layout, state
from ui import snapshot as ui_snapshot
from views.choices import Page, PageChoices
from views.table import Figure

__all__ = [
    "download_buttons",
    "editable",
    "figure_frame",
    "open_from_address",
    "page_top",
    "plain",
    "saved_figures",
    "share_panel",
    "side",
    "snapshot_banner",
    "viewing",
]

_ROOT = Path(__file__).resolve().parent.parent
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: str) -> str:
    r"""Return ``text`` escaped so Streamlit's Markdown shows it as typed (no markup, no HTML).

    >>> plain("<b>*x*</b> [a](javascript:1)")
    '\\<b\\>\\*x\\*\\</b\\> \\[a\\]\\(javascript\\:1\\)'
    """
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def figure_frame(fig: Figure, lang: str) -> pd.DataFrame:
    """Return a saved figure as a table with headers in ``lang``."""
    cols = list(fig.columns(lang))
    unique = [c if cols.count(c) == 1 else f"{c} ({i + 1})" for i, c in enumerate(cols)]
    return pd.DataFrame([list(r) for r in fig.rows_in(lang)], columns=unique)


def _qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=4, border=2)
    return out.getvalue()


def download_buttons(snap: Snapshot, lang: Lang, where: str) -> None:
    """Offer the snapshot's downloads, each made when clicked (beside the map: one a row)."""
    from share import sheets  # noqa: PLC0415 - Playwright, only when a sheet is asked for

    sid = snap.snapshot_id
    base = ui_snapshot.browser_url()
    # (label, what, file suffix, MIME type, how to make it)
    offers: list[tuple[str, str, str, str, Callable[[], Any]]] = [
        ("download_pdf_a4", "pdf_a4", "_a4.pdf", "application/pdf",
         lambda: sheets.snapshot_sheet(snap, kind="pdf", size="a4", base_url=base)),
        ("download_pdf_a3", "pdf_a3", "_a3.pdf", "application/pdf",
         lambda: sheets.snapshot_sheet(snap, kind="pdf", size="a3", base_url=base)),
        ("download_png", "png", ".png", "image/png",
         lambda: sheets.snapshot_sheet(snap, kind="png", size="a4", base_url=base)),
        ("download_figures_csv", "csv", ".csv", "text/csv",
         lambda: exports.figures_csv(snap, lang)),
        ("download_gpkg", "gpkg", ".gpkg", "application/geopackage+sqlite3",
         lambda: exports.visible_gpkg(snap)),
        ("download_html", "html", ".html", "text/html",
         lambda: exports.offline_html(snap, lang)),
    ]  # fmt: skip
    st.caption(tr("share_downloads", lang))
    # The side panel is narrow: one button a row there, so every label reads in full.
    per_row = 1 if where == "share" else 3
    columns = [c for _ in range(len(offers) // per_row) for c in st.columns(per_row)]
    for column, (label, what, suffix, mime, make) in zip(columns, offers, strict=True):
        column.download_button(
            tr(label, lang),
            data=make,
            file_name=f"snapshot_{sid}{suffix}",
            mime=mime,
            key=state.download_key(where, sid, what),
            on_click="ignore",
            width="stretch",
        )


def _show_saved(lang: Lang) -> None:
    saved = st.session_state.get(state.SHARE_SAVED)
    if not saved:
        return
    snapshot_id, token, page = saved
    url = ui_snapshot.permalink(snapshot_id, page)
    st.success(tr("share_saved", lang))
    st.caption(tr("share_link", lang))
    st.code(url, language=None)  # Streamlit's code block has a copy button
    st.image(_qr_png(url), caption=tr("share_qr", lang), width=160)
    st.caption(tr("share_token", lang))
    st.code(token, language=None)
    try:
        snap = open_store().get(snapshot_id)
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        return
    download_buttons(snap, lang, where="share")


def share_panel(page: Page, choices: PageChoices, lang: Lang) -> None:
    """Draw 分享 / Share: title, note, author → save → permalink, QR code, token, downloads."""
    with st.expander(tr("share", lang), expanded=bool(st.session_state.get(state.SHARE_SAVED))):
        st.caption(tr("share_intro", lang))
        with st.form(f"share_form_{page}", clear_on_submit=False, border=False):
            title = st.text_input(
                tr("share_title", lang), max_chars=TITLE_MAX, key=state.SHARE_TITLE
            )
            note = st.text_area(tr("share_note", lang), max_chars=NOTE_MAX, key=state.SHARE_NOTE)
            author = st.text_input(
                tr("share_author", lang), max_chars=AUTHOR_MAX, key=state.SHARE_AUTHOR
            )
            submitted = st.form_submit_button(tr("share_save", lang), type="primary")
        if submitted:
            try:
                snap = ui_snapshot.capture(
                    page, choices, title=title, note=note, author=author, lang=lang
                )
                saved = open_store().save(snap)
            except PlanningMapError as exc:
                st.error(in_language(str(exc), lang))
            else:
                st.session_state[state.SHARE_SAVED] = (saved.snapshot_id, saved.delete_token, page)
                _thumbnail_later(saved.snapshot_id)
        _show_saved(lang)


def _thumbnail_later(snapshot_id: str) -> None:
    """Render the snapshot's thumbnail in a process of its own (the save does not wait).

    A thread waits for the process, so it is reaped when done.
    """
    if not settings.thumbnails_on():
        return
    command = [sys.executable, "-m", "share", "thumbnail", snapshot_id]
    threading.Thread(
        target=subprocess.run,
        args=(command,),
        kwargs={"cwd": _ROOT, "capture_output": True, "check": False, "timeout": 300},
        daemon=True,
    ).start()


# --- opening a permalink -----------------------------------------------------------------------


def open_from_address() -> Snapshot | None:
    """Open the snapshot named in the address (once per id); return it while it is open.

    On the first run with a new ``?snapshot=`` id the snapshot's layers and
    choices are written into the session (:func:`ui.snapshot.restore`). A
    malformed or unknown id, or one from a newer app, is kept as a message
    for the page to show.
    """
    wanted = st.query_params.get(SNAPSHOT_PARAM)
    if not wanted:
        st.session_state.pop(state.SNAPSHOT_OPEN, None)
        st.session_state.pop(state.SNAPSHOT_ERROR, None)
        return None
    try:
        snap = open_store().get(str(wanted))
    except SnapshotNotFoundError:
        st.session_state[state.SNAPSHOT_ERROR] = "not_found"
        return None
    except PlanningMapError as exc:
        st.session_state[state.SNAPSHOT_ERROR] = str(exc)
        return None
    st.session_state.pop(state.SNAPSHOT_ERROR, None)
    if st.session_state.get(state.SNAPSHOT_OPEN) != snap.snapshot_id:
        ui_snapshot.restore(snap)
        st.session_state[state.SNAPSHOT_OPEN] = snap.snapshot_id
    return snap


def _leave() -> None:
    st.query_params.pop(SNAPSHOT_PARAM, None)
    st.session_state.pop(state.SNAPSHOT_OPEN, None)


def page_top(page: Page, lang: Lang, title: str, intro: str = "") -> None:
    """Draw a page's title and intro, then the banner of the snapshot it shows (if any)."""
    layout.page_header(title, intro)
    snapshot_banner(page, lang)


def snapshot_banner(page: Page, lang: Lang) -> None:
    """Show the open snapshot's title, note, provenance, data status and saved figures."""
    error = st.session_state.get(state.SNAPSHOT_ERROR)
    if error:
        st.warning(
            tr("snapshot_not_found", lang) if error == "not_found" else in_language(error, lang)
        )
        st.button(tr("snapshot_close", lang), on_click=_leave, key=state.SNAPSHOT_LEAVE_ERROR)
        return
    snap = open_from_address()
    if snap is None or snap.page != page:
        return
    with st.container(border=True):
        st.markdown(f"**{tr('snapshot_banner', lang)} · {plain(snap.title)}**")
        when = snap.created_at.replace("T", " ").replace("+00:00", " UTC")
        by = (
            tr("snapshot_by", lang, author=plain(snap.author), when=when)
            if snap.author
            else tr("snapshot_at", lang, when=when)
        )
        st.caption(
            f"{by} · {tr('internal_use', lang)} · {tr('sheet_snapshot_id', lang)}: "
            f"{snap.snapshot_id}"
        )
        st.info(tr("snapshot_read_only", lang))
        if snap.note:
            st.markdown(plain(snap.note))
        missing = _missing_uploads(snap)
        if missing:
            st.warning(tr("snapshot_layers_missing", lang, kinds=", ".join(missing)))
        changed = ui_snapshot.changed_layers(snap)
        if changed:
            names = ("、" if lang == "zh" else ", ").join(layer_kind(k).name(lang) for k in changed)
            st.warning(tr("snapshot_data_changed", lang, layers=plain(names)))
            if st.button(tr("snapshot_recompute", lang), key=state.SNAPSHOT_RECOMPUTE):
                _recompute(snap, lang)
        else:
            st.caption(tr("snapshot_data_same", lang))
        st.button(tr("snapshot_close", lang), on_click=_leave, key=state.SNAPSHOT_LEAVE)


def viewing(page: Page) -> Snapshot | None:
    """Return the snapshot this page shows from its permalink (read-only), if any."""
    snap = open_from_address() if st.session_state.get(state.SNAPSHOT_OPEN) else None
    return snap if snap is not None and snap.page == page else None


def saved_figures(page: Page, lang: Lang) -> None:
    """Show the open snapshot's saved figures (beside the map; below it on a phone)."""
    snap = viewing(page)
    if snap is None:
        return
    st.markdown(f"**{tr('snapshot_saved_figures', lang)}**")
    for fig in snap.figures:
        st.caption(plain(fig.title(lang)))
        st.dataframe(figure_frame(fig, lang), hide_index=True, width="stretch")


def editable(page: Page) -> bool:
    """Whether ``page`` offers its editing panels (not while it shows a snapshot)."""
    return viewing(page) is None


def side(page: Page, choices: PageChoices, lang: Lang) -> None:
    """Draw the side column's sharing part: a snapshot's saved figures, then 分享 / Share."""
    saved_figures(page, lang)
    share_panel(page, choices, lang)


def _missing_uploads(snap: Snapshot) -> list[str]:
    from geo.store.local import stored_layers  # noqa: PLC0415

    have = {layer.content_hash for layer in stored_layers()}
    return [kind for kind, content in snap.uploads.items() if content not in have]


def _recompute(snap: Snapshot, lang: Lang) -> None:
    """Save the same view with the current data as a new snapshot, and open it."""
    choices = ui_snapshot.choices_from(snap.page, dict(snap.choices))
    try:
        new = ui_snapshot.capture(
            snap.page,
            choices,
            title=snap.title,
            note=snap.note,
            author=snap.author,
            lang=lang,
            view=snap.view,
        )
        saved = open_store().save(new)
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        return
    st.session_state[state.SHARE_SAVED] = (saved.snapshot_id, saved.delete_token, snap.page)
    st.query_params[SNAPSHOT_PARAM] = saved.snapshot_id
    st.rerun()
