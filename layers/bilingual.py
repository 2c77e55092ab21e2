"""One language of a bilingual message: the code raises "中文 / English", a page shows one.

The command line and the logs keep both languages; a page shows the planner's
language only (:func:`in_language`).
"""

from __future__ import annotations

import re

from layers.labels import Lang

__all__ = ["in_language"]

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_ENGLISH_WORD = re.compile(r"\b[A-Za-z]*[a-z][A-Za-z]*\b")


def _mostly_english(text: str) -> bool:
    letters = [c for c in text if not c.isspace()]
    cjk = len(_CJK.findall(text))
    return len(_ENGLISH_WORD.findall(text)) >= 2 and cjk <= 0.2 * max(len(letters), 1)


def in_language(message: str, lang: Lang) -> str:
    """Return one language of a bilingual message "中文 / English" (as the code raises them).

    The command line and the logs keep both; a page shows the planner's language
    only. A message that is not of that form is returned unchanged.

    >>> m = "请选择：WGS84 / GCJ-02 / BD-09。 / Choose: WGS84, GCJ-02 or BD-09."
    >>> in_language(m, "zh"), in_language(m, "en")
    ('请选择：WGS84 / GCJ-02 / BD-09。', 'Choose: WGS84, GCJ-02 or BD-09.')
    >>> in_language("No such file", "zh")
    'No such file'
    """
    splits = [
        i
        for i in range(len(message))
        if message.startswith(" / ", i)
        and len(_CJK.findall(message[:i])) >= 2
        and _mostly_english(message[i + 3 :])
    ]
    # Where the Chinese ends a sentence ("。", "）", a character) the English begins; a " / "
    # inside the Chinese ("WGS84 / GCJ-02") is not the split.
    ends = [i for i in splits if _CJK.match(message[i - 1])]
    if not (ends or splits):
        return message
    i = (ends or splits)[0]
    return message[:i].strip() if lang == "zh" else message[i + 3 :].strip()
