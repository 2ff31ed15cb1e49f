"""The reference field stated in headers, raw sensor readings in WITSML and LAS, pass columns.

Header statements of the reference field are generated: each label vendors print, the unit
beside the label, after the value or not at all (then inferred from the magnitude and said),
in every unit of gravity and magnetic field.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.parsers import read_survey
from surveylab.parsers.sensors import RAW_FIELDS, pass_column, sensor_columns
from tests.conftest import REFERENCE_DATA
from tests.parsers.conftest import PROFILE
from tests.sensor_frames import GRAVITY_UNITS, MAGNETIC_UNITS, synthesise

BTOTAL_LABELS = [
    "Reference Btotal",
    "Ref Btotal",
    "Btotal",
    "B total",
    "Total field",
    "Total Magnetic Field",
    "Magnetic Field Strength",
    "Field strength",
    "Mag field",
    "Total Field Strength",
]
DIP_LABELS = ["Reference Dip", "Dip", "Dip angle", "Mag dip", "Magnetic Dip", "Magnetic dip angle"]
GTOTAL_LABELS = [
    "Reference Gtotal",
    "Gtotal",
    "G total",
    "Gravity total",
    "Total gravity",
    "Local gravity",
    "Gravity field",
]
UNIT_SPELLING = {"g": "g", "mG": "mG", "m/s2": "m/s²", "nT": "nT", "uT": "µT", "gauss": "gauss"}


def _statement(label: str, value: float, unit: str | None, place: str) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    if unit is None or place == "none":
        return f"{label}: {text}"
    if place == "label":
        return f"{label} ({UNIT_SPELLING[unit]}): {text}"
    return f"{label}: {text} {UNIT_SPELLING[unit]}"


@settings(PROFILE, max_examples=300)
@given(
    btotal=st.floats(22_000.0, 67_000.0),
    dip=st.floats(-89.0, 89.0),
    g=st.floats(0.99, 1.01),
    labels=st.tuples(
        st.sampled_from(BTOTAL_LABELS),
        st.sampled_from(DIP_LABELS),
        st.sampled_from(GTOTAL_LABELS),
    ),
    units=st.tuples(st.sampled_from(list(MAGNETIC_UNITS)), st.sampled_from(list(GRAVITY_UNITS))),
    places=st.tuples(*[st.sampled_from(["label", "value", "none"])] * 2),
    order=st.permutations([0, 1, 2]),
)
def test_reference_field_statements_become_header_fields(
    btotal, dip, g, labels, units, places, order
) -> None:
    b_unit, g_unit = units
    lines = [
        _statement(labels[0], btotal * MAGNETIC_UNITS[b_unit], b_unit, places[0]),
        f"{labels[1]}: {dip:.6f}°",
        _statement(labels[2], g * GRAVITY_UNITS[g_unit], g_unit, places[1]),
    ]
    head = ["Well: R-1", "Depth units: m", *(lines[i] for i in order)]
    text = "\n".join([*head, "", "MD,Inc,Azi", "0,0,0", "100,1,10"])
    s = read_survey(text.encode("utf-8"), name="ref.csv")
    h = s.header
    # printed to 6 decimals in the unit: the value back to that precision
    assert h.ref_btotal_nt == pytest.approx(btotal, abs=1e-6 / MAGNETIC_UNITS[b_unit])
    assert h.ref_dip_deg == pytest.approx(dip, abs=1e-6)
    assert h.ref_gtotal_g == pytest.approx(g, abs=1e-6 / GRAVITY_UNITS[g_unit])
    notes = " ".join(h.extra.get("reference_field_notes", []))
    assert ("inferred from the magnitude" in notes) is ("none" in places)
    assert set(h.extra["reference_field_labels"]) == {
        "ref_btotal_nt",
        "ref_dip_deg",
        "ref_gtotal_g",
    }
    assert not [f for f in s.findings if f.code == "header_value_unreadable"]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("Reference Btotal: 50000 furlongs", "Reference Btotal"),
        ("Dip angle: 95 deg", "Dip angle"),
        ("Gravity field: 3.5", "Gravity field"),  # no unit, and no unit's range holds 3.5
    ],
)
def test_an_unreadable_reference_value_is_a_finding_naming_line_and_label(line, field) -> None:
    text = f"Depth units: m\n{line}\nMD,Inc,Azi\n0,0,0\n100,1,10\n"
    s = read_survey(text.encode(), name="bad.csv")
    bad = [f for f in s.findings if f.code == "header_value_unreadable"]
    assert len(bad) == 1 and bad[0].line == 2 and bad[0].field == field
    assert (s.header.ref_btotal_nt, s.header.ref_dip_deg, s.header.ref_gtotal_g) == (None,) * 3


def test_reference_files_state_their_field(reference_data) -> None:
    """Real files: an AER listing ("FIELD STRENGTH : 57898.00 nT", "DIP ANGLE : 78.42 deg"),
    an SLB .xls ("Total Field Strength: 32935.719 nT", "Magnetic Dip: -18.284°") and a Sperry
    LAS (MFLD.nT 51859, MDIP.deg 65.21, GVFD.g 1.00)."""
    aer = read_survey(reference_data / "csv" / "aer_sdi_105030309506W400.csv").header
    assert (aer.ref_btotal_nt, aer.ref_dip_deg) == (57898.0, 78.42)
    slb = read_survey(reference_data / "xls" / "slb_well-9H.xls").header
    assert (slb.ref_btotal_nt, slb.ref_dip_deg) == (32935.719, -18.284)
    las = read_survey(reference_data / "las" / "kgs_sperry_mwd_survey.las").header
    assert (las.ref_btotal_nt, las.ref_dip_deg, las.ref_gtotal_g) == (51859.0, 65.21, 1.0)
    assert REFERENCE_DATA.is_dir()


# ------------------------------------------------------------------------------- WITSML
def _witsml(v20: bool, readings, uoms, ref: bool) -> bytes:
    gx, gy, gz, bx, by, bz = readings
    g_uom, b_uom, g_k, b_k = uoms
    cap = (lambda n: n[0].upper() + n[1:]) if v20 else (lambda n: n)
    stations = []
    for i in range(len(gx)):
        raw = "".join(
            f'<{cap(tag)} uom="{u}">{float(v * k)!r}</{cap(tag)}>'
            for tag, v, u, k in (
                ("gravAxialRaw", gz[i], g_uom, g_k),
                ("gravTran1Raw", gx[i], g_uom, g_k),
                ("gravTran2Raw", gy[i], g_uom, g_k),
                ("magAxialRaw", bz[i], b_uom, b_k),
                ("magTran1Raw", bx[i], b_uom, b_k),
                ("magTran2Raw", by[i], b_uom, b_k),
            )
        )
        refs = ""
        if ref and i == 0:
            refs = "".join(
                f'<{cap(tag)} uom="{u}">{v}</{cap(tag)}>'
                for tag, u, v in (
                    ("magTotalFieldReference", "nT", 48000),
                    ("magDipAngleReference", "dega", 55.5),
                    ("gravTotalFieldReference", "m/s2", 9.81),
                )
            )
        stations.append(
            f'<{cap("trajectoryStation")} uid="s{i}"><{cap("md")} uom="m">{100.0 * (i + 1)}'
            f'</{cap("md")}><{cap("incl")} uom="dega">{10.0 + i}</{cap("incl")}>'
            f'<{cap("azi")} uom="dega">{30.0 + i}</{cap("azi")}>{refs}'
            f"<{cap('rawData')}>{raw}</{cap('rawData')}></{cap('trajectoryStation')}>"
        )
    body = "".join(stations)
    if v20:
        return (
            '<?xml version="1.0"?><Trajectory xmlns="http://www.energistics.org/energyml/data/'
            f'witsmlv2" schemaVersion="2.0" uuid="x"><AziRef>true north</AziRef>{body}'
            "</Trajectory>"
        ).encode()
    return (
        '<?xml version="1.0"?><trajectorys xmlns="http://www.witsml.org/schemas/1series" '
        'version="1.4.1.1"><trajectory uid="t"><aziRef>true north</aziRef>'
        f"{body}</trajectory></trajectorys>"
    ).encode()


@pytest.mark.parametrize("v20", [False, True], ids=["witsml14", "witsml20"])
@pytest.mark.parametrize(
    "uoms",
    [
        ("m/s2", "nT", 9.80665, 1.0),
        ("ft/s2", "uT", 9.80665 / 0.3048, 1e-3),
        ("gn", "gauss", 1.0, 1e-5),
    ],
)
def test_witsml_raw_data_becomes_gx_to_bz_in_g_and_nt(v20, uoms) -> None:
    """Tran1 is x, Tran2 y, Axial z: the readings of tools at known angles come back as
    the columns Gx..Bz [g, nT] whatever the unit of measure, and the station's reference
    field becomes the header's."""
    inc, azi, tf = [10.0, 11.0, 12.0], [30.0, 31.0, 32.0], [0.0, 120.0, 250.0]
    readings = synthesise(inc, azi, tf, btotal=48_000.0, dip=55.5)
    s = read_survey(_witsml(v20, readings, uoms, ref=True), name="raw.xml")
    cols = sensor_columns(s)
    assert cols is not None and cols.units == {
        f: ("g" if f[0] == "g" else "nT") for f in RAW_FIELDS
    }
    for f, expected in zip(RAW_FIELDS, readings, strict=True):
        np.testing.assert_allclose(cols.values(s.extra_columns, f), expected, rtol=1e-12, atol=1e-9)
    h = s.header
    assert h.ref_btotal_nt == 48000.0 and h.ref_dip_deg == 55.5
    assert h.ref_gtotal_g is not None and math.isclose(
        h.ref_gtotal_g, 9.81 / 9.80665, rel_tol=1e-12
    )


def test_witsml_raw_data_in_an_unknown_unit_is_a_finding_not_a_refusal() -> None:
    readings = synthesise([10.0], [30.0], [0.0])
    s = read_survey(_witsml(False, readings, ("furlong/s2", "nT", 1.0, 1.0), False), name="u.xml")
    assert sensor_columns(s) is None and len(s.stations) == 1
    bad = [f for f in s.findings if f.code == "raw_data_unit_unknown"]
    assert len(bad) == 1 and "furlong/s2" in bad[0].message and bad[0].field == "gravTran1Raw"


# ------------------------------------------------------------------------------- pass column
@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("Pass", ["In", "In", "Out", "Out"], ["in", "in", "out", "out"]),
        ("Direction", ["RIH", "RIH", "POOH", ""], ["in", "in", "out", ""]),
        ("In/Out", ["in-run", "out-run", "in-run", "out-run"], ["in", "out", "in", "out"]),
        ("Pass", ["In", "In", "In", "In"], None),  # one pass only: no in/out check
        ("Remarks", ["In", "In", "Out", "Out"], None),  # not a pass column
    ],
)
def test_pass_column(name, values, expected) -> None:
    rows = "\n".join(f"{100 * (i + 1)},{i},{10 * i},{v}" for i, v in enumerate(values))
    s = read_survey(f"Depth units: m\nMD,Inc,Azi,{name}\n{rows}\n".encode(), name="p.csv")
    found = pass_column(s)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found[0] == name and list(found[1]) == expected


def test_las_reference_field_in_an_unknown_unit_is_a_finding(tmp_path) -> None:
    """LAS ~Well MFLD in furlongs and MDIP beyond 90 deg: findings naming the mnemonic; the
    fields stay unset. MFLD without a unit: inferred from its magnitude, and said."""
    las = (
        "~Version\n VERS. 2.0 : CWLS\n WRAP. NO : one line\n"
        "~Well\n STRT.M 0 : START\n STOP.M 200 : STOP\n STEP.M 0 : STEP\n NULL. -999.25 : NULL\n"
        " MFLD.furlong 51859 : MAGNETIC FIELD\n MDIP.deg 95 : MAGNETIC DIP\n"
        " GVFD. 9.81 : GRAVITY FIELD\n"
        "~Curve\n DEPT.M : MD\n INC.deg : INCLINATION\n AZI.deg : AZIMUTH\n"
        "~A\n0 0 0\n100 1 10\n200 2 20\n"
    )
    s = read_survey(las.encode(), name="ref.las")
    bad = {f.field: f.message for f in s.findings if f.code == "header_value_unreadable"}
    assert set(bad) == {"MFLD", "MDIP"} and "furlong" in bad["MFLD"]
    assert s.header.ref_btotal_nt is None and s.header.ref_dip_deg is None
    assert s.header.ref_gtotal_g == pytest.approx(9.81 / 9.80665)
    assert "m/s2 inferred from the magnitude" in " ".join(s.header.extra["reference_field_notes"])
