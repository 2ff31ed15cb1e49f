"""Survey QC, approval and definitive-survey benchmark.

    .venv/bin/python bench/bench_qc.py [--stations 1000,10000,100000] [--import-stations 5000]
        [--compose 10000] [--repeat 5]

- ``assess``: raw-sensor QC of a parsed survey with raw readings (finding the columns,
  totals and dip against the reference, angles from the readings, the per-station table, the
  findings), against its floor: :func:`surveylab.calc.qc.field_qc` and ``angle_qc`` alone on
  the same arrays;
- ``import``: :func:`surveylab.services.surveys.import_survey` of one file with raw readings
  (QC at import, the per-station QC rows stored) against the same stations without raw
  columns (QC has nothing to check), on DuckDB: the share of the import QC costs;
- ``compose``: three overlapping runs of ``--compose`` stations each spliced into a definitive
  survey: the calculation (:func:`surveylab.calc.definitive.compose`) and the service
  (reading the three revisions, composing, storing the version and its stations, statuses);
- ``approve``: one approval through the service (median).

Times are medians of ``--repeat`` runs: wall clock and CPU time of the process.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveylab import db
from surveylab.calc import compute_trajectory
from surveylab.calc.definitive import Interval, compose
from surveylab.calc.qc import ReferenceField, angle_qc, field_qc, raw_readings
from surveylab.config import load_settings
from surveylab.models import Actor, Role
from surveylab.parsers import read_survey
from surveylab.repositories import UnitOfWork
from surveylab.services import approval, definitive, qc, runs, surveys
from tests.sensor_frames import survey_with_raw_readings

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
REF = {"Reference Btotal": "50000 nT", "Reference Dip": "60 deg", "Reference Gtotal": "1 g"}


def _timed(fn, repeat: int) -> tuple[float, float]:
    """(wall, CPU) medians [ms] of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _path(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    md = 100.0 + 10.0 * np.arange(n)
    inc = np.clip(np.linspace(2.0, 85.0, n), 0, 180)
    azi = (30.0 + np.linspace(0.0, 40.0, n)) % 360.0
    return md, inc, azi


def _raw_file(n: int) -> bytes:
    md, inc, azi = _path(n)
    return survey_with_raw_readings(md, inc, azi, np.linspace(0, 360 * 7, n) % 360, header=REF)


def _plain_file(n: int) -> bytes:
    md, inc, azi = _path(n)
    lines = ["Depth units: m", "Azimuth reference: true north", "MD,Inc,Azi"]
    lines += [f"{m:.2f},{i:.6f},{a:.6f}" for m, i, a in zip(md, inc, azi, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def bench_assess(sizes: list[int], repeat: int) -> list[str]:
    rows = []
    for n in sizes:
        parsed = read_survey(_raw_file(n), name="raw.csv")
        wall, cpu = _timed(lambda parsed=parsed: qc.assess(parsed, run_type="MWD"), repeat)
        extra = parsed.extra_columns
        arrays = [extra[c].to_numpy(dtype=float) for c in ("Gx", "Gy", "Gz", "Bx", "By", "Bz")]
        inc = parsed.stations["inc"].to_numpy()
        azi = parsed.stations["azi"].to_numpy()
        ref = ReferenceField(50_000.0, 60.0, 1.0, "bench")

        def floor(arrays=arrays, inc=inc, azi=azi, ref=ref) -> None:
            r = raw_readings(*arrays, gravity_unit="g", magnetic_unit="nT")
            field_qc(r, ref)
            angle_qc(r, inc, azi, azimuth_correction=0.0)

        fwall, fcpu = _timed(floor, repeat)
        rows.append(
            f"| {n:,} | {wall:.1f} | {cpu:.1f} | {fwall:.1f} | {fcpu:.1f} | {cpu / fcpu:.1f} |"
        )
    return [
        "| stations | assess wall [ms] | assess CPU [ms] | floor wall [ms] | floor CPU [ms] "
        "| CPU x floor |",
        "|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]


def _settings():
    data = Path(tempfile.mkdtemp(prefix="bench-qc-"))
    settings = load_settings({"SURVEYLAB_DATA_DIR": str(data), "SURVEYLAB_SECRET_KEY": SECRET})
    db.upgrade(settings)
    with UnitOfWork(settings) as uow:
        a = uow.users.add("importer", "x", Role.SURVEYOR)
        b = uow.users.add("checker", "x", Role.ENGINEER)
        uow.commit()
    return settings, Actor(a.id, a.username, a.role), Actor(b.id, b.username, b.role)


def bench_import(n: int, repeat: int) -> list[str]:
    settings, importer, checker = _settings()
    runs.create_well(UnitOfWork(settings), importer, well_name="B")
    out = []
    cases = (
        ("with raw readings (QC)", "Q", _raw_file(n)),
        ("without raw readings", "P", _plain_file(n)),
    )
    for label, prefix, data in cases:
        for k in range(repeat):
            runs.create_run(
                UnitOfWork(settings),
                importer,
                run_number=f"{prefix}{k}",
                run_name=f"{prefix}{k}",
                run_type="MWD",
                well="B",
            )
        counter = iter(range(repeat))

        def once(data=data, counter=counter, prefix=prefix) -> None:
            surveys.import_survey(
                UnitOfWork(settings),
                importer,
                run=f"{prefix}{next(counter)}",
                content=data,
                file_name="f.csv",
            )

        wall, cpu = _timed(once, repeat)
        out.append(f"| {label} | {n:,} | {wall:.0f} | {cpu:.0f} |")
    run = "Q0"
    wall, _cpu = _timed(
        lambda: qc.qc_view(UnitOfWork(settings), checker, run), repeat
    )  # reading the stored QC back
    out.append(f"| reading the stored QC back (`qc_view`) | {n:,} | {wall:.0f} | - |")
    return [
        "| import (DuckDB, service, one file) | stations | wall [ms] | CPU [ms] |",
        "|---|---:|---:|---:|",
        *out,
    ]


def bench_compose(n: int, repeat: int) -> list[str]:
    md = 10.0 * np.arange(3 * n)
    inc = np.clip(md / md[-1] * 90.0, 0, 90)
    azi = (20.0 + md / md[-1] * 60.0) % 360.0
    cuts = (md[n - 1] + 5.0, md[2 * n - 1] + 5.0)
    parts = [(0, n + 10), (n - 10, 2 * n + 10), (2 * n - 10, 3 * n - 1)]
    trajs = [
        compute_trajectory(md[a : b + 1], inc[a : b + 1], azi[a : b + 1], depth_unit="m")
        for a, b in parts
    ]
    ivs = [
        Interval(trajs[0], 0.0, cuts[0], "A"),
        Interval(trajs[1], cuts[0], cuts[1], "B"),
        Interval(trajs[2], cuts[1], float(md[-1]), "C"),
    ]
    cwall, ccpu = _timed(lambda: compose(ivs, depth_unit="m"), repeat)
    settings, importer, checker = _settings()
    runs.create_well(UnitOfWork(settings), importer, well_name="C")
    names = []
    for k, (a, b) in enumerate(parts):
        name = f"R{k}"
        lines = ["Depth units: m", "Azimuth reference: true north", "MD,Inc,Azi"]
        lines += [f"{float(md[i])!r},{float(inc[i])!r},{float(azi[i])!r}" for i in range(a, b + 1)]
        runs.create_run(
            UnitOfWork(settings), importer, run_number=name, run_name=name, run_type="MWD", well="C"
        )
        surveys.import_survey(
            UnitOfWork(settings),
            importer,
            run=name,
            content=("\n".join(lines) + "\n").encode(),
            file_name="c.csv",
        )
        approval.approve(UnitOfWork(settings), checker, name, note="bench")
        names.append(name)
    specs = [
        f"{names[0]}:0:{cuts[0]}",
        f"{names[1]}:{cuts[0]}:{cuts[1]}",
        f"{names[2]}:{cuts[1]}:TD",
    ]
    swall, scpu = _timed(
        lambda: definitive.compose_definitive(
            UnitOfWork(settings), checker, "C", intervals=specs, note="bench"
        ),
        repeat,
    )
    rwall, _ = _timed(lambda: definitive.get_definitive(UnitOfWork(settings), checker, "C"), repeat)
    total = 3 * n + 2
    return [
        "| definitive survey, 3 runs | stations | wall [ms] | CPU [ms] |",
        "|---|---:|---:|---:|",
        f"| `calc.definitive.compose` | {total:,} | {cwall:.1f} | {ccpu:.1f} |",
        f"| `compose_definitive` (DuckDB, stored) | {total:,} | {swall:.0f} | {scpu:.0f} |",
        f"| `get_definitive` (read back) | {total:,} | {rwall:.0f} | - |",
    ]


def bench_approve(repeat: int) -> list[str]:
    settings, importer, checker = _settings()
    numbers = []
    for k in range(repeat):
        name = f"P{k}"
        runs.create_run(UnitOfWork(settings), importer, run_number=name, run_name=name)
        surveys.import_survey(
            UnitOfWork(settings), importer, run=name, content=_raw_file(50), file_name="p.csv"
        )
        numbers.append(name)
    it = iter(numbers)
    wall, cpu = _timed(
        lambda: approval.approve(UnitOfWork(settings), checker, next(it), note="ok"), repeat
    )
    return [f"approve (DuckDB, service, one revision): wall {wall:.0f} ms, CPU {cpu:.0f} ms"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stations", default="1000,10000,100000")
    p.add_argument("--import-stations", type=int, default=5000)
    p.add_argument("--compose", type=int, default=10000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    sizes = [int(s) for s in args.stations.split(",") if s]
    for block in (
        bench_assess(sizes, args.repeat),
        bench_import(args.import_stations, args.repeat),
        bench_compose(args.compose, args.repeat),
        bench_approve(args.repeat),
    ):
        print("\n".join(block), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
