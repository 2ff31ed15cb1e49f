"""Parser throughput: 1,000 generated CSV exports of 200 stations and 100 LAS files.

Floor: ``pandas.read_csv`` of the same bare tables (column-header row + numbers, no prose).
Run: ``PYTHONPATH=. python bench/bench_parsers.py [--csv 1000] [--las 100] [--stations 200]``.
Prints files per second for each reader and the ratio to the floor (target: CSV within 3x).
"""

from __future__ import annotations

import argparse
import io
import platform
import time

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


def rate(fn, items: list[bytes]) -> float:
    t0 = time.perf_counter()
    for b in items:
        fn(b)
    return len(items) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", type=int, default=1000)
    ap.add_argument("--las", type=int, default=100)
    ap.add_argument("--stations", type=int, default=200)
    args = ap.parse_args()
    from surveylab.exporters import write_csv, write_las
    from surveylab.parsers import read_survey

    rng = np.random.default_rng(7)
    surveys = [make_survey(rng, args.stations) for _ in range(max(args.csv, args.las))]
    csv_files = [write_csv(s) for s, _t in surveys[: args.csv]]
    bare = [bare_csv(t) for _s, t in surveys[: args.csv]]
    las_files = [write_las(s) for s, _t in surveys[: args.las]]
    floor = rate(lambda b: pd.read_csv(io.BytesIO(b)), bare)
    floor_las = rate(lambda b: pd.read_csv(io.BytesIO(b)), bare[: args.las])
    csv_rate = rate(lambda b: read_survey(b, name="b.csv"), csv_files)
    las_rate = rate(lambda b: read_survey(b, name="b.las"), las_files)
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"python {platform.python_version()} pandas {pd.__version__}"
    )
    print(f"pandas.read_csv floor, bare tables ({args.stations} rows): {floor:8.1f} files/s")
    print(
        f"read_survey CSV exports ({args.csv} files):      {csv_rate:8.1f} files/s "
        f"(floor/ours = {floor / csv_rate:.2f}x)"
    )
    print(
        f"read_survey LAS ({args.las} files):              {las_rate:8.1f} files/s "
        f"(floor/ours = {floor_las / las_rate:.2f}x)"
    )


if __name__ == "__main__":
    main()
