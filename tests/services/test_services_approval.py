"""The lifecycle of a survey revision: draft, QC passed or failed, approved (four eyes).

Approval needs the Engineer or Admin role and a person other than the importer; a revision
that failed QC needs an explicit override; every change is in the status history and the
audit log; a new revision starts again at draft. Two approvers at once on PostgreSQL: one
wins, the other is refused naming the winner.
"""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest

from surveylab import db
from surveylab.auth import PermissionDenied, hash_password
from surveylab.models import Actor, Role
from surveylab.models.records import SurveyRecord
from surveylab.repositories import SurveyRepository, UnitOfWork
from surveylab.services import ServiceError, approval, runs, surveys
from tests.conftest import settings_for
from tests.sensor_frames import survey_with_raw_readings

_numbers = itertools.count(1)
REF = {"Reference Btotal": "50000 nT", "Reference Dip": "60", "Reference Gtotal": "1 g"}


def _file(*, fail: bool = False, raw: bool = True, seed: int = 0) -> bytes:
    md = 100.0 + 30.0 * np.arange(12)
    inc = np.linspace(3.0, 40.0, 12)
    azi = np.linspace(10.0, 30.0, 12) + seed
    if not raw:
        lines = ["Depth units: m", "Azimuth reference: true north", "MD,Inc,Azi"]
        lines += [f"{m},{i},{a}" for m, i, a in zip(md, inc, azi, strict=True)]
        return ("\n".join(lines) + "\n").encode()
    b = np.full(12, 50_000.0)
    if fail:
        b[5] += 900.0
    return survey_with_raw_readings(md, inc, azi, np.zeros(12), btotal=b, header=REF)


def _imported(settings, owner: Actor, **kw) -> str:
    number = f"AP{next(_numbers)}"
    runs.create_run(UnitOfWork(settings), owner, run_number=number, run_name=number)
    surveys.import_survey(
        UnitOfWork(settings), owner, run=number, content=_file(**kw), file_name="a.csv"
    )
    return number


def _status(settings, run: str, revision: int = 1) -> str:
    with UnitOfWork(settings) as uow:
        r = uow.runs.by_number(run)
        assert r is not None
        s = uow.surveys.by_revision(r.id, revision)
        assert s is not None
        return s.status


def _denials(settings, action: str) -> list[str]:
    with UnitOfWork(settings) as uow:
        return [e.detail or "" for e in uow.audit.list(action=action, outcome="denied")]


def test_an_engineer_approves_what_someone_else_imported(settings, people):
    run = _imported(settings, people["surveyor"])
    s = approval.approve(UnitOfWork(settings), people["engineer"], run, note="looks right")
    assert s.status == "approved" and s.status_changed_by_name == "engineer"
    assert s.status_note == "looks right"
    history = approval.status_history(UnitOfWork(settings), people["viewer"], run)
    assert [(c.from_status, c.to_status, c.changed_by_name) for c in history] == [
        (None, "draft", "surveyor"),
        ("draft", "qc_passed", "surveyor"),
        ("qc_passed", "approved", "engineer"),
    ]
    with UnitOfWork(settings) as uow:
        ok = uow.audit.list(action="approve survey", outcome="ok")
    assert (
        len(ok) == 1
        and ok[0].actor_name == "engineer"
        and "qc_passed -> approved" in (ok[0].detail or "")
    )


def test_four_eyes_the_importer_may_not_approve(settings, people):
    for who in ("engineer", "admin"):
        run = _imported(settings, people[who])
        with pytest.raises(PermissionDenied, match="four eyes"):
            approval.approve(UnitOfWork(settings), people[who], run, note="mine")
        assert any(f"{who} imported run {run}" in d for d in _denials(settings, "approve surveys"))
        assert _status(settings, run) == "qc_passed"


@pytest.mark.parametrize("who", ["surveyor", "surveyor2", "viewer"])
def test_surveyors_and_viewers_may_not_approve(settings, people, who):
    run = _imported(settings, people["engineer"])
    with pytest.raises(PermissionDenied, match=f"may not approve surveys of run {run}"):
        approval.approve(UnitOfWork(settings), people[who], run, note="ok")
    assert any(f"of run {run}" in d for d in _denials(settings, "approve surveys"))


def test_a_failed_qc_needs_an_override_with_a_note(settings, people):
    run = _imported(settings, people["surveyor"], fail=True)
    with pytest.raises(ServiceError, match="failed QC: approving it needs an explicit override"):
        approval.approve(UnitOfWork(settings), people["engineer"], run, note="ok")
    with pytest.raises(ServiceError, match=f"run {run} revision 1: an approval needs a note"):
        approval.approve(UnitOfWork(settings), people["engineer"], run, note="  ", override_qc=True)
    s = approval.approve(
        UnitOfWork(settings), people["admin"], run, note="magnetic interference at MD 250 "
        "known; station excluded downstream", override_qc=True,
    )  # fmt: skip
    assert s.status == "approved" and s.status_note is not None
    assert s.status_note.startswith("QC override: magnetic")
    assert "1 station(s) outside" in s.status_note
    last = approval.status_history(UnitOfWork(settings), people["viewer"], run)[-1]
    assert last.override_qc and last.from_status == "qc_failed"
    with pytest.raises(ServiceError, match=r"already approved \(by admin"):
        approval.approve(UnitOfWork(settings), people["engineer"], run, note="again")


def test_a_draft_without_a_qc_verdict_is_approved_with_the_reason(settings, people):
    run = _imported(settings, people["surveyor"], raw=False)
    s = approval.approve(UnitOfWork(settings), people["engineer"], run, note="gyro, checked")
    assert s.status == "approved" and s.status_note is not None
    assert "approved without a QC verdict" in s.status_note
    assert "no raw sensor readings" in s.status_note


def test_a_new_revision_starts_again_at_draft(settings, people):
    run = _imported(settings, people["surveyor"])
    approval.approve(UnitOfWork(settings), people["engineer"], run, note="ok")
    res = surveys.import_survey(
        UnitOfWork(settings), people["surveyor"], run=run, content=_file(seed=1),
        file_name="b.csv",
    )  # fmt: skip
    assert res.survey.revision == 2 and res.survey.status == "qc_passed"
    history = approval.status_history(UnitOfWork(settings), people["viewer"], run)
    assert [c.to_status for c in history] == ["draft", "qc_passed"]
    old = approval.status_history(UnitOfWork(settings), people["viewer"], run, 1)
    assert old[-1].to_status == "approved"
    current = runs.get_run(UnitOfWork(settings), people["viewer"], run)
    assert current.current_revision == 2 and current.current_status == "qc_passed"
    # the earlier revision is approved still, and may be named
    with pytest.raises(ServiceError, match="revision 1 is already approved"):
        approval.approve(UnitOfWork(settings), people["admin"], run, revision=1, note="x")


def test_unknown_run_or_revision_is_named(settings, people):
    run = _imported(settings, people["surveyor"])
    with pytest.raises(ServiceError, match=f"run {run} has no revision 7"):
        approval.approve(UnitOfWork(settings), people["engineer"], run, revision=7, note="x")
    with pytest.raises(ServiceError, match="unknown run 'NOPE'"):
        approval.approve(UnitOfWork(settings), people["engineer"], "NOPE", note="x")


# ------------------------------------------------------------------------------------------
# two approvers at once (PostgreSQL, real connections in two threads)
# ------------------------------------------------------------------------------------------
@pytest.fixture
def pg_people(fresh_pg_url, tmp_path):
    s = settings_for(fresh_pg_url, tmp_path)
    db.upgrade(s)
    out = {}
    with UnitOfWork(s) as uow:
        for name, role in (("sam", Role.SURVEYOR), ("eve", Role.ENGINEER), ("ada", Role.ADMIN)):
            u = uow.users.add(name, hash_password(f"{name}-password-123"), role)
            out[name] = Actor(u.id, u.username, u.role)
        uow.commit()
    yield s, out
    db.get_engine(s).dispose()


@pytest.mark.postgres
def test_two_approvers_at_once_one_wins_the_other_is_refused(pg_people, monkeypatch):
    """Both read the revision as qc_passed; the first to update holds the row lock for
    0.8 s before committing; the second's update waits for it, then finds the status
    changed: refused, naming who approved it. Three races, each with its own revision."""
    settings, people = pg_people
    original = SurveyRepository.change_status
    calls: list[dict] = []
    guard = threading.Lock()

    def slow(self, survey_id, **kw):
        started = time.monotonic()
        changed = original(self, survey_id, **kw)
        with guard:
            first = not any(c["changed"] for c in calls if c["survey"] == survey_id)
            calls.append({"survey": survey_id, "changed": changed, "started": started,
                          "returned": time.monotonic(), "who": kw["by_name"]})  # fmt: skip
        if changed and first:
            time.sleep(0.8)  # keep the row locked: the other approver waits on it
        return changed

    monkeypatch.setattr(SurveyRepository, "change_status", slow)
    for _ in range(3):
        run = _imported(settings, people["sam"])
        barrier = threading.Barrier(2)
        results: dict[str, SurveyRecord | ServiceError] = {}

        def approve(
            who: str,
            run: str = run,
            barrier: threading.Barrier = barrier,
            results: dict[str, SurveyRecord | ServiceError] = results,
        ) -> None:
            barrier.wait()
            try:
                results[who] = approval.approve(
                    UnitOfWork(settings), people[who], run, note=f"{who} says ok"
                )
            except ServiceError as exc:
                results[who] = exc

        threads = [threading.Thread(target=approve, args=(w,)) for w in ("eve", "ada")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        won = [w for w, r in results.items() if not isinstance(r, Exception)]
        lost = [w for w, r in results.items() if isinstance(r, Exception)]
        assert len(won) == 1 and len(lost) == 1, results
        message = str(results[lost[0]])
        assert f"run {run} revision 1 was changed meanwhile: it is now approved (by {won[0]}" in (
            message
        )
        winning = results[won[0]]
        assert isinstance(winning, SurveyRecord)
        race = [c for c in calls if c["who"] in (won[0], lost[0]) and c["survey"] == winning.id]
        loser = next(c for c in race if not c["changed"])
        winner = next(c for c in race if c["changed"])
        # a real race: the loser's update was issued while the winner held the lock
        assert loser["started"] < winner["returned"] + 0.8
        assert loser["returned"] - loser["started"] > 0.3
        with UnitOfWork(settings) as uow:
            rev = uow.surveys.get(winning.id)
            assert (
                rev is not None
                and rev.status == "approved"
                and rev.status_changed_by_name == won[0]
            )
            changes = uow.surveys.status_changes(rev.id)
            assert [c.to_status for c in changes].count("approved") == 1
