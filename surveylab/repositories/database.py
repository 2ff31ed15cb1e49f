"""Facts about the database itself: its marks (``database_marks``) and whether it holds data."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from surveylab.db import tables as t
from surveylab.repositories._base import Repository, utcnow

#: The tables whose rows make a database "hold data" (the audit log and the throttling and
#: token tables do not: a failed login on an empty database writes to them).
DATA_TABLES = (t.users, t.wells, t.runs, t.survey_files, t.surveys, t.reports)


class DatabaseRepository(Repository[str]):
    """The database's marks, one row each (a record here is the mark's name)."""

    table = t.database_marks
    stamped = ("created_at",)

    def _record(self, r: Any) -> str:
        return str(r.name)

    def has_mark(self, name: str) -> bool:
        """Whether the database carries the mark ``name`` [text]."""
        q = sa.select(t.database_marks.c.name).where(t.database_marks.c.name == name)
        return self.conn.execute(q).first() is not None

    def add_mark(self, name: str) -> None:
        """Mark the database with ``name`` [text] (nothing when it carries it already)."""
        if not self.has_mark(name):
            self.conn.execute(t.database_marks.insert().values(name=name, created_at=utcnow()))

    def holds_data(self) -> bool:
        """Whether any user, well, run, survey file, survey or report exists."""
        for table in DATA_TABLES:
            if self.conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                return True
        return False

    def row_counts(self) -> dict[str, int]:
        """Rows in every table [count], by table name (for checks that nothing changed)."""
        return {
            name: int(self.conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
            for name, table in sorted(t.metadata.tables.items())
        }
