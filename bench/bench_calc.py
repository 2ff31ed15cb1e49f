"""Benchmark surveylab's minimum curvature against peers on the same synthetic wells.

Usage::

    PYTHONPATH=. python bench/bench_calc.py [--sizes 1000 100000 1000000] [--repeat 5]
                                            [--rounds 5] [--no-peers]
                                            [--interp-mds 1000000] [--markdown OUT.md]

Peers (welleng, wellpathpy, numba) are benchmark-only: each is skipped with a note when it is
not installed. Each round takes the best of ``--repeat`` runs of every implementation (more
for short runs, see :func:`measure`), both wall-clock and CPU time of the thread
(``time.thread_time``: not inflated while other jobs hold the core); surveylab and the numba
floors run in every one of ``--rounds`` interleaved rounds and the tables give the median over
rounds and the spread (min-max) of the wall times; the slower peers run in the first round
only. Peak memory is tracemalloc's peak of one run (numpy
and numba arrays are traced). Results must agree with surveylab to 1e-6 m.

Two tables: positions only (minimum curvature), and the whole of ``compute_trajectory``
(positions, DLS, build/turn rates, toolface) against a numba single pass computing the same.
A third (``--many-wells W N``): W wells of N stations in one call (``compute_trajectories``
and ``minimum_curvature_many``) against a numba pass over the same ragged arrays, and against
a Python loop calling ``compute_trajectory`` once per well.

Machine note: where transparent hugepages are ``madvise`` and defrag is on, numpy madvises
large arrays and first touch of fresh memory is slow; ``NUMPY_MADVISE_HUGEPAGE=0`` in the
environment of the benchmark (never in library code) shows the difference.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from collections.abc import Set as AbstractSet

import numpy as np

from surveylab.calc import (
    compute_trajectories,
    compute_trajectory,
    interpolate_md,
    minimum_curvature,
    minimum_curvature_many,
)
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


def measure(
    fn: Callable[[], object], repeat: int, *, memory: bool = True, min_total: float = 0.05
) -> tuple[float, float, float, object]:
    """(best wall seconds, best thread-CPU seconds, peak MB of one run, result of the last run).

    At least ``repeat`` runs, more for short ones (up to ``min_total`` seconds in all, at most
    2000 runs), with the garbage collector off while timing: a ``gc.collect()`` before each
    short run would evict the caches and time a cold start instead.
    """
    t0 = time.perf_counter()
    result = fn()  # warm-up (JIT, caches)
    once = time.perf_counter() - t0
    runs = max(repeat, min(2000, int(min_total / max(once, 1e-7))))
    best = cpu = math.inf
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.thread_time()
            result = fn()
            c1, t1 = time.thread_time(), time.perf_counter()
            best, cpu = min(best, t1 - t0), min(cpu, c1 - c0)
    finally:
        gc.enable()
    peak = math.nan
    if memory:
        gc.collect()
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return best, cpu, peak, result


def _previous_kernel(md: np.ndarray, inc: np.ndarray, azi: np.ndarray) -> tuple:
    """the first whole-array numpy kernel (4 sin/cos per station): for the comparison.

    Positions from the first station (tie-on there), no checks: the same arithmetic as the
    released version, kept here to measure the speed-up in the same run.
    """
    n = md.size
    tvd, north, east = np.zeros(n), np.zeros(n), np.zeros(n)
    a, b = np.radians(inc), np.radians(azi)
    tv = np.cos(a)
    np.sin(a, out=a)
    tn = np.cos(b)
    tn *= a
    np.sin(b, out=b)
    b *= a
    te, w, e, m = b, a, np.empty(n), n - 1
    sn, se, sv = north[1:], east[1:], tvd[1:]
    np.add(tn[1:], tn[:-1], out=sn)
    np.add(te[1:], te[:-1], out=se)
    np.add(tv[1:], tv[:-1], out=sv)
    dd, tmp = w[:m], e[:m]
    for c in (tn, te, tv):
        np.subtract(c[1:], c[:-1], out=tmp)
        np.square(tmp, out=tmp)
        if c is tn:
            dd[:] = tmp
        else:
            dd += tmp
    np.sqrt(dd, out=dd)
    ss, tmp2 = tn[:m], tv[:m]
    np.square(sn, out=ss)
    np.square(se, out=tmp2)
    ss += tmp2
    np.square(sv, out=tmp2)
    ss += tmp2
    np.sqrt(ss, out=ss)
    ratio, x = tmp2, te[:m]
    np.divide(dd, ss, out=ratio)
    np.arctan(ratio, out=x)
    dogleg = np.empty(n)
    dogleg[0] = 0.0
    np.multiply(x, 360.0 / math.pi, out=dogleg[1:])
    rf, small = dd, x < 1e-4
    np.divide(ratio, x, out=rf, where=~small)
    if small.any():
        xs2 = np.square(x[small])
        rf[small] = 1.0 + xs2 * (1.0 / 3.0 + xs2 * (2.0 / 15.0))
    np.subtract(md[1:], md[:-1], out=tmp)
    rf *= tmp
    rf *= 0.5
    sn *= rf
    se *= rf
    sv *= rf
    np.cumsum(north, out=north)
    np.cumsum(east, out=east)
    np.cumsum(tvd, out=tvd)
    return tvd, north, east


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


def _numba_trajectory_kernel():
    """Numba single pass computing what compute_trajectory does (positions, DLS, build/turn,
    toolface), with surveylab's conventions (README, "Units and north references"), for the
    whole-trajectory floor."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(cache=False, fastmath=False)
    def traj(md, inc, azi, course_length):  # pragma: no cover - compiled
        n = md.size
        tvd, north, east = np.zeros(n), np.zeros(n), np.zeros(n)
        dls, build, turn = np.zeros(n), np.zeros(n), np.zeros(n)
        tf = np.full(n, np.nan)
        d2r, lim = np.pi / 180.0, 1e-4
        si1, ci1 = math.sin(inc[0] * d2r), math.cos(inc[0] * d2r)
        a1n, a1e, a1v = si1 * math.cos(azi[0] * d2r), si1 * math.sin(azi[0] * d2r), ci1
        for i in range(1, n):
            si, ci = math.sin(inc[i] * d2r), math.cos(inc[i] * d2r)
            bn, be, bv = si * math.cos(azi[i] * d2r), si * math.sin(azi[i] * d2r), ci
            dn, de, dv = bn - a1n, be - a1e, bv - a1v
            sn, se, sv = bn + a1n, be + a1e, bv + a1v
            d = math.sqrt(dn * dn + de * de + dv * dv)
            s = math.sqrt(sn * sn + se * se + sv * sv)
            x = math.atan2(d, s)
            rf = 1.0 + x * x / 3.0 if x < 1e-4 else (d / s) / x
            dmd = md[i] - md[i - 1]
            f = 0.5 * dmd * rf
            north[i] = north[i - 1] + f * sn
            east[i] = east[i - 1] + f * se
            tvd[i] = tvd[i - 1] + f * sv
            scale = course_length / dmd
            dls[i] = 2.0 * x / d2r * scale
            build[i] = (inc[i] - inc[i - 1]) * scale
            if inc[i] > lim and inc[i - 1] > lim:
                da = azi[i] - azi[i - 1]
                turn[i] = (da - 360.0 * math.ceil((da - 180.0) / 360.0)) * scale
            if inc[i - 1] <= lim:
                if inc[i] > lim:
                    tf[i] = azi[i] % 360.0
            else:
                da = (azi[i] - azi[i - 1]) * d2r
                ty = si * math.sin(da)
                tx = si * ci1 * math.cos(da) - ci * si1
                if math.hypot(tx, ty) >= 1e-12:
                    tf[i] = (math.atan2(ty, tx) / d2r) % 360.0
            a1n, a1e, a1v, si1, ci1 = bn, be, bv, si, ci
        return tvd, north, east, dls, build, turn, tf

    return traj


def _numba_many_kernel():
    """Numba passes over many wells laid end to end (offsets), computing what
    compute_trajectories does (each well's course from its tie-on, none when the tie-on is at
    the first station; positions, dogleg, DLS, build/turn, toolface, vertical section) and
    what minimum_curvature_many does (positions)."""
    try:
        import numba
    except ImportError:
        return None

    d2r, lim = np.pi / 180.0, 1e-4

    @numba.njit(cache=False, fastmath=False, inline="always")
    def tangent(inc, azi):  # pragma: no cover - compiled
        si, ci = math.sin(inc * d2r), math.cos(inc * d2r)
        return si * math.cos(azi * d2r), si * math.sin(azi * d2r), ci, si, ci

    @numba.njit(cache=False, fastmath=False, inline="always")
    def course(a1n, a1e, a1v, bn, be, bv, dmd):  # pragma: no cover - compiled
        """Displacement (N, E, TVD) and half dogleg [rad] of one course."""
        dn, de, dv = bn - a1n, be - a1e, bv - a1v
        sn, se, sv = bn + a1n, be + a1e, bv + a1v
        d = math.sqrt(dn * dn + de * de + dv * dv)
        s = math.sqrt(sn * sn + se * se + sv * sv)
        x = math.atan2(d, s)
        rf = 1.0 + x * x / 3.0 if x < 1e-4 else (d / s) / x
        f = 0.5 * dmd * rf
        return f * sn, f * se, f * sv, x

    @numba.njit(cache=False, fastmath=False, inline="always")
    def no_course(i, first, dmd, pmd, md_i):  # pragma: no cover - compiled
        """The first station of a well tied on at its own MD: no course."""
        return i == first and abs(dmd) <= 1e-9 * max(1.0, abs(pmd), abs(md_i))

    @numba.njit(cache=False, fastmath=False)
    def many(md, inc, azi, offsets, tie, course_length, vs_azi):  # pragma: no cover - compiled
        n = md.size
        tvd, north, east, dog = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
        dls, build, turn = np.empty(n), np.empty(n), np.empty(n)
        tf, vs = np.empty(n), np.empty(n)
        for w in range(offsets.size - 1):
            pmd, pinc, pazi, pt, pn, pe = tie[:, w]
            a1n, a1e, a1v, si1, ci1 = tangent(pinc, pazi)
            cva, sva = math.cos(vs_azi[w] * d2r), math.sin(vs_azi[w] * d2r)
            for i in range(offsets[w], offsets[w + 1]):
                bn, be, bv, si, ci = tangent(inc[i], azi[i])
                dmd = md[i] - pmd
                dog[i] = dls[i] = build[i] = turn[i] = 0.0
                tf[i] = np.nan
                if not no_course(i, offsets[w], dmd, pmd, md[i]):
                    fn, fe, fv, x = course(a1n, a1e, a1v, bn, be, bv, dmd)
                    pn, pe, pt = pn + fn, pe + fe, pt + fv
                    scale = course_length / dmd
                    dog[i] = 2.0 * x / d2r
                    dls[i] = dog[i] * scale
                    build[i] = (inc[i] - pinc) * scale
                    if inc[i] > lim and pinc > lim:
                        da = azi[i] - pazi
                        turn[i] = (da - 360.0 * math.ceil((da - 180.0) / 360.0)) * scale
                    if pinc <= lim:
                        if inc[i] > lim:
                            tf[i] = azi[i] % 360.0
                    else:
                        da = (azi[i] - pazi) * d2r
                        ty = si * math.sin(da)
                        tx = si * ci1 * math.cos(da) - ci * si1
                        if math.hypot(tx, ty) >= 1e-12:
                            tf[i] = (math.atan2(ty, tx) / d2r) % 360.0
                tvd[i], north[i], east[i] = pt, pn, pe
                vs[i] = pn * cva + pe * sva
                a1n, a1e, a1v, si1, ci1 = bn, be, bv, si, ci
                pmd, pinc, pazi = md[i], inc[i], azi[i]
        return tvd, north, east, dog, dls, build, turn, tf, vs

    @numba.njit(cache=False, fastmath=False)
    def many_positions(md, inc, azi, offsets, tie):  # pragma: no cover - compiled
        n = md.size
        tvd, north, east = np.empty(n), np.empty(n), np.empty(n)
        for w in range(offsets.size - 1):
            pmd, pinc, pazi, pt, pn, pe = tie[:, w]
            a1n, a1e, a1v, _, _ = tangent(pinc, pazi)
            for i in range(offsets[w], offsets[w + 1]):
                bn, be, bv, _, _ = tangent(inc[i], azi[i])
                dmd = md[i] - pmd
                if not no_course(i, offsets[w], dmd, pmd, md[i]):
                    fn, fe, fv, _ = course(a1n, a1e, a1v, bn, be, bv, dmd)
                    pn, pe, pt = pn + fn, pe + fe, pt + fv
                tvd[i], north[i], east[i] = pt, pn, pe
                a1n, a1e, a1v, pmd = bn, be, bv, md[i]
        return tvd, north, east

    return many, many_positions


def many_wells_data(wells: int, stations: int):
    """``wells`` wells of ``stations`` stations each, laid end to end: pieces of one long
    synthetic well, each starting again at MD 100 below a vertical tie-on at MD 0 (the
    default assumption), with a vertical-section azimuth per well."""
    md, inc, azi = synthetic_well(wells * stations)
    md = md.reshape(wells, stations)
    md = (md - md[:, :1] + 100.0).ravel()
    vs_azi = np.random.default_rng(3).uniform(0.0, 360.0, wells)
    return md, inc, azi, np.full(wells, stations), vs_azi


def many_wells_table(wells: int, stations: int, repeat: int, rounds: int) -> list[str]:
    """W wells of N stations in one call against the numba pass and a per-well loop."""
    md, inc, azi, lengths, vs_azi = many_wells_data(wells, stations)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    tie = np.zeros((6, wells))  # the default: vertical from MD 0, TVD 0, N 0, E 0
    kernels = _numba_many_kernel()
    all_cols: dict[str, Callable] = {}
    positions: dict[str, Callable] = {}

    def ours(md, inc, azi):
        t = compute_trajectories(md, inc, azi, lengths=lengths, depth_unit="m", vs_azimuth=vs_azi)
        return t.tvd, t.north, t.east, t.dogleg, t.dls, t.build_rate, t.turn_rate, t.toolface, t.vs

    def ours_positions(md, inc, azi):
        p = minimum_curvature_many(md, inc, azi, lengths=lengths)
        return p.tvd, p.north, p.east

    def loop(md, inc, azi):
        parts = [
            compute_trajectory(
                md[a:b], inc[a:b], azi[a:b], depth_unit="m", vs_azimuth=float(vs_azi[w])
            )
            for w, (a, b) in enumerate(itertools.pairwise(offsets))
        ]
        names = ("tvd", "north", "east", "dogleg", "dls", "build_rate", "turn_rate", "toolface")
        return (
            *(np.concatenate([getattr(t, k) for t in parts]) for k in names),
            np.concatenate([t.vs for t in parts]),
        )

    all_cols["surveylab compute_trajectories (one call)"] = ours
    positions["surveylab minimum_curvature_many (one call)"] = ours_positions
    if kernels is not None:
        many, many_positions = kernels
        all_cols["numba pass over all wells, all columns (floor)"] = lambda md, inc, azi: many(
            md, inc, azi, offsets, tie, 30.0, vs_azi
        )
        positions["numba pass over all wells, positions (floor)"] = lambda md, inc, azi: (
            many_positions(md, inc, azi, offsets, tie)
        )
    all_cols["surveylab compute_trajectory once per well (Python loop)"] = loop
    head = (
        "| implementation | wall median [ms] | wall spread [ms] | CPU median [ms] | CPU x floor "
        "| peak memory [MB] | max diff positions [m] | max diff dls/build/turn [deg/30 m] "
        "| max diff toolface [deg] | max diff vs [m] |"
    )
    lines = [
        f"Many wells in one call: {wells:,} wells of {stations:,} stations "
        f"({wells * stations:,} stations), each tied on vertically at MD 0 (the default), a "
        "vertical-section azimuth per well:",
        "",
        head,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for table in (all_cols, positions):
        bound = {k: (lambda fn=fn: fn(md, inc, azi)) for k, fn in table.items()}
        slow = {k for k in table if "loop" in k}
        walls, cpus, peaks, results = _rounds(bound, rounds, repeat, set(), math.inf, slow)
        ref = results[next(iter(table))]
        floor_name = next((k for k in table if "floor" in k), None)
        floor = statistics.median(cpus[floor_name]) if floor_name else None
        for name in table:
            got = results[name]
            cells = [f"{_diff(ref[:3], got[:3]):.1e}"]
            if len(ref) > 3:
                cells += [
                    f"{_diff(ref[4:7], got[4:7]):.1e}",
                    _toolface_cell(ref[7], got[7]),
                    f"{_diff(ref[8:9], got[8:9]):.1e}",
                ]
            else:
                cells += ["-", "-", "-"]
            lines.append(
                f"| {name} | {_timing_cells(walls[name], cpus[name], floor)} "
                f"| {peaks[name]:.1f} | {' | '.join(cells)} |"
            )
            print(lines[-1], flush=True)
    if kernels is None:
        lines += ["", "- numba not installed: many-wells floor skipped"]
    return lines


def implementations() -> tuple[dict[str, Callable], list[str]]:
    impls: dict[str, Callable] = {}
    notes: list[str] = []

    def ours(md, inc, azi):
        # peers start at the first station: tie on there (no course from MD 0)
        p = minimum_curvature(md, inc, azi, tie_on=TieOn(md[0], inc[0], azi[0]))
        return p.tvd, p.north, p.east

    impls["surveylab minimum_curvature"] = ours
    impls["surveylab first kernel (whole-array numpy)"] = _previous_kernel
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
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, {platform.system()} {platform.release()}"
    )


#: implementations measured in every round (the others, slower peers, in the first only)
_EVERY_ROUND = ("surveylab", "numba")
_FLOOR = "numba single pass (floor)"


def _toolface_cell(ref: np.ndarray, got: np.ndarray) -> str:
    """Largest toolface difference [deg] (the short way round), and whether NaNs differ."""
    same_nan = bool(np.array_equal(np.isnan(ref), np.isnan(got)))
    both = ~np.isnan(ref) & ~np.isnan(got)
    d = np.abs(ref[both] - got[both])
    worst = float(np.minimum(d, 360.0 - d).max()) if d.size else 0.0
    return f"{worst:.1e}" + ("" if same_nan else " (NaN differ)")


def _diff(ref: tuple[np.ndarray, ...], got: tuple[np.ndarray, ...]) -> float:
    return max(float(np.abs(a - b).max()) for a, b in zip(ref, got, strict=True))


def _rounds(
    impls: dict[str, Callable[[], tuple]],
    rounds: int,
    repeat: int,
    slow: set[str],
    limit: float,
    once: AbstractSet[str] = frozenset(),
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, float], dict[str, tuple]]:
    """Wall and CPU bests per round, peak MB and the result of each implementation
    (those in ``once``: one run in the first round, no memory measurement)."""
    walls: dict[str, list[float]] = {k: [] for k in impls}
    cpus: dict[str, list[float]] = {k: [] for k in impls}
    peaks: dict[str, float] = {}
    results: dict[str, tuple] = {}
    for r in range(rounds):
        for name, fn in impls.items():
            if name in slow or (r > 0 and not name.startswith(_EVERY_ROUND)):
                continue
            if name in once and r > 0:
                continue
            reps = 1 if "welleng Survey" in name or name in once else repeat
            wall, cpu, peak, res = measure(
                fn,
                reps,
                memory=r == 0 and name not in once,
                min_total=0.0 if name in once else 0.05,
            )
            walls[name].append(wall)
            cpus[name].append(cpu)
            if r == 0:
                peaks[name], results[name] = peak, tuple(np.asarray(a, float) for a in res)
                if wall > limit:
                    slow.add(name)
    return walls, cpus, peaks, results


def _timing_cells(walls: list[float], cpus: list[float], floor_cpu: float | None) -> str:
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    spread = f"{min(walls) * 1e3:.1f}-{max(walls) * 1e3:.1f}" if len(walls) > 1 else "-"
    ratio = f"{cpu / floor_cpu:.2f}" if floor_cpu else "-"
    return f"{wall * 1e3:.1f} | {spread} | {cpu * 1e3:.1f} | {ratio}"


def run(
    sizes: list[int], repeat: int, rounds: int, slow_limit: float, peers: bool = True
) -> list[str]:
    """The positions table and the whole-trajectory table, as markdown lines."""
    impls, notes = implementations()
    if not peers:
        impls = {k: v for k, v in impls.items() if k.startswith(_EVERY_ROUND)}
    head = (
        "| stations | implementation | wall median [ms] | wall spread [ms] | CPU median [ms] "
        "| CPU x floor | peak memory [MB] | max diff vs surveylab [m] |"
    )
    lines = [
        "Positions only (minimum curvature):",
        "",
        head,
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    slow: set[str] = set()
    for n in sizes:
        md, inc, azi = synthetic_well(n)
        bound = {k: (lambda fn=fn, w=(md, inc, azi): fn(*w)) for k, fn in impls.items()}
        walls, cpus, peaks, results = _rounds(bound, rounds, repeat, slow, slow_limit)
        ref = results["surveylab minimum_curvature"]
        floor = statistics.median(cpus[_FLOOR]) if cpus.get(_FLOOR) else None
        for name in impls:
            if not walls[name]:
                lines.append(f"| {n:,} | {name} | skipped (> {slow_limit:g} s before) | | | | | |")
                continue
            diff = _diff(ref, results[name][:3])
            flag = "" if diff <= AGREE else " (DISAGREES)"
            lines.append(
                f"| {n:,} | {name} | {_timing_cells(walls[name], cpus[name], floor)} "
                f"| {peaks[name]:.1f} | {diff:.1e}{flag} |"
            )
            print(lines[-1], flush=True)
    lines += ["", *trajectory_table(sizes, repeat, rounds)]
    if notes:
        lines += ["", *[f"- {x}" for x in notes]]
    return lines


def trajectory_table(sizes: list[int], repeat: int, rounds: int) -> list[str]:
    """compute_trajectory (positions, DLS, build/turn, toolface) against a numba single pass."""
    kernel = _numba_trajectory_kernel()
    impls: dict[str, Callable] = {}

    def ours(md, inc, azi):
        t = compute_trajectory(md, inc, azi, depth_unit="m", tie_on=TieOn(md[0], inc[0], azi[0]))
        return t.tvd, t.north, t.east, t.dls, t.build_rate, t.turn_rate, t.toolface

    impls["surveylab compute_trajectory"] = ours
    if kernel is not None:
        impls["numba single pass, all columns (floor)"] = lambda md, inc, azi: kernel(
            md, inc, azi, 30.0
        )
    lines = [
        "Whole trajectory (compute_trajectory: positions, DLS, build/turn rates, toolface):",
        "",
        "| stations | implementation | wall median [ms] | wall spread [ms] | CPU median [ms] "
        "| CPU x floor | peak memory [MB] | max diff positions [m] | max diff rates "
        "[deg/30 m] | max diff toolface [deg] |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        md, inc, azi = synthetic_well(n)
        bound = {k: (lambda fn=fn, w=(md, inc, azi): fn(*w)) for k, fn in impls.items()}
        walls, cpus, peaks, results = _rounds(bound, rounds, repeat, set(), math.inf)
        ref = results["surveylab compute_trajectory"]
        floor_name = "numba single pass, all columns (floor)"
        floor = statistics.median(cpus[floor_name]) if floor_name in cpus else None
        for name in impls:
            got = results[name]
            tf_cell = _toolface_cell(ref[6], got[6])
            lines.append(
                f"| {n:,} | {name} | {_timing_cells(walls[name], cpus[name], floor)} "
                f"| {peaks[name]:.1f} | {_diff(ref[:3], got[:3]):.1e} "
                f"| {_diff(ref[3:6], got[3:6]):.1e} | {tf_cell} |"
            )
            print(lines[-1], flush=True)
    if kernel is None:
        lines += ["", "- numba not installed: whole-trajectory floor skipped"]
    return lines


def interpolation(n_targets: int, repeat: int) -> list[str]:
    md, inc, azi = synthetic_well(10_000)
    traj = compute_trajectory(md, inc, azi, depth_unit="m", tie_on=TieOn(md[0], inc[0], azi[0]))
    rng = np.random.default_rng(1)
    targets = np.sort(rng.uniform(md[0], md[-1], n_targets))
    best, _, peak, _ = measure(lambda: interpolate_md(traj, targets), repeat)
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
    ap.add_argument("--repeat", type=int, default=5, help="runs per round (best taken)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median taken)")
    ap.add_argument("--no-peers", action="store_true", help="surveylab and numba only")
    ap.add_argument("--interp-mds", type=int, default=1_000_000, help="0: skip interpolation")
    ap.add_argument("--slow-limit", type=float, default=20.0, help="skip larger sizes after [s]")
    ap.add_argument(
        "--many-wells",
        type=int,
        nargs=2,
        default=[10_000, 200],
        metavar=("WELLS", "STATIONS"),
        help="wells and stations per well of the many-wells table (0 0: skip)",
    )
    ap.add_argument("--only-many", action="store_true", help="the many-wells table only")
    ap.add_argument("--markdown", help="also write the tables to this file")
    args = ap.parse_args(argv)
    lines = [f"Machine: {machine()}", ""]
    huge = os.environ.get("NUMPY_MADVISE_HUGEPAGE")
    lines += [f"NUMPY_MADVISE_HUGEPAGE={huge if huge is not None else '(unset)'}", ""]
    if not args.only_many:
        lines += run(args.sizes, args.repeat, args.rounds, args.slow_limit, not args.no_peers)
    if args.many_wells[0] > 0:
        lines += ["", *many_wells_table(*args.many_wells, args.repeat, args.rounds)]
    if args.interp_mds and not args.only_many:
        lines += ["", *interpolation(args.interp_mds, args.repeat)]
    text = "\n".join(lines)
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
