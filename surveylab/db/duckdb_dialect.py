"""duckdb_engine's SQLAlchemy dialect with SQLAlchemy's compiled-statement cache on.

duckdb_engine declares ``supports_statement_cache = False``, so SQLAlchemy compiles every
statement again on each execution (about a millisecond for an insert with its RETURNING
clause, a fifth of a file's write in a bulk import). Its statement compiler is PostgreSQL's
(``PGCompiler``, which SQLAlchemy caches for its own PostgreSQL dialects); duckdb_engine adds
only type compilers for DDL and a cursor that executes the compiled text. The conditions
SQLAlchemy sets for a third-party dialect to cache ("Caching for Third Party Dialects" in
SQLAlchemy's documentation: compiled SQL that depends on no parameter value) therefore hold,
and ``tests/db/test_duckdb_dialect.py`` checks that repeated statements hit the cache and that
a cached statement writes and reads each execution's values (LIMIT and OFFSET included).
"""

from __future__ import annotations

from duckdb_engine import Dialect as _DuckDBDialect


class Dialect(_DuckDBDialect):
    """duckdb_engine's dialect with the compiled-statement cache on."""

    supports_statement_cache = True
