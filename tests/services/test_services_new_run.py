"""A run created with its first import (``import_survey(run=NewRun(...))``): one transaction, so
a refused first file leaves no empty run behind, and a good one leaves the run and revision 1."""

from __future__ import annotations

import pytest

from surveylab.auth import PermissionDenied
from surveylab.demo import vendor_csv, well_profile
from surveylab.parsers import SurveyFileError
from surveylab.repositories import UnitOfWork
from surveylab.services import ServiceError, runs, surveys
from surveylab.services.runs import NewRun


def _good() -> bytes:
    return vendor_csv(well_profile("J"), well="W", run="N", tool="MWD")


def _bad_inclination() -> bytes:
    st = well_profile("J")
    st.loc[4, "inc"] = 200.0  # refused by the calculation gate
    return vendor_csv(st, well="W", run="N", tool="MWD")


def _import(settings, actor, content: bytes, new: NewRun):
    return surveys.import_survey(
        UnitOfWork(settings), actor, run=new, content=content, file_name="first.csv"
    )


def _run_count(settings) -> int:
    with UnitOfWork(settings) as uow:
        return uow.runs.count()


def _audit(settings, action: str) -> list:
    with UnitOfWork(settings) as uow:
        return uow.audit.list(outcome="ok", action=action)


def test_a_good_first_file_creates_the_run_with_revision_1(settings, people):
    well = runs.create_well(UnitOfWork(settings), people["surveyor"], well_name="Well N")
    res = _import(
        settings, people["surveyor"], _good(), NewRun("N-1", "first run", "MWD", "Well N")
    )
    assert res.survey.revision == 1 and not res.duplicate
    run = runs.get_run(UnitOfWork(settings), people["surveyor"], "N-1")
    assert (run.run_name, run.run_type, run.well_id) == ("first run", "MWD", well.id)
    assert run.user_id == people["surveyor"].id
    assert run.current_survey_id == res.survey.id and run.current_revision == 1
    assert len(_audit(settings, "create run")) == 1
    assert len(_audit(settings, "import survey")) == 1


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (lambda: b"MD [m],Inc [deg],Azi [deg]\n0,0,0\n100,1O.5,5\n", SurveyFileError),
        (_bad_inclination, ServiceError),
        (lambda: b"", SurveyFileError),
    ],
    ids=["unreadable-number", "calculation-gate", "empty"],
)
def test_a_refused_first_file_leaves_no_run(settings, people, content, error):
    with pytest.raises(error):
        _import(settings, people["engineer"], content(), NewRun("N-2", "never", "Gyro"))
    assert _run_count(settings) == 0
    assert _audit(settings, "create run") == []
    # the same new run with a good file afterwards: created then, as revision 1
    res = _import(settings, people["engineer"], _good(), NewRun("N-2", "now", "Gyro"))
    assert res.run.run_number == "N-2" and res.survey.revision == 1
    assert _run_count(settings) == 1


def test_a_taken_number_or_a_bad_type_refuses_the_file_and_creates_nothing(settings, people):
    runs.create_run(UnitOfWork(settings), people["engineer"], run_number="N-3", run_name="x")
    with pytest.raises(ServiceError, match="N-3"):
        _import(settings, people["surveyor"], _good(), NewRun("N-3", "again", "MWD"))
    with pytest.raises(ServiceError, match="run type must be one of"):
        _import(settings, people["surveyor"], _good(), NewRun("N-4", "typo", "MDW"))
    assert _run_count(settings) == 1
    with UnitOfWork(settings) as uow:
        assert uow.surveys.for_run(uow.runs.by_number("N-3").id) == []


def test_a_viewer_creates_no_run_and_the_refusal_is_audited(settings, people):
    with pytest.raises(PermissionDenied):
        _import(settings, people["viewer"], _good(), NewRun("N-5", "viewer's", "MWD"))
    assert _run_count(settings) == 0
    with UnitOfWork(settings) as uow:
        denied = uow.audit.list(outcome="denied", action="create runs")
    assert len(denied) == 1 and denied[0].actor_name == "viewer"
