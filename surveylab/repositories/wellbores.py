"""Wellbores (a well's main bore and its sidetracks) and their definitive surveys.

A definitive survey is versioned: every composition adds a version (its tool program, its
stations); the wellbore names its current one (``wellbores.definitive_id``), so there is at
most one at a time.
"""

from __future__ import annotations

import builtins
import json
import uuid
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from surveylab.db import tables as t
from surveylab.models import DepthUnit, NorthReference
from surveylab.models.records import DefinitiveInterval, DefinitiveSurveyRecord, WellboreRecord
from surveylab.repositories._base import (
    DuplicateError,
    Repository,
    as_utc,
    as_uuid,
    as_uuid_or_none,
    json_safe,
    utcnow,
)
from surveylab.repositories.surveys import station_frame

_parent = t.wellbores.alias("parent")


def _select() -> sa.Select[Any]:
    return (
        sa.select(
            t.wellbores,
            t.wells.c.well_name,
            _parent.c.name.label("parent_name"),
        )
        .select_from(t.wellbores)
        .outerjoin(t.wells, t.wells.c.id == t.wellbores.c.well_id)
        .outerjoin(_parent, _parent.c.id == t.wellbores.c.parent_id)
    )


class WellboreRepository(Repository[WellboreRecord]):
    """Wellbores by id, by well and name; the main wellbore of a well has no parent."""

    table = t.wellbores

    def _record(self, r: Any) -> WellboreRecord:
        return WellboreRecord(
            id=as_uuid(r.id),
            well_id=as_uuid(r.well_id),
            well_name=r.well_name,
            name=r.name,
            parent_id=as_uuid_or_none(r.parent_id),
            parent_name=r.parent_name,
            kickoff_md=None if r.kickoff_md is None else float(r.kickoff_md),
            depth_unit=r.depth_unit,
            definitive_id=as_uuid_or_none(r.definitive_id),
            created_by=as_uuid_or_none(r.created_by),
            created_at=as_utc(r.created_at),
        )

    def _returning(self) -> tuple[sa.Column[Any]]:
        return (t.wellbores.c.id,)

    def _inserted(self, row: Any) -> WellboreRecord:
        bore = self.get(as_uuid(row.id))
        assert bore is not None, "a wellbore inserted in this transaction is readable in it"
        return bore

    def add(
        self,
        *,
        well_id: uuid.UUID,
        name: str,
        created_by: uuid.UUID | None,
        parent_id: uuid.UUID | None = None,
        kickoff_md: float | None = None,
        depth_unit: str | None = None,
    ) -> WellboreRecord:
        """A new wellbore of a well (a sidetrack with ``parent_id``, ``kickoff_md`` and its
        ``depth_unit``).

        Raises
        ------
        DuplicateError
            The well has a wellbore of that name.
        """
        if self.by_name(well_id, name) is not None:
            raise DuplicateError(f"the well has a wellbore named {name!r}")
        return self._insert(
            well_id=well_id,
            name=name,
            parent_id=parent_id,
            kickoff_md=kickoff_md,
            depth_unit=depth_unit,
            created_by=created_by,
        )

    def get(self, wellbore_id: uuid.UUID) -> WellboreRecord | None:
        r = self.conn.execute(_select().where(t.wellbores.c.id == wellbore_id)).first()
        return self._record(r) if r else None

    def by_name(self, well_id: uuid.UUID, name: str) -> WellboreRecord | None:
        """The well's wellbore of that name (exact, then any case)."""
        rows = self.conn.execute(_select().where(t.wellbores.c.well_id == well_id)).all()
        exact = [r for r in rows if r.name == name]
        folded = [r for r in rows if r.name.lower() == name.lower()]
        hit = exact or (folded if len(folded) == 1 else [])
        return self._record(hit[0]) if hit else None

    def main(self, well_id: uuid.UUID) -> WellboreRecord | None:
        """The well's main wellbore (the one without a parent, created with the well)."""
        q = (
            _select()
            .where(t.wellbores.c.well_id == well_id, t.wellbores.c.parent_id.is_(None))
            .order_by(t.wellbores.c.created_at)
        )
        r = self.conn.execute(q).first()
        return self._record(r) if r else None

    def for_well(self, well_id: uuid.UUID) -> builtins.list[WellboreRecord]:
        """The well's wellbores: the main one first, then sidetracks by kick-off and name."""
        q = _select().where(t.wellbores.c.well_id == well_id)
        bores = [self._record(r) for r in self.conn.execute(q).all()]
        return sorted(
            bores, key=lambda b: (b.parent_id is not None, b.kickoff_md or 0.0, b.name.lower())
        )

    def set_definitive(self, wellbore_id: uuid.UUID, definitive_id: uuid.UUID) -> None:
        """Make ``definitive_id`` the wellbore's current definitive survey."""
        self.conn.execute(
            t.wellbores.update()
            .where(t.wellbores.c.id == wellbore_id)
            .values(definitive_id=definitive_id, updated_at=utcnow())
        )

    def lock(self, wellbore_id: uuid.UUID) -> None:
        """Hold the wellbore's row until the transaction ends (PostgreSQL ``FOR UPDATE``), so
        that two compositions of one wellbore take version numbers one after the other. DuckDB
        needs nothing: one process at a time writes its file."""
        if self.dialect == "postgresql":
            self.conn.execute(
                sa.select(t.wellbores.c.id).where(t.wellbores.c.id == wellbore_id).with_for_update()
            )


class DefinitiveSurveyRepository(Repository[DefinitiveSurveyRecord]):
    """Versions of wellbores' definitive surveys: tool program (intervals) and stations."""

    table = t.definitive_surveys

    def _intervals(self, definitive_id: uuid.UUID) -> builtins.list[DefinitiveInterval]:
        c = t.definitive_intervals.c
        q = sa.select(t.definitive_intervals).where(c.definitive_id == definitive_id)
        rows = self.conn.execute(q.order_by(c.seq)).all()
        return [
            DefinitiveInterval(
                seq=int(r.seq),
                run_id=as_uuid_or_none(r.run_id),
                run_number=r.run_number,
                survey_id=as_uuid_or_none(r.survey_id),
                revision=int(r.revision),
                md_from=float(r.md_from),
                md_to=float(r.md_to),
                tool=r.tool,
                status=r.status,
            )
            for r in rows
        ]

    def _record(self, r: Any) -> DefinitiveSurveyRecord:
        current = self.conn.execute(
            sa.select(t.wellbores.c.definitive_id).where(t.wellbores.c.id == r.wellbore_id)
        ).scalar()
        return DefinitiveSurveyRecord(
            id=as_uuid(r.id),
            wellbore_id=as_uuid(r.wellbore_id),
            version=int(r.version),
            depth_unit=DepthUnit(r.depth_unit),
            azimuth_reference=NorthReference(r.azimuth_reference),
            note=r.note,
            tie_on=json.loads(r.tie_on_json),
            intervals=self._intervals(as_uuid(r.id)),
            created_by=as_uuid_or_none(r.created_by),
            created_by_name=r.created_by_name,
            created_at=as_utc(r.created_at),
            is_current=current is not None and as_uuid(current) == as_uuid(r.id),
        )

    def _returning(self) -> tuple[sa.Column[Any]]:
        return (t.definitive_surveys.c.id,)

    def _inserted(self, row: Any) -> DefinitiveSurveyRecord:
        rec = self.get(as_uuid(row.id))
        assert rec is not None, "a definitive survey inserted in this transaction is readable"
        return rec

    def next_version(self, wellbore_id: uuid.UUID) -> int:
        q = sa.select(sa.func.max(t.definitive_surveys.c.version)).where(
            t.definitive_surveys.c.wellbore_id == wellbore_id
        )
        return int(self.conn.execute(q).scalar() or 0) + 1

    def add(
        self,
        *,
        wellbore_id: uuid.UUID,
        version: int,
        depth_unit: DepthUnit,
        azimuth_reference: NorthReference,
        note: str,
        tie_on: dict[str, Any],
        intervals: builtins.list[DefinitiveInterval],
        stations: pd.DataFrame,
        created_by: uuid.UUID | None,
        created_by_name: str | None,
    ) -> DefinitiveSurveyRecord:
        """Store one version: its header, tool program and stations (in bulk).

        ``stations`` has the computed station columns (md, inc, azi, tvd, north, east,
        dogleg, dls, build_rate, turn_rate, toolface, vs), ``interval_seq`` and
        ``interpolated``.
        """
        new_id = uuid.uuid4()
        self.conn.execute(
            t.definitive_surveys.insert().values(
                id=new_id,
                wellbore_id=wellbore_id,
                version=version,
                depth_unit=str(depth_unit),
                azimuth_reference=str(azimuth_reference),
                note=note,
                tie_on_json=json.dumps(json_safe(tie_on)),
                created_by=created_by,
                created_by_name=created_by_name,
                created_at=utcnow(),
            )
        )
        if intervals:
            self.conn.execute(
                t.definitive_intervals.insert(),
                [
                    {
                        "definitive_id": new_id,
                        "seq": iv.seq,
                        "run_id": iv.run_id,
                        "run_number": iv.run_number,
                        "survey_id": iv.survey_id,
                        "revision": iv.revision,
                        "md_from": iv.md_from,
                        "md_to": iv.md_to,
                        "tool": iv.tool,
                        "status": iv.status,
                    }
                    for iv in intervals
                ],
            )
        frame = station_frame(stations).drop(columns=["projected", "used"])
        frame["interval_seq"] = stations["interval_seq"].to_numpy(dtype=np.int32)
        frame["interpolated"] = stations["interpolated"].to_numpy(dtype=bool)
        self._bulk_insert(
            t.definitive_stations, ("definitive_id", new_id), frame, t.STATION_VALUE_COLUMNS
        )
        rec = self.get(new_id)
        assert rec is not None
        return rec

    def get(self, definitive_id: uuid.UUID) -> DefinitiveSurveyRecord | None:
        q = sa.select(t.definitive_surveys).where(t.definitive_surveys.c.id == definitive_id)
        r = self.conn.execute(q).first()
        return self._record(r) if r else None

    def by_version(self, wellbore_id: uuid.UUID, version: int) -> DefinitiveSurveyRecord | None:
        c = t.definitive_surveys.c
        q = sa.select(t.definitive_surveys).where(
            c.wellbore_id == wellbore_id, c.version == version
        )
        r = self.conn.execute(q).first()
        return self._record(r) if r else None

    def for_wellbore(self, wellbore_id: uuid.UUID) -> builtins.list[DefinitiveSurveyRecord]:
        """Every version of the wellbore's definitive survey, oldest first."""
        c = t.definitive_surveys.c
        q = sa.select(t.definitive_surveys).where(c.wellbore_id == wellbore_id)
        rows = self.conn.execute(q.order_by(c.version)).all()
        return [self._record(r) for r in rows]

    def current_using(self, survey_id: uuid.UUID) -> builtins.list[uuid.UUID]:
        """Ids of the current definitive surveys (of any wellbore) whose tool program uses
        the survey revision ``survey_id``."""
        q = (
            sa.select(t.definitive_intervals.c.definitive_id)
            .join(
                t.wellbores,
                t.wellbores.c.definitive_id == t.definitive_intervals.c.definitive_id,
            )
            .where(t.definitive_intervals.c.survey_id == survey_id)
            .distinct()
        )
        return [as_uuid(r[0]) for r in self.conn.execute(q).all()]

    def stations(self, definitive_id: uuid.UUID) -> pd.DataFrame:
        """The stations of one version as one DataFrame (with ``interval_seq`` and
        ``interpolated``), in MD order."""
        names = [*t.STATION_VALUE_COLUMNS, "interval_seq", "interpolated"]
        frame = self._frame(t.definitive_stations, ("definitive_id", definitive_id), names)
        for n in t.STATION_VALUE_COLUMNS:
            frame[n] = pd.to_numeric(frame[n], errors="coerce").astype(float)
        frame["interval_seq"] = frame["interval_seq"].astype(int)
        frame["interpolated"] = frame["interpolated"].astype(bool)
        return frame


__all__ = ["DefinitiveSurveyRepository", "DuplicateError", "WellboreRepository"]
