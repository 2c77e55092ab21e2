"""Session-state keys are defined once, in ui.state, and never collide."""

from __future__ import annotations

import re
from pathlib import Path

from ui import state

UI = Path(__file__).resolve().parent.parent / "ui"


def test_every_key_is_distinct():
    keys = {
        name: value
        for name, value in vars(state).items()
        if name.isupper() and isinstance(value, str) and not name.startswith("_")
    }
    values = [v for n, v in keys.items() if n not in {"ALL_CLUSTERS", "BUNDLED", "OSM"}]
    assert len(values) == len(set(values)), sorted(values)


def test_pages_write_no_key_literals():
    """Widgets' keys come from ui.state (tests import the same names)."""
    offenders = []
    for path in sorted(UI.glob("*.py")):
        if path.name == "state.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            literal_key = re.search(r"\bkey=\s*f?[\"']", line)
            key_constant = re.search(r"^[A-Z_]+ = [\"'][a-z_]+[\"']$", line)
            if literal_key or key_constant:
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_no_text_is_defined_twice():
    """A label key written twice would silently show only the later text."""
    import ast

    import layers.labels

    tree = ast.parse(Path(layers.labels.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
