"""The audit log: who did what to which object, when, and the outcome (refusals too)."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

import sqlalchemy as sa

from surveylab.db import tables as t
from surveylab.models.records import AuditRecord
from surveylab.repositories._base import Repository, as_utc, as_uuid, as_uuid_or_none


class AuditRepository(Repository[AuditRecord]):
    table = t.audit_events
    stamped = ("occurred_at",)

    def _record(self, r: Any) -> AuditRecord:
        return AuditRecord(
            id=as_uuid(r.id),
            occurred_at=as_utc(r.occurred_at),
            actor_id=as_uuid_or_none(r.actor_id),
            actor_name=r.actor_name,
            action=r.action,
            target_type=r.target_type,
            target_id=r.target_id,
            outcome=r.outcome,
            detail=r.detail,
        )

    def add(
        self,
        *,
        actor_id: uuid.UUID | None,
        actor_name: str | None,
        action: str,
        outcome: str,
        target_type: str | None = None,
        target_id: str | None = None,
        detail: str | None = None,
    ) -> AuditRecord:
        return self._insert(
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            target_type=target_type,
            target_id=target_id,
            outcome=outcome,
            detail=detail,
        )

    def list(
        self, *, action: str | None = None, outcome: str | None = None, limit: int = 1000
    ) -> builtins.list[AuditRecord]:
        """Events, newest first, optionally of one action and one outcome."""
        q = sa.select(t.audit_events).order_by(t.audit_events.c.occurred_at.desc()).limit(limit)
        if action:
            q = q.where(t.audit_events.c.action == action)
        if outcome:
            q = q.where(t.audit_events.c.outcome == outcome)
        return [self._record(r) for r in self.conn.execute(q)]
