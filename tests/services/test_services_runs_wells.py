"""Runs and wells use cases against real databases (DuckDB and PostgreSQL)."""

from __future__ import annotations

import pytest

from surveylab.repositories import UnitOfWork
from surveylab.services import NotFound, ServiceError, runs

#: Text that would break naively built SQL; it must be stored and found verbatim.
SQL_LOOKING = [
    "Robert'); DROP TABLE runs; --",
    "x' OR '1'='1",
    'quote " double; -- comment',
    "semi;colon /* c */ \\ backslash %_ like",
]


def test_wells_create_list_get_update_delete(settings, people):
    eng = people["engineer"]
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    well = runs.create_well(
        uow(),
        eng,
        well_name="  Alpha-1 ",
        well_type="Gas",
        crs="EPSG:23031",
        surface_x=435000.25,
        surface_y=6478000.5,
        depth_datum="RKB",
        datum_elevation=25.0,
        elevation_unit="m",
    )
    assert well.well_name == "Alpha-1" and well.well_type == "Gas"
    assert (well.crs, well.surface_x, well.depth_datum) == ("EPSG:23031", 435000.25, "RKB")
    assert well.created_by == eng.id
    runs.create_well(uow(), eng, well_name="Beta")
    assert [w.well_name for w in runs.list_wells(uow(), people["viewer"])] == ["Alpha-1", "Beta"]
    assert runs.get_well(uow(), people["viewer"], "Alpha-1").id == well.id
    assert runs.get_well(uow(), people["viewer"], well.id).well_name == "Alpha-1"
    changed = runs.update_well(uow(), eng, well.id, well_type="Water", datum_elevation=30.5)
    assert changed.well_type == "Water" and changed.datum_elevation == 30.5
    assert changed.updated_at >= well.updated_at
    run = runs.create_run(uow(), eng, run_number="1", run_name="one", well="Alpha-1")
    assert run.well_name == "Alpha-1"
    runs.delete_well(uow(), eng, "Alpha-1")
    with pytest.raises(NotFound, match="unknown well 'Alpha-1'"):
        runs.get_well(uow(), eng, "Alpha-1")
    assert runs.get_run(uow(), eng, run.id).well_id is None  # SET NULL


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"well_name": ""}, "well name must not be empty"),
        ({"well_name": "   "}, "well name must not be empty"),
        ({"well_name": "x" * 256}, "longer than 255"),
        ({"well_name": "W", "well_type": "Coal"}, "well type must be one of Oil, Gas"),
        ({"well_name": "W", "colour": "red"}, "unknown well field"),
    ],
)
def test_bad_well_input_is_refused_and_nothing_is_stored(settings, people, kwargs, message):
    with pytest.raises(ServiceError, match=message):
        runs.create_well(UnitOfWork(settings), people["engineer"], **kwargs)
    assert runs.list_wells(UnitOfWork(settings), people["engineer"]) == []


def test_well_name_taken_on_create_and_rename(settings, people):
    eng = people["engineer"]
    runs.create_well(UnitOfWork(settings), eng, well_name="A")
    runs.create_well(UnitOfWork(settings), eng, well_name="B")
    with pytest.raises(ServiceError, match="well name 'A' is taken"):
        runs.create_well(UnitOfWork(settings), eng, well_name="A")
    with pytest.raises(ServiceError, match="well name 'A' is taken"):
        runs.update_well(UnitOfWork(settings), eng, "B", well_name="A")
    with pytest.raises(NotFound, match="unknown well 'C'"):
        runs.update_well(UnitOfWork(settings), eng, "C", well_name="D")


def test_runs_create_list_mine_get_update_delete(settings, people):
    eng, sur = people["engineer"], people["surveyor"]
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    runs.create_well(uow(), eng, well_name="W")
    r1 = runs.create_run(uow(), eng, run_number="R1", run_name="First", run_type="MWD", well="W")
    r2 = runs.create_run(uow(), sur, run_number="R2", run_name="Second", run_type="Gyro")
    assert (r1.run_type, r1.well_name, r1.owner_name) == ("MWD", "W", "engineer")
    assert r2.run_type == "Gyro" and r2.well_id is None
    assert [r.run_number for r in runs.list_runs(uow(), people["viewer"])] == ["R1", "R2"]
    assert [r.run_number for r in runs.list_runs(uow(), eng, mine=True)] == ["R1"]
    assert [r.run_number for r in runs.get_user_runs(uow(), sur)] == ["R2"]
    assert runs.list_runs(uow(), people["viewer"], mine=True) == []
    assert [r.run_number for r in runs.list_runs(uow(), eng, run_type="Gyro")] == ["R2"]
    assert [r.run_number for r in runs.list_runs(uow(), eng, well="W")] == ["R1"]
    assert [r.run_number for r in runs.list_runs(uow(), eng, owner="surveyor")] == ["R2"]
    assert runs.count_runs(uow(), eng, mine=True) == 1
    # by number and by id
    assert runs.get_run(uow(), sur, "R1").id == r1.id
    assert runs.get_run(uow(), sur, str(r1.id)).run_number == "R1"
    changed = runs.update_run(uow(), eng, "R1", run_name="Renamed", run_type="GTL", well=None)
    assert (changed.run_name, changed.run_type, changed.well_id) == ("Renamed", "GTL", None)
    with pytest.raises(ServiceError, match="run number 'R2' is taken"):
        runs.update_run(uow(), eng, "R1", run_number="R2")
    with pytest.raises(ServiceError, match="unknown run field"):
        runs.update_run(uow(), eng, "R1", owner="x")
    runs.delete_run(uow(), eng, "R1")
    with pytest.raises(NotFound, match="unknown run 'R1'"):
        runs.get_run(uow(), eng, "R1")
    with pytest.raises(NotFound, match="unknown run"):
        runs.delete_run(uow(), eng, r1.id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"run_number": "", "run_name": "n"}, "run number must not be empty"),
        ({"run_number": "1", "run_name": " "}, "run name must not be empty"),
        ({"run_number": "1" * 101, "run_name": "n"}, "longer than 100"),
        ({"run_number": "1", "run_name": "n", "run_type": "LWD"}, "run type must be one of"),
        ({"run_number": "1", "run_name": "n", "well": "nowhere"}, "unknown well 'nowhere'"),
    ],
)
def test_bad_run_input_is_refused_and_nothing_is_stored(settings, people, kwargs, message):
    with pytest.raises(ServiceError, match=message):
        runs.create_run(UnitOfWork(settings), people["engineer"], **kwargs)
    assert runs.list_runs(UnitOfWork(settings), people["engineer"]) == []


def test_run_number_and_name_taken(settings, people):
    eng = people["engineer"]
    runs.create_run(UnitOfWork(settings), eng, run_number="1", run_name="one")
    with pytest.raises(ServiceError, match="run number '1' is taken"):
        runs.create_run(UnitOfWork(settings), people["surveyor"], run_number="1", run_name="x")
    with pytest.raises(ServiceError, match="run name 'one' is taken"):
        runs.create_run(UnitOfWork(settings), eng, run_number="2", run_name="one")
    assert runs.count_runs(UnitOfWork(settings), eng) == 1


def test_sql_looking_text_is_stored_verbatim(settings, people):
    eng = people["engineer"]
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    for i, text in enumerate(SQL_LOOKING):
        runs.create_well(uow(), eng, well_name=text)
        runs.create_run(uow(), eng, run_number=f"{text}#{i}", run_name=text, well=text)
    stored = runs.list_runs(uow(), eng)
    assert sorted(r.run_name for r in stored) == sorted(SQL_LOOKING)
    assert sorted(r.well_name for r in stored) == sorted(SQL_LOOKING)
    assert sorted(w.well_name for w in runs.list_wells(uow(), eng)) == sorted(SQL_LOOKING)
    # search and lookups treat it as text, not as a pattern or as SQL
    first = SQL_LOOKING[0]
    assert [r.run_name for r in runs.list_runs(uow(), eng, search="drop table")] == [first]
    assert runs.get_run(uow(), eng, f"{first}#0").run_name == first
    assert [r.run_name for r in runs.list_runs(uow(), eng, search="%_")] == [SQL_LOOKING[3]]


def test_runs_filtered_by_the_current_revisions_status(settings, people):
    """The status filter follows the current revision (a new revision starts again at
    draft), counts and pages agree with the listing, "none" finds runs without a survey, and
    a status that does not exist is refused naming the allowed ones."""
    from surveylab.demo import vendor_csv, well_profile
    from surveylab.services import approval, surveys

    eng, sur, viewer = people["engineer"], people["surveyor"], people["viewer"]
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    content = vendor_csv(well_profile("J"), well="W", run="S", tool="MWD")
    for number in ("S1", "S2", "S3"):
        runs.create_run(uow(), sur, run_number=number, run_name=number, run_type="MWD")
    for number in ("S1", "S2"):
        surveys.import_survey(uow(), sur, run=number, content=content, file_name="s.csv")
    approval.approve(uow(), eng, "S1", note="checked")

    def listed(status: str) -> list[str]:
        numbers = [r.run_number for r in runs.list_runs(uow(), viewer, status=status)]
        assert runs.count_runs(uow(), viewer, status=status) == len(numbers)
        paged = runs.list_runs(uow(), viewer, status=status, limit=1, offset=0)
        assert [r.run_number for r in paged] == numbers[:1]
        return numbers

    assert listed("approved") == ["S1"]
    assert listed("draft") == ["S2"]  # no raw readings: QC had nothing to check
    assert listed("none") == ["S3"]
    assert listed("definitive") == []
    assert {r.run_number: r.current_status for r in runs.list_runs(uow(), viewer)} == {
        "S1": "approved",
        "S2": "draft",
        "S3": None,
    }
    again = vendor_csv(well_profile("J", noise_deg=0.05, seed=1), well="W", run="S", tool="MWD")
    surveys.import_survey(uow(), sur, run="S1", content=again, file_name="s2.csv")
    assert listed("approved") == [] and listed("draft") == ["S1", "S2"]
    with pytest.raises(ServiceError, match="status must be one of draft, qc_passed, qc_failed"):
        runs.list_runs(uow(), viewer, status="signed off")
