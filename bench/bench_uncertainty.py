"""Benchmark position uncertainty and anti-collision against welleng and a numba floor.

Usage::

    PYTHONPATH=. python bench/bench_uncertainty.py [--stations 10000] [--offsets 100]
                                                   [--offset-stations 1000] [--rounds 5]
                                                   [--repeat 5] [--no-peers] [--markdown OUT.md]

Two measurements, as the uncertainty issue asks:

1. the covariance of every error source and the total (ISCWSA MWD Rev5.11, OWSG MWD+SRGM) for
   one synthetic well of ``--stations`` stations: surveylab's ``position_uncertainty`` against
   welleng's ``Survey(error_model="ISCWSA MWD Rev5.11")`` and a numba single pass over the
   stations computing the same per-source covariances (the compiled floor);
2. the clearance (closest point on each offset by minimum curvature, pedal-curve radii,
   separation factors) of one well against ``--offsets`` offset wells of
   ``--offset-stations`` stations each, covariances given: surveylab's ``clearance`` against
   welleng's ``IscwsaClearance`` (one offset at a time, as its API takes them; without its
   between-station minimisation) and a numba kernel doing the same search (the floor).

welleng and numba are benchmark-only (``scripts/install.sh bench``); each is skipped with a note
when missing. Each round takes the best of ``--repeat`` runs (more for short runs) of wall
clock and thread CPU time, with ``measure`` of ``bench_calc``; surveylab and the floors run in
every one of ``--rounds`` interleaved rounds, welleng in the first. Results must agree: the
covariances with the floor to 1e-9 relative, and with welleng to 1e-6 relative; the
separation factors with the floor to 1e-9 and with welleng to the tolerances of
tests/calc/test_uncertainty_clearance.py.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calc import machine, measure

from surveylab.calc import minimum_curvature
from surveylab.calc.uncertainty import (
    ReferenceField,
    WellPath,
    anticollision,
    clearance,
    position_uncertainty,
    tool_model,
)
from surveylab.models import TieOn

FIELD = ReferenceField(total_field=50000.0, dip=72.0, declination=-4.0, latitude=60.0)
MODEL = "MWD"


def synthetic_well(n: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A well of ``n`` stations every 5-15 m from MD 0: vertical, builds, turns through north."""
    rng = np.random.default_rng(seed)
    md = np.concatenate(([0.0], np.cumsum(rng.uniform(5.0, 15.0, n - 1))))
    s = np.linspace(0.0, 1.0, n)
    inc = np.clip(60.0 * np.sin(np.pi * s) + 20.0 * np.sin(2 * np.pi * 9 * s), 0.0, 95.0)
    inc[: max(1, n // 20)] = 0.0
    azi = np.mod(30.0 + 400.0 * s + 20.0 * np.sin(2 * np.pi * 5 * s), 360.0)
    azi[inc == 0.0] = 0.0  # as survey listings print vertical stations
    return md, inc, azi


# --------------------------------------------------------------------- the covariance floor

# weighting-function ids of the numba floor (the same formulas as surveylab.calc.uncertainty)
_WIDS = {
    "DREF": 0,
    "DSF": 1,
    "DST": 2,
    "ABXY-TI1": 3,
    "ABXY-TI2": 4,
    "ABZ": 5,
    "ASXY-TI1": 6,
    "ASXY-TI2": 7,
    "ASXY-TI3": 8,
    "ASZ": 9,
    "MBXY-TI1": 10,
    "MBXY-TI2": 11,
    "MBZ": 12,
    "MSXY-TI1": 13,
    "MSXY-TI2": 14,
    "MSXY-TI3": 15,
    "MSZ": 16,
    "AZ": 17,
    "DBH": 18,
    "AMIL": 19,
    "SAGE": 20,
    "XYM1": 21,
    "XYM2": 22,
    "XYM3E": 23,
    "XYM4E": 24,
    "XCLA": 25,
    "XCLH": 26,
}


def _numba_covariance():
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(cache=False, fastmath=False)
    def cov(md, inc, azi, tvd, wid, mag, random, dec, dip, btot, grav, tort, lmin, vlim):
        # pragma: no cover - compiled
        n, m = md.size, wid.size
        out = np.zeros((m, n, 6))
        total = np.zeros((n, 6))
        run = np.zeros((m, 3))  # running sums of e (correlated sources)
        rsum = np.zeros((m, 6))  # running sums of e e^T (random sources)
        d2r = np.pi / 180.0
        tan_dip, bcd = math.tan(dip), btot * math.cos(dip)
        e = np.zeros(3)
        es = np.zeros(3)
        for k in range(n):
            i, at = inc[k] * d2r, azi[k] * d2r
            am = at - dec
            si, ci, sat, cat = math.sin(i), math.cos(i), math.sin(at), math.cos(at)
            sam, cam = math.sin(am), math.cos(am)
            h0, h1, h2 = ci * cat, ci * sat, -si
            l0, l1 = -sat, cat
            t0, t1, t2 = si * cat, si * sat, ci
            dmd = md[k] - md[k - 1] if k > 0 else 0.0
            own = 0.5 * dmd
            both = own
            if 0 < k < n - 1:
                both += 0.5 * (md[k + 1] - md[k])
            if k == 1:  # Rev 5 surface allowance (the well starts at MD 0)
                own += 0.5 * dmd
                both += 0.5 * dmd
            # depth columns: own leg and both legs
            do0 = do1 = do2 = 0.0
            db0 = db1 = db2 = 0.0
            if k == 0:
                do0, do1, do2 = t0, t1, t2
            else:
                pi_, pa = inc[k - 1] * d2r, azi[k - 1] * d2r
                do0 = 0.5 * (t0 + math.sin(pi_) * math.cos(pa))
                do1 = 0.5 * (t1 + math.sin(pi_) * math.sin(pa))
                do2 = 0.5 * (t2 + math.cos(pi_))
                db0, db1, db2 = do0, do1, do2
                if k < n - 1:
                    ni, na = inc[k + 1] * d2r, azi[k + 1] * d2r
                    db0 -= 0.5 * (t0 + math.sin(ni) * math.cos(na))
                    db1 -= 0.5 * (t1 + math.sin(ni) * math.sin(na))
                    db2 -= 0.5 * (t2 + math.cos(ni))
            damp = 1.0
            if k > 0:
                damp = max(1.0, math.sqrt(lmin / dmd))
            for r in range(m):
                w = wid[r]
                wd = wi = wa = 0.0
                course = False
                if w == 0:
                    wd = 1.0
                elif w == 1:
                    wd = md[k]
                elif w == 2:
                    wd = md[k] * tvd[k]
                elif w == 3:
                    wi, wa = -ci / grav, tan_dip * ci * si * sam / grav
                elif w == 4:
                    wa = (ci - tan_dip * cam * si) / grav
                elif w == 5:
                    wi, wa = -si / grav, tan_dip * si * si * sam / grav
                elif w == 6:
                    wi = si * ci / math.sqrt(2.0)
                    wa = -tan_dip * wi * si * sam
                elif w == 7:
                    wi = si * ci / 2.0
                    wa = -tan_dip * wi * si * sam
                elif w == 8:
                    wa = si * (tan_dip * si * cam - ci) / 2.0
                elif w == 9:
                    wi = -si * ci
                    wa = tan_dip * si * ci * si * sam
                elif w == 10:
                    wa = -si * ci * sam / bcd
                elif w == 11:
                    wa = si * cam / bcd
                elif w == 12:
                    wa = -si * si * sam / bcd
                elif w == 13:
                    wa = si * si * sam * (tan_dip * ci + si * cam) / math.sqrt(2.0)
                elif w == 14:
                    wa = si * sam * (tan_dip * si * ci - ci * ci * cam - cam) / 2.0
                elif w == 15:
                    wa = si * (ci * cam * cam - ci * sam * sam - tan_dip * si * cam) / 2.0
                elif w == 16:
                    wa = -si * (si * cam + tan_dip * ci) * si * sam
                elif w == 17:
                    wa = si
                elif w == 18:
                    wa = si / bcd
                elif w == 19:
                    wa = si * si * sam / bcd
                elif w == 20:
                    wi = abs(si) ** 0.25
                elif w == 21:
                    wi = abs(si)
                elif w == 22:
                    wa = -si
                elif w == 23:
                    wi, wa = damp * abs(ci) * cat, -damp * abs(ci) * sat
                elif w == 24:
                    wi, wa = damp * abs(ci) * sat, damp * abs(ci) * cat
                else:
                    course = True
                mg = mag[r]
                if course:
                    size = 0.0
                    if k > 0:
                        if w == 25:
                            da = at - azi[k - 1] * d2r
                            da = (da + np.pi) % (2.0 * np.pi) - np.pi
                            turn = abs(si * math.sin(abs(da)))
                            if inc[k - 1] * d2r < vlim:
                                turn = 0.0
                            size = dmd * max(turn, tort * dmd) * mg
                            e[0], e[1], e[2] = -size * sat, size * cat, 0.0
                        else:
                            di = abs(i - inc[k - 1] * d2r)
                            size = dmd * max(di, tort * dmd) * mg
                            e[0], e[1], e[2] = size * h0, size * h1, size * h2
                    else:
                        e[0] = e[1] = e[2] = 0.0
                    es[0], es[1], es[2] = e[0], e[1], e[2]
                else:
                    a0 = (wi * h0 + wa * l0) * mg
                    a1 = (wi * h1 + wa * l1) * mg
                    a2 = wi * h2 * mg
                    wdm = wd * mg
                    e[0] = both * a0 + wdm * db0
                    e[1] = both * a1 + wdm * db1
                    e[2] = both * a2 + wdm * db2
                    es[0] = own * a0 + wdm * do0
                    es[1] = own * a1 + wdm * do1
                    es[2] = own * a2 + wdm * do2
                if random[r]:
                    c = out[r, k]
                    c[0] = rsum[r, 0] + es[0] * es[0]
                    c[1] = rsum[r, 1] + es[1] * es[1]
                    c[2] = rsum[r, 2] + es[2] * es[2]
                    c[3] = rsum[r, 3] + es[0] * es[1]
                    c[4] = rsum[r, 4] + es[0] * es[2]
                    c[5] = rsum[r, 5] + es[1] * es[2]
                    if k > 0:
                        rsum[r, 0] += e[0] * e[0]
                        rsum[r, 1] += e[1] * e[1]
                        rsum[r, 2] += e[2] * e[2]
                        rsum[r, 3] += e[0] * e[1]
                        rsum[r, 4] += e[0] * e[2]
                        rsum[r, 5] += e[1] * e[2]
                else:
                    p0, p1, p2 = run[r, 0] + es[0], run[r, 1] + es[1], run[r, 2] + es[2]
                    c = out[r, k]
                    c[0], c[1], c[2] = p0 * p0, p1 * p1, p2 * p2
                    c[3], c[4], c[5] = p0 * p1, p0 * p2, p1 * p2
                    if k > 0:
                        run[r, 0] += e[0]
                        run[r, 1] += e[1]
                        run[r, 2] += e[2]
                for q in range(6):
                    total[k, q] += out[r, k, q]
        return out, total

    return cov


def _floor_inputs(code: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    model = tool_model(code)
    names = [t.name for t in model.terms]
    wid = np.array([_WIDS[t.weight] for t in model.terms], dtype=np.int64)
    mag = np.array([t.magnitude_si for t in model.terms])
    random = np.array([t.propagation == "random" for t in model.terms])
    return wid, mag, random, names


def covariance_table(n: int, rounds: int, repeat: int, peers: bool) -> list[str]:
    md, inc, azi = synthetic_well(n)
    tvd = minimum_curvature(md, inc, azi, tie_on=TieOn()).tvd
    impls: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {}
    notes: list[str] = []

    def ours() -> tuple[np.ndarray, np.ndarray]:
        r = position_uncertainty(
            md, inc, azi, depth_unit="m", north_reference="true", field=FIELD, tool=MODEL
        )
        return r.covariance, r.sources["DSFS"]

    impls["surveylab position_uncertainty (per source + total)"] = ours
    kernel = _numba_covariance()
    if kernel is None:
        notes.append("numba not installed: compiled floor skipped")
    else:
        wid, mag, random, names = _floor_inputs(MODEL)
        m = tool_model(MODEL)
        args = (
            md,
            inc,
            azi,
            tvd,
            wid,
            mag,
            random,
            math.radians(FIELD.declination or 0.0),
            math.radians(FIELD.dip or 0.0),
            float(FIELD.total_field or 0.0),
            FIELD.gravity,
            m.tortuosity,
            m.min_course,
            math.radians(1e-4),
        )
        j = names.index("DSFS")

        def floor() -> tuple[np.ndarray, np.ndarray]:
            tvd = minimum_curvature(md, inc, azi, tie_on=TieOn()).tvd  # as surveylab does
            out, total = kernel(*args[:3], tvd, *args[4:])
            return _full(total), _full(out[j])

        impls["numba single pass (floor)"] = floor
    if peers:
        try:
            import welleng  # noqa: F401
            from welleng.survey import Survey, SurveyHeader

            header = SurveyHeader(
                latitude=FIELD.latitude,
                longitude=0.0,
                b_total=FIELD.total_field,
                dip=FIELD.dip,
                declination=FIELD.declination,
                convergence=0.0,
                azi_reference="true",
                vertical_inc_limit=1e-4,
                deg=True,
                survey_date="2020-01-01",
            )

            def welleng_survey() -> tuple[np.ndarray, np.ndarray]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    s = Survey(md, inc, azi, header=header, error_model="ISCWSA MWD Rev5.11")
                assert s.cov_nev is not None and s.err is not None
                return s.cov_nev, s.err.errors.errors["DSFS"].cov_NEV

            impls["welleng Survey (ISCWSA MWD Rev5.11)"] = welleng_survey
        except ImportError:
            notes.append("welleng not installed: skipped")
    walls, cpus, peaks, results = _rounds(impls, rounds, repeat)
    ref = results[next(iter(impls))]
    floor_cpu = statistics.median(cpus[_COV_FLOOR]) if _COV_FLOOR in cpus else None
    lines = [
        f"Covariance, {n:,} stations, {len(tool_model(MODEL).terms)} error sources (OWSG "
        f"{tool_model(MODEL).code}):",
        "",
        "| implementation | wall median [ms] | wall spread [ms] | CPU median [ms] | CPU x floor "
        "| peak memory [MB] | max rel. diff total | max rel. diff DSFS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in impls:
        got = results[name]
        lines.append(
            f"| {name} | {_cells(walls[name], cpus[name], floor_cpu)} | {peaks[name]:.1f} "
            f"| {_rel(ref[0], got[0]):.1e} | {_rel(ref[1], got[1]):.1e} |"
        )
        print(lines[-1], flush=True)
    return lines + [f"- {x}" for x in notes]


_COV_FLOOR = "numba single pass (floor)"
_FULL = np.array([[0, 3, 4], [3, 1, 5], [4, 5, 2]])


def _full(c6: np.ndarray) -> np.ndarray:
    return c6[:, _FULL]


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(np.abs(a).max(), 1e-300))


def _rounds(
    impls: dict[str, Callable[[], tuple]], rounds: int, repeat: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, float], dict[str, tuple]]:
    walls: dict[str, list[float]] = {k: [] for k in impls}
    cpus: dict[str, list[float]] = {k: [] for k in impls}
    peaks: dict[str, float] = {}
    results: dict[str, tuple] = {}
    for r in range(rounds):
        for name, fn in impls.items():
            if r > 0 and name.startswith("welleng"):
                continue
            reps = 1 if name.startswith("welleng") else repeat
            wall, cpu, peak, res = measure(fn, reps, memory=r == 0)
            walls[name].append(wall)
            cpus[name].append(cpu)
            if r == 0:
                assert isinstance(res, tuple)
                peaks[name], results[name] = peak, res
    return walls, cpus, peaks, results


def _cells(walls: list[float], cpus: list[float], floor_cpu: float | None) -> str:
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    spread = f"{min(walls) * 1e3:.1f}-{max(walls) * 1e3:.1f}" if len(walls) > 1 else "-"
    ratio = f"{cpu / floor_cpu:.2f}" if floor_cpu else "-"
    return f"{wall * 1e3:.1f} | {spread} | {cpu * 1e3:.1f} | {ratio}"


# ----------------------------------------------------------------------- the clearance

RADIUS = 0.3  # [m] hole radius of every well of the pad


def pad(n_ref: int, n_off: int, count: int, seed: int = 3) -> tuple[WellPath, list[WellPath]]:
    """A reference well and ``count`` offsets from a 10 x 10 pad of slots 2.5 m apart: each
    vertical to a random kick-off, then a build to a random hold inclination toward a random
    azimuth, with a slow turn; stations every 3 m; covariances by OWSG MWD (not timed)."""
    rng = np.random.default_rng(seed)

    def well(name: str, n: int, n0: float, e0: float) -> WellPath:
        md = 3.0 * np.arange(n)
        kop = rng.uniform(150.0, 600.0)
        rate = rng.uniform(1.0, 3.0) / 30.0  # deg per m
        hold = rng.uniform(20.0, 85.0)
        inc = np.clip((md - kop) * rate, 0.0, hold)
        azi = np.mod(
            rng.uniform(0, 360) + np.clip(md - kop, 0, None) * rng.uniform(-0.01, 0.01), 360
        )
        azi[inc == 0.0] = 0.0  # as listings print vertical stations (welleng reads them)
        p = minimum_curvature(md, inc, azi, tie_on=TieOn(0.0, 0.0, 0.0, 0.0, n0, e0))
        u = position_uncertainty(
            md, inc, azi, depth_unit="m", north_reference="true", field=FIELD, per_source=False
        )
        return WellPath(name, md, inc, azi, p.tvd, p.north, p.east, u.covariance, RADIUS)

    slots = [(2.5 * (k // 10), 2.5 * (k % 10)) for k in range(count + 1)]
    ref = well("reference", n_ref, *slots[0])
    return ref, [well(f"offset {k}", n_off, *slots[k + 1]) for k in range(count)]


def _numba_clearance():
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(cache=False, fastmath=False)
    def seg(px, py, pz, ax, ay, az, bx, by, bz):  # pragma: no cover - compiled
        vx, vy, vz = bx - ax, by - ay, bz - az
        wx, wy, wz = px - ax, py - ay, pz - az
        vv = vx * vx + vy * vy + vz * vz
        t = (wx * vx + wy * vy + wz * vz) / vv if vv > 0.0 else 0.0
        t = min(max(t, 0.0), 1.0)
        return math.sqrt((wx - t * vx) ** 2 + (wy - t * vy) ** 2 + (wz - t * vz) ** 2)

    @numba.njit(cache=False, fastmath=False)
    def kernel(
        p,
        cov_ref,
        r_ref,
        x,
        tan,
        cov,
        rad,
        start,
        length,
        sagitta,
        dogleg,
        normal,
        b_first,
        b_count,
        b_center,
        b_radius,
        b_a,
        b_axis,
        b_span,
        b_dev,
        b_forward,
        proj0,
        proj1,
        b_well_start,
        k,
        sigma_pa,
        margin,
        slack,
    ):
        # pragma: no cover - compiled; the search of surveylab.calc.uncertainty.anticollision
        # with its bounds updated as it goes
        n_ref, n_wells = p.shape[0], b_well_start.size - 1
        sf = np.empty((n_wells, n_ref))
        dist_out = np.empty((n_wells, n_ref))
        dblk = np.empty(b_first.size)
        along = np.empty(b_first.size)
        across = np.empty(b_first.size)
        chord = np.empty(b_first.size)
        for w in range(n_wells):
            b0, b1 = b_well_start[w], b_well_start[w + 1]
            for i in range(n_ref):
                px, py, pz = p[i, 0], p[i, 1], p[i, 2]
                bound = np.inf
                for b in range(b0, b1):
                    c = b_center[b]
                    d = math.sqrt((x[c, 0] - px) ** 2 + (x[c, 1] - py) ** 2 + (x[c, 2] - pz) ** 2)
                    dblk[b] = d
                    bound = min(bound, d)
                for b in range(b0, b1):
                    chord[b] = np.inf
                    if dblk[b] - b_radius[b] > bound + slack:
                        continue
                    rx, ry, rz = px - b_a[b, 0], py - b_a[b, 1], pz - b_a[b, 2]
                    al = rx * b_axis[b, 0] + ry * b_axis[b, 1] + rz * b_axis[b, 2]
                    ac = math.sqrt(max(rx * rx + ry * ry + rz * rz - al * al, 0.0))
                    g = max(max(-al, al - b_span[b]), 0.0)
                    along[b], across[b], chord[b] = al, ac, math.sqrt(ac * ac + g * g)
                    if b_forward[b]:
                        bound = min(bound, chord[b] + b_dev[b])
                best, best_c, best_f = np.inf, -1, 0.0
                bx = by = bz = 0.0
                for b in range(b0, b1):
                    if chord[b] - b_dev[b] > bound + slack:
                        continue
                    reach = math.sqrt(max((bound + b_dev[b] + slack) ** 2 - across[b] ** 2, 0.0))
                    for c in range(b_first[b], b_first[b] + b_count[b]):
                        if b_forward[b] and (
                            proj1[c] < along[b] - reach or proj0[c] > along[b] + reach
                        ):
                            continue
                        s = start[c]
                        dc = seg(px, py, pz, x[s, 0], x[s, 1], x[s, 2],
                                 x[s + 1, 0], x[s + 1, 1], x[s + 1, 2])  # fmt: skip
                        if dc - sagitta[c] > bound + slack:
                            continue
                        bound = min(bound, dc + sagitta[c])
                        wx, wy, wz = x[s, 0] - px, x[s, 1] - py, x[s, 2] - pz
                        t0x, t0y, t0z = tan[s, 0], tan[s, 1], tan[s, 2]
                        ux, uy, uz = normal[c, 0], normal[c, 1], normal[c, 2]
                        alpha = wx * t0x + wy * t0y + wz * t0z
                        beta, ln = dogleg[c], length[c]
                        curved = beta > 1e-9
                        radius = ln / beta if curved else 0.0
                        gamma = wx * ux + wy * uy + wz * uz + radius
                        for cand in range(3):
                            if cand == 0:
                                f = 0.0
                                qx, qy, qz = x[s, 0], x[s, 1], x[s, 2]
                            elif cand == 1:
                                f = 1.0
                                qx, qy, qz = x[s + 1, 0], x[s + 1, 1], x[s + 1, 2]
                            else:
                                if curved:
                                    phi = min(max(-math.atan2(alpha, gamma), 0.0), beta)
                                    al = radius * math.sin(phi)
                                    si = 2.0 * radius * math.sin(0.5 * phi) ** 2
                                    f = phi / beta
                                else:
                                    sp = min(max(-alpha, 0.0), ln)
                                    al, si, f = sp, 0.0, sp / ln
                                qx = x[s, 0] + al * t0x + si * ux
                                qy = x[s, 1] + al * t0y + si * uy
                                qz = x[s, 2] + al * t0z + si * uz
                            d = math.sqrt((qx - px) ** 2 + (qy - py) ** 2 + (qz - pz) ** 2)
                            if d < best:
                                best, best_c, best_f = d, c, f
                                bx, by, bz = qx, qy, qz
                        bound = min(bound, best)
                # separation factor at the closest point
                s = start[best_c]
                f = best_f
                nx, ny, nz = (bx - px) / best, (by - py) / best, (bz - pz) / best
                nv = (nx, ny, nz)
                pr = po = 0.0
                for a in range(3):
                    for bb in range(3):
                        pr += nv[a] * cov_ref[i, a, bb] * nv[bb]
                        po += nv[a] * ((1.0 - f) * cov[s, a, bb] + f * cov[s + 1, a, bb]) * nv[bb]
                sig = math.sqrt(max(pr, 0.0) + max(po, 0.0) + sigma_pa * sigma_pa)
                ro = (1.0 - f) * rad[s] + f * rad[s + 1]
                sf[w, i] = (best - r_ref[i] - ro - margin) / (k * sig)
                dist_out[w, i] = best
        return sf, dist_out

    return kernel


def clearance_table(
    n_ref: int, n_offsets: int, n_off: int, rounds: int, repeat: int, peers: bool
) -> list[str]:
    ref, offsets = pad(n_ref, n_off, n_offsets)
    impls: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {}
    notes: list[str] = []

    def ours() -> tuple[np.ndarray, np.ndarray]:
        res = clearance(ref, offsets, depth_unit="m")
        return (
            np.array([o.separation_factor for o in res.offsets]),
            np.array([o.distance for o in res.offsets]),
        )

    impls["surveylab clearance"] = ours
    kernel = _numba_clearance()
    if kernel is None:
        notes.append("numba not installed: compiled floor skipped")
    else:

        def floor() -> tuple[np.ndarray, np.ndarray]:
            # the course geometry and blocks are surveylab's numpy set-up (timed here too)
            legs = anticollision._Legs(offsets)
            blk = legs.blocks
            p = ref.positions
            slack = 1e-9 * (1.0 + np.abs(p).max() + np.abs(legs.pos).max())
            well_start = np.r_[blk.start_of_well, blk.first.size]
            return kernel(
                p, ref.covariance, np.asarray(ref.radius), legs.pos, legs.tan, legs.cov,
                legs.radius, legs.start, legs.length, legs.sagitta, legs.dogleg, legs.normal,
                blk.first, blk.count, blk.center, blk.radius, blk.chord_a, blk.axis, blk.span,
                blk.deviation, blk.forward, blk.proj_start, blk.proj_end, well_start, 3.5,
                0.5, 0.3, slack,
            )  # fmt: skip

        impls[_CLR_FLOOR] = floor
    if peers:
        try:
            from welleng.clearance import IscwsaClearance
            from welleng.survey import Survey, SurveyHeader

            header = SurveyHeader(
                latitude=FIELD.latitude, longitude=0.0, b_total=FIELD.total_field,
                dip=FIELD.dip, declination=FIELD.declination, convergence=0.0,
                azi_reference="true", vertical_inc_limit=1e-4, deg=True,
                survey_date="2020-01-01",
            )  # fmt: skip

            def survey(w: WellPath) -> Survey:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return Survey(
                        md=w.md, inc=w.inc, azi=w.azi, n=w.north, e=w.east, tvd=w.tvd,
                        header=header, error_model="ISCWSA MWD Rev5.11", radius=RADIUS,
                    )  # fmt: skip

            w_ref = survey(ref)
            w_offs = [survey(o) for o in offsets]

            def welleng_clearance() -> tuple[np.ndarray, np.ndarray]:
                sfs, dists = [], []
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for o in w_offs:
                        c = IscwsaClearance(w_ref, o, minimize_sf=False)
                        sfs.append(np.ravel(c.sf))
                        dists.append(np.ravel(c.distance_cc))
                return np.array(sfs), np.array(dists)

            impls["welleng IscwsaClearance (one offset per call)"] = welleng_clearance
        except ImportError:
            notes.append("welleng not installed: skipped")
    walls, cpus, peaks, results = _rounds(impls, rounds, repeat)
    got = results["surveylab clearance"]
    floor_cpu = statistics.median(cpus[_CLR_FLOOR]) if _CLR_FLOOR in cpus else None
    lines = [
        f"Clearance, one well of {n_ref:,} stations against {n_offsets} offsets of {n_off:,} "
        "stations (covariances given):",
        "",
        "| implementation | wall median [ms] | wall spread [ms] | CPU median [ms] | CPU x floor "
        "| peak memory [MB] | max abs diff SF | max abs diff distance [m] |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in impls:
        sf, dist = results[name]
        lines.append(
            f"| {name} | {_cells(walls[name], cpus[name], floor_cpu)} | {peaks[name]:.1f} "
            f"| {np.abs(sf - got[0]).max():.1e} | {np.abs(dist - got[1]).max():.1e} |"
        )
        print(lines[-1], flush=True)
    return lines + [f"- {x}" for x in notes]


_CLR_FLOOR = "numba, same search (floor)"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--stations", type=int, default=10000)
    p.add_argument("--offsets", type=int, default=100)
    p.add_argument("--offset-stations", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-peers", action="store_true", help="skip welleng")
    p.add_argument("--markdown", metavar="OUT.md", help="write the tables to this file")
    args = p.parse_args(argv)
    print(f"Machine: {machine()}", flush=True)
    lines = [f"Machine: {machine()}", ""]
    lines += covariance_table(args.stations, args.rounds, args.repeat, not args.no_peers)
    lines += [""]
    lines += clearance_table(
        args.offset_stations,
        args.offsets,
        args.offset_stations,
        args.rounds,
        args.repeat,
        not args.no_peers,
    )
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
