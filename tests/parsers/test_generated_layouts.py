"""The generated corpus of vendor layouts (tests/parsers/vendor_styles.py).

A known survey is written in randomly drawn vendor styles - delimiters, decimal commas,
encodings, line endings, every header form, column orders and aliases, units rows, blank and
spacer rows, page headers repeated mid-table, footers, trailing empty columns, spreadsheets
with label/value and merged cells - and read back. The property: every file reads back to the
same stations (to the printed precision) and the same header fields, or is refused with an
error that names the ambiguity. Never read differently.

In CI (``CI`` set) the cases are derandomized: the same thousands every run. A failure
shrinks to a minimal file; such files are kept in tests/data/ (``regress_*``, see its README)
and read by :func:`test_regression_files`.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from surveylab.calc.qc import ReferenceField, field_qc, raw_readings
from surveylab.models import DepthUnit, NorthReference
from surveylab.models.survey import ParsedSurvey
from surveylab.parsers import SurveyFileError, read_survey
from surveylab.parsers.sensors import RAW_FIELDS, sensor_columns
from tests.parsers.conftest import PROFILE
from tests.parsers.vendor_styles import (
    Written,
    compass_design_reports,
    raw_sensor_layouts,
    sheet_layouts,
    text_layouts,
)

DATA = Path(__file__).resolve().parent.parent / "data"

#: Multiplies the generated case counts below, e.g. ``SURVEYLAB_LAYOUT_CASES_SCALE=10`` for a
#: long hunt with random seeds (``pytest --hypothesis-seed=N``, ``CI`` unset) [-].
_SCALE = float(os.environ.get("SURVEYLAB_LAYOUT_CASES_SCALE", "1"))

#: Generated cases per test (thousands in all; the count is reported by the test run).
TEXT_CASES = max(1, round(1800 * _SCALE))
SHEET_CASES = max(1, round(200 * _SCALE))
COMPASS_CASES = max(1, round(300 * _SCALE))
RAW_CASES = max(1, round(400 * _SCALE))

_HEADER_FIELDS = (
    "depth_unit",
    "azimuth_reference",
    "declination",
    "grid_convergence",
    "datum_elevation",
    "well_name",
)


def reads_back(w: Written) -> ParsedSurvey | None:
    """The property: same stations and header fields, or refused naming the ambiguity (then
    None)."""
    try:
        s = read_survey(w.data, name=w.name)
    except SurveyFileError as exc:
        assert w.ambiguous, f"refused a file that states everything ({w.style}): {exc}"
        assert "decimal comma or a decimal point" in str(exc)
        return None
    st = s.stations
    assert len(st) == len(w.md), w.style
    # printed values read back exactly (the nearest double of the printed decimal)
    np.testing.assert_array_equal(st["md"].to_numpy(), np.asarray(w.md, dtype=float))
    np.testing.assert_array_equal(st["inc"].to_numpy(), np.asarray(w.inc, dtype=float))
    np.testing.assert_array_equal(st["azi"].to_numpy(), np.asarray(w.azi, dtype=float))
    h = s.header
    for key in _HEADER_FIELDS:
        got, want = getattr(h, key), w.header[key]
        if isinstance(want, float) or isinstance(got, float):
            assert got is not None and want is not None, (key, got, want, w.style)
            assert math.isclose(got, want, abs_tol=1e-9), (key, got, want, w.style)
        else:
            assert got == want, (key, got, want, w.style)
    for key in ("latitude", "longitude"):
        got, want = h.extra.get(key), w.header[key]
        assert (got is None) == (want is None), (key, got, want)
        if want is not None:
            assert math.isclose(got, want, abs_tol=1e-9), (key, got, want)
    for col, values in w.vendor.items():
        np.testing.assert_allclose(s.vendor[col].to_numpy(), values, rtol=0, atol=1e-9)
    for name in w.extra_names:
        assert name in s.extra_columns.columns, (name, list(s.extra_columns.columns))
    unreadable = [f.message for f in s.findings if f.code == "header_value_unreadable"]
    for fld, label in w.unreadable.items():  # ambiguous in the file as a whole: named, unset
        words = f"{fld.replace('_', ' ')} left unset"
        named = [m for m in unreadable if words in m]
        assert len(named) == 1 and "decimal comma or a decimal point" in named[0], (label, named)
        unreadable.remove(named[0])
    assert not unreadable, unreadable
    assert "vendor_position_mismatch" not in {f.code for f in s.findings}
    return s


@settings(PROFILE, max_examples=TEXT_CASES)
@given(text_layouts())
def test_text_layouts_read_back(w: Written) -> None:
    """Delimited and aligned text in every drawn vendor style reads back to its source."""
    reads_back(w)


@settings(PROFILE, max_examples=SHEET_CASES)
@given(sheet_layouts())
def test_spreadsheet_layouts_read_back(w: Written) -> None:
    """.xlsx reports with label/value cells, merged cells, units rows read back to their source.

    .xls is not generated: the only writer of the format (xlwt) is unmaintained; reading .xls
    is tested on the reference file xls/slb_well-9H.xls.
    """
    reads_back(w)


@settings(PROFILE, max_examples=COMPASS_CASES)
@given(compass_design_reports())
def test_compass_design_reports_read_back(w: Written) -> None:
    """COMPASS "Design Report" exports (dotted leaders, side-by-side blocks, a units row one
    field short, Latin-1) read back to their source."""
    reads_back(w)


@settings(PROFILE, max_examples=RAW_CASES)
@given(raw_sensor_layouts())
def test_raw_sensor_layouts_read_back(w: Written) -> None:
    """Files with raw readings Gx..Bz in every drawn naming style ("Gx (g)", "Bz [nT]",
    "Accel X", a units row, no unit at all) read back as before, and the six readings are
    found by role with their values and the unit printed (else inferred from the magnitude):
    the field they were made in comes back within the QC limits."""
    s = reads_back(w)
    if s is None:
        return
    raw = w.raw
    assert raw is not None
    cols = sensor_columns(s)
    assert cols is not None, (list(s.extra_columns.columns), w.style)
    for key in RAW_FIELDS:
        assert cols.names[key] == raw.names[key], (key, cols.names, w.style)
        np.testing.assert_array_equal(
            cols.values(s.extra_columns, key), np.asarray(raw.printed[key], dtype=float)
        )
        unit = raw.units[0] if key.startswith("g") else raw.units[1]
        assert cols.units[key] == (unit if w.raw_units_printed else None), (key, cols.units)
    readings = raw_readings(
        *(cols.values(s.extra_columns, k) for k in RAW_FIELDS),
        gravity_unit=cols.units["gx"],
        magnetic_unit=cols.units["bx"],
    )
    assert (str(readings.gravity_unit), str(readings.magnetic_unit)) == raw.units
    assert readings.gravity_unit_inferred is not w.raw_units_printed
    qc = field_qc(readings, ReferenceField(*raw.field, "the generated field"))
    assert qc.passed, (qc.summary(), w.style)


# (file, class of vendor behaviour it exercises, expected stations md list, header checks)
REGRESSIONS = [
    (
        "regress_aligned_raw_sensor_columns.txt",
        "aligned columns: six raw sensor readings beside MD, Inc and Azi in the names row",
        [0.0, 10.0],
        {"depth_unit": DepthUnit.M},
    ),
    (
        "regress_aligned_footer_words.txt",
        "aligned columns: a footer line whose words fall under the table's columns",
        [0.0, 10.0, 20.0],
        {"depth_unit": DepthUnit.M, "datum_elevation": 1.0},
    ),
    (
        "regress_aligned_page_marker_under_md.txt",
        "aligned columns: a page marker after the table whose number falls under the MD column "
        "and leaves the inclination empty (a footer, not a station with a value missing)",
        [0.0, 10.0, 20.0],
        {"depth_unit": DepthUnit.M, "grid_convergence": 0.0, "datum_elevation": 1.0},
    ),
    (
        "regress_aligned_page_marker_under_extra.txt",
        "aligned columns: a page marker after the table whose word falls under a numeric extra "
        "column (Gx) and whose number under MD, the inclination left empty (a footer)",
        [0.0, 10.0, 20.0],
        {"depth_unit": DepthUnit.M},
    ),
    (
        "regress_label_dot_comma_convention.csv",
        "a label ending in a dot followed by a sign convention after a comma",
        [0.0, 10.0, 20.0],
        {"declination": -1.5, "depth_unit": DepthUnit.M},
    ),
    (
        "regress_rate_unit_usft.csv",
        "units row with a DLS rate per 100 US survey feet",
        [0.0, 10.0, 20.0],
        {"depth_unit": DepthUnit.USFT, "azimuth_reference": NorthReference.UNKNOWN},
    ),
]


@pytest.mark.parametrize(
    ("name", "cls", "md", "fields"), REGRESSIONS, ids=[r[0] for r in REGRESSIONS]
)
def test_regression_files(name: str, cls: str, md: list[float], fields: dict) -> None:
    """Minimal files the generated corpus shrank to when it found a fault (one class each)."""
    s = read_survey(DATA / name)
    assert s.stations["md"].tolist() == md, cls
    if "raw sensor" in cls:
        assert sensor_columns(s) is not None, cls
    for key, want in fields.items():
        assert getattr(s.header, key) == want, (cls, key)
