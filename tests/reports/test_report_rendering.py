"""Report notebooks rendered by papermill for demo runs, in HTML and PDF, through render_report
and the CLI; the outputs carry the run name and the last station's TVD, never the token; every
rendering is recorded. Papermill executions are few and shared by module-scoped fixtures."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import TEST_SECRET, require_component, settings_for

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

ENV = {"SURVEYLAB_SECRET_KEY": TEST_SECRET, "SURVEYLAB_ACCESS_MINUTES": "60"}


def expected_last_tvd(kind: str, azimuth: float, seed: int) -> float:
    """Last TVD [m] of a demo survey, computed independently from the demo profile (the vendor
    file adds a tie-on row at the surface and prints angles to 2 decimals)."""
    from surveylab.calc import compute_trajectory
    from surveylab.demo import well_profile

    p = well_profile(kind, azimuth=azimuth, noise_deg=0.0, seed=seed)
    md = np.concatenate(([0.0], p["md"].to_numpy()))
    inc = np.concatenate(([0.0], p["inc"].to_numpy()))
    azi = np.concatenate(([0.0], p["azi"].to_numpy()))
    return float(compute_trajectory(md, inc, azi, depth_unit="m").tvd[-1])


def pdf_text(path: Path) -> str:
    import pypdf

    text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A fresh demo database, the environment the report kernels inherit, and sessions."""
    from surveylab import db
    from surveylab import demo as demo_data
    from surveylab.session import Session

    require_component(shutil.which("chromium") is not None, "Debian's chromium is not installed")
    data = tmp_path_factory.mktemp("reports-demo")
    settings = settings_for(None, data, SURVEYLAB_ACCESS_MINUTES="60")
    db.upgrade(settings)
    demo_data.load_demo(settings, echo=lambda _msg: None)
    mp = pytest.MonkeyPatch()
    for key in ("SURVEYLAB_TOKEN_FILE", "SURVEYLAB_DATABASE_URL", "SURVEYLAB_TOKEN"):
        mp.delenv(key, raising=False)
    mp.setenv("SURVEYLAB_DATA_DIR", str(data))
    for key, value in ENV.items():
        mp.setenv(key, value)
    engineer = Session.login("engineer", "engineer-demo-password", settings)
    admin = Session.login("admin", "admin-demo-password", settings)
    yield {"settings": settings, "engineer": engineer, "admin": admin, "data": data, "mp": mp}
    mp.undo()


@pytest.fixture(scope="module")
def kept(demo, tmp_path_factory):
    """Keep a copy of every executed notebook (render_report deletes its working folder)."""
    import surveylab.reports.render as reporting

    folder = tmp_path_factory.mktemp("executed")
    original = reporting.execute_notebook

    def keep(*args, **kwargs):
        out = original(*args, **kwargs)
        shutil.copy(out, folder / f"{len(list(folder.iterdir()))}_{out.name}")
        return out

    demo["mp"].setattr(reporting, "execute_notebook", keep)
    return folder


@pytest.fixture(scope="module")
def rendered(demo, kept, tmp_path_factory):
    """Survey report of D101 and well report of Demo J-1, each in HTML (render_report) and
    PDF (the CLI, with the token in SURVEYLAB_TOKEN)."""
    from surveylab.cli import main
    from surveylab.reports.render import render_report

    out = tmp_path_factory.mktemp("reports-out")
    s = demo["engineer"]
    survey_html = render_report(s, run="D101", fmt="html", output_dir=out)
    well_html = render_report(s, kind="well", well="Demo J-1", fmt="html", output_dir=out)
    demo["mp"].setenv("SURVEYLAB_TOKEN", s.token)
    try:
        assert main(["report", "D101", "--format", "pdf", "--output", str(out / "pdf")]) == 0
        code = main(["report-well", "Demo J-1", "--format", "pdf", "--output", str(out / "pdf")])
        assert code == 0
    finally:
        demo["mp"].delenv("SURVEYLAB_TOKEN")
    pdfs = sorted((out / "pdf").glob("*.pdf"))
    return {
        "survey_html": survey_html,
        "well_html": well_html,
        "survey_pdf": next(p for p in pdfs if p.name.startswith("D101_rev1_survey")),
        "well_pdf": next(p for p in pdfs if p.name.startswith("Demo_J-1_well")),
        "token": s.token,
    }


J1_GYRO_TVD = ("J", 35.0, 10)  # Demo J-1's Gyro run D101: profile, azimuth, seed (demo.py)


def test_survey_html_carries_run_name_and_last_tvd(rendered) -> None:
    html = rendered["survey_html"].path.read_text(encoding="utf-8")
    assert rendered["survey_html"].path.suffix == ".html"
    assert "Demo J-1 Gyro run" in html
    tvd = expected_last_tvd(*J1_GYRO_TVD)
    assert f"TVD {tvd:.2f} m" in html
    assert html.count("<svg") >= 3  # plan, section and 3-D as static images
    assert "<pre" not in html or "import " not in html  # no code cells


def test_survey_pdf_text_carries_run_name_and_last_tvd(rendered) -> None:
    text = pdf_text(rendered["survey_pdf"])
    assert "Demo J-1 Gyro run" in text
    assert f"{expected_last_tvd(*J1_GYRO_TVD):.2f}" in text


def test_well_report_html_overlays_every_run_and_compares_them(rendered) -> None:
    html = rendered["well_html"].path.read_text(encoding="utf-8")
    assert "Well report: Demo J-1" in html
    for run in ("D101", "D102", "D103"):
        assert run in html
    assert f"{expected_last_tvd(*J1_GYRO_TVD):.2f}" in html
    assert "Gyro in/out check" in html
    assert "pass (information only)" in html  # MWD against the Gyro run
    assert html.count("<svg") >= 4  # plan, section, 3-D, differences


def test_well_report_pdf_text(rendered) -> None:
    text = pdf_text(rendered["well_pdf"])
    assert "Well report: Demo J-1" in text
    assert f"{expected_last_tvd(*J1_GYRO_TVD):.2f}" in text
    assert "D103" in text


def test_no_token_in_any_output(rendered, kept) -> None:
    token = rendered["token"]
    payload = token.split(".")[1]
    executed = sorted(kept.iterdir())
    assert len(executed) >= 4
    files = [
        rendered["survey_html"].path,
        rendered["well_html"].path,
        rendered["survey_pdf"],
        rendered["well_pdf"],
        *executed,
    ]
    for path in files:
        raw = path.read_bytes()
        assert token.encode() not in raw, path.name
        assert payload.encode() not in raw, path.name
    for pdf in (rendered["survey_pdf"], rendered["well_pdf"]):
        text = pdf_text(pdf)
        assert token not in text and payload not in text


def test_reports_are_recorded(demo, rendered) -> None:
    records = demo["engineer"].reports()
    by_file = {Path(r.file_path): r for r in records}
    survey = by_file[rendered["survey_html"].path]
    assert (survey.kind, survey.format, survey.created_by_name) == ("survey", "html", "engineer")
    assert survey.run_id is not None and survey.parameters["units"] == "m"
    well = by_file[rendered["well_pdf"].resolve()]
    assert (well.kind, well.format, well.run_id) == ("well", "pdf", None)
    assert well.well_id is not None
    assert "token" not in " ".join(map(str, well.parameters))
    import hashlib

    assert survey.sha256 == hashlib.sha256(rendered["survey_html"].path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- parameters vs CLI
def _cli_options(command: str) -> dict[str, object]:
    from surveylab.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    parser = sub.choices[command]
    rename = {"output": "output_dir"}
    return {
        rename.get(a.dest, a.dest): a.default
        for a in parser._actions
        if a.dest not in ("help", "json")
    }


@pytest.mark.parametrize(
    ("template", "command"),
    [("survey_report.ipynb", "report"), ("well_report.ipynb", "report-well")],
)
def test_parameters_cell_matches_the_cli(template: str, command: str) -> None:
    import papermill

    from surveylab.reports.render import NOTEBOOKS_DIR

    params = papermill.inspect_notebook(str(NOTEBOOKS_DIR / template))
    cli = _cli_options(command)
    assert set(params) == set(cli)
    assert not any("token" in name for name in params)
    for name in ("units", "format"):
        assert params[name]["default"].strip("\"'") == cli[name]
    assert params["vs_azimuth"]["default"] == "None" and cli["vs_azimuth"] is None


# ----------------------------------------------------------------------------- batch
def test_report_batch_renders_changed_runs_and_names_the_failing_one(
    demo, rendered, tmp_path, capsys
) -> None:
    import surveylab.reports.render as reporting
    from surveylab.cli import main
    from surveylab.demo import vendor_csv, well_profile

    admin = demo["admin"]
    since = datetime.now(UTC)
    for number, seed in (("D202", 91), ("D302", 92)):
        content = vendor_csv(
            well_profile("S", azimuth=120.0, noise_deg=0.04, seed=seed),
            well="x",
            run=number,
            tool="MWD",
        )
        admin.import_file(content, number, name=f"{number}_rev2.csv")
    failing = admin.run("D302").id
    real = reporting.render_report

    def render(session, **kw):
        if kw.get("run") == str(failing):
            raise reporting.ReportError("report notebook survey_report.ipynb failed in cell 2")
        return real(session, **kw)

    demo["mp"].setattr(reporting, "render_report", render)
    demo["mp"].setenv("SURVEYLAB_TOKEN", demo["engineer"].token)
    try:
        code = main(
            ["report-batch", "--changed-since", since.isoformat(), "--output", str(tmp_path)]
        )
    finally:
        demo["mp"].setattr(reporting, "render_report", real)
        demo["mp"].delenv("SURVEYLAB_TOKEN")
    err = capsys.readouterr()
    assert code != 0
    assert "D302" in err.err and "failed" in err.err
    made = list(tmp_path.glob("*.html"))
    assert [p.name[:9] for p in made] == ["D202_rev2"]
    assert "D202" in err.out


def test_batch_refuses_an_unreadable_date(demo, capsys) -> None:
    from surveylab.cli import main

    demo["mp"].setenv("SURVEYLAB_TOKEN", demo["engineer"].token)
    try:
        code = main(["report-batch", "--changed-since", "yesterday", "--output", "x"])
    finally:
        demo["mp"].delenv("SURVEYLAB_TOKEN")
    assert code != 0
    assert "--changed-since" in capsys.readouterr().err


# ----------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"run": "D101", "fmt": "docx"}, "format must be html or pdf"),
        ({"run": "D101", "units": "yd"}, "units must be m, ft or usft"),
        ({"run": "D101", "kind": "field"}, "report kind must be survey or well"),
        ({"kind": "survey"}, "needs a run"),
        ({"kind": "well"}, "needs a well"),
    ],
)
def test_render_report_refuses_bad_requests(demo, tmp_path, kwargs, message) -> None:
    from surveylab.reports.render import ReportError, render_report

    with pytest.raises(ReportError, match=message):
        render_report(demo["engineer"], output_dir=tmp_path, **kwargs)
    assert not list(tmp_path.iterdir())


def test_report_well_names_an_unknown_well(demo, tmp_path, capsys) -> None:
    from surveylab.cli import main

    demo["mp"].setenv("SURVEYLAB_TOKEN", demo["engineer"].token)
    try:
        code = main(["report-well", "No Such Well", "--output", str(tmp_path)])
    finally:
        demo["mp"].delenv("SURVEYLAB_TOKEN")
    err = capsys.readouterr().err
    assert code != 0 and "No Such Well" in err and err.startswith("error:")


def test_report_without_a_token_is_refused(demo, tmp_path, capsys) -> None:
    from surveylab.cli import main

    assert os.environ.get("SURVEYLAB_TOKEN") is None
    code = main(["report", "D101", "--output", str(tmp_path)])
    assert code != 0 and "not authenticated" in capsys.readouterr().err


def test_token_detection_covers_the_payload() -> None:
    from surveylab.reports.render import _holds_token

    token = "aaaa." + "b" * 40 + ".cccc"
    assert _holds_token(token, "x " + token)
    assert _holds_token(token, "payload " + "b" * 40 + " only")
    assert not _holds_token(token, "nothing here", "aaaa cccc")


# ----------------------------------------------------------------------------- prepared content
def test_the_kernel_builds_the_same_report_when_the_renderer_could_not(
    demo, rendered, tmp_path, monkeypatch
) -> None:
    """The renderer prepares the sections while the kernel starts; when that fails, the
    notebook's kernel builds the report itself, and the page is the same."""
    from surveylab.reports.render import render_report
    from surveylab.reports.survey import SurveyReport

    failures: list[str] = []

    def broken(self) -> dict[str, str]:
        failures.append(self.view.run.run_number)
        raise RuntimeError("preparation broke")

    monkeypatch.setattr(SurveyReport, "sections", broken)  # in this process only
    again = render_report(demo["engineer"], run="D101", fmt="html", output_dir=tmp_path)
    assert failures == ["D101"]
    assert again.path.read_text(encoding="utf-8") == rendered["survey_html"].path.read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("browser", "message"),
    [
        (None, "PDF needs Debian's chromium"),
        ("#!/bin/sh\necho 'no display here' >&2\nexit 1\n", "chromium exited: no display here"),
    ],
)
def test_a_pdf_that_cannot_be_printed_writes_and_records_nothing(
    demo, tmp_path, monkeypatch, browser, message
) -> None:
    from surveylab.reports import chromium
    from surveylab.reports.render import ReportError, render_report

    path = None
    if browser is not None:
        path = tmp_path / "chromium"
        path.write_text(browser)
        path.chmod(0o755)
    monkeypatch.setattr(chromium, "chromium_path", lambda: None if path is None else str(path))
    before = len(demo["engineer"].reports())
    out = tmp_path / "out"
    with pytest.raises(ReportError, match=re.escape(message)):
        render_report(demo["engineer"], run="D101", fmt="pdf", output_dir=out)
    assert not out.exists() or not list(out.iterdir())
    assert len(demo["engineer"].reports()) == before
