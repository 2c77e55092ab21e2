"""The five command lines report bad input one way: one bilingual line on stderr, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import analysis.reach
import analysis.siting.cli
import geo.osm.cli
import geo.store.cli
import share.cli
from geo.cli import CommandLineParser, run_command, usage_error
from geo.errors import PlanningMapError, SnapshotNotFoundError, UsageError

ROOT = Path(__file__).resolve().parent.parent

BAD_ARGUMENTS = {
    "geo.osm": (geo.osm.cli.main, ["bogus"], "invalid choice: 'bogus'"),
    "geo.layers": (geo.store.cli.main, ["add", "parkz", "x.zip"], "invalid choice: 'parkz'"),
    "analysis.reach": (analysis.reach.main, ["--osm-cache", "c.gpkg"], "required: --out"),
    "analysis.siting": (
        analysis.siting.cli.main,
        ["--osm-cache", "c.gpkg", "--standard", "s", "--tier", "t", "--k", "two", "--out", "o"],
        "invalid int value: 'two'",
    ),
    "share": (share.cli.main, ["export"], "required: id, --format, --out"),
}


@pytest.mark.parametrize("command", list(BAD_ARGUMENTS))
def test_every_command_line_answers_a_bad_argument_with_one_bilingual_line(command, capsys):
    main, argv, said = BAD_ARGUMENTS[command]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: 参数错误 / bad arguments: ")
    assert said in err
    assert f"python -m {command}" in err  # and where to read the usage
    assert "--help" in err
    assert "Traceback" not in err


def test_a_bad_argument_exits_2_from_the_shell_too():
    done = subprocess.run(
        [sys.executable, "-m", "geo.layers", "export", "parks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: 参数错误 / bad arguments: the following arguments are required: --out "
        "(see python -m geo.layers export --help)"
    ]


def test_output_piped_into_a_reader_that_stops_gives_no_traceback():
    # ``python -m geo.layers list | head -1``: the reader closes the pipe while
    # the command still writes. The command ends quietly with 141 (128 + SIGPIPE).
    script = (
        "from geo.cli import run_command\n"
        "def body():\n"
        "    for i in range(200_000):\n"
        "        print('layer', i)\n"
        "    return 0\n"
        "raise SystemExit(run_command(body))\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        assert child.stdout.readline() == b"layer 0\n"
        child.stdout.close()
        err = child.stderr.read().decode()
        assert child.wait(timeout=60) == 141
    assert "Traceback" not in err, err
    assert "BrokenPipe" not in err, err


def test_help_still_prints_the_usage_and_exits_0(capsys):
    parser = CommandLineParser(prog="python -m x", description="Do x.")
    parser.add_argument("--k", type=int)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["--help"])
    assert exit_.value.code == 0
    assert "usage: python -m x" in capsys.readouterr().out


def test_subcommand_parsers_report_the_same_way():
    parser = CommandLineParser(prog="python -m x")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("add").add_argument("kind", choices=["parks"])
    with pytest.raises(UsageError) as raised:
        parser.parse_args(["add", "lakes"])
    assert "(see python -m x add --help)" in str(raised.value)


def test_run_command_turns_planning_errors_into_one_line_and_lets_bugs_through(capsys):
    def fails() -> int:
        msg = "第一行\n  第二行。 / Line one\n  line two."
        raise SnapshotNotFoundError(msg)

    assert run_command(fails) == 2
    assert capsys.readouterr().err == "error: 第一行 第二行。 / Line one line two.\n"

    def cannot_write() -> int:
        raise PermissionError(13, "Permission denied", "/out/x.csv")

    assert run_command(cannot_write, file_errors=True) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 无法读写文件。 / Cannot read or write a file: ")
    assert "/out/x.csv" in err
    with pytest.raises(PermissionError):
        run_command(cannot_write)  # not a file the command line named: a bug, shown as one

    def bug() -> int:
        return int("not a number")

    with pytest.raises(ValueError, match="invalid literal"):
        run_command(bug)
    assert run_command(lambda: 0) == 0
    assert run_command(lambda: 1) == 1


def test_usage_errors_name_the_value_and_the_command():
    message = "--k 必须为正数，收到 0。 / --k must be positive, got 0."
    error = usage_error(message, prog="python -m y")
    assert str(error) == (
        "参数错误 / bad arguments: --k 必须为正数，收到 0。 / --k must be positive, got 0. "
        "(see python -m y --help)"
    )
    assert isinstance(error, PlanningMapError)
    assert isinstance(error, ValueError)
