"""The schema (SQLAlchemy Core tables). Migrations in ``migrations/`` create exactly this.

Lengths are stored in the survey's own depth unit, named beside them (``surveys.depth_unit``);
azimuths in degrees from the north reference named in ``surveys.azimuth_reference``.

Foreign keys with ON DELETE actions exist on PostgreSQL. DuckDB supports neither ON DELETE
actions nor deleting a parent and its children in one transaction, so on DuckDB the migrations
create the same tables without foreign keys and the repositories do the cascading themselves
(they do it on both backends, so behaviour is identical).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ROLES = ("Admin", "Engineer", "Surveyor", "Viewer")
WELL_TYPES = ("Oil", "Gas", "Water", "Other")
RUN_TYPES = ("GTL", "Gyro", "MWD", "Unknown")
DEPTH_UNITS = ("m", "ft", "usft")
NORTH_REFERENCES = ("true", "grid", "magnetic", "unknown")
SEVERITIES = ("info", "warning", "error")
SURVEY_STATUSES = ("draft", "qc_passed", "qc_failed", "approved", "definitive")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("username", sa.String(150), nullable=False),
    sa.Column("username_key", sa.String(150), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    # raised by a password change, a deactivation and a role change: every token carries the
    # value it was issued under, and one with an older value is refused
    sa.Column("token_generation", sa.Integer, nullable=False, server_default="0"),
    sa.CheckConstraint(_in("role", ROLES), name="role"),
)

wells = sa.Table(
    "wells",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("well_name", sa.String(255), nullable=False, unique=True),
    sa.Column("well_type", sa.String(50), nullable=False),
    sa.Column("crs", sa.String(100)),
    sa.Column("surface_x", sa.Double),
    sa.Column("surface_y", sa.Double),
    sa.Column("depth_datum", sa.String(50)),
    sa.Column("datum_elevation", sa.Double),
    sa.Column("elevation_unit", sa.String(10)),
    sa.Column("created_by", sa.Uuid),
    _ts("created_at"),
    _ts("updated_at"),
    sa.CheckConstraint(_in("well_type", WELL_TYPES), name="well_type"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("run_number", sa.String(100), nullable=False, unique=True),
    sa.Column("run_name", sa.String(255), nullable=False, unique=True),
    sa.Column("run_type", sa.String(50), nullable=False),
    sa.Column("well_id", sa.Uuid, sa.ForeignKey("wells.id", ondelete="SET NULL"), index=True),
    sa.Column(
        "user_id",
        sa.Uuid,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("current_survey_id", sa.Uuid),
    sa.Column("survey_changed_at", sa.DateTime(timezone=True)),
    _ts("created_at"),
    _ts("updated_at"),
    sa.Column(
        "wellbore_id", sa.Uuid, sa.ForeignKey("wellbores.id", ondelete="SET NULL"), index=True
    ),
    # OWSG tool code of the position-uncertainty model, when set on the run (NULL: from the
    # run type; surveylab/services/uncertainty.py)
    sa.Column("tool_code", sa.String(50)),
    sa.CheckConstraint(_in("run_type", RUN_TYPES), name="run_type"),
    # the listing's orders and the batch reports' "changed since" (migration 0005; PostgreSQL
    # only, see there)
    sa.Index("ix_runs_updated_at", "updated_at", "id"),
    sa.Index("ix_runs_created_at", "created_at", "id"),
    sa.Index("ix_runs_survey_changed_at", "survey_changed_at"),
)
#: Text search in run numbers and names (``LIKE '%text%'``; migration 0005, where PostgreSQL's
#: pg_trgm extension can be installed).
sa.Index(
    "ix_runs_search_trgm",
    sa.func.lower(runs.c.run_number).label("number_lower"),
    sa.func.lower(runs.c.run_name).label("name_lower"),
    postgresql_using="gin",
    postgresql_ops={"number_lower": "gin_trgm_ops", "name_lower": "gin_trgm_ops"},
)

#: A well's main bore (no parent) or a sidetrack (parent and kick-off MD, in ``depth_unit``).
#: ``definitive_id`` names the current definitive survey: at most one at a time.
wellbores = sa.Table(
    "wellbores",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("well_id", sa.Uuid, sa.ForeignKey("wells.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("parent_id", sa.Uuid, sa.ForeignKey("wellbores.id", ondelete="CASCADE")),
    sa.Column("kickoff_md", sa.Double),
    sa.Column("depth_unit", sa.String(10)),
    sa.Column("definitive_id", sa.Uuid),
    sa.Column("created_by", sa.Uuid),
    _ts("created_at"),
    _ts("updated_at"),
    sa.UniqueConstraint("well_id", "name", name="uq_wellbores_well_name"),
    sa.CheckConstraint(
        "(parent_id IS NULL AND kickoff_md IS NULL) OR "
        "(parent_id IS NOT NULL AND kickoff_md IS NOT NULL AND depth_unit IS NOT NULL)",
        name="kickoff",
    ),
)

survey_files = sa.Table(
    "survey_files",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "run_id", sa.Uuid, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("detected_format", sa.String(30), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("uploaded_by", sa.Uuid),
    _ts("uploaded_at"),
    sa.UniqueConstraint("run_id", "sha256", name="uq_survey_files_run_sha256"),
)

surveys = sa.Table(
    "surveys",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "run_id", sa.Uuid, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column(
        "file_id", sa.Uuid, sa.ForeignKey("survey_files.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("depth_unit", sa.String(10), nullable=False),
    sa.Column("azimuth_reference", sa.String(10), nullable=False),
    sa.Column("method", sa.String(40), nullable=False),
    sa.Column("dls_course_length", sa.Double, nullable=False),
    sa.Column("vs_azimuth", sa.Double),
    sa.Column("station_count", sa.Integer, nullable=False),
    sa.Column("worst_severity", sa.String(10)),
    sa.Column("header_json", sa.Text, nullable=False),
    sa.Column("findings_json", sa.Text, nullable=False),
    sa.Column("assumptions_json", sa.Text, nullable=False),
    sa.Column("imported_by", sa.Uuid),
    sa.Column("imported_by_name", sa.String(150)),
    _ts("imported_at"),
    # lifecycle: the current status and its last change (every change: survey_status_changes)
    sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
    sa.Column("status_changed_at", sa.DateTime(timezone=True)),
    sa.Column("status_changed_by", sa.Uuid),
    sa.Column("status_changed_by_name", sa.String(150)),
    sa.Column("status_note", sa.Text),
    # the QC summary (JSON); NULL: QC never ran on this revision
    sa.Column("qc_json", sa.Text),
    sa.UniqueConstraint("run_id", "revision", name="uq_surveys_run_revision"),
    # the runs listing's status filter (migration 0005; PostgreSQL only)
    sa.Index("ix_surveys_status", "status", "id"),
    sa.CheckConstraint(_in("depth_unit", DEPTH_UNITS), name="depth_unit"),
    sa.CheckConstraint(_in("azimuth_reference", NORTH_REFERENCES), name="azimuth_reference"),
    sa.CheckConstraint(_in("status", SURVEY_STATUSES), name="status"),
)

#: Computed columns stored per station, in this order.
STATION_VALUE_COLUMNS = (
    "md",
    "inc",
    "azi",
    "tvd",
    "north",
    "east",
    "dogleg",
    "dls",
    "build_rate",
    "turn_rate",
    "toolface",
    "vs",
)

stations = sa.Table(
    "stations",
    metadata,
    sa.Column(
        "survey_id",
        sa.Uuid,
        sa.ForeignKey("surveys.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("seq", sa.Integer, primary_key=True),
    *[
        sa.Column(name, sa.Double, nullable=name in ("toolface", "vs"))
        for name in STATION_VALUE_COLUMNS
    ],
    sa.Column("projected", sa.Boolean, nullable=False),
    sa.Column("used", sa.Boolean, nullable=False),
)

#: Raw-sensor QC of each station of a revision (measured - reference; NULL without a
#: reference), in g, nT and degrees.
QC_STATION_COLUMNS = (
    "md",
    "gtotal_g",
    "btotal_nt",
    "dip_deg",
    "d_gtotal_g",
    "d_btotal_nt",
    "d_dip_deg",
    "inc_raw",
    "azi_raw",
    "d_inc",
    "d_azi",
)

_QC_MEASURED = ("md", "gtotal_g", "btotal_nt", "dip_deg")

qc_stations = sa.Table(
    "qc_stations",
    metadata,
    sa.Column(
        "survey_id",
        sa.Uuid,
        sa.ForeignKey("surveys.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("seq", sa.Integer, primary_key=True),
    *[sa.Column(name, sa.Double, nullable=name not in _QC_MEASURED) for name in QC_STATION_COLUMNS],
    sa.Column("passed", sa.Boolean),
    sa.Column("used", sa.Boolean, nullable=False),
)

survey_status_changes = sa.Table(
    "survey_status_changes",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "survey_id",
        sa.Uuid,
        sa.ForeignKey("surveys.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("changed_by", sa.Uuid),
    sa.Column("changed_by_name", sa.String(150)),
    _ts("changed_at"),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("override_qc", sa.Boolean, nullable=False),
)

definitive_surveys = sa.Table(
    "definitive_surveys",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "wellbore_id",
        sa.Uuid,
        sa.ForeignKey("wellbores.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("depth_unit", sa.String(10), nullable=False),
    sa.Column("azimuth_reference", sa.String(10), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("tie_on_json", sa.Text, nullable=False),
    sa.Column("created_by", sa.Uuid),
    sa.Column("created_by_name", sa.String(150)),
    _ts("created_at"),
    sa.UniqueConstraint("wellbore_id", "version", name="uq_definitive_surveys_wellbore_version"),
    sa.CheckConstraint(_in("depth_unit", DEPTH_UNITS), name="depth_unit"),
    sa.CheckConstraint(_in("azimuth_reference", NORTH_REFERENCES), name="azimuth_reference"),
)

#: The tool program: which revision of which run covers which MD interval [depth unit of the
#: definitive survey]. ``run_number`` and ``revision`` stay readable after a run is deleted.
definitive_intervals = sa.Table(
    "definitive_intervals",
    metadata,
    sa.Column(
        "definitive_id",
        sa.Uuid,
        sa.ForeignKey("definitive_surveys.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Uuid, sa.ForeignKey("runs.id", ondelete="SET NULL"), index=True),
    sa.Column("run_number", sa.String(100), nullable=False),
    sa.Column("survey_id", sa.Uuid, sa.ForeignKey("surveys.id", ondelete="SET NULL")),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("md_from", sa.Double, nullable=False),
    sa.Column("md_to", sa.Double, nullable=False),
    sa.Column("tool", sa.String(50), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
)

definitive_stations = sa.Table(
    "definitive_stations",
    metadata,
    sa.Column(
        "definitive_id",
        sa.Uuid,
        sa.ForeignKey("definitive_surveys.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("seq", sa.Integer, primary_key=True),
    *[
        sa.Column(name, sa.Double, nullable=name in ("toolface", "vs"))
        for name in STATION_VALUE_COLUMNS
    ],
    sa.Column("interval_seq", sa.Integer, nullable=False),
    sa.Column("interpolated", sa.Boolean, nullable=False),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("run_id", sa.Uuid, sa.ForeignKey("runs.id", ondelete="SET NULL"), index=True),
    sa.Column("well_id", sa.Uuid, sa.ForeignKey("wells.id", ondelete="SET NULL")),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("format", sa.String(10), nullable=False),
    sa.Column("parameters_json", sa.Text, nullable=False),
    sa.Column("file_path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64)),
    sa.Column("created_by", sa.Uuid),
    sa.Column("created_by_name", sa.String(150)),
    _ts("created_at"),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    _ts("occurred_at"),
    sa.Column("actor_id", sa.Uuid),
    sa.Column("actor_name", sa.String(150)),
    sa.Column("action", sa.String(80), nullable=False),
    sa.Column("target_type", sa.String(40)),
    sa.Column("target_id", sa.String(80)),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("detail", sa.Text),
)

revoked_tokens = sa.Table(
    "revoked_tokens",
    metadata,
    sa.Column("jti", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Uuid),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    _ts("revoked_at"),
)

#: One row per login: the refresh tokens rotated from it form one family, which ends at
#: ``expires_at`` (the absolute session lifetime) or when revoked (logout, reuse of a rotated-out
#: refresh token, a password, role or active-flag change).
token_families = sa.Table(
    "token_families",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "user_id",
        sa.Uuid,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    _ts("started_at"),
    _ts("expires_at"),
    _ts("revoked_at", nullable=True),
    sa.Column("revoked_reason", sa.String(40)),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("username_key", sa.String(150), nullable=False, index=True),
    _ts("attempted_at"),
    sa.Column("success", sa.Boolean, nullable=False),
    # the client's address when the caller knows it (dashboards behind a proxy, an HTTP API),
    # "local" for the command line, NULL when unknown
    sa.Column("client_address", sa.String(64)),
)

#: Facts about the database itself, one row each: ``demo`` is written by the first demo load.
database_marks = sa.Table(
    "database_marks",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    _ts("created_at"),
)
