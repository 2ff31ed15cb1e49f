"""Benchmark surveylab's minimum curvature against peers on the same synthetic wells.

Usage::

    PYTHONPATH=. python bench/bench_calc.py [--sizes 1000 100000 1000000] [--repeat 5]
                                            [--interp-mds 1000000] [--markdown OUT.md]

Peers (welleng, wellpathpy, numba) are benchmark-only: each is skipped with a note when it is
not installed. Time is the best of ``--repeat`` runs; peak memory is tracemalloc's peak of one
run (numpy and numba arrays are traced). Results must agree with surveylab to 1e-6 m.
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from surveylab.calc import compute_trajectory, interpolate_md, minimum_curvature
from surveylab.models import TieOn

AGREE = 1e-6  # [m]


def synthetic_well(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A smooth well of ``n`` stations every ~10 m: builds, holds, turns through north."""
    rng = np.random.default_rng(42)
    md = np.cumsum(rng.uniform(5.0, 15.0, n))
    s = np.linspace(0.0, 1.0, n)
    inc = 45.0 + 44.0 * np.sin(2 * np.pi * 40 * s)
    azi = np.mod(720.0 * s * 20 + 30.0 * np.sin(2 * np.pi * 7 * s), 360.0)
    return md, inc, azi


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(best seconds, peak MB of one run, result of the last run)."""
    result = fn()  # warm-up (JIT, caches)
    best = math.inf
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return best, peak, result


def _numba_kernel():
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(cache=False, fastmath=False)
    def mc(md, inc, azi):  # pragma: no cover - compiled
        n = md.size
        tvd = np.empty(n)
        north = np.empty(n)
        east = np.empty(n)
        tvd[0] = north[0] = east[0] = 0.0
        d2r = np.pi / 180.0
        si, ci = math.sin(inc[0] * d2r), math.cos(inc[0] * d2r)
        a1n, a1e, a1v = si * math.cos(azi[0] * d2r), si * math.sin(azi[0] * d2r), ci
        for i in range(1, n):
            si, ci = math.sin(inc[i] * d2r), math.cos(inc[i] * d2r)
            bn, be, bv = si * math.cos(azi[i] * d2r), si * math.sin(azi[i] * d2r), ci
            dn, de, dv = bn - a1n, be - a1e, bv - a1v
            sn, se, sv = bn + a1n, be + a1e, bv + a1v
            d = math.sqrt(dn * dn + de * de + dv * dv)
            s = math.sqrt(sn * sn + se * se + sv * sv)
            x = math.atan2(d, s)
            rf = 1.0 + x * x / 3.0 if x < 1e-4 else (d / s) / x
            f = 0.5 * (md[i] - md[i - 1]) * rf
            north[i] = north[i - 1] + f * sn
            east[i] = east[i - 1] + f * se
            tvd[i] = tvd[i - 1] + f * sv
            a1n, a1e, a1v = bn, be, bv
        return tvd, north, east

    return mc


def implementations() -> tuple[dict[str, Callable], list[str]]:
    impls: dict[str, Callable] = {}
    notes: list[str] = []

    def ours(md, inc, azi):
        # peers start at the first station: tie on there (no course from MD 0)
        p = minimum_curvature(md, inc, azi, tie_on=TieOn(md[0], inc[0], azi[0]))
        return p.tvd, p.north, p.east

    impls["surveylab minimum_curvature"] = ours
    kernel = _numba_kernel()
    if kernel is None:
        notes.append("numba not installed: compiled floor skipped")
    else:
        impls["numba single pass (floor)"] = kernel
    try:
        from wellpathpy.mincurve import minimum_curvature as wpp

        def wellpathpy_mc(md, inc, azi):
            tvd, north, east, _ = wpp(md, inc, azi, course_length=30)
            return tvd, north, east

        impls["wellpathpy minimum_curvature"] = wellpathpy_mc
    except ImportError:
        notes.append("wellpathpy not installed: skipped")
    try:
        from welleng.survey import Survey, SurveyHeader
        from welleng.utils import MinCurve

        header = SurveyHeader(azi_reference="true")

        def welleng_mincurve(md, inc, azi):
            mc = MinCurve(md, np.radians(inc), np.radians(azi))  # frame "env": E, N, V
            return mc.poss[:, 2], mc.poss[:, 1], mc.poss[:, 0]

        def welleng_survey(md, inc, azi):
            s = Survey(md, inc, azi, deg=True, header=header)
            return s.tvd, s.n, s.e

        impls["welleng MinCurve"] = welleng_mincurve
        impls["welleng Survey"] = welleng_survey
    except ImportError:
        notes.append("welleng not installed: skipped")
    return impls, notes


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (ln.split(":", 1)[1].strip() for ln in out.splitlines() if "Model name" in ln), "?"
        )
    except OSError:
        model = "?"
    import os

    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, {platform.system()} {platform.release()}"
    )


def run(sizes: list[int], repeat: int, interp_mds: int, slow_limit: float) -> str:
    impls, notes = implementations()
    lines = [
        "| stations | implementation | best time [ms] | peak memory [MB] "
        "| max diff vs surveylab [m] |",
        "|---:|---|---:|---:|---:|",
    ]
    slow: set[str] = set()
    for n in sizes:
        md, inc, azi = synthetic_well(n)
        ref = None
        for name, fn in impls.items():
            if name in slow:
                lines.append(f"| {n:,} | {name} | skipped (> {slow_limit:g} s before) | | |")
                continue
            reps = repeat if n < 10**6 or "welleng Survey" not in name else 1
            best, peak, res = measure(lambda fn=fn, w=(md, inc, azi): fn(*w), reps)
            tvd, north, east = (np.asarray(a, dtype=float) for a in res)
            if ref is None:
                ref = (tvd, north, east)
                diff = 0.0
            else:
                diff = max(
                    float(np.abs(a - b).max()) for a, b in zip(ref, (tvd, north, east), strict=True)
                )
            flag = "" if diff <= AGREE else " (DISAGREES)"
            lines.append(f"| {n:,} | {name} | {best * 1e3:.1f} | {peak:.1f} | {diff:.1e}{flag} |")
            if best > slow_limit:
                slow.add(name)
            print(lines[-1], flush=True)
    lines.append("")
    lines += interpolation(interp_mds, repeat)
    if notes:
        lines += ["", *[f"- {x}" for x in notes]]
    return "\n".join(lines)


def interpolation(n_targets: int, repeat: int) -> list[str]:
    md, inc, azi = synthetic_well(10_000)
    traj = compute_trajectory(md, inc, azi, depth_unit="m", tie_on=TieOn(md[0], inc[0], azi[0]))
    rng = np.random.default_rng(1)
    targets = np.sort(rng.uniform(md[0], md[-1], n_targets))
    best, peak, _ = measure(lambda: interpolate_md(traj, targets), repeat)
    out = [
        f"Interpolation of {n_targets:,} MDs along a 10,000-station survey:",
        "",
        "| implementation | time [ms] | peak memory [MB] | max diff vs surveylab [m] |",
        "|---|---:|---:|---:|",
        f"| surveylab interpolate_md (vectorised) | {best * 1e3:.1f} | {peak:.1f} | 0 |",
    ]
    try:
        from welleng.survey import Survey
        from welleng.survey import interpolate_md as we_interp
    except ImportError:
        return [*out, "", "- welleng not installed: its interpolate_md skipped"]
    from welleng.survey import SurveyHeader

    survey = Survey(md, inc, azi, deg=True, header=SurveyHeader(azi_reference="true"))
    sample = targets[:: max(1, n_targets // 500)]
    t0 = time.perf_counter()
    got = [we_interp(survey, float(m)) for m in sample]
    per_call = (time.perf_counter() - t0) / sample.size
    ours = interpolate_md(traj, sample)
    diff = max(
        max(abs(float(g.tvd[-1]) - t), abs(float(g.n[-1]) - n), abs(float(g.e[-1]) - e))
        for g, t, n, e in zip(got, ours.tvd, ours.north, ours.east, strict=True)
    )
    out.append(
        f"| welleng interpolate_md (one MD per call; {sample.size} calls timed, "
        f"extrapolated) | {per_call * n_targets * 1e3:.0f} | - | {diff:.1e} |"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--interp-mds", type=int, default=1_000_000)
    ap.add_argument("--slow-limit", type=float, default=20.0, help="skip larger sizes after [s]")
    ap.add_argument("--markdown", help="also write the tables to this file")
    args = ap.parse_args(argv)
    text = f"Machine: {machine()}\n\n" + run(
        args.sizes, args.repeat, args.interp_mds, args.slow_limit
    )
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
