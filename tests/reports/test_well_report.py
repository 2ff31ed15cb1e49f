"""WellReport content without rendering: which run is the reference, which comparisons apply,
what is skipped and why, units. (Rendering is tested in test_report_rendering.)"""

from __future__ import annotations

import pytest

from tests.conftest import settings_for


@pytest.fixture
def admin(tmp_path):
    from surveylab import db
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts
    from surveylab.session import Session

    settings = settings_for(None, tmp_path)
    db.upgrade(settings)
    accounts.ensure_user(UnitOfWork(settings), "boss", "boss-password-123", "Admin")
    return Session.login("boss", "boss-password-123", settings)


def _add(session, well, number, run_type, *, seed, noise=0.0, reference="true north", unit="m"):
    from surveylab.demo import vendor_csv, well_profile
    from surveylab.models import DepthUnit

    run = session.create_run(number, f"{well} {number}", run_type, well=well)
    content = vendor_csv(
        well_profile("J", azimuth=40.0, noise_deg=noise, seed=seed),
        well=well,
        run=number,
        tool=run_type,
        depth_unit=DepthUnit(unit),
    ).replace(b"true north", reference.encode())
    session.import_file(content, run.id, name=f"{number}.csv")
    return run


def test_gyro_run_is_the_reference_and_tolerances_apply_to_gyro_pairs(admin) -> None:
    from surveylab.reports.well import WellReport

    admin.create_well("W-1")
    _add(admin, "W-1", "R1", "MWD", seed=1, noise=0.05)
    _add(admin, "W-1", "R2", "Gyro", seed=2)
    _add(admin, "W-1", "R3", "GTL", seed=3, noise=0.03)
    admin.create_run("R4", "W-1 R4", "Gyro", well="W-1")  # no survey
    rep = WellReport.build("W-1", session=admin)
    assert rep.reference is not None and rep.reference.view.run.run_number == "R2"
    assert rep.has_gyro_reference
    by_run = {c.run.run_number: c for c in rep.comparisons}
    assert set(by_run) == {"R1", "R3"}
    assert by_run["R3"].tolerance_applies and by_run["R3"].verdict == "pass"
    assert not by_run["R1"].tolerance_applies
    assert by_run["R1"].verdict.endswith("(information only)")
    assert [(r.run_number, why) for r, why in rep.skipped] == [("R4", "no survey imported")]
    frame = rep.comparison_frame()
    assert list(frame["run"]) == ["R1", "R3"]
    assert (frame["max_distance"] > 0).all()
    html = rep.comparison_html() + rep.differences_html() + rep.provenance_html()
    assert "R4" in html and "no survey imported" in html
    assert "MD [m]" in html


def test_without_a_gyro_run_the_first_run_is_the_reference(admin) -> None:
    from surveylab.reports.well import WellReport

    admin.create_well("W-2")
    _add(admin, "W-2", "M1", "MWD", seed=1)
    _add(admin, "W-2", "M2", "MWD", seed=2, noise=0.05)
    rep = WellReport.build("W-2", session=admin, units="ft")
    assert rep.reference.view.run.run_number == "M1"
    assert not rep.has_gyro_reference
    assert "no Gyro run" in rep.comparison_html()
    # lengths in feet: the last station (2580 m) and the differences
    assert rep.surveys[0].stations["md"].iloc[-1] == pytest.approx(2580 / 0.3048)
    assert "MD [ft]" in rep.differences_html()


def test_runs_on_another_north_reference_are_not_compared(admin) -> None:
    from surveylab.reports.well import WellReport

    admin.create_well("W-3")
    _add(admin, "W-3", "G1", "Gyro", seed=1)
    _add(admin, "W-3", "G2", "GTL", seed=2, reference="grid north")
    rep = WellReport.build("W-3", session=admin)
    (c,) = rep.comparisons
    assert c.comparison is None and c.verdict == "not compared"
    assert "grid" in c.note
    assert len(rep.figures()) == 3  # no differences figure without a comparison


def test_a_well_without_surveys_is_refused(admin) -> None:
    from surveylab.reports.well import WellReport
    from surveylab.services import ServiceError

    admin.create_well("Empty")
    admin.create_run("E1", "Empty E1", "Gyro", well="Empty")
    with pytest.raises(ServiceError, match="Empty has no run with a survey"):
        WellReport.build("Empty", session=admin)
    with pytest.raises(ValueError, match="units must be m, ft or usft"):
        WellReport.build("Empty", session=admin, units="km")


def test_reports_give_their_sections_by_name_in_order(admin) -> None:
    from surveylab.reports.survey import SurveyReport
    from surveylab.reports.well import WellReport

    admin.create_well("W-1")
    _add(admin, "W-1", "R1", "Gyro", seed=1)
    _add(admin, "W-1", "R2", "MWD", seed=2, noise=0.05)
    survey = SurveyReport.build("R1", session=admin)
    well = WellReport.build("W-1", session=admin)
    for report, other in ((survey, "comparison"), (well, "listing")):
        sections = report.sections()
        assert tuple(sections) == report.SECTIONS
        for name in report.SECTIONS:
            assert sections[name] == getattr(report, f"{name}_html")()
        with pytest.raises(KeyError, match=f"a {report.KIND} report has no section '{other}'"):
            report.html(other)
    assert "R1" in survey.html("title") and "R2" in well.html("comparison")
