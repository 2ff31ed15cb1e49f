"""Permission matrix at service level: every role x every operation, as owner and non-owner.

The expectation table below is written out by hand from the issue's rules, independently of
``surveylab.auth.ROLE_PERMISSIONS``: any authenticated user reads; survey work (creating runs and
wells, importing) needs Admin, Engineer or Surveyor; changing or deleting needs the owner (with a
survey-work role) or an Admin; Viewer reads and runs reports.

Each refusal must raise PermissionDenied, leave one audit event with outcome 'denied', and
change no data.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from surveylab.auth import AuthenticationError, PermissionDenied
from surveylab.db import tables as t
from surveylab.demo import vendor_csv, well_profile
from surveylab.models import Actor
from surveylab.repositories import UnitOfWork
from surveylab.services import reports, runs, surveys

ROLES = ("admin", "engineer", "surveyor", "viewer")

#: operation -> allowed for (admin, engineer, surveyor, viewer), "own/other" per role.
MATRIX = """
operation        admin  engineer  surveyor  viewer
create run       Y/Y    Y/Y       Y/Y       N/N
list runs        Y/Y    Y/Y       Y/Y       Y/Y
get run          Y/Y    Y/Y       Y/Y       Y/Y
update run       Y/Y    Y/N       Y/N       N/N
delete run       Y/Y    Y/N       Y/N       N/N
create well      Y/Y    Y/Y       Y/Y       N/N
list wells       Y/Y    Y/Y       Y/Y       Y/Y
update well      Y/Y    Y/N       Y/N       N/N
delete well      Y/Y    Y/N       Y/N       N/N
import survey    Y/Y    Y/N       Y/N       N/N
history          Y/Y    Y/Y       Y/Y       Y/Y
load survey      Y/Y    Y/Y       Y/Y       Y/Y
compare          Y/Y    Y/Y       Y/Y       Y/Y
record report    Y/Y    Y/Y       Y/Y       Y/Y
list reports     Y/Y    Y/Y       Y/Y       Y/Y
"""


def _expected() -> dict[tuple[str, str, bool], bool]:
    lines = [ln for ln in MATRIX.strip().splitlines()[1:]]
    out = {}
    for line in lines:
        *words, a, e, s, v = line.split()
        op = " ".join(words)
        for role, cell in zip(ROLES, (a, e, s, v), strict=True):
            own, other = cell.split("/")
            out[(op, role, True)] = own == "Y"
            out[(op, role, False)] = other == "Y"
    return out


EXPECTED = _expected()
OPERATIONS = sorted({op for op, _, _ in EXPECTED})


class Target:
    """Fresh objects owned by ``owner`` for one case, plus a shared run with two revisions."""

    def __init__(self, uow: UnitOfWork, owner: Actor, read_run: uuid.UUID, report: Path) -> None:
        tag = uuid.uuid4().hex[:10]
        self.well = uow.wells.add(f"well-{tag}", "Oil", owner.id)
        self.run = uow.runs.add(
            run_number=f"run-{tag}",
            run_name=f"name-{tag}",
            run_type="MWD",
            user_id=owner.id,
            well_id=self.well.id,
        )
        self.tag = tag
        self.read_run = read_run
        self.report = report


def _targets(settings: Any, owners: list[Actor], read_runs, report) -> list[Target]:
    """One Target per owner given, made in one unit of work."""
    with UnitOfWork(settings) as uow:
        out = [Target(uow, o, read_runs[o.username], report) for o in owners]
        uow.commit()
    return out


Op = Callable[[Callable[[], UnitOfWork], Actor | None, Target], Any]


def _content(tag: str) -> bytes:
    return vendor_csv(well_profile("J").iloc[:30], well="W", run=tag, tool="MWD")


OPS: dict[str, Op] = {
    "create run": lambda u, a, x: runs.create_run(
        u(), a, run_number=f"new-{x.tag}", run_name=f"new-{x.tag}"
    ),
    "list runs": lambda u, a, x: runs.list_runs(u(), a),
    "get run": lambda u, a, x: runs.get_run(u(), a, x.run.id),
    "update run": lambda u, a, x: runs.update_run(u(), a, x.run.id, run_name=f"ch-{x.tag}"),
    "delete run": lambda u, a, x: runs.delete_run(u(), a, x.run.id),
    "create well": lambda u, a, x: runs.create_well(u(), a, well_name=f"new-{x.tag}"),
    "list wells": lambda u, a, x: runs.list_wells(u(), a),
    "update well": lambda u, a, x: runs.update_well(u(), a, x.well.id, crs="EPSG:4326"),
    "delete well": lambda u, a, x: runs.delete_well(u(), a, x.well.id),
    "import survey": lambda u, a, x: surveys.import_survey(
        u(), a, run=x.run.id, content=_content(x.tag), file_name="p.csv"
    ),
    "history": lambda u, a, x: surveys.history(u(), a, x.read_run),
    "load survey": lambda u, a, x: surveys.load_survey(u(), a, x.read_run),
    "compare": lambda u, a, x: surveys.compare_revisions(u(), a, x.read_run, 1, 2),
    "record report": lambda u, a, x: reports.record_report(
        u(),
        a,
        kind="run",
        fmt="html",
        parameters={"run": "x"},
        file_path=x.report,
        run_id=x.run.id,
    ),
    "list reports": lambda u, a, x: reports.list_reports(u(), a),
}


def _snapshot(settings: Any) -> tuple[dict[str, Any], list[Any]]:
    """Every row of every table except the audit log, and the audit log's refusals."""
    out = {}
    with UnitOfWork(settings) as uow:
        for name, table in t.metadata.tables.items():
            if name in ("audit_events", "login_attempts", "revoked_tokens"):
                continue
            cols = [c for c in table.c if c.name != "content"]
            rows = uow._conn.execute(sa.select(*cols)).all()
            out[name] = sorted(map(repr, rows))
        return out, uow.audit.list(outcome="denied")


def _denied(settings: Any) -> list[Any]:
    with UnitOfWork(settings) as uow:
        return uow.audit.list(outcome="denied")


@pytest.fixture
def world(settings, people, tmp_path):
    """Per owner: a run with two revisions (imported by an Admin) for the read operations."""
    report = tmp_path / "report.html"
    report.write_text("<html>report</html>")
    read_runs = {}
    for name in (*ROLES, "surveyor2"):
        owner = people[name]
        with UnitOfWork(settings) as uow:
            rid = uow.runs.add(
                run_number=f"read-{name}",
                run_name=f"read-{name}",
                run_type="Gyro",
                user_id=owner.id,
            ).id
            uow.commit()
        for seed in (1, 2):
            content = vendor_csv(
                well_profile("J", noise_deg=0.1, seed=seed).iloc[:40],
                well="W",
                run=name,
                tool="Gyro",
            )
            surveys.import_survey(
                UnitOfWork(settings), people["admin"], run=rid, content=content, file_name="r.csv"
            )
        read_runs[name] = rid
    return read_runs, report


def test_the_expectation_table_covers_every_operation_role_and_ownership():
    assert set(OPS) == set(OPERATIONS)
    assert len(EXPECTED) == len(OPS) * len(ROLES) * 2


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(settings, people, world, role):
    read_runs, report = world
    actor = people[role]
    uowf = lambda: UnitOfWork(settings)  # noqa: E731
    wrong: list[str] = []
    cases = list(itertools.product(OPERATIONS, (True, False)))
    owners = [people[role if own else "surveyor2"] for _, own in cases]
    targets = _targets(settings, owners, read_runs, report)
    for (op, own), target in zip(cases, targets, strict=True):
        allowed = EXPECTED[(op, role, own)]
        if not allowed:
            data_before, denied_before = _snapshot(settings)
        case = f"{role} {op} ({'own' if own else 'other'})"
        try:
            OPS[op](uowf, actor, target)
        except PermissionDenied as exc:
            if allowed:
                wrong.append(f"{case}: refused but should be allowed ({exc})")
                continue
            data_after, denied = _snapshot(settings)
            if len(denied) != len(denied_before) + 1:
                wrong.append(f"{case}: refusal not audited once")
            elif denied[0].actor_name != role or denied[0].action not in str(exc):
                wrong.append(f"{case}: audit event {denied[0]} is not this refusal")
            if data_after != data_before:
                wrong.append(f"{case}: refusal changed data")
        else:
            if not allowed:
                wrong.append(f"{case}: allowed but should be refused")
    assert wrong == []


def test_every_operation_refuses_nobody_and_audits_it(settings, people, world):
    read_runs, report = world
    uowf = lambda: UnitOfWork(settings)  # noqa: E731
    (target,) = _targets(settings, [people["engineer"]], read_runs, report)
    before, _ = _snapshot(settings)
    for n, op in enumerate(OPERATIONS, start=1):
        with pytest.raises(AuthenticationError, match="not authenticated"):
            OPS[op](uowf, None, target)
        denied = _denied(settings)
        assert len(denied) == n, op
        assert denied[0].actor_id is None and denied[0].outcome == "denied"
    assert _snapshot(settings)[0] == before


def test_a_refusal_names_the_role_action_and_target(settings, people, world):
    read_runs, report = world
    (target,) = _targets(settings, [people["engineer"]], read_runs, report)
    with pytest.raises(PermissionDenied) as info:
        runs.delete_run(UnitOfWork(settings), people["surveyor"], target.run.id)
    msg = str(info.value)
    assert msg.startswith("permission denied: Surveyor may not delete runs")
    assert target.run.run_number in msg and "not the owner" in msg
    (event,) = _denied(settings)
    assert event.target_type == "run" and event.target_id == str(target.run.id)
    assert event.detail == msg
