"""The house's floors go one way: no import runs back up, and only the UI imports Streamlit.

Every ``import`` statement counts, at the top of a module or inside a function (a
lazy import is still a dependency). ``docs/architecture.md`` explains the floors.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom first: a package may import its own floor and the floors below it.
FLOORS = ("geo", "analysis", "layers", "views", "share", "ui", "app")
STREAMLIT = ("streamlit", "streamlit_folium")
STREAMLIT_ALLOWED = ("ui", "app")


def _package_of(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return "app" if rel.parts == ("app.py",) else rel.parts[0]


def _imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, with the line (relative imports made absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = list(path.relative_to(root).with_suffix("").parts)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from ..y import z
                base = here[: len(here) - node.level]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            out.append((node.lineno, name))
    return out


def _sources(root: Path) -> list[Path]:
    files = [root / "app.py"] if (root / "app.py").is_file() else []
    for package in FLOORS[:-1]:
        files.extend(sorted((root / package).rglob("*.py")))
    return files


def upward_imports(root: Path) -> list[str]:
    """Return every import that runs from a package to one on a higher floor."""
    floor = {name: i for i, name in enumerate(FLOORS)}
    found = []
    for path in _sources(root):
        package = _package_of(path, root)
        for line, module in _imports(path, root):
            target = module.split(".")[0]
            if target in floor and floor[target] > floor[package]:
                found.append(f"{path.relative_to(root)}:{line}: {package} imports {module}")
    return found


def streamlit_outside_ui(root: Path) -> list[str]:
    """Return every import of Streamlit outside ``ui/`` and ``app.py``."""
    found = []
    for path in _sources(root):
        if _package_of(path, root) in STREAMLIT_ALLOWED:
            continue
        for line, module in _imports(path, root):
            if module.split(".")[0] in STREAMLIT:
                found.append(f"{path.relative_to(root)}:{line}: imports {module}")
    return found


#: "No module over about 600 lines" (issue 22): a module past this is doing two jobs.
MAX_MODULE_LINES = 650


def re_exports(root: Path) -> list[str]:
    """Return every name a module lists in ``__all__`` but only imports from elsewhere.

    A re-export is a second address for one thing: importers should name the
    module that defines it (the move left no shims behind).
    """
    found = []
    for path in _sources(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported: set[str] = set()
        exported: list[str] = []
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                imported.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                exported = list(ast.literal_eval(node.value))
        found.extend(
            f"{path.relative_to(root)}: re-exports {name}" for name in exported if name in imported
        )
    return found


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Return the names a module defines and the names it imports, at its top level."""
    defined: set[str] = set()
    imported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imported.update(a.asname or a.name for a in node.names)
    return defined, imported


def second_addresses(root: Path) -> list[str]:
    """Return every ``from M import X`` where M only imports X from elsewhere.

    Tests and benchmarks included: each thing is imported from where it is defined.
    """
    paths = _sources(root)
    for extra in ("tests", "benchmarks"):
        paths.extend(sorted((root / extra).rglob("*.py")))
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in paths}
    names = {_module_name(path, root): _top_level_names(tree) for path, tree in trees.items()}
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in names):
                continue
            defined, imported = names[node.module]
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if alias.name in imported and alias.name not in defined and submodule not in names:
                    found.append(
                        f"{path.relative_to(root)}:{node.lineno}: {alias.name} "
                        f"through {node.module}"
                    )
    return found


def long_modules(root: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """Return every module longer than ``limit`` lines."""
    found = []
    for path in _sources(root):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(root)}: {lines} lines")
    return found


def test_no_import_runs_back_up():
    offenders = upward_imports(ROOT)
    assert not offenders, "\n".join(offenders)


def test_only_the_ui_and_app_import_streamlit():
    offenders = streamlit_outside_ui(ROOT)
    assert not offenders, "\n".join(offenders)


def test_no_module_re_exports_what_another_defines():
    offenders = re_exports(ROOT)
    assert not offenders, "\n".join(offenders)


def test_everything_is_imported_from_where_it_is_defined():
    offenders = second_addresses(ROOT)
    assert not offenders, "\n".join(offenders)


def test_no_module_is_over_about_600_lines():
    offenders = long_modules(ROOT)
    assert not offenders, "\n".join(offenders)


def _house(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # A lazy import inside a function runs back up just the same.
        ({"share/x.py": "def f():\n    from ui import data\n"}, "share/x.py:2: share imports ui"),
        ({"analysis/x.py": "import layers.specs\n"}, "analysis/x.py:1: analysis imports layers"),
        ({"geo/osm/x.py": "from ..y import z\nfrom analysis import a\n"}, "geo imports analysis"),
        ({"views/x.py": "from share.model import Snapshot\n"}, "views imports share.model"),
    ],
)
def test_the_rule_sees_every_kind_of_upward_import(tmp_path, files, expected):
    found = upward_imports(_house(tmp_path, files))
    assert any(expected in line for line in found), found


def test_the_rule_sees_streamlit_imported_lazily_below_the_ui(tmp_path):
    house = _house(
        tmp_path,
        {
            "views/x.py": "def cached():\n    import streamlit as st\n",
            "ui/y.py": "import streamlit as st\n",
            "app.py": "from streamlit_folium import st_folium\n",
        },
    )
    assert streamlit_outside_ui(house) == ["views/x.py:2: imports streamlit"]


def test_the_rules_see_a_re_export_and_a_long_module(tmp_path):
    house = _house(
        tmp_path,
        {
            "geo/a.py": "def f():\n    pass\n",
            "geo/b.py": 'from geo.a import f\n\n__all__ = ["f", "g"]\n\n\ndef g():\n    f()\n',
            "analysis/c.py": "x = 1\n" * 12,
        },
    )
    assert re_exports(house) == ["geo/b.py: re-exports f"]
    house = _house(tmp_path, {"analysis/d.py": "from geo.b import f, g\n"})
    assert second_addresses(house) == ["analysis/d.py:1: f through geo.b"]
    assert long_modules(house, limit=10) == ["analysis/c.py: 12 lines"]


def test_downward_and_own_floor_imports_are_fine(tmp_path):
    house = _house(
        tmp_path,
        {
            "ui/a.py": "from views import maps\nfrom share import sheets\nfrom ui import state\n",
            "share/b.py": "from views.figures import figures_for\nimport geo.settings\n",
            "app.py": "from ui import layout\n",
        },
    )
    assert upward_imports(house) == []
