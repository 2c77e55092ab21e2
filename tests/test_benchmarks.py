"""The benchmarks' smoke check (``benchmarks/_smoke.py``) and ``make bench-smoke``'s list."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks._smoke import expect, figure, run

ROOT = Path(__file__).resolve().parent.parent


def test_a_run_whose_figures_are_all_numbers_passes_and_says_so_only_when_smoke(capsys):
    seen = []

    def main(args, *, smoke):
        seen.append((args, smoke))
        figure("pass s", 0.25)
        figure("nodes", 5559)
        figure("equal", False)  # a printed yes/no is a figure too, whatever its value
        return 0

    assert run(main, ["--copies", "2", "--smoke"]) == 0
    assert "printed its 3 figures" in capsys.readouterr().out
    assert run(main, ["--copies", "2"]) == 0
    assert capsys.readouterr().out == ""  # the full sizes print what they always did
    assert seen == [(["--copies", "2"], True), (["--copies", "2"], False)]


def test_missing_and_non_finite_figures_fail_naming_each(capsys):
    def main(args, *, smoke):
        expect("atlas s", "A4 PDF s")
        figure("A4 PDF s", float("nan"))
        figure("rss MB", float("inf"))
        figure("label", "3.2 s")

    assert run(main, ["--smoke"]) == 1
    err = capsys.readouterr().err
    assert "FAILED: figures missing or not numbers" in err
    assert "atlas s: not produced" in err
    assert "A4 PDF s: nan is not a finite number" in err
    assert "rss MB: inf is not a finite number" in err
    assert "label: '3.2 s' is not a finite number" in err


def test_an_exception_a_non_zero_exit_or_no_figure_at_all_fails(capsys):
    def raises(args, *, smoke):
        figure("first run s", 1.0)
        key = "parks_view__zh"
        raise KeyError(key)

    assert run(raises, ["--smoke"]) == 1
    err = capsys.readouterr().err
    assert "FAILED: KeyError: 'parks_view__zh'" in err
    assert "Traceback" in err

    assert run(lambda args, *, smoke: 2, []) == 2
    assert "FAILED: exit code 2" in capsys.readouterr().err

    assert run(lambda args, *, smoke: 0, ["--smoke"]) == 1
    assert "no figure was recorded" in capsys.readouterr().err


def test_a_new_run_starts_with_no_figures(capsys):
    def first(args, *, smoke):
        figure("only in the first", 1.0)

    def second(args, *, smoke):
        expect("only in the first")
        figure("other", 1.0)

    assert run(first, []) == 0
    assert run(second, []) == 1
    assert "only in the first: not produced" in capsys.readouterr().err


def test_make_bench_smoke_runs_every_benchmark_through_the_check():
    scripts = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem[0] != "_")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"^BENCHMARKS := (.+)$", makefile, re.MULTILINE)
    assert listed is not None
    assert sorted(listed.group(1).split()) == scripts
    for name in scripts:
        source = (ROOT / "benchmarks" / f"{name}.py").read_text(encoding="utf-8")
        assert "run(main, sys.argv[1:])" in source, name
        assert "smoke" in source.split("def main(", 1)[1].split(")", 1)[0], name
