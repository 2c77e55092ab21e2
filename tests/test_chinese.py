"""Chinese all through, one language at a time (AppTest where the page decides the words)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PARKS = "ui/page_parks.py"
# An English word of three letters or more: ids, units (m², ha) and standard numbers pass.
ENGLISH = re.compile(r"\b(?!GB|MOHURD|CAUPD|TD|https?|mtoou|info|tubiao|html|shared|docs|facts|md)"
                     r"[A-Za-z]{3,}\b")  # fmt: skip


def _parks(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[state.LANG] = lang
    at.run()
    return at.switch_page(PARKS).run()


def _standard_panel(at: AppTest) -> str:
    panel = next(e for e in at.expander if "来源与各层级" in e.label or "source" in e.label)
    return "\n".join(m.value for m in panel.markdown)


def test_the_standards_sources_panel_speaks_the_chosen_language(env):
    at = _parks("zh")
    assert not at.exception
    for sid in ("green300_park500", "garden_city", "gbt51346_tiers"):
        at.selectbox(key=state.widget_key(state.PARKS_STANDARD, "zh")).select(sid).run()
        text = _standard_panel(at)
        assert "未核实" in text or "选择" in text or "引" in text, sid
        assert not ENGLISH.findall(text), (sid, ENGLISH.findall(text))
    en = _parks("en")
    en.selectbox(key=state.widget_key(state.PARKS_STANDARD, "en")).select("garden_city").run()
    assert "commonly quoted" in _standard_panel(en)
