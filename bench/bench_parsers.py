"""Parser throughput: 1,000 generated CSV exports of 200 stations and 100 LAS files.

Floor: ``pandas.read_csv`` of the same bare tables (column-header row + numbers, no prose).
Run: ``PYTHONPATH=. python bench/bench_parsers.py [--csv 1000] [--las 100] [--stations 200]
[--rounds 3]``. Prints files per second for each reader, by wall clock and by CPU time of this
process (``time.process_time``: steadier on a shared box), and the ratio to the floor (target:
CSV within 3x). Floor and readers alternate in ``--rounds`` rounds so that a change of load
during the run hits both; the CPU model and the load average are printed with the figures.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import time
from collections.abc import Callable

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", type=int, default=1000)
    ap.add_argument("--las", type=int, default=100)
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
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
