"""indexes for listing 100,000 runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Indexes the runs listing needs at 100,000 runs on PostgreSQL (bench/RESULTS.md, "Runs at
field scale", shows the plans): newest or oldest first by ``updated_at`` / ``created_at``
(with the id the listing breaks ties by), the reports of runs changed since a time
(``survey_changed_at``), the runs whose current survey has a given status (``surveys.status``
with the survey's id, read from the index alone: the surveys' rows are wide), and the search
for text in run numbers and names (a trigram GIN index, from PostgreSQL's ``pg_trgm``
extension, which serves ``LIKE '%text%'``; made only where the extension is installed or may
be installed by the migrating role, else the search stays a scan of the runs table).

On DuckDB only the stations get an index, on ``survey_id`` alone: its ART indexes serve only
equality look-ups (never an ORDER BY or a range; a DuckDB page of 100,000 runs is a columnar scan
and a Top-N), and DuckDB does not look a survey's stations up through the composite primary key:
at 20 million stations reading one survey's 200 was a scan of the whole table (0.4 s; with this
index 2-40 ms, bench/RESULTS.md), paid by every run opened and 50 times by a well report. A later
migration that adds a column to ``stations`` must drop and make this index again on DuckDB
(see 0003_wellbores_qc_status.py). PostgreSQL finds them through the primary key.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: (name, table, columns), as declared in surveylab/db/tables.py.
INDEXES = (
    ("ix_runs_updated_at", "runs", ["updated_at", "id"]),
    ("ix_runs_created_at", "runs", ["created_at", "id"]),
    ("ix_runs_survey_changed_at", "runs", ["survey_changed_at"]),
    ("ix_surveys_status", "surveys", ["status", "id"]),
)
TRIGRAM_INDEX = "ix_runs_search_trgm"


def _trigrams_possible() -> bool:
    """pg_trgm is installed, or available and this role may create it (PostgreSQL 13 and
    later mark it trusted: the database's owner may)."""
    return bool(
        op.get_bind()
        .exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')"
            " OR EXISTS (SELECT 1 FROM pg_available_extension_versions v"
            "   WHERE v.name = 'pg_trgm' AND (v.trusted OR"
            "     (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))"
            "   AND has_database_privilege(current_database(), 'CREATE'))"
        )
        .scalar()
    )


#: DuckDB only (see above).
DUCKDB_STATIONS_INDEX = "ix_stations_survey_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        op.create_index(DUCKDB_STATIONS_INDEX, "stations", ["survey_id"], unique=False)
        return
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    if _trigrams_possible():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX {TRIGRAM_INDEX} ON runs USING gin"
            " (lower(run_number) gin_trgm_ops, lower(run_name) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        op.drop_index(DUCKDB_STATIONS_INDEX, table_name="stations")
        return
    op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
