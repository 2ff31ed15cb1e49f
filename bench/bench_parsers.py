"""Parser throughput and memory.

Small files: 1,000 generated CSV exports of 200 stations and 100 LAS files against the floor,
``pandas.read_csv`` of the same bare tables (column-header row + numbers, no prose). Prints
files per second by wall clock and by CPU time of this process (``time.process_time``: steadier
on a shared box) and the ratio to the floor (target: CSV within 3x). Floor and readers
alternate in ``--rounds`` rounds so that a change of load during the run hits both.

Large files (``--big-mb``, default 50): a generated CSV export of that size (header lines, a
names row, MD/INC/AZI/TVD/NORTH/EAST with the vendor positions by minimum curvature):
peak resident memory of ``surveylab inspect FILE`` (a child process; ``ru_maxrss`` from
``os.wait4``; target at most 8x the file size + 150 MB), its wall time, and ``read_survey``
against ``pandas.read_csv`` of the bare table in this process (CPU time, best of
``--rounds``; target within 3x). Then a dimension-bomb .xlsx (a few KB whose ``<dimension>``
claims A1:XFD1048576): peak memory of ``surveylab inspect`` on it (target under 200 MB).

Run: ``PYTHONPATH=. python bench/bench_parsers.py [--csv 1000] [--las 100] [--stations 200]
[--rounds 3] [--big-mb 50] [--skip-small]``. The CPU model and the load average are printed
with the figures.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from surveylab.models import DepthUnit, NorthReference, TieOn
from surveylab.models.survey import ParsedSurvey, SurveyHeader


def make_survey(rng: np.random.Generator, n: int) -> tuple[ParsedSurvey, np.ndarray]:
    """A smooth random survey (build and turn) with vendor TVD/N/E from minimum curvature."""
    from surveylab.calc import minimum_curvature

    md = np.linspace(0.0, 30.0 * (n - 1), n)
    inc = np.clip(np.cumsum(rng.uniform(0, 0.8, n)), 0, 95)
    inc[0] = 0.0
    azi = np.mod(40 + np.cumsum(rng.uniform(-0.5, 0.5, n)), 360)
    pos = minimum_curvature(md, inc, azi)
    st = pd.DataFrame(
        {
            "md": md,
            "inc": np.round(inc, 2),
            "azi": np.round(azi, 2),
            "projected": False,
            "used": True,
        }
    )
    h = SurveyHeader(
        well_name="BENCH-1",
        depth_unit=DepthUnit.M,
        azimuth_reference=NorthReference.GRID,
        declination=1.2,
        tie_on=TieOn(md=0.0),
    )
    vendor = pd.DataFrame(
        {
            "tvd": np.round(pos.tvd, 2),
            "north": np.round(pos.north, 2),
            "east": np.round(pos.east, 2),
        }
    )
    return ParsedSurvey("csv", "bench", h, st, vendor), np.column_stack(
        [md, st["inc"], st["azi"], vendor["tvd"], vendor["north"], vendor["east"]]
    )


def bare_csv(table: np.ndarray) -> bytes:
    lines = ["MD,INC,AZI,TVD,NORTH,EAST"]
    lines += [",".join(f"{v:g}" for v in row) for row in table]
    return ("\n".join(lines) + "\n").encode()


def rate(fn: Callable[[bytes], object], items: list[bytes]) -> tuple[float, float]:
    """Seconds of wall clock and of process CPU time to run ``fn`` over ``items``."""
    t0, c0 = time.perf_counter(), time.process_time()
    for b in items:
        fn(b)
    return time.perf_counter() - t0, time.process_time() - c0


def cpu_model() -> str:
    """The CPU model name (``lscpu``'s, from /proc/cpuinfo) and the number of CPUs."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs"


def big_csv(path: Path, mb: float) -> tuple[int, int]:
    """Write a CSV export of about ``mb`` megabytes (10^6 bytes); returns (bytes, stations)."""
    from surveylab.calc import minimum_curvature

    target = int(mb * 1e6)
    n = target // 50
    k = np.arange(n)
    md = k * 0.5
    inc = np.round(np.clip(k * 2e-4, 0.0, 89.9), 3)
    azi = np.round((40.0 + k * 1e-5) % 360.0, 3)
    pos = minimum_curvature(md, inc, azi)
    table = pd.DataFrame(
        {
            "MD": md,
            "INC": inc,
            "AZI": azi,
            "TVD": np.round(pos.tvd, 2),
            "NORTH": np.round(pos.north, 2),
            "EAST": np.round(pos.east, 2),
        }
    )
    head = "# Well: BENCH-BIG\n# Depth units: m\n# North reference: Grid\n"
    head += "# Declination: 1.20 deg\n# Grid convergence: -0.35 deg\n"
    body = table.to_csv(index=False, float_format="%.3f", lineterminator="\n")
    lines = body.split("\n")
    text = head + "\n".join(lines)
    if len(text) > target:  # cut at a whole line
        text = text[: text.rfind("\n", 0, target) + 1]
    path.write_text(text)
    return len(text), text.count("\n") - 6


#: Runs a command and prints its peak RSS [kB], wall time [s] and exit code. A small launcher
#: process: a child forked from this (large) benchmark would start its ``ru_maxrss`` at the
#: benchmark's own size.
_LAUNCHER = (
    "import os, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_pid, status, use = os.wait4(p.pid, 0)\n"
    "print(use.ru_maxrss, time.perf_counter() - t, os.waitstatus_to_exitcode(status))\n"
)


def child_peak(cmd: list[str]) -> tuple[float, float, int]:
    """Peak resident memory [MB] and wall time [s] of a command, and its exit code."""
    out = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]) / 1024.0, float(out[1]), int(out[2])


def dimension_bomb(path: Path) -> int:
    """A small .xlsx whose <dimension> claims A1:XFD1048576; returns its size [bytes]."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["MD", "INC", "AZI"], [0, 0, 0], [100, 1, 2], [200, 2, 3]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(
                    rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', body
                )
            zout.writestr(item, body, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())
    return len(out.getvalue())


def big(mb: float, rounds: int) -> None:
    """The large-file and dimension-bomb measurements."""
    from surveylab.parsers import read_survey

    cli = [str(Path(sys.executable).parent / "surveylab")]  # the installed command
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        size, n = big_csv(path, mb)
        bare = Path(tmp) / "bare.csv"
        bare.write_text("\n".join(path.read_text().split("\n")[5:]))
        env_mb = max(int(size / 2**20) + 1, 50)
        os.environ["SURVEYLAB_MAX_UPLOAD_MB"] = str(env_mb)
        peak, wall, code = child_peak([*cli, "inspect", str(path)])
        base, _w, _c = child_peak([*cli, "--version"])
        target = 8 * size / 1e6 + 150
        print(f"big CSV: {size / 1e6:.1f} MB, {n} stations")
        print(
            f"  surveylab inspect: peak RSS {peak:.0f} MB (target <= {target:.0f} MB = 8 x file "
            f"+ 150), wall {wall:.1f} s, exit {code}; interpreter + imports alone {base:.0f} MB"
        )
        ours, floor = [], []
        for _ in range(rounds):
            c0 = time.process_time()
            pd.read_csv(bare)
            floor.append(time.process_time() - c0)
            c0 = time.process_time()
            s = read_survey(path, max_bytes=env_mb * 2**20)
            ours.append(time.process_time() - c0)
            assert s.station_count == n, (s.station_count, n)
            del s
        print(
            f"  read_survey {min(ours):.2f} s CPU, pandas.read_csv of the bare table "
            f"{min(floor):.2f} s CPU: {min(ours) / min(floor):.2f}x (best of {rounds})"
        )
        bomb = Path(tmp) / "bomb.xlsx"
        bsize = dimension_bomb(bomb)
        peak, wall, code = child_peak([*cli, "inspect", str(bomb)])
        print(
            f"dimension bomb .xlsx ({bsize} bytes, <dimension ref=A1:XFD1048576>): surveylab "
            f"inspect peak RSS {peak:.0f} MB (target < 200 MB), wall {wall:.2f} s, exit {code}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", type=int, default=1000)
    ap.add_argument("--las", type=int, default=100)
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--big-mb", type=float, default=50.0)
    ap.add_argument("--skip-small", action="store_true")
    args = ap.parse_args()
    print(f"machine: {cpu_model()}; python {platform.python_version()}, pandas {pd.__version__}")
    print("load average (1/5/15 min) " + "/".join(f"{v:.1f}" for v in os.getloadavg()))
    if args.big_mb > 0:
        big(args.big_mb, args.rounds)
    if args.skip_small:
        return
    from surveylab.exporters import write_csv, write_las
    from surveylab.parsers import read_survey

    rng = np.random.default_rng(7)
    surveys = [make_survey(rng, args.stations) for _ in range(max(args.csv, args.las))]
    csv_files = [write_csv(s) for s, _t in surveys[: args.csv]]
    bare = [bare_csv(t) for _s, t in surveys[: args.csv]]
    las_files = [write_las(s) for s, _t in surveys[: args.las]]
    cases: dict[str, tuple[Callable[[bytes], object], list[bytes]]] = {
        "floor": (lambda b: pd.read_csv(io.BytesIO(b)), bare),
        "csv": (lambda b: read_survey(b, name="b.csv"), csv_files),
        "las": (lambda b: read_survey(b, name="b.las"), las_files),
    }
    for fn, items in cases.values():  # warm-up: imports, caches
        fn(items[0])
    load_before = os.getloadavg()
    wall = dict.fromkeys(cases, 0.0)
    cpu = dict.fromkeys(cases, 0.0)
    for _ in range(args.rounds):
        for key, (fn, items) in cases.items():
            w, c = rate(fn, items)
            wall[key] += w
            cpu[key] += c
    load_after = os.getloadavg()
    count = {key: len(items) * args.rounds for key, (_fn, items) in cases.items()}

    def per_s(times: dict[str, float], key: str) -> float:
        return count[key] / times[key]

    print(f"machine: {cpu_model()}; python {platform.python_version()}, pandas {pd.__version__}")
    print(
        "load average (1/5/15 min) before "
        + "/".join(f"{v:.1f}" for v in load_before)
        + ", after "
        + "/".join(f"{v:.1f}" for v in load_after)
    )
    print(f"{'reader':46s} {'files/s wall':>12s} {'ratio':>7s} {'files/s CPU':>12s} {'ratio':>7s}")
    labels = {
        "floor": f"pandas.read_csv floor, bare {args.stations}-row tables",
        "csv": f"read_survey, CSV exports ({args.csv} files)",
        "las": f"read_survey, LAS ({args.las} files)",
    }
    for key, label in labels.items():
        fw, fc = per_s(wall, "floor"), per_s(cpu, "floor")
        w, c = per_s(wall, key), per_s(cpu, key)
        print(f"{label:46s} {w:12.1f} {fw / w:6.2f}x {c:12.1f} {fc / c:6.2f}x")


if __name__ == "__main__":
    main()
