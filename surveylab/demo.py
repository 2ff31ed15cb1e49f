"""Synthetic surveys and the demo database.

:func:`well_profile` makes realistic J-shaped, S-shaped and horizontal wells from build/turn
segments; :func:`vendor_csv` writes one the way service companies export them (prose header,
column row with units, footer), with the raw sensor readings of an MWD tool when asked
(:func:`sensor_readings`). :func:`load_demo` fills a database once (idempotent), and only
an empty database or one an earlier demo load marked: the demo's users have public passwords
(an Admin among them), so it never goes into a database that holds real data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from surveylab.models import DepthUnit, Role
from surveylab.services.common import ServiceError

#: Demo logins printed by ``make serve`` (demo database only; never use these elsewhere).
DEMO_USERS = (
    ("admin", "admin-demo-password", Role.ADMIN),
    ("engineer", "engineer-demo-password", Role.ENGINEER),
    ("surveyor", "surveyor-demo-password", Role.SURVEYOR),
    ("viewer", "viewer-demo-password", Role.VIEWER),
)


#: The mark a demo load leaves on its database (``database_marks``).
DEMO_MARK = "demo"


class DemoRefused(ServiceError):
    """The database holds data and no demo load made it: the demo is not loaded into it."""


def claim_demo_database(settings=None) -> bool:
    """Make sure the demo may load into the configured database, and mark it as a demo one.

    Parameters
    ----------
    settings : Settings, optional
        Configuration; default :func:`surveylab.config.load_settings`.

    Returns
    -------
    bool
        True when the database was empty and is marked now; False when an earlier demo load
        had marked it.

    Raises
    ------
    DemoRefused
        The database holds users, wells, runs, surveys or reports and carries no demo mark.
        Nothing is changed.
    """
    from surveylab.repositories import UnitOfWork

    with UnitOfWork(settings) as uow:
        if uow.database.has_mark(DEMO_MARK):
            return False
        if uow.database.holds_data():
            raise DemoRefused(
                "this database holds data and was not made by 'surveylab demo': the demo "
                "(public passwords, an Admin among them) loads only into an empty database; "
                "point SURVEYLAB_DATA_DIR or SURVEYLAB_DATABASE_URL at a new one"
            )
        uow.database.add_mark(DEMO_MARK)
        uow.commit()
        return True


@dataclass(frozen=True)
class Segment:
    """A course section: length [depth unit], build and turn rates [deg per 30 m or 100 ft]."""

    length: float
    build: float = 0.0
    turn: float = 0.0


PROFILES: dict[str, tuple[Segment, ...]] = {
    # vertical to KOP, build 2.5 deg/30 m to 40 deg, hold to TD
    "J": (Segment(600), Segment(480, build=2.5), Segment(1500)),
    # build to 35 deg, hold, drop back to near vertical, hold into the target
    "S": (
        Segment(500),
        Segment(420, build=2.5),
        Segment(900),
        Segment(400, build=-2.5),
        Segment(500),
    ),
    # build to 60, turn while building to horizontal, lateral
    "horizontal": (
        Segment(1200),
        Segment(720, build=2.5),
        Segment(360, build=2.5, turn=1.5),
        Segment(1500, build=0.05),
    ),
}


def well_profile(
    kind: str,
    *,
    azimuth: float = 45.0,
    step: float = 30.0,
    course_length: float = 30.0,
    noise_deg: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Stations (md, inc, azi [deg]) of a synthetic well every ``step`` along MD.

    Rates in :data:`PROFILES` are per ``course_length``; add ``noise_deg`` of Gaussian noise to
    angles to imitate a second tool's readings of the same hole.
    """
    segments = PROFILES[kind]
    rng = np.random.default_rng(seed)
    md_end = sum(s.length for s in segments)
    md = np.arange(step, md_end + 1e-9, step)
    inc = np.zeros_like(md)
    azi = np.full_like(md, azimuth)
    start, inc0, azi0 = 0.0, 0.0, azimuth
    bounds = []
    for s in segments:
        bounds.append((start, start + s.length, inc0, azi0, s))
        inc0 = inc0 + s.build * s.length / course_length
        azi0 = azi0 + s.turn * s.length / course_length
        start += s.length
    for a, b, i0, a0, s in bounds:
        sel = (md > a) & (md <= b)
        inc[sel] = i0 + s.build * (md[sel] - a) / course_length
        azi[sel] = a0 + s.turn * (md[sel] - a) / course_length
    if noise_deg:
        deviated = inc > 3.0
        inc = inc + rng.normal(0.0, noise_deg, md.size) * deviated
        azi = azi + rng.normal(0.0, noise_deg * 2, md.size) * deviated
    inc = np.clip(inc, 0.0, 180.0)
    return pd.DataFrame({"md": md, "inc": np.round(inc, 2), "azi": np.round(azi % 360.0, 2)})


@dataclass(frozen=True)
class EarthField:
    """The field an MWD tool reads: magnetic total Btotal [nT], dip [deg] (positive down),
    gravity Gtotal [g]."""

    btotal_nt: float
    dip_deg: float
    gtotal_g: float


#: The demo wells' field as their files state it (about that of the northern North Sea).
DEMO_FIELD = EarthField(50_350.0, 72.1, 1.0)
#: Raw-reading columns and their units in :func:`vendor_csv`.
RAW_COLUMNS = ("Gx (g)", "Gy (g)", "Gz (g)", "Bx (nT)", "By (nT)", "Bz (nT)")


def _rotation(axis: int, angle: np.ndarray) -> np.ndarray:
    """Rotation matrices [n, 3, 3] about the axis ``axis`` (0 north, 1 east, 2 down) by
    ``angle`` [rad], right-handed."""
    c, s = np.cos(angle), np.sin(angle)
    m = np.zeros((angle.size, 3, 3))
    i, j = [k for k in range(3) if k != axis]
    m[:, axis, axis] = 1.0
    m[:, i, i], m[:, j, j] = c, c
    m[:, i, j], m[:, j, i] = -s, s
    if axis == 1:  # about east the right-handed order is (down, north)
        m[:, i, j], m[:, j, i] = s, -s
    return m


def sensor_readings(
    inc: npt.ArrayLike,
    azi_magnetic: npt.ArrayLike,
    toolface: npt.ArrayLike,
    *,
    btotal_nt: npt.ArrayLike,
    dip_deg: npt.ArrayLike,
    gtotal_g: npt.ArrayLike,
) -> np.ndarray:
    """Readings Gx, Gy, Gz [g] and Bx, By, Bz [nT] (columns of an [n, 6] array) of an MWD
    tool at inclination ``inc``, magnetic azimuth ``azi_magnetic`` and gravity toolface
    ``toolface`` [deg] in a field of ``btotal_nt`` [nT], ``dip_deg`` [deg] and ``gtotal_g``
    [g] (one per station, or one for all).

    The tool's axes in (north, east, down) are the columns of Rz(azimuth) Ry(inclination)
    Rz(toolface): x and y cross-axial, z along the tool towards the bit, right-handed (the
    convention of :mod:`surveylab.calc.qc`); each reading is the field vector's component
    along an axis. A station in another field imitates magnetic interference or a faulty
    accelerometer.
    """
    inc_r, azi_r, tf_r = (
        np.radians(np.atleast_1d(np.asarray(v, dtype=float))) for v in (inc, azi_magnetic, toolface)
    )
    n = inc_r.size
    b, dip, g = (
        np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in (btotal_nt, dip_deg, gtotal_g)
    )
    axes = _rotation(2, azi_r) @ _rotation(1, inc_r) @ _rotation(2, tf_r)
    d = np.radians(dip)
    gravity = np.stack([np.zeros(n), np.zeros(n), g], axis=1)
    magnetic = np.stack([b * np.cos(d), np.zeros(n), b * np.sin(d)], axis=1)
    tool_g = np.einsum("nij,ni->nj", axes, gravity)
    tool_b = np.einsum("nij,ni->nj", axes, magnetic)
    return np.hstack([tool_g, tool_b])


def vendor_csv(
    stations: pd.DataFrame,
    *,
    well: str,
    run: str,
    tool: str,
    depth_unit: DepthUnit = DepthUnit.M,
    survey_date: date | None = None,
    declination: float | None = 1.23,
    convergence: float | None = 0.45,
    raw: EarthField | None = None,
    disturbed: Mapping[int, EarthField] | None = None,
) -> bytes:
    """A survey listing as a service company would export it (prose header, units, footer).

    With ``raw`` the stations carry the MWD tool's raw readings (:func:`sensor_readings`) in
    that field, and the header states it as the reference field; ``disturbed`` gives some
    stations (by 0-based index) another field. Azimuths are printed from true north: the
    readings are those of the magnetic azimuth ``azi - declination``.
    """
    u = {"m": "m", "ft": "ft", "usft": "usft"}[str(depth_unit)]
    lines = [
        "Survey listing (synthetic demo data generated by surveylab)",
        f"Well: {well}",
        f"Run: {run}",
        f"Tool: {tool}",
        f"Survey date: {(survey_date or date(2026, 1, 15)).isoformat()}",
        f"Depth unit: {u}",
        "Azimuth reference: true north",
    ]
    if declination is not None:
        lines.append(f"Magnetic declination: {declination:.2f}")
    if convergence is not None:
        lines.append(f"Grid convergence: {convergence:.2f}")
    if raw is None:
        lines += ["", f"MD [{u}],Inc [deg],Azi [deg]", "0.00,0.00,0.00"]  # tie-on at surface
        for row in stations.itertuples(index=False):
            lines.append(f"{row.md:.2f},{row.inc:.2f},{row.azi:.2f}")
        lines += ["", "End of survey"]
        return ("\n".join(lines) + "\n").encode("utf-8")
    lines += [
        f"Reference Btotal: {raw.btotal_nt:.1f} nT",
        f"Reference Dip: {raw.dip_deg:.3f} deg",
        f"Reference Gtotal: {raw.gtotal_g:.5f} g",
    ]
    n = len(stations)
    fields = [(disturbed or {}).get(k, raw) for k in range(n)]
    azi = stations["azi"].to_numpy(dtype=float)
    readings = sensor_readings(
        stations["inc"].to_numpy(dtype=float),
        (azi - (declination or 0.0)) % 360.0,
        (47.0 * np.arange(n)) % 360.0,  # the toolface turns from station to station
        btotal_nt=[f.btotal_nt for f in fields],
        dip_deg=[f.dip_deg for f in fields],
        gtotal_g=[f.gtotal_g for f in fields],
    )
    lines += ["", f"MD [{u}],Inc [deg],Azi [deg]," + ",".join(RAW_COLUMNS)]
    lines.append("0.00,0.00,0.00" + "," * len(RAW_COLUMNS))  # tie-on row: no readings
    for k, row in enumerate(stations.itertuples(index=False)):
        cells = ",".join(f"{v:.6f}" if j < 3 else f"{v:.2f}" for j, v in enumerate(readings[k]))
        lines.append(f"{row.md:.2f},{row.inc:.2f},{row.azi:.2f},{cells}")
    lines += ["", "End of survey"]
    return ("\n".join(lines) + "\n").encode("utf-8")


#: Demo runs whose files carry raw MWD readings (imported by the surveyor, so that an
#: engineer may approve them): run, well, profile, azimuth [deg], seed, and the stations (by
#: index) read in another field. D104 passes QC; D204 fails at four stations (magnetic
#: interference at three, an accelerometer fault at one).
RAW_RUNS: tuple[tuple[str, str, str, float, int, dict[int, EarthField]], ...] = (
    ("D104", "Demo J-1", "J", 35.0, 14, {}),
    (
        "D204",
        "Demo S-2",
        "S",
        120.0,
        24,
        {
            **{k: EarthField(DEMO_FIELD.btotal_nt + 450.0, DEMO_FIELD.dip_deg + 0.32, 1.0)
               for k in (40, 41, 42)},
            70: EarthField(DEMO_FIELD.btotal_nt, DEMO_FIELD.dip_deg, 1.004),
        },
    ),
)  # fmt: skip
#: Demo J-1's definitive survey: its approvals (run, approver, note) and tool program.
DEFINITIVE_WELL = "Demo J-1"
APPROVALS = (
    ("D101", "engineer", "Demo: gyro run checked against the well's MWD and GTL runs"),
    ("D102", "admin", "Demo: MWD run agrees with the gyro run within tolerance"),
)
TOOL_PROGRAM = ("D101:0:1200", "D102:1200:TD")
#: A sidetrack of Demo J-1's main wellbore (no definitive survey yet): name, kick-off MD [m].
SIDETRACK = ("ST1", 1500.0)


def load_demo(settings=None, *, echo=print) -> dict[str, int]:
    """Fill the database with demo users, wells, runs and imported surveys, once; two runs
    with raw MWD readings (one passing QC, one failing), two approved revisions composing
    Demo J-1's definitive survey, and a sidetrack of its main wellbore.

    Running it again adds nothing twice. Returns counts of what was added.

    Raises
    ------
    DemoRefused
        The database holds data that no demo load put there (:func:`claim_demo_database`);
        nothing is changed.
    """
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts, approval, definitive, runs, surveys, wellbores

    claim_demo_database(settings)
    added = {"users": 0, "wells": 0, "runs": 0, "surveys": 0, "approvals": 0, "definitive": 0}
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    actors = {}
    for username, password, role in DEMO_USERS:
        with uow() as u:
            existed = u.users.by_username(username) is not None
        user = accounts.ensure_user(uow(), username, password, role)
        added["users"] += 0 if existed else 1
        from surveylab.models import Actor

        actors[username] = Actor(user.id, user.username, user.role)
    wells = (
        ("Demo J-1", "Oil", "J", 35.0),
        ("Demo S-2", "Gas", "S", 120.0),
        ("Demo H-3", "Oil", "horizontal", 300.0),
    )
    owners = {"Gyro": "surveyor", "MWD": "engineer", "GTL": "surveyor"}
    for w_index, (well_name, wtype, kind, azimuth) in enumerate(wells, start=1):
        with uow() as u:
            well = u.wells.by_name(well_name)
        if well is None:
            well = runs.create_well(
                uow(),
                actors["engineer"],
                well_name=well_name,
                well_type=wtype,
                crs="EPSG:23031",
                surface_x=435000.0 + 1000 * w_index,
                surface_y=6478000.0 + 500 * w_index,
                depth_datum="RKB",
                datum_elevation=25.0,
                elevation_unit="m",
            )
            added["wells"] += 1
        for r_index, (rtype, noise) in enumerate((("Gyro", 0.0), ("MWD", 0.05), ("GTL", 0.03))):
            number = f"D{w_index}{r_index + 1:02d}"
            with uow() as u:
                run = u.runs.by_number(number)
            owner = actors[owners[rtype]]
            if run is None:
                run = runs.create_run(
                    uow(),
                    owner,
                    run_number=number,
                    run_name=f"{well_name} {rtype} run",
                    run_type=rtype,
                    well=well_name,
                )
                added["runs"] += 1
            if run.current_survey_id is None:
                st = well_profile(
                    kind, azimuth=azimuth, noise_deg=noise, seed=w_index * 10 + r_index
                )
                content = vendor_csv(st, well=well_name, run=number, tool=rtype)
                surveys.import_survey(
                    uow(), owner, run=run.id, content=content, file_name=f"{number}_{rtype}.csv"
                )
                added["surveys"] += 1
    for number, well_name, kind, azimuth, seed, disturbed in RAW_RUNS:
        with uow() as u:
            run = u.runs.by_number(number)
        if run is None:
            run = runs.create_run(
                uow(),
                actors["surveyor"],
                run_number=number,
                run_name=f"{well_name} MWD run with raw readings",
                run_type="MWD",
                well=well_name,
            )
            added["runs"] += 1
        if run.current_survey_id is None:
            content = vendor_csv(
                well_profile(kind, azimuth=azimuth, noise_deg=0.05, seed=seed),
                well=well_name,
                run=number,
                tool="MWD",
                raw=DEMO_FIELD,
                disturbed=disturbed,
            )
            surveys.import_survey(
                uow(),
                actors["surveyor"],
                run=run.id,
                content=content,
                file_name=f"{number}_MWD_raw.csv",
            )
            added["surveys"] += 1
    for number, approver, note in APPROVALS:
        with uow() as u:
            run = u.runs.by_number(number)
        if run is not None and run.current_status in approval.APPROVABLE:
            approval.approve(uow(), actors[approver], number, note=note)
            added["approvals"] += 1
    bores = {
        b.name: b for b in wellbores.list_wellbores(uow(), actors["engineer"], DEFINITIVE_WELL)
    }
    main = bores[wellbores.MAIN_WELLBORE]
    if main.definitive_id is None:
        definitive.compose_definitive(
            uow(),
            actors["engineer"],
            DEFINITIVE_WELL,
            intervals=list(TOOL_PROGRAM),
            note="Demo: gyro to the end of the build, MWD below",
        )
        added["definitive"] += 1
    if SIDETRACK[0] not in bores:
        wellbores.create_wellbore(
            uow(),
            actors["engineer"],
            well=DEFINITIVE_WELL,
            name=SIDETRACK[0],
            parent=wellbores.MAIN_WELLBORE,
            kickoff_md=SIDETRACK[1],
            depth_unit="m",
        )
    echo(
        "demo data: added {users} users, {wells} wells, {runs} runs, {surveys} surveys, "
        "{approvals} approvals, {definitive} definitive survey(s)".format(**added)
    )
    return added
