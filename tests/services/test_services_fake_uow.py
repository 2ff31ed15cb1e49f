"""Runs and wells services against a fake unit of work (in-memory repositories), as cosmicpython
does: the use cases' rules are tested without any database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from surveylab.auth import AuthenticationError, PermissionDenied
from surveylab.models import Actor, Role
from surveylab.models.records import RunRecord, WellboreRecord, WellRecord
from surveylab.repositories import DuplicateError
from surveylab.services import NotFound, ServiceError, runs

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class FakeWells:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, WellRecord] = {}

    def add(self, well_name: str, well_type: str, created_by, **extra: Any) -> WellRecord:
        if self.by_name(well_name):
            raise DuplicateError(f"well name {well_name!r} is taken")
        w = WellRecord(uuid.uuid4(), well_name, well_type, created_by=created_by, **extra)
        self.rows[w.id] = w
        return w

    def get(self, well_id):
        return self.rows.get(well_id)

    def by_name(self, name):
        return next((w for w in self.rows.values() if w.well_name == name), None)

    def list(self):
        return sorted(self.rows.values(), key=lambda w: w.well_name)

    def update(self, well_id, **values):
        self.rows[well_id] = replace(self.rows[well_id], **values)

    def delete(self, well_id):
        self.rows.pop(well_id)
        self.runs_ref.null_well(well_id)


class FakeRuns:
    def __init__(self, wells: FakeWells) -> None:
        self.rows: dict[uuid.UUID, RunRecord] = {}
        self.wells = wells

    def add(
        self, *, run_number, run_name, run_type, user_id, well_id=None, wellbore_id=None
    ) -> RunRecord:
        if self.by_number(run_number) or self.by_name(run_name):
            raise DuplicateError("run number or name is taken")
        well = self.wells.get(well_id) if well_id else None
        r = RunRecord(
            uuid.uuid4(),
            run_number,
            run_name,
            run_type,
            well_id,
            well.well_name if well else None,
            user_id,
            None,
            None,
            None,
            None,
            None,
            None,
            NOW,
            NOW,
            wellbore_id=wellbore_id,
        )
        self.rows[r.id] = r
        return r

    def get(self, run_id):
        return self.rows.get(run_id)

    def by_number(self, number):
        return next((r for r in self.rows.values() if r.run_number == number), None)

    def by_name(self, name):
        return next((r for r in self.rows.values() if r.run_name == name), None)

    def list(self, *, owner_id=None, well_id=None, run_type=None, **_: Any):
        out = [
            r
            for r in self.rows.values()
            if (owner_id is None or r.user_id == owner_id)
            and (well_id is None or r.well_id == well_id)
            and (run_type is None or r.run_type == run_type)
        ]
        return sorted(out, key=lambda r: r.run_number)

    def count(self, **filters):
        return len(self.list(**filters))

    def update(self, run_id, **values):
        if "well_id" in values:
            w = self.wells.get(values["well_id"]) if values["well_id"] else None
            values["well_name"] = w.well_name if w else None
        self.rows[run_id] = replace(self.rows[run_id], **values)

    def delete(self, run_id):
        self.rows.pop(run_id)

    def null_well(self, well_id):
        for r in list(self.rows.values()):
            if r.well_id == well_id:
                self.rows[r.id] = replace(r, well_id=None, well_name=None)


class FakeWellbores:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, WellboreRecord] = {}

    def add(self, *, well_id, name, created_by, parent_id=None, kickoff_md=None, depth_unit=None):
        b = WellboreRecord(
            uuid.uuid4(), well_id, None, name, parent_id, None, kickoff_md, depth_unit, None,
            created_by, NOW,
        )  # fmt: skip
        self.rows[b.id] = b
        return b

    def main(self, well_id):
        return next(
            (b for b in self.rows.values() if b.well_id == well_id and b.parent_id is None), None
        )

    def by_name(self, well_id, name):
        return next(
            (b for b in self.rows.values() if b.well_id == well_id and b.name == name), None
        )


class FakeAudit:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, **event: Any) -> None:
        self.events.append(event)


class FakeUsers:
    def by_username(self, name):
        return None


class FakeUnitOfWork:
    """Same surface as UnitOfWork for what the runs/wells services use; commits are recorded
    and uncommitted changes are discarded, like a transaction."""

    def __init__(self) -> None:
        self.wells = FakeWells()
        self.runs = FakeRuns(self.wells)
        self.wells.runs_ref = self.runs
        self.audit = FakeAudit()
        self.users = FakeUsers()
        self.wellbores = FakeWellbores()
        self.commits = 0
        self._saved = self._state()

    def _state(self):
        return (
            dict(self.wells.rows),
            dict(self.runs.rows),
            list(self.audit.events),
            dict(self.wellbores.rows),
        )

    def __enter__(self):
        self._saved = self._state()
        return self

    def __exit__(self, *exc):
        self.rollback()

    def commit(self):
        self.commits += 1
        self._saved = self._state()

    def rollback(self):
        self.wells.rows, self.runs.rows, self.audit.events, self.wellbores.rows = (
            dict(self._saved[0]),
            dict(self._saved[1]),
            list(self._saved[2]),
            dict(self._saved[3]),
        )


def _actor(name: str, role: Role) -> Actor:
    return Actor(uuid.uuid4(), name, role)


ENG = _actor("eng", Role.ENGINEER)
SUR = _actor("sur", Role.SURVEYOR)
ADM = _actor("adm", Role.ADMIN)
VIEW = _actor("view", Role.VIEWER)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_create_and_list_runs(uow):
    runs.create_well(uow, ENG, well_name="W")
    r = runs.create_run(uow, ENG, run_number="1", run_name="one", run_type="Gyro", well="W")
    runs.create_run(uow, SUR, run_number="2", run_name="two")
    assert r.well_name == "W" and r.user_id == ENG.id and r.run_type == "Gyro"
    assert [x.run_number for x in runs.list_runs(uow, VIEW)] == ["1", "2"]
    assert [x.run_number for x in runs.list_runs(uow, SUR, mine=True)] == ["2"]
    assert runs.get_run(uow, VIEW, "1").id == r.id
    assert runs.get_run(uow, VIEW, str(r.id)).run_number == "1"
    assert uow.commits == 3
    assert [e["action"] for e in uow.audit.events] == ["create well", "create run", "create run"]
    # the well got its main wellbore, and the run went on it; a run without a well on none
    main = uow.wellbores.main(r.well_id)
    assert main is not None and main.name == "main" and r.wellbore_id == main.id
    assert runs.get_run(uow, VIEW, "2").wellbore_id is None


def test_a_run_goes_on_the_wellbore_named(uow):
    w = runs.create_well(uow, ENG, well_name="W")
    st = uow.wellbores.add(well_id=w.id, name="ST1", created_by=ENG.id, parent_id=None)
    r = runs.create_run(uow, ENG, run_number="1", run_name="one", well="W", wellbore="ST1")
    assert r.wellbore_id == st.id
    with pytest.raises(ServiceError, match="no wellbore 'ST9'"):
        runs.create_run(uow, ENG, run_number="2", run_name="two", well="W", wellbore="ST9")
    with pytest.raises(ServiceError, match="without a well"):
        runs.create_run(uow, ENG, run_number="3", run_name="three", wellbore="ST1")


def test_update_and_delete_runs_by_owner_and_admin(uow):
    r = runs.create_run(uow, ENG, run_number="1", run_name="one")
    assert runs.update_run(uow, ENG, "1", run_name="uno").run_name == "uno"
    assert runs.update_run(uow, ADM, "1", run_type="MWD").run_type == "MWD"
    with pytest.raises(PermissionDenied, match="not the owner"):
        runs.update_run(uow, SUR, "1", run_name="mine now")
    with pytest.raises(PermissionDenied):
        runs.delete_run(uow, SUR, r.id)
    assert runs.get_run(uow, VIEW, r.id).run_name == "uno"
    runs.delete_run(uow, ADM, r.id)
    with pytest.raises(NotFound):
        runs.get_run(uow, VIEW, r.id)


def test_refusals_are_audited_and_committed(uow):
    with pytest.raises(PermissionDenied, match="Viewer may not create runs"):
        runs.create_run(uow, VIEW, run_number="1", run_name="one")
    with pytest.raises(AuthenticationError):
        runs.list_runs(uow, None)
    assert [(e["actor_name"], e["outcome"]) for e in uow.audit.events] == [
        ("view", "denied"),
        (None, "denied"),
    ]
    assert uow.runs.rows == {}


def test_a_failed_use_case_commits_nothing(uow):
    runs.create_run(uow, ENG, run_number="1", run_name="one")
    commits = uow.commits
    with pytest.raises(ServiceError, match="is taken"):
        runs.create_run(uow, ENG, run_number="2", run_name="one")
    with pytest.raises(ServiceError, match="unknown well"):
        runs.create_run(uow, ENG, run_number="3", run_name="three", well="nowhere")
    assert uow.commits == commits and len(uow.runs.rows) == 1


def test_wells_crud_and_set_null(uow):
    w = runs.create_well(uow, SUR, well_name="W", well_type="Water", crs="EPSG:4326")
    assert (w.well_type, w.crs, w.created_by) == ("Water", "EPSG:4326", SUR.id)
    r = runs.create_run(uow, ENG, run_number="1", run_name="one", well="W")
    with pytest.raises(PermissionDenied):
        runs.update_well(uow, ENG, "W", crs="x")
    assert runs.update_well(uow, SUR, "W", surface_x=10.0).surface_x == 10.0
    with pytest.raises(ServiceError, match="well type must be one of"):
        runs.update_well(uow, SUR, "W", well_type="Lava")
    runs.delete_well(uow, ADM, "W")
    assert runs.list_wells(uow, VIEW) == []
    assert runs.get_run(uow, VIEW, r.id).well_id is None
