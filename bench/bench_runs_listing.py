"""Page times of the runs listing at field scale (100,000 runs, 20 million stations), and the
well report over one well's runs.

    .venv/bin/python bench/bulk_runs.py DIR --runs 100000 --wells 2000 --stations 200 \\
        [--database-url URL]
    .venv/bin/python bench/bench_runs_listing.py DIR [--database-url URL] [--repeat 5]
        [--well-report]

Each case is a filter and an order. Three measurements per case, median of ``--repeat``
[ms], in one process acting as user ``bulk-a``:

- *page turn*: what the runs dashboard does on Next/Previous or a new order: one page of 25
  read in a session batch (the count is reused, :meth:`surveylab.ui.runs_app.RunsApp._read_page`);
- *filter change*: the dashboard's count and page in one batch;
- *API*: ``GET /api/v1/runs`` (count and page of 50) through the ASGI application in-process
  (fastapi's TestClient: routing, authentication, the services and the JSON, no socket).

With ``--well-report`` the well report of the first bulk well (``Bulk well 0000``: its share
of the runs, 50 at 100,000 runs over 2,000 wells) is built (:class:`surveylab.reports.well.
WellReport`, sections as ``surveylab report-well`` prepares them), with a count of the SQL
statements it sent.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bulk_runs import PASSWORD, SECRET  # noqa: E402

PAGE = 25
#: (label, filters, order_by, descending, page index)
CASES: tuple[tuple[str, dict[str, Any], str, bool, int], ...] = (
    ("page 1 by run number", {}, "run_number", False, 0),
    ("page 2,000 by run number", {}, "run_number", False, 1999),
    ("last page by run number", {}, "run_number", False, 3999),
    ("page 1 newest first", {}, "updated_at", True, 0),
    ("page 1 by well", {}, "well", False, 0),
    ("page 1 by owner, down", {}, "owner", True, 0),
    ("one well, by run number", {"well": "Bulk well 0007"}, "run_number", False, 0),
    ("one type, newest first", {"run_type": "Gyro"}, "updated_at", True, 0),
    ("one owner, page 100", {"owner": "bulk-b"}, "run_number", False, 99),
    ("my runs, newest first", {"mine": True}, "updated_at", True, 0),
    ("status approved", {"status": "approved"}, "run_number", False, 0),
    ("type + status, page 10", {"run_type": "MWD", "status": "qc_failed"}, "run_name", False, 9),
    ("text search (111 matches)", {"search": "0123"}, "run_number", False, 0),
    ("text search, no match", {"search": "zzz"}, "run_number", False, 0),
)
_API_SORT = {"updated_at": "updated_at", "well": "well", "owner": "owner"}


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm: first connection, caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("data_dir", type=Path)
    p.add_argument("--database-url")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--well-report", action="store_true")
    args = p.parse_args(argv)
    os.environ.update(SURVEYLAB_DATA_DIR=str(args.data_dir), SURVEYLAB_SECRET_KEY=SECRET)
    os.environ["SURVEYLAB_ACCESS_MINUTES"] = "120"
    if args.database_url:
        os.environ["SURVEYLAB_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("SURVEYLAB_DATABASE_URL", None)
    from fastapi.testclient import TestClient

    from surveylab.api.app import create_app
    from surveylab.config import load_settings
    from surveylab.session import Session

    settings = load_settings()
    s = Session.login("bulk-a", PASSWORD, settings)
    total = s.count_runs()
    backend = "PostgreSQL" if args.database_url else "DuckDB"
    print(
        f"{backend}: {total:,} runs; {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    client = TestClient(create_app(settings), base_url="http://localhost")
    client.__enter__()
    headers = {"Authorization": f"Bearer {s.token}"}
    print("\n| case | matches | page turn [ms] | filter change [ms] | API page of 50 [ms] |")
    print("|---|---:|---:|---:|---:|")
    for label, filters, order, down, page in CASES:

        def turn(filters=filters, order=order, down=down, page=page):
            with s.batch():
                return s.runs(
                    **filters, order_by=order, descending=down, limit=PAGE, offset=page * PAGE
                )

        def change(filters=filters, turn=turn):
            with s.batch():
                s.count_runs(**filters)
                return turn()

        query = {
            "scope": "mine" if filters.get("mine") else "all",
            "well": filters.get("well"),
            "type": filters.get("run_type"),
            "owner": filters.get("owner"),
            "status": filters.get("status"),
            "q": filters.get("search"),
            "sort": ("-" if down else "") + order,
            "page": page * PAGE // 50 + 1,
            "page_size": 50,
        }
        query = {k: v for k, v in query.items() if v is not None}

        def api(query=query):
            r = client.get("/api/v1/runs", params=query, headers=headers)
            r.raise_for_status()
            return r.json()["total"]

        matches = api()
        rows = turn()
        assert matches == 0 or rows, label
        t_turn = _median_ms(turn, args.repeat)
        t_change = _median_ms(change, args.repeat)
        t_api = _median_ms(api, args.repeat)
        print(
            f"| {label} | {matches:,} | {t_turn:.0f} | {t_change:.0f} | {t_api:.0f} |", flush=True
        )
    client.__exit__(None, None, None)
    if args.well_report:
        well_report(s, args.repeat)
    return 0


def well_report(s, repeat: int) -> None:
    """Build the well report of ``Bulk well 0000`` (sections as the renderer prepares them)."""
    import sqlalchemy as sa

    from surveylab.reports.well import WellReport

    statements = []

    def count(*_args, **_kw):
        statements.append(1)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    runs = s.count_runs(well="Bulk well 0000")
    times = []
    for _ in range(max(1, repeat // 2)):
        statements.clear()
        t0 = time.perf_counter()
        report = WellReport.build("Bulk well 0000", session=s)
        t_build = time.perf_counter() - t0
        report.sections()
        times.append((t_build, time.perf_counter() - t0, len(statements)))
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    build = statistics.median(t[0] for t in times)
    whole = statistics.median(t[1] for t in times)
    print(
        f"\nwell report of Bulk well 0000 ({runs} runs): build {build:.2f} s, with sections "
        f"{whole:.2f} s, {times[-1][2]} SQL statements"
    )


if __name__ == "__main__":
    sys.exit(main())
