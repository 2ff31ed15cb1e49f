"""Bulk import of a whole field (``surveylab import-field``) against the bare bulk-insert floor,
on one core and on two.

    .venv/bin/python bench/bench_import_field.py [--wells 500] [--runs 3] [--stations 200]
        [--backend duckdb|postgres|both] [--pg-url postgresql+psycopg://...]
        [--cores 1,2] [--repeat 1]

One generated field (``tests/field_data.py``: N wells x M runs of vendor CSV listings, one file
per run, and its manifest) is imported, for each backend and each repeat, on fresh databases:

- ``floor``: the same rows (well and main wellbore, run, file bytes, survey row, computed
  stations) inserted through the repositories' bulk path, one transaction per file on one open
  connection, every file parsed and computed beforehand (not timed), in this process;
- ``cores=N``: ``services.field.import_field`` from the manifest with its default writers, in
  a child process allowed to run on the first N CPUs only (``sched_setaffinity``, which the
  import's own default follows, as do its worker processes), and on PostgreSQL with every
  process of the server held to the same CPUs for that measurement; timed from the call to its
  return: plan, parse, QC, write (which also stores each revision's QC document, status
  changes and audit events);
- ``resume``: the same import once more over the database it filled (every file skipped as
  already imported, none parsed again), on the last cores measured.

The measurements run in turn within a repeat, so that ratios are taken pair by pair on a
machine whose speed drifts. PostgreSQL: the URL comes from ``--pg-url`` or
SURVEYLAB_TEST_PG_URL (a server on this machine, whose processes this benchmark may pin: run it
as the server's user or as root); a scratch database is created on that server for each
measurement and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from surveylab import db  # noqa: E402
from surveylab.config import load_settings  # noqa: E402
from surveylab.models import Actor, Role  # noqa: E402
from surveylab.repositories import UnitOfWork  # noqa: E402
from surveylab.services import field  # noqa: E402
from surveylab.services.surveys import prepare_import  # noqa: E402
from tests.field_data import write_field  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def _pg_database(base_url: str) -> str:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        base_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg(url: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(
        admin.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


class Database:
    """A fresh, migrated database with one Engineer, dropped on exit."""

    def __init__(self, backend: str, pg_url: str | None) -> None:
        self.url = _pg_database(pg_url) if backend == "postgres" and pg_url else None
        data_dir = Path(tempfile.mkdtemp(prefix=f"bench-field-{backend}-"))
        env = {
            "SURVEYLAB_DATA_DIR": str(data_dir),
            "SURVEYLAB_SECRET_KEY": SECRET,
            "SURVEYLAB_LOCK_TIMEOUT_S": "60",
        }
        if self.url:
            env["SURVEYLAB_DATABASE_URL"] = self.url
        self.settings = load_settings(env)
        db.upgrade(self.settings)
        with UnitOfWork(self.settings) as uow:
            user = uow.users.add("bench", "not-a-hash", Role.ENGINEER)
            uow.commit()
        self.actor = Actor(user.id, user.username, user.role)

    def close(self) -> None:
        db.get_engine(self.settings).dispose()
        if self.url:
            _drop_pg(self.url)


def floor(database: Database, entries: list[field.FieldEntry], prepared: list) -> float:
    """Seconds to insert the field's rows through the repositories, nothing parsed."""
    actor = database.actor
    wells: dict[str, uuid.UUID] = {}
    runs: dict[str, uuid.UUID] = {}
    revision: dict[str, int] = {}
    with UnitOfWork(database.settings) as uow:
        t0 = time.perf_counter()
        for entry, p in zip(entries, prepared, strict=True):
            well_id = wells.get(entry.well)
            if well_id is None:
                well_id = uow.wells.add(entry.well, entry.well_type, actor.id).id
                uow.wellbores.add(well_id=well_id, name="main", created_by=actor.id)
                wells[entry.well] = well_id
            run_id = runs.get(entry.run_number)
            if run_id is None:
                run_id = uow.runs.add(
                    run_number=entry.run_number,
                    run_name=entry.run_name,
                    run_type=entry.run_type,
                    user_id=actor.id,
                    well_id=well_id,
                ).id
                runs[entry.run_number] = run_id
            revision[entry.run_number] = revision.get(entry.run_number, 0) + 1
            f = uow.files.add(
                run_id=run_id,
                file_name=p.file_name,
                content=p.content,
                sha256=p.sha256,
                detected_format=p.parsed.format,
                uploaded_by=actor.id,
            )
            uow.surveys.add(
                run_id=run_id,
                file_id=f.id,
                revision=revision[entry.run_number],
                depth_unit=p.parsed.header.depth_unit,
                azimuth_reference=p.parsed.header.azimuth_reference,
                method=p.method,
                dls_course_length=p.course,
                vs_azimuth=p.parsed.header.vs_azimuth,
                header=p.parsed.header,
                findings=p.findings,
                assumptions=p.assumptions,
                worst_severity=None,
                imported_by=actor.id,
                imported_by_name=actor.username,
                stations=p.stations,
            )
            uow.commit()
        return time.perf_counter() - t0


def _server_pids(pg_url: str) -> list[int]:
    """The PostgreSQL server's processes: the postmaster (from ``postmaster.pid`` in its data
    directory) and its children. New backends fork from the postmaster and keep its CPUs."""
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
    assert row is not None
    master = int((Path(row[0]) / "postmaster.pid").read_text().split()[0])
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def _pin_server(pg_url: str, cpus: set[int]) -> None:
    for pid in _server_pids(pg_url):
        try:
            os.sched_setaffinity(pid, cpus)
        except ProcessLookupError:
            pass


def _child(backend: str, pg_url: str | None, manifest: str, files: int) -> int:
    """One ``cores=N`` measurement (run by :func:`timed_import` in a process held to N CPUs):
    prints ``{"seconds", "resume", "workers"}``."""
    database = Database(backend, pg_url)
    try:
        t0 = time.perf_counter()
        summary = field.import_field(UnitOfWork(database.settings), database.actor, manifest)
        seconds = time.perf_counter() - t0
        assert summary.count("imported") == files, summary.to_dict()["counts"]
        t0 = time.perf_counter()
        again = field.import_field(UnitOfWork(database.settings), database.actor, manifest)
        resume = time.perf_counter() - t0
        assert again.count("duplicate") == files
    finally:
        database.close()
    print(json.dumps({"seconds": seconds, "resume": resume, "workers": summary.workers}))
    return 0


def timed_import(
    backend: str, pg_url: str | None, manifest: Path, files: int, cores: int
) -> dict[str, float]:
    """The import timed in a child process on the first ``cores`` CPUs (and the PostgreSQL
    server on the same CPUs meanwhile)."""
    everything = sorted(os.sched_getaffinity(0))
    cpus = set(everything[:cores])
    if backend == "postgres" and pg_url:
        _pin_server(pg_url, cpus)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", backend, pg_url or "", str(manifest), str(files)],
            check=True,
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.sched_setaffinity(0, cpus),
        )
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stderr)
        raise
    finally:
        if backend == "postgres" and pg_url:
            _pin_server(pg_url, set(everything))
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["workers"] == cores, result
    return result


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        backend, pg_url, manifest, files = sys.argv[2:6]
        return _child(backend, pg_url or None, manifest, int(files))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--wells", type=int, default=500)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--stations", type=int, default=200)
    p.add_argument("--cores", default="1,2", help="CPU counts to time the import on (comma list)")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--backend", choices=["duckdb", "postgres", "both"], default="both")
    p.add_argument("--pg-url", default=os.environ.get("SURVEYLAB_TEST_PG_URL"))
    args = p.parse_args(argv)
    counts = [int(c) for c in args.cores.split(",")]
    if max(counts) > len(os.sched_getaffinity(0)):
        p.error(f"--cores: this process may use {len(os.sched_getaffinity(0))} CPUs")
    backends = ["duckdb", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and not args.pg_url:
        p.error("postgres needs --pg-url or SURVEYLAB_TEST_PG_URL")
    print(
        f"# {platform.platform()} / {os.cpu_count()} CPUs "
        f"(this process may use {field.default_workers()}) / Python {sys.version.split()[0]} "
        f"/ load average {os.getloadavg()[0]:.1f}"
    )
    root = Path(tempfile.mkdtemp(prefix="bench-field-files-"))
    made = write_field(root / "field", wells=args.wells, runs=args.runs, stations=args.stations)
    entries, refused = field.plan_source(made.manifest)
    assert not refused and len(entries) == args.wells * args.runs, refused[:3]
    size = sum(e.path.stat().st_size for e in entries)
    print(
        f"# {args.wells} wells x {args.runs} runs x {args.stations} stations: "
        f"{len(entries)} files, {size / 1e6:.1f} MB"
    )
    prepared = [prepare_import(e.path.read_bytes(), e.path.name) for e in entries]
    header = ["floor [s]", *(f"cores={c} [s]" for c in counts)]
    header += [f"cores={c}/floor" for c in counts]
    if len(counts) > 1:
        header += [f"cores={counts[0]}/cores={c}" for c in counts[1:]]
    header += ["resume [s]"]
    print("| backend | repeat | " + " | ".join(header) + " |")
    print("|---|---|" + "---|" * len(header))
    for backend in backends:
        rows = []
        for rep in range(args.repeat):
            times: dict[str, float] = {}
            database = Database(backend, args.pg_url)
            try:
                times["floor"] = floor(database, entries, prepared)
            finally:
                database.close()
            resume = float("nan")
            for c in counts:
                got = timed_import(backend, args.pg_url, made.manifest, len(entries), c)
                times[f"w{c}"] = got["seconds"]
                resume = got["resume"]
            row = [times["floor"], *(times[f"w{w}"] for w in counts)]
            row += [times[f"w{w}"] / times["floor"] for w in counts]
            row += [times[f"w{counts[0]}"] / times[f"w{w}"] for w in counts[1:]]
            row += [resume]
            rows.append(row)
            cells = " | ".join(f"{v:.2f}" for v in row)
            print(f"| {backend} | {rep + 1} | {cells} |", flush=True)
        if args.repeat > 1:
            med = [statistics.median(col) for col in zip(*rows, strict=True)]
            print(f"| {backend} | median | " + " | ".join(f"{v:.2f}" for v in med) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
