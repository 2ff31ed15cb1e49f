"""The reports' QC and status (survey report) and definitive surveys (well report), as content
without rendering (the notebooks display these sections; rendering: test_report_rendering)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import settings_for
from tests.sensor_frames import survey_with_raw_readings

REF = {"Reference Btotal": "50000 nT", "Reference Dip": "60 deg", "Reference Gtotal": "1 g"}


@pytest.fixture
def sessions(tmp_path):
    from surveylab import db
    from surveylab.models import Role
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts
    from surveylab.session import Session

    settings = settings_for(None, tmp_path)
    db.upgrade(settings)
    for name, role in (("sue", Role.SURVEYOR), ("eng", Role.ENGINEER)):
        accounts.ensure_user(UnitOfWork(settings), name, f"{name}-password-123", role)
    return {n: Session.login(n, f"{n}-password-123", settings) for n in ("sue", "eng")}


def _raw(bad: int | None = None) -> bytes:
    md = 100.0 + 30.0 * np.arange(12)
    b = np.full(12, 50_000.0)
    if bad is not None:
        b[bad] -= 700.0
    return survey_with_raw_readings(md, np.linspace(1, 25, 12), np.full(12, 70.0),
                                    np.zeros(12), btotal=b, header=REF)  # fmt: skip


def test_the_survey_report_shows_status_and_qc(sessions) -> None:
    from surveylab.reports.survey import SurveyReport

    sue, eng = sessions["sue"], sessions["eng"]
    sue.create_well("W-R")
    sue.create_run("R1", "R1", "MWD", well="W-R")
    sue.import_file(_raw(bad=6), "R1", name="r1.csv")
    rep = SurveyReport.build("R1", session=eng)
    assert "qc" in rep.SECTIONS and rep.SECTIONS.index("qc") < rep.SECTIONS.index("listing")
    title = rep.html("title")
    assert "Status: QC_FAILED by sue" in title and "QC: fail." in title
    qc = rep.html("qc")
    assert "Quality control" in qc and "Reference field (file)" in qc
    assert "file header &#x27;Reference Btotal&#x27;" in qc or "Reference Btotal" in qc
    assert "Stations outside the limits (1)" in qc and "280.00" in qc
    assert "<svg" in qc and "dBtotal [nT]" in qc
    assert "Status history" in qc and "qc_failed" in qc
    eng.approve("R1", note="interference known", override_qc=True)
    again = SurveyReport.build("R1", session=eng)
    assert "Status: APPROVED by eng" in again.html("title")
    assert "QC override: interference known" in again.html("title")
    assert ">approved</td></tr>" in again.html("history")


def test_a_revision_without_raw_readings_says_so_in_its_report(sessions) -> None:
    from surveylab.demo import vendor_csv, well_profile
    from surveylab.reports.survey import SurveyReport

    sue = sessions["sue"]
    sue.create_run("G1", "G1", "Gyro")
    sue.import_file(vendor_csv(well_profile("J"), well="W", run="G1", tool="Gyro"), "G1",
                    name="g1.csv")  # fmt: skip
    rep = SurveyReport.build("G1", session=sessions["eng"])
    assert "Status: DRAFT" in rep.html("title") and "QC: not checked" in rep.html("title")
    qc = rep.html("qc")
    assert "no raw sensor readings" in qc and "<svg" not in qc


def test_the_well_report_lists_each_wellbores_definitive_survey(sessions) -> None:
    from surveylab.reports.well import WellReport

    sue, eng = sessions["sue"], sessions["eng"]
    sue.create_well("W-D")
    sue.create_run("A1", "A1", "MWD", well="W-D")
    sue.import_file(_raw(), "A1", name="a1.csv")
    eng.approve("A1", note="ok")
    sue.create_wellbore("W-D", "ST1", parent="main", kickoff_md=200.0, depth_unit="m")
    eng.compose_definitive("W-D", intervals=["A1:100:430"], note="first program")
    rep = WellReport.build("W-D", session=eng)
    html = rep.html("definitive")
    assert "main: DEFINITIVE survey, version 1" in html and "first program" in html
    assert ">A1</td>" in html and ">MWD</td>" in html and ">definitive</td>" in html
    assert "ST1 (sidetrack of main at MD 200 m)" in html and "No definitive survey" in html
    assert "MD from [m]" in html and "Last station: MD 430.00" in html
