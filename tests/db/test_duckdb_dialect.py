"""DuckDB through SQLAlchemy's compiled-statement cache (surveylab.db.duckdb_dialect): the
statements the repositories repeat are compiled once, and a cached statement given new
values writes and reads those values, not the ones it was compiled with."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine.default import CACHE_HIT

from surveylab import db
from surveylab.db.duckdb_dialect import Dialect
from tests.conftest import settings_for


def _engine(tmp_path) -> sa.Engine:
    return db.get_engine(settings_for(None, tmp_path))


def test_the_duckdb_engine_uses_the_caching_dialect(tmp_path):
    engine = _engine(tmp_path)
    assert isinstance(engine.dialect, Dialect)
    assert engine.dialect._supports_statement_cache


def test_a_cached_statement_takes_each_executions_values(tmp_path):
    engine = _engine(tmp_path)
    meta = sa.MetaData()
    things = sa.Table(
        "things",
        meta,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String),
        sa.Column("depth", sa.Float),
    )
    with engine.begin() as conn:
        meta.create_all(conn)
        written = {uuid.uuid4(): (f"thing {i}", 10.0 * i) for i in range(5)}
        hits = []
        for key, (name, depth) in written.items():
            # built anew each time, as the repositories do: one cache entry for all five
            stmt = things.insert().values(id=key, name=name, depth=depth).returning(things.c.id)
            result = conn.execute(stmt)
            assert result.scalar_one() == key
            hits.append(result.context.cache_hit is CACHE_HIT)
        assert hits == [False, True, True, True, True]
        for key, (name, depth) in written.items():
            q = sa.select(things.c.name, things.c.depth).where(things.c.id == key)
            assert tuple(conn.execute(q).one()) == (name, depth)
        limited = sa.select(things.c.name).order_by(things.c.depth.desc()).limit(2).offset(1)
        assert conn.execute(limited).scalars().all() == ["thing 3", "thing 2"]
        again = sa.select(things.c.name).order_by(things.c.depth.desc()).limit(1).offset(0)
        assert conn.execute(again).scalars().all() == ["thing 4"]
