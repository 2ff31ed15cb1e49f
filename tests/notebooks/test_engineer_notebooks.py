"""The engineers' notebooks run top to bottom against a fresh demo database (nbval).

One nbval subprocess executes all of them (the kernel start-up is the cost); each notebook's
test then checks that every one of its code cells passed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, TEST_SECRET, settings_for

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = {
    "01_explore_a_run.ipynb",
    "02_compare_runs.ipynb",
    "03_import_and_qc.ipynb",
    "04_north_references_and_units.ipynb",
}


def _code_cells(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(1 for c in nb["cells"] if c["cell_type"] == "code")


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory) -> dict[str, str]:
    """Environment of a notebook user: a fresh demo DuckDB and the engineer's token."""
    from surveylab import db, demo
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts

    data = tmp_path_factory.mktemp("nb-demo")
    settings = settings_for(None, data, SURVEYLAB_ACCESS_MINUTES="60")
    db.upgrade(settings)
    demo.load_demo(settings, echo=lambda _msg: None)
    token = accounts.login(UnitOfWork(settings), "engineer", "engineer-demo-password").access
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SURVEYLAB_") and k not in ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST")
    }
    env.update(
        SURVEYLAB_DATA_DIR=str(data),
        SURVEYLAB_SECRET_KEY=TEST_SECRET,
        SURVEYLAB_ACCESS_MINUTES="60",
        SURVEYLAB_TOKEN=token,
    )
    return env


@pytest.fixture(scope="module")
def nbval_run(demo_env) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "-p",
        "no:cacheprovider",
        "-v",
        *(str(p.relative_to(REPO_ROOT)) for p in NOTEBOOKS),
    ]
    return subprocess.run(
        cmd, cwd=REPO_ROOT, env=demo_env, capture_output=True, text=True, timeout=900
    )


def test_the_four_engineers_notebooks_exist() -> None:
    assert {p.name for p in NOTEBOOKS} >= EXPECTED


def test_nbval_passed(nbval_run) -> None:
    out = nbval_run.stdout + nbval_run.stderr
    assert nbval_run.returncode == 0, out[-4000:]
    total = sum(_code_cells(p) for p in NOTEBOOKS)
    assert re.search(rf"\b{total} passed\b", out), out[-2000:]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_of_the_notebook_passed(nbval_run, path: Path) -> None:
    # nbval names the items "notebooks/<stem>::ipynb::Cell N" (or "<stem>.ipynb::Cell N")
    stem = re.escape(f"notebooks/{path.stem}")
    passed = re.findall(rf"^{stem}(?:\.|::)ipynb::Cell \d+ PASSED", nbval_run.stdout, re.M)
    cells = _code_cells(path)
    assert cells >= 4
    assert len(passed) == cells, nbval_run.stdout[-3000:]


def test_no_token_in_the_committed_notebooks(demo_env) -> None:
    token = demo_env["SURVEYLAB_TOKEN"]
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert token not in text
        assert "SURVEYLAB_TOKEN=" not in text  # never set in a notebook
