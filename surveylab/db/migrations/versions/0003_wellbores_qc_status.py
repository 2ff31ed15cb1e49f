"""wellbores, survey QC and status, definitive surveys

Revision ID: 0003
Revises: 0002_sessions
Create Date: 2026-12-04

Adds wellbores (every existing well gets its main wellbore, named "main", and its runs are put
on it), the lifecycle status of survey revisions (existing revisions start as draft: QC never
ran on them), per-station QC results, the status history, and versioned definitive surveys
(intervals and stations).

DuckDB cannot add a column to a table that has an index ("Cannot alter entry ... because
there are entries that depend on it"), nor add a constraint to an existing table: on DuckDB the
indexes of ``runs`` and ``surveys`` are dropped and created again around the new columns, and
the CHECK on ``surveys.status``, the foreign key of ``runs.wellbore_id`` and its index exist on
PostgreSQL only (as every foreign key, see surveylab/db/tables.py; DuckDB cannot drop a column
that had an index in the transaction that drops the index, which the downgrade must). DuckDB
also refuses to create an index in a transaction that has changed rows, so the data are moved
last.
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002_sessions"
branch_labels = None
depends_on = None

_STATUSES = "status IN ('draft', 'qc_passed', 'qc_failed', 'approved', 'definitive')"
_UNITS = "depth_unit IN ('m', 'ft', 'usft')"
_REFS = "azimuth_reference IN ('true', 'grid', 'magnetic', 'unknown')"
#: Indexes of the tables that gain columns: (name, table, columns).
_INDEXES = (
    ("ix_runs_user_id", "runs", ["user_id"]),
    ("ix_runs_well_id", "runs", ["well_id"]),
    ("ix_surveys_run_id", "surveys", ["run_id"]),
)


def _duckdb() -> bool:
    return op.get_bind().dialect.name == "duckdb"


def _fk(*args, **kwargs) -> list:
    """A foreign key on PostgreSQL; none on DuckDB (see surveylab/db/tables.py)."""
    if _duckdb():
        return []
    return [sa.ForeignKeyConstraint(*args, **kwargs)]


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    duck = _duckdb()
    op.create_table(
        "wellbores",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("well_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("kickoff_md", sa.Double(), nullable=True),
        sa.Column("depth_unit", sa.String(length=10), nullable=True),
        sa.Column("definitive_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint(
            "(parent_id IS NULL AND kickoff_md IS NULL) OR "
            "(parent_id IS NOT NULL AND kickoff_md IS NOT NULL AND depth_unit IS NOT NULL)",
            name=op.f("ck_wellbores_kickoff"),
        ),
        *_fk(
            ["well_id"], ["wells.id"], name=op.f("fk_wellbores_well_id_wells"), ondelete="CASCADE"
        ),
        *_fk(
            ["parent_id"],
            ["wellbores.id"],
            name=op.f("fk_wellbores_parent_id_wellbores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbores")),
        sa.UniqueConstraint("well_id", "name", name="uq_wellbores_well_name"),
    )

    # new columns of runs and surveys (DuckDB: their indexes dropped meanwhile)
    if duck:
        for name, table, _cols in _INDEXES:
            op.drop_index(name, table_name=table)
    op.add_column("runs", sa.Column("wellbore_id", sa.Uuid(), nullable=True))
    op.add_column(
        "surveys",
        sa.Column("status", sa.String(length=20), nullable=False, server_default="draft"),
    )
    op.add_column("surveys", _ts("status_changed_at", nullable=True))
    op.add_column("surveys", sa.Column("status_changed_by", sa.Uuid(), nullable=True))
    op.add_column(
        "surveys", sa.Column("status_changed_by_name", sa.String(length=150), nullable=True)
    )
    op.add_column("surveys", sa.Column("status_note", sa.Text(), nullable=True))
    op.add_column("surveys", sa.Column("qc_json", sa.Text(), nullable=True))
    if duck:
        for name, table, cols in _INDEXES:
            op.create_index(name, table, cols, unique=False)
    else:
        op.create_check_constraint(op.f("ck_surveys_status"), "surveys", _STATUSES)
        op.create_foreign_key(
            op.f("fk_runs_wellbore_id_wellbores"),
            "runs",
            "wellbores",
            ["wellbore_id"],
            ["id"],
            ondelete="SET NULL",
        )
        op.create_index(op.f("ix_runs_wellbore_id"), "runs", ["wellbore_id"], unique=False)

    op.create_table(
        "qc_stations",
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("md", sa.Double(), nullable=False),
        sa.Column("gtotal_g", sa.Double(), nullable=False),
        sa.Column("btotal_nt", sa.Double(), nullable=False),
        sa.Column("dip_deg", sa.Double(), nullable=False),
        sa.Column("d_gtotal_g", sa.Double(), nullable=True),
        sa.Column("d_btotal_nt", sa.Double(), nullable=True),
        sa.Column("d_dip_deg", sa.Double(), nullable=True),
        sa.Column("inc_raw", sa.Double(), nullable=True),
        sa.Column("azi_raw", sa.Double(), nullable=True),
        sa.Column("d_inc", sa.Double(), nullable=True),
        sa.Column("d_azi", sa.Double(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("used", sa.Boolean(), nullable=False),
        *_fk(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_qc_stations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "seq", name=op.f("pk_qc_stations")),
    )
    op.create_table(
        "survey_status_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.Column("changed_by_name", sa.String(length=150), nullable=True),
        _ts("changed_at"),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("override_qc", sa.Boolean(), nullable=False),
        *_fk(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_status_changes_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_status_changes")),
    )
    op.create_index(
        op.f("ix_survey_status_changes_survey_id"),
        "survey_status_changes",
        ["survey_id"],
        unique=False,
    )
    op.create_table(
        "definitive_surveys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("wellbore_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("depth_unit", sa.String(length=10), nullable=False),
        sa.Column("azimuth_reference", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("tie_on_json", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_by_name", sa.String(length=150), nullable=True),
        _ts("created_at"),
        sa.CheckConstraint(_UNITS, name=op.f("ck_definitive_surveys_depth_unit")),
        sa.CheckConstraint(_REFS, name=op.f("ck_definitive_surveys_azimuth_reference")),
        *_fk(
            ["wellbore_id"],
            ["wellbores.id"],
            name=op.f("fk_definitive_surveys_wellbore_id_wellbores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definitive_surveys")),
        sa.UniqueConstraint(
            "wellbore_id", "version", name="uq_definitive_surveys_wellbore_version"
        ),
    )
    op.create_index(
        op.f("ix_definitive_surveys_wellbore_id"),
        "definitive_surveys",
        ["wellbore_id"],
        unique=False,
    )
    op.create_table(
        "definitive_intervals",
        sa.Column("definitive_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("run_number", sa.String(length=100), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("md_from", sa.Double(), nullable=False),
        sa.Column("md_to", sa.Double(), nullable=False),
        sa.Column("tool", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        *_fk(
            ["definitive_id"],
            ["definitive_surveys.id"],
            name=op.f("fk_definitive_intervals_definitive_id_definitive_surveys"),
            ondelete="CASCADE",
        ),
        *_fk(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_definitive_intervals_run_id_runs"),
            ondelete="SET NULL",
        ),
        *_fk(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_definitive_intervals_survey_id_surveys"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("definitive_id", "seq", name=op.f("pk_definitive_intervals")),
    )
    op.create_index(
        op.f("ix_definitive_intervals_run_id"), "definitive_intervals", ["run_id"], unique=False
    )
    values = ("md", "inc", "azi", "tvd", "north", "east", "dogleg", "dls", "build_rate")
    op.create_table(
        "definitive_stations",
        sa.Column("definitive_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Double(), nullable=False) for name in values],
        sa.Column("turn_rate", sa.Double(), nullable=False),
        sa.Column("toolface", sa.Double(), nullable=True),
        sa.Column("vs", sa.Double(), nullable=True),
        sa.Column("interval_seq", sa.Integer(), nullable=False),
        sa.Column("interpolated", sa.Boolean(), nullable=False),
        *_fk(
            ["definitive_id"],
            ["definitive_surveys.id"],
            name=op.f("fk_definitive_stations_definitive_id_definitive_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("definitive_id", "seq", name=op.f("pk_definitive_stations")),
    )

    # data: every well's main wellbore, its runs on it (rows last: see the docstring)
    conn = op.get_bind()
    now = datetime.now(UTC)
    wells = conn.execute(sa.text("SELECT id FROM wells ORDER BY well_name")).all()
    for (well_id,) in wells:
        conn.execute(
            sa.text(
                "INSERT INTO wellbores (id, well_id, name, created_at, updated_at)"
                " VALUES (:id, :well, 'main', :t, :t)"
            ),
            {"id": uuid.uuid4(), "well": well_id, "t": now},
        )
    conn.execute(
        sa.text(
            "UPDATE runs SET wellbore_id = (SELECT wb.id FROM wellbores wb"
            " WHERE wb.well_id = runs.well_id AND wb.parent_id IS NULL)"
            " WHERE well_id IS NOT NULL"
        )
    )


def downgrade() -> None:
    duck = _duckdb()
    op.drop_table("definitive_stations")
    op.drop_index(op.f("ix_definitive_intervals_run_id"), table_name="definitive_intervals")
    op.drop_table("definitive_intervals")
    op.drop_index(op.f("ix_definitive_surveys_wellbore_id"), table_name="definitive_surveys")
    op.drop_table("definitive_surveys")
    op.drop_index(op.f("ix_survey_status_changes_survey_id"), table_name="survey_status_changes")
    op.drop_table("survey_status_changes")
    op.drop_table("qc_stations")
    if duck:
        for name, table, _cols in _INDEXES:
            op.drop_index(name, table_name=table)
    else:
        op.drop_index(op.f("ix_runs_wellbore_id"), table_name="runs")
        op.drop_constraint(op.f("fk_runs_wellbore_id_wellbores"), "runs", type_="foreignkey")
        op.drop_constraint(op.f("ck_surveys_status"), "surveys", type_="check")
    for column in (
        "qc_json",
        "status_note",
        "status_changed_by_name",
        "status_changed_by",
        "status_changed_at",
        "status",
    ):
        op.drop_column("surveys", column)
    op.drop_column("runs", "wellbore_id")
    if duck:
        for name, table, cols in _INDEXES:
            op.create_index(name, table, cols, unique=False)
    op.drop_table("wellbores")
