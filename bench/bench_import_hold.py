"""How long one import holds the database, against how long it takes.

    .venv/bin/python bench/bench_import_hold.py [--stations 200000] [--rounds 3]
        [--backend duckdb|postgres|both] [--pg-url postgresql+psycopg://...]

On DuckDB the connection of a unit of work holds the whole database file, so every other process
(a dashboard page, ``surveylab runs list``) waits for it, up to ``SURVEYLAB_LOCK_TIMEOUT_S``. For
one generated survey of ``--stations`` stations (a horizontal well every 0.1 m) this measures:

- ``import``: ``surveys.import_survey`` as the session calls it (a unit of work it enters for
  a short check, then again only to write), total time and the longest time a connection was
  open;
- ``held``: the same import inside a unit of work the caller holds open from start to end (how
  the session called it before parsing moved out of the transaction).

Times are wall clock [s], the median of ``--rounds`` imports, each into a run of its own.
PostgreSQL: the URL comes from ``--pg-url`` or SURVEYLAB_TEST_PG_URL; a scratch database is
created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from surveylab import db
from surveylab.config import load_settings
from surveylab.models import Actor, Role
from surveylab.repositories import UnitOfWork
from surveylab.services import surveys

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import SECRET, _drop_pg, _pg_database


def big_survey(n: int) -> bytes:
    """A horizontal well every 0.1 m: vertical to 500 m, build 1 deg/30 m, lateral [m, deg]."""
    md = 0.1 * np.arange(1, n + 1)
    inc = np.clip((md - 500.0) / 30.0, 0.0, 90.0)
    azi = (45.0 + 1e-5 * md) % 360.0
    rows = "\n".join(f"{a:.1f},{b:.4f},{c:.5f}" for a, b, c in zip(md, inc, azi, strict=True))
    text = (
        "Well: BIG-1\nDepth unit: m\nAzimuth reference: true north\n\n"
        f"MD [m],Inc [deg],Azi [deg]\n0.0,0.0,0.0\n{rows}\n"
    )
    return text.encode()


class HoldClock:
    """Records how long each outermost ``with UnitOfWork`` block held its connection [s]."""

    def __init__(self) -> None:
        self.held: list[float] = []
        self._enter = UnitOfWork.__enter__
        self._exit = UnitOfWork.__exit__

    def __enter__(self) -> HoldClock:
        clock, enter, leave = self, self._enter, self._exit

        def timed_enter(uow: UnitOfWork) -> UnitOfWork:
            if not uow.is_open:
                uow._bench_t0 = time.perf_counter()  # type: ignore[attr-defined]
            return enter(uow)

        def timed_exit(uow: UnitOfWork, *exc: object) -> None:
            leave(uow, *exc)
            if not uow.is_open:
                clock.held.append(time.perf_counter() - uow._bench_t0)  # type: ignore[attr-defined]

        UnitOfWork.__enter__ = timed_enter  # type: ignore[method-assign]
        UnitOfWork.__exit__ = timed_exit  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        UnitOfWork.__enter__ = self._enter  # type: ignore[method-assign]
        UnitOfWork.__exit__ = self._exit  # type: ignore[method-assign]


def bench_backend(name: str, url: str | None, args: argparse.Namespace) -> dict[str, float]:
    env = {
        "SURVEYLAB_DATA_DIR": tempfile.mkdtemp(prefix=f"bench-hold-{name}-"),
        "SURVEYLAB_SECRET_KEY": SECRET,
        "SURVEYLAB_MAX_UPLOAD_MB": "500",
    }
    if url:
        env["SURVEYLAB_DATABASE_URL"] = url
    settings = load_settings(env)
    db.upgrade(settings)
    content = big_survey(args.stations)
    with UnitOfWork(settings) as uow:
        user = uow.users.add("bench", "not-a-hash", Role.ENGINEER)
        run_ids = [
            uow.runs.add(run_number=f"H{i}", run_name=f"H{i}", run_type="MWD", user_id=user.id).id
            for i in range(2 * args.rounds)
        ]
        uow.commit()
    actor = Actor(user.id, user.username, user.role)
    totals: dict[str, list[float]] = {"import": [], "held": []}
    holds: dict[str, list[float]] = {"import": [], "held": []}
    for i in range(args.rounds):
        for k, kind in enumerate(("import", "held")):
            run_id = run_ids[2 * i + k]
            with HoldClock() as clock:
                t0 = time.perf_counter()
                if kind == "import":
                    surveys.import_survey(
                        UnitOfWork(settings), actor, run=run_id, content=content, file_name="b.csv"
                    )
                else:
                    outer = UnitOfWork(settings)
                    with outer:
                        surveys.import_survey(
                            outer, actor, run=run_id, content=content, file_name="b.csv"
                        )
                totals[kind].append(time.perf_counter() - t0)
            holds[kind].append(max(clock.held))
    db.get_engine(settings).dispose()
    return {
        f"{what}_{kind}": statistics.median(values[kind])
        for what, values in (("total", totals), ("hold", holds))
        for kind in ("import", "held")
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stations", type=int, default=200_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--backend", choices=["duckdb", "postgres", "both"], default="both")
    p.add_argument("--pg-url", default=os.environ.get("SURVEYLAB_TEST_PG_URL"))
    args = p.parse_args(argv)
    print(f"# {platform.platform()} / {os.cpu_count()} CPUs / Python {sys.version.split()[0]}")
    print(f"# stations={args.stations} rounds={args.rounds} (medians)")
    print(
        "| backend | import [s] | database held by the import [s] | held throughout: "
        "import [s] | held throughout: database held [s] |"
    )
    print("|---|---|---|---|---|")
    backends = ["duckdb", "postgres"] if args.backend == "both" else [args.backend]
    for name in backends:
        url = None
        if name == "postgres":
            if not args.pg_url:
                print("| postgres | skipped: no --pg-url / SURVEYLAB_TEST_PG_URL |")
                continue
            url = _pg_database(args.pg_url)
        try:
            r = bench_backend(name, url, args)
        finally:
            if url:
                _drop_pg(url)
        print(
            f"| {name} | {r['total_import']:.2f} | {r['hold_import']:.2f} | "
            f"{r['total_held']:.2f} | {r['hold_held']:.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
