"""sessions, per-address lock-out and the demo mark

- ``users.token_generation``: tokens issued before a password, role or active-flag change are
  refused;
- ``token_families``: one row per login, the refresh chain's absolute end and revocation;
- ``login_attempts.client_address``: failed logins counted per username and client address;
- ``database_marks``: ``demo`` marks a database the demo loader made. A database that holds
  exactly the demo users and nothing but demo wells (made by the demo loader before this mark
  existed) is marked here, so that ``surveylab demo`` keeps working on it.

Revision ID: 0002_sessions
Revises: 0001
Create Date: 2026-12-06
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002_sessions"
down_revision = "0001"
branch_labels = None
depends_on = None

#: The demo loader's users and wells (``surveylab/demo.py`` at this revision).
_DEMO_USERS = {"admin", "engineer", "surveyor", "viewer"}
_DEMO_WELLS = {"Demo J-1", "Demo S-2", "Demo H-3"}


def _fk(*args, **kwargs) -> list:
    """A foreign key on PostgreSQL; none on DuckDB (see surveylab/db/tables.py)."""
    if op.get_bind().dialect.name == "duckdb":
        return []
    return [sa.ForeignKeyConstraint(*args, **kwargs)]


def _has_column(table: str, column: str) -> bool:
    """Whether ``table`` has ``column`` (information_schema: both backends answer it; the
    SQLAlchemy inspector does not work on DuckDB inside a migration)."""
    found = op.get_bind().execute(
        sa.text(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = :t AND column_name = :c"
        ),
        {"t": table, "c": column},
    )
    return bool(found.scalar())


def upgrade() -> None:
    # on DuckDB a downgrade leaves these two columns in place (see downgrade)
    if not _has_column("users", "token_generation"):
        op.add_column(
            "users",
            sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False),
        )
    op.create_table(
        "token_families",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        *_fk(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_token_families_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_families")),
    )
    op.create_index(op.f("ix_token_families_user_id"), "token_families", ["user_id"], unique=False)
    if not _has_column("login_attempts", "client_address"):
        op.add_column(
            "login_attempts", sa.Column("client_address", sa.String(length=64), nullable=True)
        )
    op.create_table(
        "database_marks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_database_marks")),
    )
    bind = op.get_bind()
    users = {r[0] for r in bind.execute(sa.text("SELECT username_key FROM users"))}
    wells = {r[0] for r in bind.execute(sa.text("SELECT well_name FROM wells"))}
    if users == _DEMO_USERS and wells <= _DEMO_WELLS:
        bind.execute(
            sa.text("INSERT INTO database_marks (name, created_at) VALUES ('demo', :t)"),
            {"t": datetime.now(UTC)},
        )


def downgrade() -> None:
    op.drop_table("database_marks")
    op.drop_index(op.f("ix_token_families_user_id"), table_name="token_families")
    op.drop_table("token_families")
    if op.get_bind().dialect.name == "duckdb":
        # DuckDB cannot drop a column of a table that has an index or a unique constraint
        # ("Cannot alter entry ... because there are entries that depend on it"), and cannot
        # drop the index and the column in one transaction: the two columns stay. Both are
        # harmless at 0001 (a default of 0; nullable) and upgrading again keeps them.
        return
    op.drop_column("login_attempts", "client_address")
    op.drop_column("users", "token_generation")
