"""the survey tool code of a run (OWSG code for the position-uncertainty model)

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-08

Adds ``runs.tool_code``: the OWSG tool code a run's position uncertainty is computed with
(surveylab/calc/uncertainty/toolcodes.py) when it overrides the code its run type gives;
NULL (every existing run) means "from the run type".

DuckDB cannot add or drop a column of a table that has an index ("Cannot alter entry ...
because there are entries that depend on it"): as in 0003, the indexes of ``runs`` are dropped
and created again around the change on DuckDB.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Indexes of ``runs`` on DuckDB (the wellbore_id index exists on PostgreSQL only): name, columns.
_DUCKDB_INDEXES = (("ix_runs_user_id", ["user_id"]), ("ix_runs_well_id", ["well_id"]))


def _duckdb() -> bool:
    return op.get_bind().dialect.name == "duckdb"


def _around_indexes(change) -> None:
    duck = _duckdb()
    if duck:
        for name, _cols in _DUCKDB_INDEXES:
            op.drop_index(name, table_name="runs")
    change()
    if duck:
        for name, cols in _DUCKDB_INDEXES:
            op.create_index(name, "runs", cols, unique=False)


def upgrade() -> None:
    _around_indexes(
        lambda: op.add_column("runs", sa.Column("tool_code", sa.String(length=50), nullable=True))
    )


def downgrade() -> None:
    _around_indexes(lambda: op.drop_column("runs", "tool_code"))
