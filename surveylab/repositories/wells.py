"""Wells: unique names, surface location with its CRS, depth datum."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

import sqlalchemy as sa

from surveylab.db import tables as t
from surveylab.models.records import WellRecord
from surveylab.repositories._base import (
    DuplicateError,
    Repository,
    as_utc_or_none,
    as_uuid,
    as_uuid_or_none,
    utcnow,
)


class WellRepository(Repository[WellRecord]):
    table = t.wells

    def _record(self, r: Any) -> WellRecord:
        return WellRecord(
            id=as_uuid(r.id),
            well_name=r.well_name,
            well_type=r.well_type,
            crs=r.crs,
            surface_x=r.surface_x,
            surface_y=r.surface_y,
            depth_datum=r.depth_datum,
            datum_elevation=r.datum_elevation,
            elevation_unit=r.elevation_unit,
            created_by=as_uuid_or_none(r.created_by),
            created_at=as_utc_or_none(r.created_at),
            updated_at=as_utc_or_none(r.updated_at),
        )

    def add(
        self, well_name: str, well_type: str, created_by: uuid.UUID | None, **extra: Any
    ) -> WellRecord:
        if self.by_name(well_name) is not None:
            raise DuplicateError(f"well name {well_name!r} is taken")
        return self._insert(
            well_name=well_name, well_type=well_type, created_by=created_by, **extra
        )

    def get(self, well_id: uuid.UUID) -> WellRecord | None:
        r = self.conn.execute(sa.select(t.wells).where(t.wells.c.id == well_id)).first()
        return self._record(r) if r else None

    def by_name(self, name: str) -> WellRecord | None:
        r = self.conn.execute(sa.select(t.wells).where(t.wells.c.well_name == name)).first()
        return self._record(r) if r else None

    def list(self) -> builtins.list[WellRecord]:
        q = sa.select(t.wells).order_by(t.wells.c.well_name)
        return [self._record(r) for r in self.conn.execute(q)]

    def update(self, well_id: uuid.UUID, **values: Any) -> None:
        values["updated_at"] = utcnow()
        self.conn.execute(t.wells.update().where(t.wells.c.id == well_id).values(**values))

    def delete(self, well_id: uuid.UUID) -> None:
        """Delete a well; its runs stay, with no well and no wellbore (``SET NULL``); its
        wellbores and their definitive surveys go with it (``CASCADE``), on both backends."""
        self.conn.execute(
            t.runs.update()
            .where(t.runs.c.well_id == well_id)
            .values(well_id=None, wellbore_id=None)
        )
        bores = sa.select(t.wellbores.c.id).where(t.wellbores.c.well_id == well_id)
        defs = sa.select(t.definitive_surveys.c.id).where(
            t.definitive_surveys.c.wellbore_id.in_(bores)
        )
        for child in (t.definitive_stations, t.definitive_intervals):
            self.conn.execute(child.delete().where(child.c.definitive_id.in_(defs)))
        self.conn.execute(
            t.definitive_surveys.delete().where(t.definitive_surveys.c.wellbore_id.in_(bores))
        )
        self.conn.execute(t.wellbores.delete().where(t.wellbores.c.well_id == well_id))
        self.conn.execute(
            t.reports.update().where(t.reports.c.well_id == well_id).values(well_id=None)
        )
        self.conn.execute(t.wells.delete().where(t.wells.c.id == well_id))
