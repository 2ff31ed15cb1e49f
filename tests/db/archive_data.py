"""Generated rows for backup tests: every table of the schema at any revision, awkward values.

Written with plain SQL over the columns the database has (read from it), so the same generator
fills a database at the previous schema revision and one at the newest. Values are drawn from a
seeded generator: text with quotes, commas, line breaks, NUL-free control characters and
characters beyond the BMP; file bytes over all 256 values; floats at the ends of the double
range, negative zero and subnormals; NULL wherever a column allows it.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveylab.db import tables as t
from surveylab.repositories.archive import TYPE_TAGS, TableStore

_ALPHABET = "abcXYZ019 ,;\"'\\\n\t\r|=+-@é°ß漢字😀\u00a0"
_FLOATS = (0.0, -0.0, 1e308, -1e308, 5e-324, 2.2250738585072014e-308, 0.1, 1 / 3, 12345.678)


def _text(rng: random.Random, n: int = 12) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, n)))


def _float(rng: random.Random) -> float:
    return rng.choice(_FLOATS) if rng.random() < 0.4 else rng.uniform(-1e4, 1e4)


def _time(rng: random.Random) -> datetime:
    base = datetime(2020, 1, 1, tzinfo=UTC)
    return base + timedelta(seconds=rng.randint(0, 10**8), microseconds=rng.randint(0, 999999))


def generate(conn: sa.Connection, seed: int, *, users: int = 4, runs: int = 6) -> None:
    """Insert generated rows into every table the database of ``conn`` has."""
    rng = random.Random(seed)
    have = TableStore(conn).tables()

    def put(table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if table.name not in have or not rows:
            return
        names = {c for c, _ in have[table.name]}
        tab = sa.table(table.name, *[sa.column(c, TYPE_TAGS[tag]) for c, tag in have[table.name]])
        conn.execute(tab.insert(), [{k: v for k, v in r.items() if k in names} for r in rows])

    user_rows = [
        {
            "id": uuid.uuid4(),
            "username": f"u{i}-{_text(rng)}",
            "username_key": f"u{i}",
            "password_hash": _text(rng, 60),
            "role": rng.choice(t.ROLES),
            "is_active": rng.random() < 0.8,
            "created_at": _time(rng),
            "updated_at": _time(rng),
            "token_generation": rng.randint(0, 5),
        }
        for i in range(users)
    ]
    put(t.users, user_rows)
    well_rows = [
        {
            "id": uuid.uuid4(),
            "well_name": f"W{i} {_text(rng)}",
            "well_type": rng.choice(t.WELL_TYPES),
            "crs": None if rng.random() < 0.3 else "EPSG:23031",
            "surface_x": None if rng.random() < 0.3 else _float(rng),
            "surface_y": _float(rng),
            "depth_datum": _text(rng),
            "datum_elevation": _float(rng),
            "elevation_unit": "m",
            "created_by": rng.choice(user_rows)["id"],
            "created_at": _time(rng),
            "updated_at": _time(rng),
        }
        for i in range(3)
    ]
    put(t.wells, well_rows)
    run_rows, file_rows, survey_rows, station_rows = [], [], [], []
    for i in range(runs):
        run_id = uuid.uuid4()
        run_rows.append(
            {
                "id": run_id,
                "run_number": f"R{i}",
                "run_name": f"Run {i} {_text(rng)}",
                "run_type": rng.choice(t.RUN_TYPES),
                "well_id": None if i == 0 else rng.choice(well_rows)["id"],
                "user_id": rng.choice(user_rows)["id"],
                "current_survey_id": None,
                "survey_changed_at": None if i == 1 else _time(rng),
                "created_at": _time(rng),
                "updated_at": _time(rng),
            }
        )
        for revision in range(1, rng.randint(1, 3) + 1):
            content = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3000)))
            file_id, survey_id = uuid.uuid4(), uuid.uuid4()
            file_rows.append(
                {
                    "id": file_id,
                    "run_id": run_id,
                    "file_name": f"{_text(rng)}.csv",
                    "size_bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "detected_format": "csv",
                    "content": content,
                    "uploaded_by": rng.choice(user_rows)["id"],
                    "uploaded_at": _time(rng),
                }
            )
            n = rng.randint(1, 40)
            survey_rows.append(
                {
                    "id": survey_id,
                    "run_id": run_id,
                    "file_id": file_id,
                    "revision": revision,
                    "depth_unit": rng.choice(t.DEPTH_UNITS),
                    "azimuth_reference": rng.choice(t.NORTH_REFERENCES),
                    "method": "minimum_curvature",
                    "dls_course_length": 30.0,
                    "vs_azimuth": None if rng.random() < 0.5 else _float(rng),
                    "station_count": n,
                    "worst_severity": rng.choice((None, *t.SEVERITIES)),
                    "header_json": '{"well": "' + _text(rng).replace('"', "") + '"}',
                    "findings_json": "[]",
                    "assumptions_json": "[]",
                    "imported_by": rng.choice(user_rows)["id"],
                    "imported_by_name": _text(rng),
                    "imported_at": _time(rng),
                }
            )
            for seq in range(n):
                row: dict[str, Any] = {"survey_id": survey_id, "seq": seq}
                for c in t.STATION_VALUE_COLUMNS:
                    row[c] = None if c in ("toolface", "vs") and rng.random() < 0.3 else _float(rng)
                row["projected"] = rng.random() < 0.1
                row["used"] = rng.random() < 0.9
                station_rows.append(row)
    put(t.runs, run_rows)
    put(t.survey_files, file_rows)
    put(t.surveys, survey_rows)
    put(t.stations, station_rows)
    put(
        t.reports,
        [
            {
                "id": uuid.uuid4(),
                "run_id": run_rows[2]["id"],
                "well_id": None,
                "kind": "survey",
                "format": "pdf",
                "parameters_json": "{}",
                "file_path": f"/srv/reports/{_text(rng)}.pdf",
                "sha256": None,
                "created_by": None,
                "created_by_name": _text(rng),
                "created_at": _time(rng),
            }
        ],
    )
    put(
        t.audit_events,
        [
            {
                "id": uuid.uuid4(),
                "occurred_at": _time(rng),
                "actor_id": None,
                "actor_name": _text(rng),
                "action": "import",
                "target_type": "run",
                "target_id": str(run_rows[0]["id"]),
                "outcome": rng.choice(("ok", "denied")),
                "detail": _text(rng, 200),
            }
            for _ in range(5)
        ],
    )
    put(
        t.revoked_tokens,
        [
            {
                "jti": uuid.uuid4().hex,
                "user_id": None,
                "expires_at": _time(rng),
                "revoked_at": _time(rng),
            }
        ],
    )
    put(
        t.token_families,
        [
            {
                "id": uuid.uuid4(),
                "user_id": user_rows[0]["id"],
                "started_at": _time(rng),
                "expires_at": _time(rng),
                "revoked_at": None,
                "revoked_reason": None,
            }
        ],
    )
    put(
        t.login_attempts,
        [
            {
                "id": uuid.uuid4(),
                "username_key": "u0",
                "attempted_at": _time(rng),
                "success": False,
                "client_address": "192.0.2.1",
            }
        ],
    )
