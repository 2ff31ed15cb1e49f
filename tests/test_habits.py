"""Project habits that a test keeps: lint, layering, notebooks without outputs or logic."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "dashboards", "surveylab")
    for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def test_ruff_is_clean():
    proc = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", str(ROOT)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_layer_contracts_hold():
    """Every import-linter contract of pyproject.toml is kept: the layers (imports point down
    only), and calc, models, units, parsers, exporters and auth import no database/UI/notebook
    code."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    assert any(c["type"] == "layers" for c in contracts)
    proc = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken" in proc.stdout


def test_there_are_notebooks_to_check():
    names = {p.name for p in NOTEBOOKS}
    assert {"runs.ipynb", "upload.ipynb", "survey_report.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs", []) == [], f"cell {i} has outputs"
            assert cell.get("execution_count") is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_holds_no_logic(path):
    """No def or class in notebooks: logic lives in the package where it is tested."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse(source)
        bad = [
            n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))
        ]
        assert not bad, f"cell {i} defines {type(bad[0]).__name__}"


def test_cli_help_lists_the_commands(capsys):
    from surveylab.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in (
        "compute",
        "inspect",
        "export",
        "db",
        "users",
        "login",
        "runs",
        "import",
        "history",
        "report",
        "report-batch",
        "serve",
    ):
        assert command in out, command


def test_cli_failure_is_one_error_line_without_traceback(capsys, tmp_path):
    from surveylab.cli import main

    missing = tmp_path / "nope.csv"
    code = main(["inspect", str(missing)])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert "nope.csv" in err


#: Citations a reader of the repository cannot open: the project's issue tracker numbers, the
#: design notes kept outside the repository. Cite published standards, papers or files inside
#: the repository instead.
UNOPENABLE_CITATIONS = re.compile(
    r"\bissue\s*#?\d+|DOMAIN\.md|ARCHITECTURE\.md|\.\./shared|\bthe seed\b|\bseed's\b",
    re.IGNORECASE,
)


def test_code_cites_only_what_a_reader_can_open():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in ("surveylab", "bench", "scripts")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNOPENABLE_CITATIONS.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_citation_rule_sees_what_it_forbids():
    for text in ("# issue 3: fast", "(DOMAIN.md)", "see ../shared/x", "the seed's design"):
        assert UNOPENABLE_CITATIONS.search(text)
    assert not UNOPENABLE_CITATIONS.search("ISCWSA eBook 22.1; SPE 84246; README")
