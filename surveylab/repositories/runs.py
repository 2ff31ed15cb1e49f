"""Runs: by id, number, name and owner, plus listing, filtering and counting for dashboards."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypedDict, Unpack

import pandas as pd
import sqlalchemy as sa

from surveylab.db import tables as t
from surveylab.models.records import RunRecord
from surveylab.repositories._base import (
    DuplicateError,
    Repository,
    as_utc,
    as_utc_or_none,
    as_uuid,
    as_uuid_or_none,
    utcnow,
)

#: Values per ``IN (...)`` list in the bulk look-ups.
_CHUNK = 1000

_current = t.surveys.alias("current_survey")
_RUN_COLUMNS = (
    t.runs,
    t.wells.c.well_name,
    t.users.c.username.label("owner_name"),
    _current.c.revision.label("current_revision"),
    _current.c.worst_severity.label("worst_severity"),
    _current.c.station_count.label("station_count"),
    t.wellbores.c.name.label("wellbore_name"),
    _current.c.status.label("current_status"),
)


def _run_select() -> sa.Select[Any]:
    return (
        sa.select(*_RUN_COLUMNS)
        .select_from(t.runs)
        .outerjoin(t.wells, t.wells.c.id == t.runs.c.well_id)
        .outerjoin(t.users, t.users.c.id == t.runs.c.user_id)
        .outerjoin(_current, _current.c.id == t.runs.c.current_survey_id)
        .outerjoin(t.wellbores, t.wellbores.c.id == t.runs.c.wellbore_id)
    )


class RunFilter(TypedDict, total=False):
    """Which runs :meth:`RunRepository.list`, ``frame`` and ``count`` select (None: any)."""

    #: The owner [user id].
    owner_id: uuid.UUID | None
    #: The well [well id].
    well_id: uuid.UUID | None
    #: Run type (GTL, Gyro, MWD, Unknown).
    run_type: str | None
    #: Only runs whose survey changed at or after this time [timezone-aware].
    changed_since: datetime | None
    #: Text in the run number or name (any case; ``%`` and ``_`` are plain text).
    search: str | None
    #: Lifecycle status of the run's current revision (draft, qc_passed, qc_failed, approved,
    #: definitive); ``"none"``: runs without a survey.
    status: str | None


def _filtered(q: sa.Select[Any], f: RunFilter) -> sa.Select[Any]:
    """``q`` restricted to the runs matching every filter given."""
    if (owner_id := f.get("owner_id")) is not None:
        q = q.where(t.runs.c.user_id == owner_id)
    if (well_id := f.get("well_id")) is not None:
        q = q.where(t.runs.c.well_id == well_id)
    if run_type := f.get("run_type"):
        q = q.where(t.runs.c.run_type == run_type)
    if (changed_since := f.get("changed_since")) is not None:
        q = q.where(t.runs.c.survey_changed_at >= changed_since)
    if status := f.get("status"):
        if status == "none":
            q = q.where(t.runs.c.current_survey_id.is_(None))
        else:
            # a semi-join on the surveys of that status (ix_surveys_status on PostgreSQL): a
            # page and its count still read the runs table alone
            current = sa.select(t.surveys.c.id).where(t.surveys.c.status == status)
            q = q.where(t.runs.c.current_survey_id.in_(current))
    if search := f.get("search"):
        # plain substring search: % and _ typed by the user are text, not LIKE wildcards
        text = search.lower()
        q = q.where(
            sa.or_(
                sa.func.lower(t.runs.c.run_number).contains(text, autoescape=True),
                sa.func.lower(t.runs.c.run_name).contains(text, autoescape=True),
            )
        )
    return q


class RunRepository(Repository[RunRecord]):
    """Runs by id, number, name and owner, plus listing and filtering for the dashboards.

    :class:`RunFilter` (``owner_id``, ``well_id``, ``run_type``, ``changed_since``, ``search``,
    ``status``) means the same in :meth:`list`, :meth:`frame` and :meth:`count`.
    """

    table = t.runs

    def _record(self, r: Any) -> RunRecord:
        m = r._mapping
        return RunRecord(
            id=as_uuid(m["id"]),
            run_number=m["run_number"],
            run_name=m["run_name"],
            run_type=m["run_type"],
            well_id=as_uuid_or_none(m["well_id"]),
            well_name=m["well_name"],
            user_id=as_uuid(m["user_id"]),
            owner_name=m["owner_name"],
            current_survey_id=as_uuid_or_none(m["current_survey_id"]),
            current_revision=m["current_revision"],
            worst_severity=m["worst_severity"],
            station_count=m["station_count"],
            survey_changed_at=as_utc_or_none(m["survey_changed_at"]),
            created_at=as_utc(m["created_at"]),
            updated_at=as_utc(m["updated_at"]),
            wellbore_id=as_uuid_or_none(m["wellbore_id"]),
            wellbore_name=m["wellbore_name"],
            current_status=m["current_status"],
            tool_code=m["tool_code"],
        )

    def _returning(self) -> tuple[sa.Column[Any]]:
        return (t.runs.c.id,)

    def _inserted(self, row: Any) -> RunRecord:
        # the record names the well and the owner: read it back through the joined select
        run = self.get(as_uuid(row.id))
        assert run is not None, "a run inserted in this transaction is readable in it"
        return run

    def _records(self, q: sa.Select[Any]) -> builtins.list[RunRecord]:
        """Many runs: one bulk fetch (not a row at a time), positional record building."""
        result = self.conn.execute(q)
        keys = list(result.keys())
        idx = {k: keys.index(k) for k in keys}
        rows = result.all()
        i_id, i_num, i_name, i_type = idx["id"], idx["run_number"], idx["run_name"], idx["run_type"]
        i_well, i_wname, i_user, i_owner = (
            idx["well_id"],
            idx["well_name"],
            idx["user_id"],
            idx["owner_name"],
        )
        i_cur, i_rev, i_worst, i_count = (
            idx["current_survey_id"],
            idx["current_revision"],
            idx["worst_severity"],
            idx["station_count"],
        )
        i_changed, i_created, i_updated = (
            idx["survey_changed_at"],
            idx["created_at"],
            idx["updated_at"],
        )
        i_bore, i_bname, i_status = idx["wellbore_id"], idx["wellbore_name"], idx["current_status"]
        i_tool = idx["tool_code"]
        return [
            RunRecord(
                as_uuid(r[i_id]),
                r[i_num],
                r[i_name],
                r[i_type],
                as_uuid_or_none(r[i_well]),
                r[i_wname],
                as_uuid(r[i_user]),
                r[i_owner],
                as_uuid_or_none(r[i_cur]),
                r[i_rev],
                r[i_worst],
                r[i_count],
                as_utc_or_none(r[i_changed]),
                as_utc(r[i_created]),
                as_utc(r[i_updated]),
                as_uuid_or_none(r[i_bore]),
                r[i_bname],
                r[i_status],
                r[i_tool],
            )
            for r in rows
        ]

    def add(
        self,
        *,
        run_number: str,
        run_name: str,
        run_type: str,
        user_id: uuid.UUID,
        well_id: uuid.UUID | None = None,
        wellbore_id: uuid.UUID | None = None,
    ) -> RunRecord:
        taken = self.conn.execute(
            sa.select(t.runs.c.run_number, t.runs.c.run_name).where(
                sa.or_(t.runs.c.run_number == run_number, t.runs.c.run_name == run_name)
            )
        ).first()
        if taken is not None:
            what = "run number" if taken.run_number == run_number else "run name"
            value = run_number if what == "run number" else run_name
            raise DuplicateError(f"{what} {value!r} is taken")
        return self._insert(
            run_number=run_number,
            run_name=run_name,
            run_type=run_type,
            well_id=well_id,
            user_id=user_id,
            wellbore_id=wellbore_id,
        )

    def get(self, run_id: uuid.UUID, *, owner_id: uuid.UUID | None = None) -> RunRecord | None:
        """A run by id; with ``owner_id``, only when that user owns it."""
        q = _run_select().where(t.runs.c.id == run_id)
        if owner_id is not None:
            q = q.where(t.runs.c.user_id == owner_id)
        r = self.conn.execute(q).first()
        return self._record(r) if r else None

    def by_number(self, run_number: str) -> RunRecord | None:
        r = self.conn.execute(_run_select().where(t.runs.c.run_number == run_number)).first()
        return self._record(r) if r else None

    def by_name(self, run_name: str) -> RunRecord | None:
        r = self.conn.execute(_run_select().where(t.runs.c.run_name == run_name)).first()
        return self._record(r) if r else None

    def by_numbers(self, run_numbers: Iterable[str]) -> dict[str, RunRecord]:
        """The runs of these run numbers that exist, by run number (a few queries for
        thousands of numbers)."""
        found: dict[str, RunRecord] = {}
        wanted = sorted(set(run_numbers))
        for i in range(0, len(wanted), _CHUNK):
            q = _run_select().where(t.runs.c.run_number.in_(wanted[i : i + _CHUNK]))
            for r in self.conn.execute(q):
                rec = self._record(r)
                found[rec.run_number] = rec
        return found

    def names_taken(self, run_names: Iterable[str]) -> dict[str, str]:
        """The run names among ``run_names`` that a run has, with that run's number."""
        taken: dict[str, str] = {}
        wanted = sorted(set(run_names))
        for i in range(0, len(wanted), _CHUNK):
            q = sa.select(t.runs.c.run_name, t.runs.c.run_number).where(
                t.runs.c.run_name.in_(wanted[i : i + _CHUNK])
            )
            taken.update({r.run_name: r.run_number for r in self.conn.execute(q)})
        return taken

    def for_user(self, user_id: uuid.UUID) -> builtins.list[RunRecord]:
        """Runs the user owns, by run number."""
        return self.list(owner_id=user_id)

    def list(
        self,
        *,
        order_by: str = "run_number",
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
        **filters: Unpack[RunFilter],
    ) -> builtins.list[RunRecord]:
        """Runs matching ``filters``, sorted by ``order_by`` (run_number, run_name, run_type,
        well, owner, created_at, updated_at), ``limit`` of them from ``offset``."""
        # the page's ids first, from the runs table alone (joined to wells or users only to
        # sort by their names), then the 25 rows with their well, owner and current survey:
        # a deferred join. Sorting 100,000 joined rows to keep 25 was most of a page's time
        # (bench/bulk_runs.py --explain shows both plans).
        sort_cols = {
            "run_number": t.runs.c.run_number,
            "run_name": t.runs.c.run_name,
            "run_type": t.runs.c.run_type,
            "well": t.wells.c.well_name,
            "owner": t.users.c.username,
            "created_at": t.runs.c.created_at,
            "updated_at": t.runs.c.updated_at,
        }
        col = sort_cols.get(order_by, t.runs.c.run_number)
        key = col.desc() if descending else col.asc()
        if order_by == "well":
            # runs without a well last both ways (PostgreSQL puts NULL first when sorting
            # down, DuckDB last); the other sort columns are never NULL
            key = key.nulls_last()
        ordered = (key, t.runs.c.id)
        if limit is None:
            return self._records(_filtered(_run_select(), filters).order_by(*ordered))
        source: Any = t.runs
        if order_by == "well":
            source = source.outerjoin(t.wells, t.wells.c.id == t.runs.c.well_id)
        elif order_by == "owner":
            source = source.outerjoin(t.users, t.users.c.id == t.runs.c.user_id)
        page = (
            _filtered(sa.select(t.runs.c.id).select_from(source), filters)
            .order_by(*ordered)
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
        q = _run_select().join(page, page.c.id == t.runs.c.id).order_by(*ordered)
        return self._records(q)

    def frame(self, **filters: Unpack[RunFilter]) -> pd.DataFrame:
        """Runs as one DataFrame (same filters and order as :meth:`list`), for large listings.

        On DuckDB the rows go straight into pandas without Python objects per row.
        """
        q = _filtered(_run_select(), filters).order_by(t.runs.c.run_number, t.runs.c.id)
        if self.dialect == "duckdb":
            compiled = q.compile(dialect=self.conn.dialect)
            params = [compiled.params[name] for name in compiled.positiontup or ()]
            params = [str(v) if isinstance(v, uuid.UUID) else v for v in params]
            raw = self._driver_connection()
            frame: pd.DataFrame = raw.execute(str(compiled), params).df()
            return frame
        return pd.read_sql(q, self.conn)

    def count(self, **filters: Unpack[RunFilter]) -> int:
        """Number of runs matching ``filters`` (read from the runs table, and for ``status``
        the ids of the surveys in that status)."""
        q = _filtered(sa.select(sa.func.count()).select_from(t.runs), filters)
        return int(self.conn.execute(q).scalar_one())

    def update(self, run_id: uuid.UUID, **values: Any) -> None:
        values["updated_at"] = utcnow()
        self.conn.execute(t.runs.update().where(t.runs.c.id == run_id).values(**values))

    def lock(self, run_id: uuid.UUID) -> None:
        """Hold the run's row until the transaction ends, so concurrent imports into one run
        take revision numbers one after the other (PostgreSQL ``SELECT ... FOR UPDATE``).

        DuckDB needs nothing: one process at a time writes its file.

        Parameters
        ----------
        run_id : uuid.UUID
            The run to lock [UUID].
        """
        if self.dialect == "postgresql":
            self.conn.execute(sa.select(t.runs.c.id).where(t.runs.c.id == run_id).with_for_update())

    def delete(self, run_id: uuid.UUID) -> None:
        """Delete a run with its files, surveys and stations (cascaded here on both backends)."""
        survey_ids = sa.select(t.surveys.c.id).where(t.surveys.c.run_id == run_id)
        self.conn.execute(t.stations.delete().where(t.stations.c.survey_id.in_(survey_ids)))
        self.conn.execute(t.qc_stations.delete().where(t.qc_stations.c.survey_id.in_(survey_ids)))
        self.conn.execute(
            t.survey_status_changes.delete().where(
                t.survey_status_changes.c.survey_id.in_(survey_ids)
            )
        )
        # a definitive survey keeps its stations and names the run it used (SET NULL)
        self.conn.execute(
            t.definitive_intervals.update()
            .where(t.definitive_intervals.c.run_id == run_id)
            .values(run_id=None, survey_id=None)
        )
        self.conn.execute(t.surveys.delete().where(t.surveys.c.run_id == run_id))
        self.conn.execute(t.survey_files.delete().where(t.survey_files.c.run_id == run_id))
        self.conn.execute(
            t.reports.update().where(t.reports.c.run_id == run_id).values(run_id=None)
        )
        self.conn.execute(t.runs.delete().where(t.runs.c.id == run_id))

    def delete_for_user(self, user_id: uuid.UUID) -> None:
        """Delete every run the user owns (a user's runs go with the user)."""
        # fetch every id first: on DuckDB a new statement invalidates an open result
        ids = self.conn.execute(sa.select(t.runs.c.id).where(t.runs.c.user_id == user_id)).all()
        for (rid,) in ids:
            self.delete(as_uuid(rid))
