"""Repositories against real databases: the same tests on DuckDB files and on PostgreSQL.

RunRepository / SurveyFileRepository lookups, the schema's unique and CHECK
constraints (hit with plain SQL so the repositories' own checks cannot hide a missing one), the
cascades the repositories perform by hand, and the bulk station path (float64 in, float64 out).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from surveylab.db import tables as t
from surveylab.models import DepthUnit, Finding, NorthReference, Role, Severity
from surveylab.models.survey import SurveyHeader
from surveylab.repositories import DuplicateError, UnitOfWork

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _user(uow: UnitOfWork, name: str, role: Role = Role.ENGINEER) -> uuid.UUID:
    return uow.users.add(name, "not-a-real-hash", role).id


def _stations(n: int, *, seed: int = 0, with_nulls: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.normal(0.0, 1000.0, n) for c in t.STATION_VALUE_COLUMNS})
    frame["md"] = np.cumsum(rng.uniform(0.1, 30.0, n))
    if with_nulls:
        frame.loc[::3, "toolface"] = np.nan
        frame.loc[::2, "vs"] = np.nan
    frame["projected"] = np.arange(n) % 5 == 4
    frame["used"] = np.arange(n) % 7 != 6
    return frame


def _add_survey(
    uow: UnitOfWork, run_id: uuid.UUID, file_id: uuid.UUID, frame: pd.DataFrame
) -> uuid.UUID:
    survey = uow.surveys.add(
        run_id=run_id,
        file_id=file_id,
        revision=uow.surveys.next_revision(run_id),
        depth_unit=DepthUnit.M,
        azimuth_reference=NorthReference.TRUE,
        method="minimum_curvature",
        dls_course_length=30.0,
        vs_azimuth=None,
        header=SurveyHeader(),
        findings=[Finding(Severity.WARNING, "demo", "a finding", station=2)],
        assumptions=["assumed"],
        worst_severity="warning",
        imported_by=None,
        imported_by_name=None,
        stations=frame,
    )
    return survey.id


def _file(uow: UnitOfWork, run_id: uuid.UUID, content: bytes, name: str = "f.csv"):
    return uow.files.add(
        run_id=run_id,
        file_name=name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        detected_format="csv",
        uploaded_by=None,
    )


# ------------------------------------------------------------------- runs and files by owner
def test_seed_run_repository_methods(settings):
    with UnitOfWork(settings) as uow:
        ann, bob = _user(uow, "ann"), _user(uow, "bob")
        r1 = uow.runs.add(run_number="1", run_name="one", run_type="MWD", user_id=ann)
        r2 = uow.runs.add(run_number="2", run_name="two", run_type="Gyro", user_id=ann)
        r3 = uow.runs.add(run_number="3", run_name="three", run_type="GTL", user_id=bob)
        uow.commit()
    assert r1.run_type == "MWD" and r1.user_id == ann and r1.well_id is None
    assert r1.created_at.tzinfo is not None and r1.current_survey_id is None
    with UnitOfWork(settings) as uow:
        assert [r.id for r in uow.runs.for_user(ann)] == [r1.id, r2.id]
        assert [r.id for r in uow.runs.for_user(bob)] == [r3.id]
        assert uow.runs.for_user(uuid.uuid4()) == []
        # with owner_id, only the user's own run
        assert uow.runs.get(r1.id, owner_id=ann).run_name == "one"
        assert uow.runs.get(r1.id, owner_id=bob) is None
        assert uow.runs.get(r3.id).owner_name == "bob"
        assert uow.runs.get(uuid.uuid4()) is None


def test_seed_survey_file_repository_keeps_bytes_exactly(settings):
    content = bytes(range(256)) * 3 + b"\r\n\x00 trailing"
    with UnitOfWork(settings) as uow:
        ann = _user(uow, "ann")
        run = uow.runs.add(run_number="1", run_name="one", run_type="MWD", user_id=ann)
        f1 = _file(uow, run.id, content, "first.csv")
        f2 = _file(uow, run.id, b"other", "second.csv")
        uow.commit()
    with UnitOfWork(settings) as uow:
        files = uow.files.for_run(run.id)
        assert [f.id for f in files] == [f1.id, f2.id]
        assert files[0].size_bytes == len(content)
        assert files[0].sha256 == hashlib.sha256(content).hexdigest()
        assert uow.files.content(f1.id) == content
        assert uow.files.by_sha256(run.id, f1.sha256).id == f1.id
        assert uow.files.for_run(uuid.uuid4()) == []


def test_uncommitted_work_is_rolled_back(settings):
    with UnitOfWork(settings) as uow:
        ann = _user(uow, "ann")
        uow.commit()
        uow.runs.add(run_number="1", run_name="one", run_type="MWD", user_id=ann)
    with UnitOfWork(settings) as uow:
        assert uow.runs.for_user(ann) == []


# --------------------------------------------------------------------------------- constraints
def test_duplicate_names_are_refused_by_the_repositories(settings):
    with UnitOfWork(settings) as uow:
        ann = _user(uow, "ann")
        uow.wells.add("W", "Oil", ann)
        uow.runs.add(run_number="1", run_name="one", run_type="MWD", user_id=ann)
        with pytest.raises(DuplicateError, match="well name 'W'"):
            uow.wells.add("W", "Gas", ann)
        with pytest.raises(DuplicateError, match="run number '1'"):
            uow.runs.add(run_number="1", run_name="x", run_type="MWD", user_id=ann)
        with pytest.raises(DuplicateError, match="run name 'one'"):
            uow.runs.add(run_number="2", run_name="one", run_type="MWD", user_id=ann)
        with pytest.raises(DuplicateError, match="usernames ignore case"):
            uow.users.add("ANN", "h", Role.VIEWER)


def _insert_well(conn: sa.Connection, name: str, well_type: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO wells (id, well_name, well_type, created_at, updated_at)"
            " VALUES (:id, :n, :t, :now, :now)"
        ),
        {"id": uuid.uuid4(), "n": name, "t": well_type, "now": NOW},
    )


def _insert_run(conn: sa.Connection, user_id, number: str, name: str, run_type: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO runs (id, run_number, run_name, run_type, user_id, created_at, updated_at)"
            " VALUES (:id, :num, :name, :t, :u, :now, :now)"
        ),
        {"id": uuid.uuid4(), "num": number, "name": name, "t": run_type, "u": user_id, "now": NOW},
    )


def _violates(settings, statement) -> None:
    """``statement(conn)`` must be refused by the database itself."""
    with UnitOfWork(settings) as uow, pytest.raises(sa.exc.DBAPIError):
        statement(uow._conn)


@pytest.mark.parametrize(
    ("label", "statement"),
    [
        ("well_name unique", lambda c, u: _insert_well(c, "W", "Gas")),
        ("well_type check", lambda c, u: _insert_well(c, "W2", "Coal")),
        ("well_type case", lambda c, u: _insert_well(c, "W3", "oil")),
        ("run_number unique", lambda c, u: _insert_run(c, u, "1", "other", "MWD")),
        ("run_name unique", lambda c, u: _insert_run(c, u, "9", "one", "MWD")),
        ("run_type check", lambda c, u: _insert_run(c, u, "8", "eight", "Wireline")),
        (
            "role check",
            lambda c, u: c.execute(
                sa.text(
                    "INSERT INTO users (id, username, username_key, password_hash, role, is_active,"
                    " created_at, updated_at) VALUES (:i, 'z', 'z', 'h', 'Root', true, :n, :n)"
                ),
                {"i": uuid.uuid4(), "n": NOW},
            ),
        ),
    ],
)
def test_the_database_enforces_unique_and_check_constraints(settings, label, statement):
    with UnitOfWork(settings) as uow:
        ann = _user(uow, "ann")
        _insert_well(uow._conn, "W", "Oil")
        _insert_run(uow._conn, ann, "1", "one", "MWD")
        uow.commit()
    _violates(settings, lambda conn: statement(conn, ann))
    # the valid rows are still there, nothing else was added
    with UnitOfWork(settings) as uow:
        assert [w.well_name for w in uow.wells.list()] == ["W"]
        assert [r.run_number for r in uow.runs.list()] == ["1"]
        assert [u.username for u in uow.users.list()] == ["ann"]


@pytest.mark.parametrize("value", ["Oil", "Gas", "Water", "Other"])
def test_every_seed_well_type_is_accepted(settings, value):
    with UnitOfWork(settings) as uow:
        _insert_well(uow._conn, "W", value)
        uow.commit()
    with UnitOfWork(settings) as uow:
        assert uow.wells.by_name("W").well_type == value


# ---------------------------------------------------------------------------------- cascades
def test_deleting_a_well_sets_its_runs_well_to_null(settings):
    with UnitOfWork(settings) as uow:
        ann = _user(uow, "ann")
        well = uow.wells.add("W", "Oil", ann, crs="EPSG:23031", surface_x=1.5, surface_y=2.5)
        other = uow.wells.add("V", "Gas", ann)
        r1 = uow.runs.add(
            run_number="1", run_name="one", run_type="MWD", user_id=ann, well_id=well.id
        )
        r2 = uow.runs.add(
            run_number="2", run_name="two", run_type="MWD", user_id=ann, well_id=other.id
        )
        uow.commit()
    assert well.crs == "EPSG:23031" and well.surface_x == 1.5
    with UnitOfWork(settings) as uow:
        assert uow.runs.get(r1.id).well_name == "W"
        uow.wells.delete(well.id)
        uow.commit()
    with UnitOfWork(settings) as uow:
        assert uow.wells.get(well.id) is None
        run = uow.runs.get(r1.id)
        assert run is not None and run.well_id is None and run.well_name is None
        assert uow.runs.get(r2.id).well_id == other.id


def test_deleting_a_user_cascades_to_runs_files_surveys_and_stations(settings):
    with UnitOfWork(settings) as uow:
        ann, bob = _user(uow, "ann"), _user(uow, "bob")
        gone = uow.runs.add(run_number="1", run_name="one", run_type="MWD", user_id=ann)
        kept = uow.runs.add(run_number="2", run_name="two", run_type="MWD", user_id=bob)
        for run in (gone, kept):
            f = _file(uow, run.id, run.run_number.encode())
            _add_survey(uow, run.id, f.id, _stations(5))
        uow.commit()
    with UnitOfWork(settings) as uow:
        uow.users.delete(ann)
        uow.commit()
    with UnitOfWork(settings) as uow:
        assert uow.users.get(ann) is None and uow.users.get(bob) is not None
        assert uow.runs.get(gone.id) is None
        assert uow.files.for_run(gone.id) == []
        assert uow.surveys.for_run(gone.id) == []
        left = uow._conn.execute(sa.select(sa.func.count()).select_from(t.stations)).scalar()
        assert left == 5  # only bob's
        (survey,) = uow.surveys.for_run(kept.id)
        assert len(uow.surveys.stations(survey.id)) == 5


def test_delete_for_user_removes_only_that_users_runs(settings):
    with UnitOfWork(settings) as uow:
        ann, bob = _user(uow, "ann"), _user(uow, "bob")
        for i in range(3):
            uow.runs.add(run_number=f"a{i}", run_name=f"a{i}", run_type="MWD", user_id=ann)
        uow.runs.add(run_number="b", run_name="b", run_type="MWD", user_id=bob)
        uow.commit()
    with UnitOfWork(settings) as uow:
        uow.runs.delete_for_user(ann)
        uow.commit()
    with UnitOfWork(settings) as uow:
        assert uow.runs.for_user(ann) == []
        assert [r.run_number for r in uow.runs.list()] == ["b"]
        assert uow.users.get(ann) is not None


# ---------------------------------------------------------------------------------- stations
def _one_run(settings) -> tuple[uuid.UUID, uuid.UUID]:
    with UnitOfWork(settings) as uow:
        ann = _user(uow, "ann")
        run = uow.runs.add(run_number="1", run_name="one", run_type="MWD", user_id=ann)
        uow.commit()
    return ann, run.id


def test_stations_round_trip_as_float64_with_nulls(settings):
    _, run_id = _one_run(settings)
    frame = _stations(1000, seed=3)
    # values a float32 column would truncate
    frame.loc[0, "md"] = 1.0 / 3.0
    frame.loc[1, "tvd"] = 1234.567890123456789
    frame.loc[2, "north"] = 1e-300
    frame.loc[3, "east"] = -9.87654321012345e12
    with UnitOfWork(settings) as uow:
        f = _file(uow, run_id, b"x")
        sid = _add_survey(uow, run_id, f.id, frame)
        uow.commit()
    with UnitOfWork(settings) as uow:
        back = uow.surveys.stations(sid)
        rec = uow.surveys.get(sid)
    assert rec.station_count == 1000 and rec.findings[0].station == 2
    assert list(back.columns) == [*t.STATION_VALUE_COLUMNS, "projected", "used"]
    for c in t.STATION_VALUE_COLUMNS:
        assert back[c].dtype == np.float64, c
        np.testing.assert_array_equal(back[c].to_numpy(), frame[c].to_numpy(), err_msg=c)
    assert back["toolface"].isna().sum() == frame["toolface"].isna().sum() > 0
    assert back["vs"].isna().sum() == frame["vs"].isna().sum() > 0
    np.testing.assert_array_equal(back["projected"].to_numpy(bool), frame["projected"])
    np.testing.assert_array_equal(back["used"].to_numpy(bool), frame["used"])
    # the rows are NULL in the database, not NaN
    with UnitOfWork(settings) as uow:
        nulls = uow._conn.execute(
            sa.select(sa.func.count()).where(t.stations.c.vs.is_(None))
        ).scalar()
    assert nulls == frame["vs"].isna().sum()


def test_station_columns_missing_from_the_frame_are_stored_as_null(settings):
    _, run_id = _one_run(settings)
    frame = _stations(4, with_nulls=False).drop(columns=["vs", "projected", "used"])
    with UnitOfWork(settings) as uow:
        sid = _add_survey(uow, run_id, _file(uow, run_id, b"y").id, frame)
        uow.commit()
        back = uow.surveys.stations(sid)
    assert back["vs"].isna().all()
    assert not back["projected"].any() and back["used"].all()


def test_station_writes_are_bulk_not_one_statement_per_station(settings):
    """The number of SQL statements an import issues does not grow with its station count."""
    _, run_id = _one_run(settings)
    counts = []
    for n in (3, 3000):
        with UnitOfWork(settings) as uow:
            seen: list[str] = []
            engine = uow._conn.engine

            def count(*args, seen=seen) -> None:
                seen.append(args[2])

            sa.event.listen(engine, "before_cursor_execute", count)
            try:
                _add_survey(uow, run_id, _file(uow, run_id, str(n).encode()).id, _stations(n))
            finally:
                sa.event.remove(engine, "before_cursor_execute", count)
            uow.commit()
            counts.append(len(seen))
    assert counts[0] == counts[1]
    assert counts[1] < 10


def test_any_finite_float64_survives_the_round_trip(settings):
    """Property: finite float64 station values come back bit-identical (NULLs where NaN went in).

    One unit of work for every example (read back inside the same transaction), to keep it quick.
    """
    with UnitOfWork(settings) as uow:
        owner_id = _user(uow, "prop")
        run = uow.runs.add(run_number="p", run_name="p", run_type="MWD", user_id=owner_id)
        file_id = _file(uow, run.id, b"p").id

        @hsettings(max_examples=30, deadline=None)
        @given(
            values=arrays(
                np.float64,
                st.integers(1, 30),
                elements=st.floats(allow_nan=False, allow_infinity=False, width=64),
            ),
            null_every=st.integers(1, 5),
        )
        def round_trip(values: np.ndarray, null_every: int) -> None:
            frame = pd.DataFrame({c: values for c in t.STATION_VALUE_COLUMNS})
            frame.loc[::null_every, "toolface"] = np.nan
            sid = _add_survey(uow, run.id, file_id, frame)
            back = uow.surveys.stations(sid)
            for c in t.STATION_VALUE_COLUMNS:
                np.testing.assert_array_equal(back[c].to_numpy(), frame[c].to_numpy(), err_msg=c)

        round_trip()
