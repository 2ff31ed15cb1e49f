"""The survey report's position-uncertainty section: ellipses on the plan view and section
(sigma and plane written on them) and the minimum separation factor against the well's other
runs, or a one-line note when the run has no tool code."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.conftest import settings_for

HEADER = (
    "Survey Date: 2021-05-03\nAzimuth Reference: True North\nDeclination: -1.5 deg\n"
    "Reference Btotal: 50210 nT\nReference Dip: 72.1 deg\nLatitude: 58.44\nLongitude: 1.95\n"
    "Depth Units: m\n"
)
MD = 30.0 * np.arange(41)  # 0 .. 1200 m
INC = np.clip((MD - 300.0) / 30.0 * 2.0, 0.0, 45.0)


def _listing(azi: float) -> bytes:
    rows = [f"{m!r},{i!r},{azi!r}" for m, i in zip(MD.tolist(), INC.tolist(), strict=True)]
    return (HEADER + "MD,Inc,Azi\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def session(tmp_path):
    from surveylab import db
    from surveylab.models import Role
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts
    from surveylab.session import Session

    settings = settings_for(None, tmp_path)
    db.upgrade(settings)
    accounts.ensure_user(UnitOfWork(settings), "sue", "sue-password-123", Role.SURVEYOR)
    sue = Session.login("sue", "sue-password-123", settings)
    sue.create_well("W-U")
    for number, kind, azi in (("R1", "MWD", 40.0), ("R2", "MWD", 220.0), ("R3", "Unknown", 130.0)):
        sue.create_run(number, number, kind, well="W-U")
        sue.import_file(_listing(azi), number, name=f"{number}.csv")
    return sue


@pytest.mark.parametrize("units", ["m", "ft"])
def test_the_section_draws_the_ellipses_and_the_minimum_sf_table(session, units) -> None:
    from surveylab.calc.uncertainty import spaced_stations
    from surveylab.reports.survey import SurveyReport

    rep = SurveyReport.build("R1", units=units, session=session)
    names = rep.SECTIONS
    assert names.index("figures") < names.index("uncertainty") < names.index("findings")
    html = rep.html("uncertainty")
    assert html.count("<svg") == 2
    n = len(spaced_stations(MD))
    assert len(set(re.findall(r'id="plan-ellipse-(\d+)"', html))) == n
    assert len(set(re.findall(r'id="section-ellipse-(\d+)"', html))) == n
    assert "2-sigma ellipses, horizontal plane (true north)" in html
    assert "2-sigma ellipses, vertical section plane" in html
    assert "tool code MWD (run type MWD)" in html
    # the table: R2 computed (R3 has no tool code: skipped, with the reason)
    doc = session.clearance("R1", scope="well").to_dict()
    [r2] = doc["offsets"]
    assert r2["offset"] == "R2" and doc["skipped"][0]["offset"] == "R3"
    scale = 1.0 if units == "m" else 1.0 / 0.3048
    rows, rule, skipped = rep.clearance_rows()
    assert rows == [["R2", r2["model"], f"{r2['min_sf']:.2f}", f"{r2['md_at_min'] * scale:.2f}",
                     f"{r2['ctc_at_min'] * scale:.2f}"]]  # fmt: skip
    for cell in rows[0]:
        assert f">{cell}</td>" in html
    u = {"m": "m", "ft": "ft"}[units]
    assert f"MD at min [{u}]" in html and f"C-C at min [{u}]" in html and "Min SF [-]" in html
    assert "k = 3.5" in rule and [s["offset"] for s in skipped] == ["R3"]
    assert "R3: run R3 is of type Unknown" in html
    # two wells from one wellhead, opposite directions: the SF grows away from the surface
    assert r2["md_at_min"] < 100.0 and r2["min_sf"] < 1.0


def test_a_run_without_a_tool_code_gets_a_one_line_note(session) -> None:
    from surveylab.reports.survey import SurveyReport

    html = SurveyReport.build("R3", session=session).html("uncertainty")
    assert "<svg" not in html and "<table" not in html
    assert "Omitted: run R3 is of type Unknown: no tool code follows from it" in html
    assert html.count("<p") == 1
