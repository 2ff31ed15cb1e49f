"""The walking skeleton through the service layer: CSV -> parse -> compute -> store -> read back."""

from __future__ import annotations

import numpy as np
import pytest

from surveylab.auth import PermissionDenied
from surveylab.calc import compute_trajectory
from surveylab.demo import vendor_csv, well_profile
from surveylab.repositories import UnitOfWork
from surveylab.services import runs, surveys


def test_import_stores_the_computed_trajectory(settings, people):
    eng = people["engineer"]
    run = runs.create_run(
        UnitOfWork(settings), eng, run_number="R1", run_name="Run one", run_type="MWD"
    )
    st = well_profile("J", azimuth=30.0)
    content = vendor_csv(st, well="W", run="R1", tool="MWD")
    result = surveys.import_survey(
        UnitOfWork(settings), eng, run="R1", content=content, file_name="r1.csv"
    )
    assert result.survey.revision == 1 and not result.duplicate
    _, _survey, stored = surveys.load_survey(UnitOfWork(settings), people["viewer"], run.id)
    # independent recomputation of the same stations (tie-on row at MD 0 included)
    md = np.r_[0.0, st["md"]]
    inc = np.r_[0.0, st["inc"]]
    azi = np.r_[0.0, st["azi"]]
    traj = compute_trajectory(md, inc, azi, depth_unit="m")
    assert len(stored) == len(md)
    np.testing.assert_allclose(stored["tvd"], traj.tvd, rtol=0, atol=1e-9)
    np.testing.assert_allclose(stored["north"], traj.north, rtol=0, atol=1e-9)
    np.testing.assert_allclose(stored["dls"], traj.dls, rtol=0, atol=1e-9)
    # the same bytes again: recognised, not stored twice
    again = surveys.import_survey(
        UnitOfWork(settings), eng, run="R1", content=content, file_name="r1-copy.csv"
    )
    assert again.duplicate and again.survey.revision == 1
    with UnitOfWork(settings) as uow:
        assert len(uow.files.for_run(run.id)) == 1


def test_viewer_cannot_import_and_the_refusal_is_audited(settings, people):
    runs.create_run(UnitOfWork(settings), people["engineer"], run_number="R2", run_name="Two")
    content = vendor_csv(well_profile("S"), well="W", run="R2", tool="Gyro")
    with pytest.raises(PermissionDenied):
        surveys.import_survey(
            UnitOfWork(settings), people["viewer"], run="R2", content=content, file_name="x.csv"
        )
    with UnitOfWork(settings) as uow:
        denied = uow.audit.list(outcome="denied")
        assert any(e.actor_name == "viewer" and e.action == "import surveys" for e in denied)
        run = uow.runs.by_number("R2")
        assert run.current_survey_id is None
        assert uow.files.for_run(run.id) == []
