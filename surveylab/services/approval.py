"""The lifecycle of a survey revision: draft, QC passed or failed, approved, definitive.

- A new revision starts as ``draft``; QC at import moves it to ``qc_passed`` or ``qc_failed``
  (or leaves it a draft when nothing could be checked: :mod:`surveylab.services.qc`).
- :func:`approve`: an Engineer or an Admin who is not the person who imported the revision
  (four eyes) approves it, with a note. A ``qc_failed`` revision needs an explicit override
  (``override_qc``) and the note says why; a draft (QC could not check anything) may be
  approved, and its QC reason is recorded with the approval.
- A revision used by a wellbore's current definitive survey is ``definitive``
  (:mod:`surveylab.services.definitive`); replaced there, it is ``approved`` again.

Every change is written with who, when and the note to the revision's status history and to
the audit log; refusals are audited too. Two approvers at once: the status changes with one
conditional update (:meth:`surveylab.repositories.SurveyRepository.change_status`), so one
wins and the other is refused, naming who approved it.
"""

from __future__ import annotations

import uuid

from surveylab.auth import Permission, PermissionDenied
from surveylab.models import Actor, SurveyStatus
from surveylab.models.records import StatusChangeRecord, SurveyRecord
from surveylab.repositories import UnitOfWork
from surveylab.services.common import ServiceError, audit_ok, guard
from surveylab.services.runs import find_revision, find_run

__all__ = ["approve", "status_history", "status_summary"]

#: Statuses a revision may be approved from (``qc_failed`` only with an override).
APPROVABLE = (SurveyStatus.DRAFT, SurveyStatus.QC_PASSED, SurveyStatus.QC_FAILED)


def _refuse(uow: UnitOfWork, actor: Actor, action: str, target_id: object, message: str):
    """Audit a refusal (committed) and return the error to raise."""
    uow.rollback()
    uow.audit.add(
        actor_id=actor.id,
        actor_name=actor.username,
        action=action,
        outcome="denied",
        target_type="survey",
        target_id=str(target_id),
        detail=message,
    )
    uow.commit()
    return PermissionDenied(action, message)


def _done_by(s: SurveyRecord) -> str:
    when = f" at {s.status_changed_at:%Y-%m-%d %H:%M} UTC" if s.status_changed_at else ""
    return f"by {s.status_changed_by_name or 'someone'}{when}"


def approve(
    uow: UnitOfWork,
    actor: Actor | None,
    run: str | uuid.UUID,
    *,
    revision: int | None = None,
    note: str,
    override_qc: bool = False,
) -> SurveyRecord:
    """Approve a survey revision (four eyes).

    Parameters
    ----------
    run : str or uuid.UUID
        Run number or id.
    revision : int, optional
        The revision; default the run's current one.
    note : str
        Why it is approved (required, kept in the status history and the audit log).
    override_qc : bool, optional
        Approve a revision that failed QC; the note should say why.

    Returns
    -------
    SurveyRecord
        The revision, now ``approved``.

    Raises
    ------
    PermissionDenied
        The actor is not an Engineer or Admin, or imported the revision (four eyes).
    ServiceError
        Unknown run or revision; an empty note; a revision that failed QC without
        ``override_qc``; a revision already approved or definitive (naming who approved it,
        also when another approver won a race for it).
    """
    action = "approve surveys"
    with uow:
        run_rec = find_run(uow, run)
        actor = guard(
            uow,
            actor,
            Permission.APPROVE_SURVEYS,
            action=action,
            target=f"of run {run_rec.run_number}",
            target_type="run",
            target_id=run_rec.id,
        )
        survey = find_revision(uow, run_rec, revision)
        where = f"run {run_rec.run_number} revision {survey.revision}"
        if survey.imported_by is not None and survey.imported_by == actor.id:
            raise _refuse(
                uow,
                actor,
                action,
                survey.id,
                f"{actor.username} imported {where} and may not approve it: approval needs a "
                "second person (four eyes)",
            )
        text = (note or "").strip()
        if not text:
            raise ServiceError(f"{where}: an approval needs a note (field 'note')")
        if survey.status in (SurveyStatus.APPROVED, SurveyStatus.DEFINITIVE):
            raise ServiceError(f"{where} is already {survey.status} ({_done_by(survey)})")
        if survey.status == SurveyStatus.QC_FAILED and not override_qc:
            raise ServiceError(
                f"{where} failed QC: approving it needs an explicit override (--override-qc) "
                "with a note saying why"
            )
        qc = survey.qc or {}
        if survey.status == SurveyStatus.QC_FAILED:
            full = f"QC override: {text} (QC: {qc.get('summary') or 'failed'})"
        elif survey.status == SurveyStatus.DRAFT:
            why = qc.get("reason") or ("QC has not run" if not qc else "nothing to check")
            full = f"{text} (approved without a QC verdict: {why})"
        else:
            full = text
        changed = uow.surveys.change_status(
            survey.id,
            expected=survey.status,
            to=SurveyStatus.APPROVED,
            by_id=actor.id,
            by_name=actor.username,
            note=full,
            override_qc=survey.status == SurveyStatus.QC_FAILED,
        )
        if not changed:
            uow.rollback()
            now = uow.surveys.get(survey.id)
            assert now is not None
            raise ServiceError(
                f"{where} was changed meanwhile: it is now {now.status} ({_done_by(now)})"
            )
        audit_ok(
            uow,
            actor,
            "approve survey",
            target_type="survey",
            target_id=survey.id,
            detail=f"{where}: {survey.status} -> approved; {full}",
        )
        uow.commit()
        fresh = uow.surveys.get(survey.id)
        assert fresh is not None
        return fresh


def status_history(
    uow: UnitOfWork, actor: Actor | None, run: str | uuid.UUID, revision: int | None = None
) -> list[StatusChangeRecord]:
    """Every status change of a revision (default the run's current one), oldest first."""
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        run_rec = find_run(uow, run)
        survey = find_revision(uow, run_rec, revision)
        return uow.surveys.status_changes(survey.id)


def status_summary(survey: SurveyRecord) -> dict[str, object]:
    """JSON-ready status of a revision: ``status``, ``changed_at``, ``changed_by``, ``note``,
    ``qc`` (the QC verdict: pass, fail, not checked, or not run)."""
    qc = survey.qc or {}
    return {
        "status": survey.status,
        "changed_at": survey.status_changed_at.isoformat() if survey.status_changed_at else None,
        "changed_by": survey.status_changed_by_name,
        "note": survey.status_note,
        "qc": qc.get("status", "not run"),
    }
