"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _fk(*args, **kwargs) -> list:
    """A foreign key on PostgreSQL; none on DuckDB (see surveylab/db/tables.py)."""
    if op.get_bind().dialect.name == "duckdb":
        return []
    return [sa.ForeignKeyConstraint(*args, **kwargs)]


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=150), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.String(length=80), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username_key", sa.String(length=150), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        op.f("ix_login_attempts_username_key"), "login_attempts", ["username_key"], unique=False
    )
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_tokens")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("username_key", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('Admin', 'Engineer', 'Surveyor', 'Viewer')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username_key", name=op.f("uq_users_username_key")),
    )
    op.create_table(
        "wells",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("well_name", sa.String(length=255), nullable=False),
        sa.Column("well_type", sa.String(length=50), nullable=False),
        sa.Column("crs", sa.String(length=100), nullable=True),
        sa.Column("surface_x", sa.Double(), nullable=True),
        sa.Column("surface_y", sa.Double(), nullable=True),
        sa.Column("depth_datum", sa.String(length=50), nullable=True),
        sa.Column("datum_elevation", sa.Double(), nullable=True),
        sa.Column("elevation_unit", sa.String(length=10), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "well_type IN ('Oil', 'Gas', 'Water', 'Other')", name=op.f("ck_wells_well_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wells")),
        sa.UniqueConstraint("well_name", name=op.f("uq_wells_well_name")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_number", sa.String(length=100), nullable=False),
        sa.Column("run_name", sa.String(length=255), nullable=False),
        sa.Column("run_type", sa.String(length=50), nullable=False),
        sa.Column("well_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("current_survey_id", sa.Uuid(), nullable=True),
        sa.Column("survey_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "run_type IN ('GTL', 'Gyro', 'MWD', 'Unknown')", name=op.f("ck_runs_run_type")
        ),
        *_fk(["user_id"], ["users.id"], name=op.f("fk_runs_user_id_users"), ondelete="CASCADE"),
        *_fk(["well_id"], ["wells.id"], name=op.f("fk_runs_well_id_wells"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sa.UniqueConstraint("run_name", name=op.f("uq_runs_run_name")),
        sa.UniqueConstraint("run_number", name=op.f("uq_runs_run_number")),
    )
    op.create_index(op.f("ix_runs_user_id"), "runs", ["user_id"], unique=False)
    op.create_index(op.f("ix_runs_well_id"), "runs", ["well_id"], unique=False)
    op.create_table(
        "reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("well_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("parameters_json", sa.Text(), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_by_name", sa.String(length=150), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_fk(["run_id"], ["runs.id"], name=op.f("fk_reports_run_id_runs"), ondelete="SET NULL"),
        *_fk(["well_id"], ["wells.id"], name=op.f("fk_reports_well_id_wells"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_run_id"), "reports", ["run_id"], unique=False)
    op.create_table(
        "survey_files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("detected_format", sa.String(length=30), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        *_fk(["run_id"], ["runs.id"], name=op.f("fk_survey_files_run_id_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_files")),
        sa.UniqueConstraint("run_id", "sha256", name="uq_survey_files_run_sha256"),
    )
    op.create_index(op.f("ix_survey_files_run_id"), "survey_files", ["run_id"], unique=False)
    op.create_table(
        "surveys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("depth_unit", sa.String(length=10), nullable=False),
        sa.Column("azimuth_reference", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("dls_course_length", sa.Double(), nullable=False),
        sa.Column("vs_azimuth", sa.Double(), nullable=True),
        sa.Column("station_count", sa.Integer(), nullable=False),
        sa.Column("worst_severity", sa.String(length=10), nullable=True),
        sa.Column("header_json", sa.Text(), nullable=False),
        sa.Column("findings_json", sa.Text(), nullable=False),
        sa.Column("assumptions_json", sa.Text(), nullable=False),
        sa.Column("imported_by", sa.Uuid(), nullable=True),
        sa.Column("imported_by_name", sa.String(length=150), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "azimuth_reference IN ('true', 'grid', 'magnetic', 'unknown')",
            name=op.f("ck_surveys_azimuth_reference"),
        ),
        sa.CheckConstraint("depth_unit IN ('m', 'ft', 'usft')", name=op.f("ck_surveys_depth_unit")),
        *_fk(
            ["file_id"],
            ["survey_files.id"],
            name=op.f("fk_surveys_file_id_survey_files"),
            ondelete="CASCADE",
        ),
        *_fk(["run_id"], ["runs.id"], name=op.f("fk_surveys_run_id_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("run_id", "revision", name="uq_surveys_run_revision"),
    )
    op.create_index(op.f("ix_surveys_run_id"), "surveys", ["run_id"], unique=False)
    op.create_table(
        "stations",
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("md", sa.Double(), nullable=False),
        sa.Column("inc", sa.Double(), nullable=False),
        sa.Column("azi", sa.Double(), nullable=False),
        sa.Column("tvd", sa.Double(), nullable=False),
        sa.Column("north", sa.Double(), nullable=False),
        sa.Column("east", sa.Double(), nullable=False),
        sa.Column("dogleg", sa.Double(), nullable=False),
        sa.Column("dls", sa.Double(), nullable=False),
        sa.Column("build_rate", sa.Double(), nullable=False),
        sa.Column("turn_rate", sa.Double(), nullable=False),
        sa.Column("toolface", sa.Double(), nullable=True),
        sa.Column("vs", sa.Double(), nullable=True),
        sa.Column("projected", sa.Boolean(), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        *_fk(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_stations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "seq", name=op.f("pk_stations")),
    )


def downgrade() -> None:
    op.drop_table("stations")
    op.drop_index(op.f("ix_surveys_run_id"), table_name="surveys")
    op.drop_table("surveys")
    op.drop_index(op.f("ix_survey_files_run_id"), table_name="survey_files")
    op.drop_table("survey_files")
    op.drop_index(op.f("ix_reports_run_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_index(op.f("ix_runs_well_id"), table_name="runs")
    op.drop_index(op.f("ix_runs_user_id"), table_name="runs")
    op.drop_table("runs")
    op.drop_table("wells")
    op.drop_table("users")
    op.drop_table("revoked_tokens")
    op.drop_index(op.f("ix_login_attempts_username_key"), table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_table("audit_events")
