"""Raw-sensor QC: readings synthesised by rotating a known earth field into tool frames.

The tool frame is built by three elementary rotations (toolface about the tool axis,
inclination about east, azimuth about down: tests/sensor_frames.py), independently of the
formulas under test; a station's readings are the earth's gravity and magnetic field vectors
seen in that frame.
Gtotal, Btotal and dip must come back whatever the rotation; inclination and azimuth must
come back from the readings; corrupted stations must be flagged, and only those.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import SurveyInputError
from surveylab.calc.north import NorthReferenceError, magnetic_field
from surveylab.calc.qc import (
    ISCWSA_RAW_LIMITS,
    NO_REFERENCE,
    QCLimits,
    RawReadings,
    ReferenceField,
    angle_qc,
    angles_from_raw,
    field_qc,
    infer_gravity_unit,
    infer_magnetic_unit,
    normal_gravity,
    raw_readings,
    reference_from_model,
)
from surveylab.units.sensors import (
    STANDARD_GRAVITY,
    GravityUnit,
    MagneticUnit,
    parse_gravity_unit,
    parse_magnetic_unit,
)
from tests.sensor_frames import synthesise


def _readings(values, md=None) -> RawReadings:
    return raw_readings(*values, gravity_unit="g", magnetic_unit="nT", md=md)


TRUTH = ReferenceField(50_000.0, 60.0, 1.0, "test field")

# ------------------------------------------------------------------------------------------
# exact analytic cases, worked by hand
# ------------------------------------------------------------------------------------------


def test_horizontal_tool_pointing_east_worked_by_hand() -> None:
    """Inc 90, magnetic azimuth 90, toolface 0 in a 50,000 nT field dipping 60 deg: x is the
    high side (up: -down), y the right side (looking east: south), z east. Gravity (0, 0, 1)
    reads (-1, 0, 0); the field (25,000, 0, 43,301.27) reads (-43,301.27, -25,000, 0)."""
    bv = 50_000.0 * math.sin(math.radians(60.0))
    gx, gy, gz, bx, by, bz = (np.array([v]) for v in (-1.0, 0.0, 0.0, -bv, -25_000.0, 0.0))
    got = synthesise(90.0, 90.0, 0.0)
    assert np.allclose(np.concatenate(got), [gx[0], gy[0], gz[0], bx[0], by[0], bz[0]], atol=1e-9)
    r = _readings((gx, gy, gz, bx, by, bz))
    qc = field_qc(r, TRUTH)
    assert qc.gtotal_g[0] == 1.0 and qc.btotal_nt[0] == pytest.approx(50_000.0, abs=1e-9)
    assert qc.dip_deg[0] == pytest.approx(60.0, abs=1e-12)
    a = angles_from_raw(r)
    assert a.inc[0] == 90.0 and a.azi[0] == 90.0  # atan2(1, 0) and atan2(25,000, 0) exactly
    assert qc.passed and qc.status == "pass"


def test_vertical_tool_reads_gravity_on_its_axis() -> None:
    gx, gy, gz, bx, by, bz = synthesise(0.0, 0.0, 0.0, g=0.9995, btotal=48_000.0, dip=-30.0)
    assert (gx[0], gy[0], gz[0]) == (0.0, 0.0, 0.9995)
    r = _readings((gx, gy, gz, bx, by, bz))
    assert angles_from_raw(r).inc[0] == 0.0
    qc = field_qc(r, ReferenceField(48_000.0, -30.0, 0.9995, "southern hemisphere"))
    assert qc.dip_deg[0] == pytest.approx(-30.0, abs=1e-12) and qc.passed


# ------------------------------------------------------------------------------------------
# invariants and recovery under any rotation
# ------------------------------------------------------------------------------------------

angle_inc = st.floats(0.0, 180.0)
angle_360 = st.floats(0.0, 360.0, exclude_max=True)


@settings(max_examples=60, deadline=None)
@given(
    orientations=st.lists(st.tuples(angle_inc, angle_360, angle_360), min_size=1, max_size=30),
    g=st.floats(0.95, 1.05),
    btotal=st.floats(20_000.0, 70_000.0),
    dip=st.floats(-89.9, 89.9),
)
def test_totals_and_dip_do_not_depend_on_the_rotation(orientations, g, btotal, dip) -> None:
    inc, azi, tf = np.array(orientations).T
    r = _readings(synthesise(inc, azi, tf, g=g, btotal=btotal, dip=dip))
    qc = field_qc(r, ReferenceField(btotal, dip, g, "truth"))
    assert np.abs(qc.gtotal_g - g).max() <= 1e-12
    assert np.abs(qc.btotal_nt - btotal).max() <= 1e-8
    assert np.abs(qc.dip_deg - dip).max() <= 1e-7
    assert qc.passed and qc.failures.size == 0


@settings(max_examples=60, deadline=None)
@given(
    orientations=st.lists(
        st.tuples(st.floats(1.0, 179.0), angle_360, angle_360), min_size=1, max_size=30
    ),
    btotal=st.floats(20_000.0, 70_000.0),
    dip=st.floats(-85.0, 85.0),
)
def test_inclination_and_azimuth_come_back_from_the_readings(orientations, btotal, dip) -> None:
    inc, azi, tf = np.array(orientations).T
    r = _readings(synthesise(inc, azi, tf, btotal=btotal, dip=dip))
    a = angles_from_raw(r)
    assert np.abs(a.inc - inc).max() <= 1e-9
    d = np.abs(a.azi - azi)
    assert np.minimum(d, 360.0 - d).max() <= 1e-7
    assert ((a.azi >= 0.0) & (a.azi < 360.0)).all()
    check = angle_qc(r, inc, azi, azimuth_correction=0.0)
    assert check.passed


@settings(max_examples=30, deadline=None)
@given(inc=st.floats(5.0, 175.0), azi=angle_360, tf=angle_360, dip=st.floats(-80.0, 80.0))
def test_a_left_handed_triad_gives_the_negative_azimuth(inc, azi, tf, dip) -> None:
    """Why the convention is stated: flip the y axis and the azimuth flips sign."""
    gx, gy, gz, bx, by, bz = synthesise(inc, azi, tf, dip=dip)
    a = angles_from_raw(_readings((gx, -gy, gz, bx, -by, bz)))
    d = abs((a.azi[0] + azi) % 360.0)
    assert min(d, 360.0 - d) <= 1e-7
    assert a.inc[0] == pytest.approx(inc, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    inc=st.floats(10.0, 170.0),
    azi=angle_360,
    tf=angle_360,
    dip=st.floats(-80.0, 80.0),
)
def test_signs_agree_with_the_published_iscwsa_accelerometer_bias_weights(inc, azi, tf, dip):
    """The ISCWSA MWD error model's accelerometer-bias terms ABX, ABY, ABZ (Williamson, SPE
    67616, 2000; listed in the WITSML 1.4.1.1 toolErrorTermSet example) are the derivatives
    of azimuth and inclination with respect to a bias on each accelerometer [rad per g, at
    G = 1 g]. Their toolface Tf puts Gx = -G sin I sin Tf and Gy = -G sin I cos Tf, which is
    this file's rotation at toolface Tf - 90 deg. Central differences of our formulas must
    match them: a sign or handedness error would not."""
    values = [np.array(v) for v in synthesise(inc, azi, tf - 90.0, dip=dip)]
    i, a, d, t = (math.radians(v) for v in (inc, azi, dip, tf))
    assert values[0][0] == pytest.approx(-math.sin(i) * math.sin(t), abs=1e-12)
    assert values[1][0] == pytest.approx(-math.sin(i) * math.cos(t), abs=1e-12)
    published = {  # axis: (d azimuth / d bias, d inclination / d bias)
        0: (
            (math.cos(i) * math.sin(a) * math.sin(t) - math.cos(a) * math.cos(t)) * math.tan(d)
            + math.cos(t) / math.tan(i),
            -math.cos(i) * math.sin(t),
        ),
        1: (
            (math.cos(i) * math.sin(a) * math.cos(t) + math.cos(a) * math.sin(t)) * math.tan(d)
            - math.sin(t) / math.tan(i),
            -math.cos(i) * math.cos(t),
        ),
        2: (math.tan(d) * math.sin(i) * math.sin(a), -math.sin(i)),
    }
    eps = 1e-6
    for axis, (w_azi, w_inc) in published.items():
        ends = []
        for sign in (1.0, -1.0):
            biased = [v.copy() for v in values]
            biased[axis] += sign * eps
            ends.append(angles_from_raw(_readings(biased)))
        d_azi = math.radians((ends[0].azi[0] - ends[1].azi[0] + 180.0) % 360.0 - 180.0)
        d_inc = math.radians(ends[0].inc[0] - ends[1].inc[0])
        assert d_azi / (2 * eps) == pytest.approx(w_azi, rel=1e-5, abs=1e-6), axis
        assert d_inc / (2 * eps) == pytest.approx(w_inc, rel=1e-5, abs=1e-6), axis


# ------------------------------------------------------------------------------------------
# corrupted stations are flagged, and only those
# ------------------------------------------------------------------------------------------


def _corrupt(values, i: int, limits: QCLimits) -> str:
    """Bias station ``i``'s Bz (or, where Bz carries little of the field, the gravity axis
    carrying most of gravity) so that its total moves by twice the limit to first order."""
    gx, gy, gz, bx, by, bz = values
    b = math.sqrt(bx[i] ** 2 + by[i] ** 2 + bz[i] ** 2)
    if abs(bz[i]) / b > 0.2:
        bz[i] += math.copysign(2.0 * limits.btotal_nt * b / abs(bz[i]), bz[i])
        return "btotal"
    g = math.sqrt(gx[i] ** 2 + gy[i] ** 2 + gz[i] ** 2)
    axis = max((gx, gy, gz), key=lambda a: abs(a[i]))
    axis[i] += math.copysign(2.0 * limits.gtotal_g * g / abs(axis[i]), axis[i])
    return "gtotal"


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    share=st.floats(0.0, 1.0),
    dip=st.floats(-80.0, 80.0),
)
def test_corrupted_stations_are_flagged_and_only_those(seed, n, share, dip) -> None:
    rng = np.random.default_rng(seed)
    inc, azi, tf = rng.uniform(0, 180, n), rng.uniform(0, 360, n), rng.uniform(0, 360, n)
    values = [np.array(v) for v in synthesise(inc, azi, tf, dip=dip)]
    bad = np.flatnonzero(rng.random(n) < share)
    kinds = {int(i): _corrupt(values, int(i), ISCWSA_RAW_LIMITS) for i in bad}
    md = 500.0 + 30.0 * np.arange(n)
    qc = field_qc(_readings(values, md=md), ReferenceField(50_000.0, dip, 1.0, "truth"))
    assert qc.failures.tolist() == bad.tolist()
    assert qc.passed is (bad.size == 0)
    for i, kind in kinds.items():
        assert qc.btotal_ok is not None and qc.gtotal_ok is not None
        assert not (qc.btotal_ok[i] if kind == "btotal" else qc.gtotal_ok[i])
    rows = qc.stations()
    assert [r["md"] for r in rows] == md.tolist()
    assert [not r["pass"] for r in rows] == np.isin(np.arange(n), bad).tolist()
    if bad.size:
        assert f"first station {bad[0] + 1} (MD {md[bad[0]]:g})" in qc.summary()
    # the stations not used do not count
    used = np.ones(n, dtype=bool)
    used[bad] = False
    quiet = field_qc(_readings(values), ReferenceField(50_000.0, dip, 1.0, "truth"), used=used)
    assert quiet.passed and quiet.failures.size == 0


def test_dip_alone_is_flagged() -> None:
    """A field 0.3 deg steeper at one station: same totals, dip outside 0.25 deg."""
    inc, azi, tf = [30.0, 30.0, 30.0], [10.0, 20.0, 30.0], [0.0, 90.0, 200.0]
    clean = synthesise(inc, azi, tf, dip=60.0)
    steep = synthesise(inc, azi, tf, dip=60.3)
    values = [np.where([False, True, False], s, c) for c, s in zip(clean, steep, strict=True)]
    qc = field_qc(_readings(values), TRUTH)
    assert qc.failures.tolist() == [1]
    assert qc.dip_ok is not None and qc.btotal_ok is not None and qc.gtotal_ok is not None
    assert qc.dip_ok.tolist() == [True, False, True] and qc.btotal_ok.all() and qc.gtotal_ok.all()
    assert qc.d_dip_deg[1] == pytest.approx(0.3, abs=1e-9)


@pytest.mark.parametrize(
    ("quantity", "limit"),
    [("btotal_nt", 300.0), ("dip_deg", 0.25), ("gtotal_g", 0.0025)],
)
def test_limits_are_inclusive_and_configurable(quantity, limit) -> None:
    values = synthesise([40.0, 40.0], [0.0, 0.0], [0.0, 0.0])
    for delta, ok in ((limit, True), (limit * (1 + 1e-6), False), (-limit, True)):
        ref = {"btotal_nt": 50_000.0, "dip_deg": 60.0, "gtotal_g": 1.0}
        ref[quantity] -= delta  # measured - reference = delta
        qc = field_qc(_readings(values), ReferenceField(**ref, source="boundary"))
        assert qc.passed is ok, (quantity, delta)
        looser = QCLimits(**{quantity: 2 * limit})
        assert field_qc(_readings(values), ReferenceField(**ref, source="b"), limits=looser).passed
    assert QCLimits(300.0, 0.25, 0.0025, 0.1, 0.5) == ISCWSA_RAW_LIMITS


def test_without_a_reference_nothing_passes_or_fails() -> None:
    qc = field_qc(_readings(synthesise([10.0, 20.0], [0.0, 5.0], [0.0, 0.0])), None)
    assert qc.status == NO_REFERENCE and qc.passed is None and qc.station_passed is None
    assert qc.failures.size == 0 and np.isnan(qc.d_btotal_nt).all()
    assert qc.gtotal_g == pytest.approx([1.0, 1.0])
    assert all(r["pass"] is None and r["d_btotal_nt"] is None for r in qc.stations())
    assert qc.summary().startswith(NO_REFERENCE)
    assert list(qc.to_frame().columns)[:4] == ["md", "gtotal_g", "btotal_nt", "dip_deg"]


@pytest.mark.parametrize(
    "kwargs",
    [{"btotal_nt": -1.0}, {"dip_deg": float("nan")}, {"inc_deg": float("inf")}],
)
def test_bad_limits_are_refused(kwargs) -> None:
    with pytest.raises(SurveyInputError, match="QC limits"):
        QCLimits(**kwargs)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((0.0, 60.0, 1.0, "x"), "Btotal > 0"),
        ((50_000.0, 91.0, 1.0, "x"), "dip in"),
        ((50_000.0, 60.0, float("nan"), "x"), "Gtotal > 0"),
        ((50_000.0, 60.0, 1.0, "  "), "needs its source"),
    ],
)
def test_bad_reference_is_refused(values, message) -> None:
    with pytest.raises(SurveyInputError, match=message):
        ReferenceField(*values)


# ------------------------------------------------------------------------------------------
# units: stated, or inferred from the magnitude
# ------------------------------------------------------------------------------------------

_G_FACTOR = {
    GravityUnit.G: 1.0,
    GravityUnit.MILLI_G: 1000.0,
    GravityUnit.M_PER_S2: STANDARD_GRAVITY,
}
_B_FACTOR = {MagneticUnit.NT: 1.0, MagneticUnit.UT: 1e-3, MagneticUnit.GAUSS: 1e-5}


@settings(max_examples=60, deadline=None)
@given(
    g_unit=st.sampled_from(list(GravityUnit)),
    b_unit=st.sampled_from(list(MagneticUnit)),
    g=st.floats(0.97, 1.03),
    btotal=st.floats(22_000.0, 67_000.0),
    seed=st.integers(0, 2**32 - 1),
    stated=st.booleans(),
)
def test_units_are_converted_and_inferred_from_the_magnitude(
    g_unit, b_unit, g, btotal, seed, stated
) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 20))
    truth = synthesise(
        rng.uniform(0, 180, n), rng.uniform(0, 360, n), rng.uniform(0, 360, n), g=g, btotal=btotal
    )
    given_values = [v * _G_FACTOR[g_unit] for v in truth[:3]]
    given_values += [v * _B_FACTOR[b_unit] for v in truth[3:]]
    units = {"gravity_unit": str(g_unit), "magnetic_unit": str(b_unit)} if stated else {}
    r = raw_readings(*given_values, **units)
    assert (r.gravity_unit, r.magnetic_unit) == (g_unit, b_unit)
    assert r.gravity_unit_inferred is r.magnetic_unit_inferred is (not stated)
    assert len(r.inference_notes()) == (0 if stated else 2)
    for got, want, tol in zip(
        (r.gx, r.gy, r.gz, r.bx, r.by, r.bz), truth, (1e-12,) * 3 + (1e-8,) * 3, strict=True
    ):
        assert np.abs(got - want).max() <= tol


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("g", GravityUnit.G),
        ("G", GravityUnit.G),
        ("mG", GravityUnit.MILLI_G),
        ("mg", GravityUnit.MILLI_G),
        ("m/s²", GravityUnit.M_PER_S2),
        ("m/s^2", GravityUnit.M_PER_S2),
        (" m/s2 ", GravityUnit.M_PER_S2),
    ],
)
def test_gravity_unit_spellings(text, unit) -> None:
    assert parse_gravity_unit(text) is unit


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("nT", MagneticUnit.NT),
        ("nanotesla", MagneticUnit.NT),
        ("µT", MagneticUnit.UT),
        ("μT", MagneticUnit.UT),
        ("uT", MagneticUnit.UT),
        ("G", MagneticUnit.GAUSS),
        ("gauss", MagneticUnit.GAUSS),
        ("Gs", MagneticUnit.GAUSS),
    ],
)
def test_magnetic_unit_spellings(text, unit) -> None:
    assert parse_magnetic_unit(text) is unit


def test_unknown_or_uninferable_units_are_refused() -> None:
    values = synthesise([10.0, 20.0], [0.0, 0.0], [0.0, 0.0])
    with pytest.raises(SurveyInputError, match="unknown gravity unit 'ft/s2'") as info:
        raw_readings(*values, gravity_unit="ft/s2", magnetic_unit="nT")
    assert info.value.field == "gravity_unit"
    with pytest.raises(SurveyInputError, match="unknown magnetic-field unit 'Oe'") as info:
        raw_readings(*values, gravity_unit="g", magnetic_unit="Oe")
    assert info.value.field == "magnetic_unit"
    with pytest.raises(SurveyInputError, match="median accelerometer magnitude 100") as info:
        infer_gravity_unit([100.0, 100.0])
    assert info.value.field == "gx"
    with pytest.raises(SurveyInputError, match="cannot infer the magnetic-field unit"):
        infer_magnetic_unit([3.0])
    assert infer_magnetic_unit([0.5]) is MagneticUnit.GAUSS


# ------------------------------------------------------------------------------------------
# malformed input: a clear refusal naming the field
# ------------------------------------------------------------------------------------------


def test_readings_of_different_lengths_are_refused_naming_the_field() -> None:
    gx, gy, gz, bx, by, bz = (list(v) for v in synthesise([10.0] * 4, [0.0] * 4, [0.0] * 4))
    with pytest.raises(SurveyInputError) as info:
        raw_readings(gx, gy, gz, bx, by, bz[:3], gravity_unit="g", magnetic_unit="nT")
    assert str(info.value).startswith("Bz has 3 values but Gx has 4")
    assert info.value.field == "bz"
    with pytest.raises(SurveyInputError, match="MD has 2 values") as info:
        raw_readings(gx, gy, gz, bx, by, bz, md=[1.0, 2.0])
    assert info.value.field == "md"


@pytest.mark.parametrize("field", ["gx", "gy", "gz", "bx", "by", "bz"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_reading_that_is_not_a_number_is_refused_naming_field_and_station(field, bad) -> None:
    values = dict(
        zip(
            ("gx", "gy", "gz", "bx", "by", "bz"),
            (v.copy() for v in synthesise([10.0] * 5, [0.0] * 5, [0.0] * 5)),
            strict=True,
        )
    )
    values[field][3] = bad
    with pytest.raises(SurveyInputError) as info:
        raw_readings(**values, gravity_unit="g", magnetic_unit="nT", md=[0, 30, 60, 90, 120])
    label = field[0].upper() + field[1]
    assert str(info.value) == f"station 4 (MD 90): {label} is {bad} (not a number)"
    assert info.value.field == field and info.value.station == 3


def test_other_malformed_readings_are_refused() -> None:
    ok = synthesise([10.0, 20.0], [0.0, 0.0], [0.0, 0.0])
    with pytest.raises(SurveyInputError, match="no raw readings"):
        raw_readings([], [], [], [], [], [])
    with pytest.raises(SurveyInputError, match="Gy must be a 1-D sequence"):
        raw_readings(ok[0], [ok[1]], *ok[2:])
    with pytest.raises(SurveyInputError, match="Bx values are not numbers"):
        raw_readings(ok[0], ok[1], ok[2], ["a", "b"], ok[4], ok[5])
    zero = [v.copy() for v in ok]
    for v in zero[3:]:
        v[1] = 0.0
    with pytest.raises(SurveyInputError, match="station 2: the magnetometers read zero"):
        raw_readings(*zero)
    with pytest.raises(SurveyInputError, match="used has 1 values but there are 2"):
        field_qc(_readings(ok), TRUTH, used=[True])


# ------------------------------------------------------------------------------------------
# the reference field from the offline model and normal gravity
# ------------------------------------------------------------------------------------------


def test_normal_gravity_at_equator_and_poles_is_the_published_one() -> None:
    """WGS 84 (NIMA TR8350.2, table 3.4): 9.7803253359 m/s² at the equator, 9.8321849378 at
    the poles."""
    assert normal_gravity(0.0) == pytest.approx(9.7803253359, abs=1e-10)
    assert normal_gravity(90.0) == pytest.approx(9.8321849378, abs=1e-9)
    assert normal_gravity(-90.0) == normal_gravity(90.0)


@given(lat=st.floats(-90.0, 90.0), h=st.floats(0.0, 5000.0))
def test_gravity_grows_towards_the_poles_and_falls_with_height(lat, h) -> None:
    """The free-air gradient is about 0.3086 mGal per metre (3.086e-6 m/s² per m)."""
    g0 = normal_gravity(lat)
    assert 9.78 < g0 < 9.833
    if h > 1.0:
        gradient = (g0 - normal_gravity(lat, h)) / h
        assert gradient == pytest.approx(3.086e-6, rel=0.005)
    if abs(lat) < 89.0:
        assert normal_gravity(math.copysign(abs(lat) + 1.0, lat)) > g0


def test_reference_from_the_model_names_its_source() -> None:
    ref = reference_from_model(58.44, 1.89, dt.date(2024, 6, 1), height_m=0.0)
    fld = magnetic_field(58.44, 1.89, dt.date(2024, 6, 1))
    assert ref.btotal_nt == fld.total_field and ref.dip_deg == fld.dip
    assert ref.gtotal_g == pytest.approx(normal_gravity(58.44) / 9.80665, rel=1e-15)
    assert fld.model in ref.source and "2024-06-01" in ref.source and "WGS 84" in ref.source
    assert 49_000 < ref.btotal_nt < 52_000 and 70 < ref.dip_deg < 73  # North Sea
    assert ref.to_dict()["source"] == ref.source
    with pytest.raises(NorthReferenceError, match="outside"):
        reference_from_model(58.44, 1.89, dt.date(2099, 1, 1))


def test_a_station_surveyed_in_the_model_field_passes_against_it() -> None:
    ref = reference_from_model(-33.9, 151.2, "2023-03-15", height_m=50.0)
    values = synthesise(
        [0.5, 45.0, 89.0],
        [10.0, 200.0, 300.0],
        [0.0, 45.0, 270.0],
        g=ref.gtotal_g,
        btotal=ref.btotal_nt,
        dip=ref.dip_deg,
    )
    qc = field_qc(_readings(values), ref)
    assert qc.passed and ref.dip_deg < 0  # southern hemisphere: the field points up


# ------------------------------------------------------------------------------------------
# inclination and azimuth from the readings against the reported ones
# ------------------------------------------------------------------------------------------


def _survey(n: int = 12, seed: int = 3):
    rng = np.random.default_rng(seed)
    inc = np.linspace(5.0, 85.0, n)
    azi = np.mod(350.0 + np.linspace(0.0, 40.0, n), 360.0)  # through north
    return (
        inc,
        azi,
        _readings(synthesise(inc, azi, rng.uniform(0, 360, n)), md=100.0 + 30.0 * np.arange(n)),
    )


def test_reported_true_azimuths_need_the_declination() -> None:
    inc, azi_mag, r = _survey()
    declination = 3.7
    azi_true = np.mod(azi_mag + declination, 360.0)
    assert angle_qc(r, inc, azi_true, azimuth_correction=declination).passed
    wrong = angle_qc(r, inc, azi_true, azimuth_correction=0.0)
    assert not wrong.passed and wrong.failures.size == inc.size
    assert wrong.d_azi == pytest.approx(np.full(inc.size, -declination))


@pytest.mark.parametrize(
    ("which", "delta", "ok"),
    [
        ("inc", 0.1, True),
        ("inc", 0.1 * (1 + 1e-6), False),
        ("inc", -0.1, True),
        ("azi", 0.5, True),
        ("azi", 0.5 * (1 + 1e-6), False),
        ("azi", -0.5, True),
        ("azi", -0.5 * (1 + 1e-6), False),
    ],
)
def test_angle_thresholds_at_their_boundaries(which, delta, ok) -> None:
    inc, azi, r = _survey()
    reported = {"inc": inc.copy(), "azi": azi.copy()}
    reported[which][4] -= delta  # raw - reported = delta at station 5
    check = angle_qc(r, reported["inc"], reported["azi"], azimuth_correction=0.0)
    assert check.passed is ok
    assert check.failures.tolist() == ([] if ok else [4])
    diff = check.d_inc if which == "inc" else check.d_azi
    assert diff[4] == pytest.approx(delta, abs=1e-7)


def test_azimuth_difference_wraps_across_north_and_skips_vertical_stations() -> None:
    inc = np.array([0.0, 30.0])
    azi = np.array([123.0, 359.8])
    r = _readings(synthesise(inc, azi, [0.0, 0.0]))
    check = angle_qc(r, inc, [17.0, 0.1], azimuth_correction=0.0)  # 359.8 vs 0.1: -0.3
    assert np.isnan(check.d_azi[0]) and check.azi_ok[0]
    assert check.d_azi[1] == pytest.approx(-0.3, abs=1e-7)
    assert check.passed


def test_angle_qc_refusals_name_the_field() -> None:
    inc, azi, r = _survey(4)
    with pytest.raises(SurveyInputError, match="inc has 3 values but there are 4") as info:
        angle_qc(r, inc[:3], azi, azimuth_correction=0.0)
    assert info.value.field == "inc"
    bad = inc.copy()
    bad[2] = 181.0
    with pytest.raises(SurveyInputError, match=r"station 3 \(MD 160\): reported inc 181.0") as info:
        angle_qc(r, bad, azi, azimuth_correction=0.0)
    assert info.value.station == 2
    with pytest.raises(SurveyInputError, match="azimuth correction must be a number"):
        angle_qc(r, inc, azi, azimuth_correction=float("nan"))
    with pytest.raises(SurveyInputError, match="reported azi nan"):
        angle_qc(r, inc, [0.0, float("nan"), 0.0, 0.0], azimuth_correction=0.0)
