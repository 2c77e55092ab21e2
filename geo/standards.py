"""Read the park standards settings file (``data/settings/park_standards.json``).

Only the reading lives here; :func:`analysis.standards.standards_from_dict`
validates the content (so ``analysis/`` reads no files and ``geo/`` imports no
analysis).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geo.errors import StandardError
from geo.paths import STANDARDS_PATH

__all__ = ["read_standards_file"]


def read_standards_file(path: Path = STANDARDS_PATH) -> dict[str, Any]:
    """Return the standards file as a dict; a broken file gives a bilingual error.

    Pass the result to :func:`analysis.standards.standards_from_dict`.
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        msg = f"无法读取标准设置文件 {Path(path).name}。 / Cannot read {Path(path).name}: {exc}"
        raise StandardError(msg) from exc
    if not isinstance(raw, dict):
        msg = f"标准设置文件 {Path(path).name} 格式错误。 / {Path(path).name} is not a JSON object."
        raise StandardError(msg)
    return raw
