"""Report content prepared by the renderer for the notebook's kernel: handed over whole, used only
for exactly the notebook's parameters, and the kernel builds the report itself otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from surveylab.reports import render as reporting
from surveylab.reports.content import (
    PreparedReport,
    survey_parameters,
    wait_prepared,
    well_parameters,
    write_failed,
    write_prepared,
)
from tests.conftest import REPO_ROOT

SURVEY = survey_parameters("R-1", None, "ft", 30.0)
SECTIONS = {"title": "<h1>T</h1>", "listing": "<table>L</table>"}


def test_the_notebooks_entry_point_imports_nothing_heavy() -> None:
    code = (
        "import sys, surveylab.reports.content\n"
        "heavy = [m for m in ('numpy', 'pandas', 'sqlalchemy', 'duckdb', 'matplotlib', "
        "'plotly', 'surveylab.session') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == ""


def test_prepared_content_is_used_for_exactly_its_parameters(tmp_path: Path) -> None:
    path = tmp_path / "content.json"
    write_prepared(path, "survey", SURVEY, SECTIONS)
    assert not path.with_name("content.json.part").exists()
    got = wait_prepared(path, "survey", survey_parameters("R-1", None, "ft", 30.0), 1.0)
    assert isinstance(got, PreparedReport)
    assert got.html("title") == "<h1>T</h1>" and got.html("listing") == "<table>L</table>"
    with pytest.raises(KeyError, match="prepared survey report has no section 'figures'"):
        got.html("figures")
    # anything else: the kernel builds the report itself
    for kind, params in [
        ("survey", survey_parameters("R-1", 2, "ft", 30.0)),
        ("survey", survey_parameters("R-1", None, "m", 30.0)),
        ("survey", survey_parameters("R-1", None, "ft", None)),
        ("survey", survey_parameters("R-2", None, "ft", 30.0)),
        ("well", well_parameters("R-1", "ft", 30.0)),
    ]:
        assert wait_prepared(path, kind, params, 1.0) is None, params


def test_failed_late_missing_or_malformed_content(tmp_path: Path) -> None:
    failed = tmp_path / "failed.json"
    write_failed(failed, "ServiceError: no such run")
    assert wait_prepared(failed, "survey", SURVEY, 1.0) is None

    start = time.monotonic()
    assert wait_prepared(tmp_path / "never.json", "survey", SURVEY, 0.2) is None
    assert 0.2 <= time.monotonic() - start < 5

    for text in ("{not json", "[1, 2]", json.dumps({"kind": "survey", "parameters": SURVEY})):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        assert wait_prepared(bad, "survey", SURVEY, 1.0) is None, text
    bad.write_text(json.dumps({"kind": "survey", "parameters": SURVEY, "sections": {"title": 3}}))
    assert wait_prepared(bad, "survey", SURVEY, 1.0) is None

    late = tmp_path / "late.json"
    writer = threading.Timer(0.2, write_prepared, (late, "survey", SURVEY, SECTIONS))
    writer.start()
    try:
        got = wait_prepared(late, "survey", SURVEY, 10.0)
    finally:
        writer.join()
    assert got is not None and got.html("title") == "<h1>T</h1>"


def test_the_report_kernel_displays_prepared_sections(tmp_path: Path) -> None:
    """A real papermill kernel runs the survey report notebook on prepared content: no token,
    no database, the sections shown in the notebook's order."""
    sections = {name: f"<p>section {name} here</p>" for name in _survey_sections()}
    params = {"run": "R-1", "revision": None, "units": "ft", "vs_azimuth": 30.0}
    content = tmp_path / "content.json"
    write_prepared(content, "survey", SURVEY, sections)
    out = reporting.execute_notebook(
        reporting.TEMPLATES["survey"], {**params, "format": "html"}, "", tmp_path, content
    )
    page = reporting.notebook_to_html(out, "t")
    shown = [page.index(f"section {name} here") for name in _survey_sections()]
    assert shown == sorted(shown)


def test_without_content_the_kernel_builds_and_a_failure_names_the_cell(
    tmp_path: Path, monkeypatch
) -> None:
    """Content that failed: the kernel builds the report itself; without a token that fails in
    the cell after papermill's parameters, named."""
    monkeypatch.delenv("SURVEYLAB_TOKEN_FILE", raising=False)
    content = tmp_path / "content.json"
    write_failed(content, "anything")
    params = {"run": "R-1", "revision": None, "units": "ft", "vs_azimuth": 30.0}
    refused = r"failed in cell 3: RuntimeError: not authenticated"
    with pytest.raises(reporting.ReportError, match=refused):
        reporting.execute_notebook(reporting.TEMPLATES["survey"], params, "", tmp_path, content)


def _survey_sections() -> tuple[str, ...]:
    from surveylab.reports.survey import SurveyReport

    return SurveyReport.SECTIONS
