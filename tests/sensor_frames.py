"""Raw sensor readings made by rotating a known earth field into tool frames (test helper).

The tool frame is built by three elementary rotations (toolface about the tool axis,
inclination about east, azimuth about down), independently of the formulas under test; a
station's readings are the earth's gravity and magnetic field vectors seen in that frame.
:func:`random_rotation` gives any other orientation of the sensor triad (for the invariants of
Gtotal, Btotal and dip). Used by the calculation tests, the generated vendor layouts and the
end-to-end QC tests.
"""

from __future__ import annotations

import numpy as np


def _rz(a: np.ndarray) -> np.ndarray:
    c, s, z, o = np.cos(a), np.sin(a), np.zeros_like(a), np.ones_like(a)
    return np.stack(
        [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2
    )


def _ry(a: np.ndarray) -> np.ndarray:
    c, s, z, o = np.cos(a), np.sin(a), np.zeros_like(a), np.ones_like(a)
    return np.stack(
        [np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2
    )


def synthesise(inc, azi, toolface, *, g=1.0, btotal=50_000.0, dip=60.0, frames=None):
    """Readings (gx, gy, gz [g], bx, by, bz [nT]) of tools at ``inc``, magnetic ``azi`` and
    ``toolface`` [deg] in a field of ``btotal`` [nT] and ``dip`` [deg] under gravity ``g``.

    The tool's axes in (north, east, down) are the columns of Rz(azi) Ry(inc) Rz(toolface):
    a right-handed triad with z along the tool (down when vertical). ``frames`` (one 3x3
    orthogonal matrix per station) turns the triad further: sensors mounted in another
    orientation (what the field's totals and dip must not notice).
    """
    inc, azi, tf = (
        np.radians(np.atleast_1d(np.asarray(v, dtype=float))) for v in (inc, azi, toolface)
    )
    g, btotal, dip = (
        np.broadcast_to(np.asarray(v, dtype=float), inc.shape) for v in (g, btotal, dip)
    )
    axes = _rz(azi) @ _ry(inc) @ _rz(tf)
    if frames is not None:
        axes = axes @ np.asarray(frames, dtype=float)
    d = np.radians(dip)
    g_ned = np.stack([np.zeros_like(g), np.zeros_like(g), g], -1)
    b_ned = np.stack([btotal * np.cos(d), np.zeros_like(d), btotal * np.sin(d)], -1)
    gt = np.einsum("nij,ni->nj", axes, g_ned)  # axes^T @ vector
    bt = np.einsum("nij,ni->nj", axes, b_ned)
    return (*gt.T, *bt.T)


def random_rotation(q: np.ndarray) -> np.ndarray:
    """The rotation matrix of the quaternion ``q`` (any non-zero 4-vector, normalised here)."""
    w, x, y, z = np.asarray(q, dtype=float) / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


#: Readings in g and nT times these are in the unit named.
GRAVITY_UNITS = {"g": 1.0, "mG": 1000.0, "m/s2": 9.80665}
MAGNETIC_UNITS = {"nT": 1.0, "uT": 1e-3, "gauss": 1e-5}


def survey_with_raw_readings(
    md,
    inc,
    azi,
    toolface,
    *,
    btotal=50_000.0,
    dip=60.0,
    g=1.0,
    declination=0.0,
    header: dict[str, str] | None = None,
    gravity_unit: str = "g",
    magnetic_unit: str = "nT",
    frames=None,
    decimals: int = 9,
) -> bytes:
    """A CSV survey listing whose stations carry raw readings Gx..Bz.

    ``inc`` and ``azi`` [deg] are printed as reported, azimuths from true north with the
    ``declination`` [deg] stated; the readings are those of the magnetic azimuth ``azi -
    declination``. ``btotal`` [nT], ``dip`` [deg] and ``g`` [g] may be one per station (a
    corrupted station reads another field). ``header`` adds ``label: value`` lines (e.g. the
    reference field); depth unit m.
    """
    md = np.asarray(md, dtype=float)
    azi_mag = (np.asarray(azi, dtype=float) - declination) % 360.0
    gx, gy, gz, bx, by, bz = synthesise(
        inc, azi_mag, toolface, g=g, btotal=btotal, dip=dip, frames=frames
    )
    gk, bk = GRAVITY_UNITS[gravity_unit], MAGNETIC_UNITS[magnetic_unit]
    lines = [
        "Survey listing with raw sensor readings (generated for tests)",
        "Well: QC-1",
        "Depth units: m",
        "Azimuth reference: true north",
        f"Magnetic declination: {declination:.4f}",
        "Survey date: 2024-06-01",
        *(f"{k}: {v}" for k, v in (header or {}).items()),
        "",
        f"MD [m],Inc [deg],Azi [deg],Gx ({gravity_unit}),Gy ({gravity_unit}),"
        f"Gz ({gravity_unit}),Bx ({magnetic_unit}),By ({magnetic_unit}),Bz ({magnetic_unit})",
    ]
    inc_a = np.atleast_1d(np.asarray(inc, dtype=float))
    azi_a = np.atleast_1d(np.asarray(azi, dtype=float)) % 360.0
    for i in range(md.size):
        cells = [f"{md[i]:.2f}", f"{inc_a[i]:.6f}", f"{azi_a[i]:.6f}"]
        cells += [f"{v * gk:.{decimals}f}" for v in (gx[i], gy[i], gz[i])]
        cells += [f"{v * bk:.{decimals}f}" for v in (bx[i], by[i], bz[i])]
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")
