"""One named test per class of import failure measured on files the team had not seen.

Each test is written from the class of vendor behaviour (or the format's definition) it
names, on a small file of that class; none of them passes on the reader these classes were
measured against.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from surveylab.calc import minimum_curvature
from surveylab.models import DepthUnit, Finding, NorthReference, Severity
from surveylab.parsers import SurveyFileError, check_size, read_survey
from surveylab.parsers.overrides import OverrideError, apply_overrides

DATA = Path(__file__).resolve().parent.parent / "data"


def _xlsx(rows: list[list[object]], merge: list[str] = ()) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for rng in merge:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------ spreadsheet label/value cells
def test_class_spreadsheet_metadata_as_label_and_value_cells() -> None:
    """A cell "Depth units", the next cell "m"; "Azimuth reference" | "True North": the file
    states its unit and north reference in cells of their own."""
    data = _xlsx(
        [
            ["Survey report", None, None],
            ["Depth units", "m"],
            ["Azimuth reference", "True North"],
            ["Magnetic declination:", None, "-2.35°"],  # label merged over two cells
            ["Well", "LV-1", None, "Field:", "Nordfelt"],  # two pairs in one row
            [],
            ["MD", "Inc", "Azi"],
            [0, 0, 0],
            [150.5, 1.25, 181.5],
        ],
        merge=["A4:B4"],
    )
    s = read_survey(data, name="label_value.xlsx")
    h = s.header
    assert h.depth_unit is DepthUnit.M
    assert h.azimuth_reference is NorthReference.TRUE
    assert h.declination == -2.35
    assert h.well_name == "LV-1"
    assert h.extra["fields"]["Field"] == "Nordfelt"
    assert s.stations["md"].tolist() == [0.0, 150.5]
    assert {"depth_unit_unknown", "north_reference_unknown"}.isdisjoint(f.code for f in s.findings)


# ------------------------------------------------------------ decimal comma, degree sign
def test_class_decimal_comma_and_degree_sign_in_header_value() -> None:
    """ "Declination: 2,35°" in a decimal-comma file is 2.35, not 2 (a value is read whole)."""
    text = (
        "Well: DC-1\nDeclination: 2,35°\nGrid convergence: -0,85°\nDepth units: m\n"
        "MD;Inc;Azi\n0;0;0\n100,5;1,25;45,5\n200;2,5;46\n"
    )
    s = read_survey(text.encode("cp1252"), name="comma.csv")
    assert (s.header.declination, s.header.grid_convergence) == (2.35, -0.85)
    assert s.stations["md"].tolist() == [0.0, 100.5, 200.0]


def test_class_decimal_comma_value_in_a_decimal_point_file_is_unreadable_not_truncated() -> None:
    """In a file whose numbers use decimal points, "2,35°" is not 2 and not 235: it is
    reported (line and label) and the field stays unset."""
    text = "Declination: 2,35°\nMD,Inc,Azi\n0,0,0\n100.5,1.25,45.5\n"
    s = read_survey(text.encode(), name="point.csv")
    assert s.header.declination is None
    (f,) = [f for f in s.findings if f.code == "header_value_unreadable"]
    assert f.line == 1 and f.field == "Declination" and f.severity is Severity.WARNING
    assert "'2,35°'" in f.message and "decimal point" in f.message


def test_class_decimal_separator_decided_per_file_never_per_value() -> None:
    """A file whose every number could be a decimal comma or a thousands separator (1,250)
    is refused naming the value, not read by guess."""
    text = "MD;Inc;Azi\n1,250;1,250;1,250\n2,250;2,250;2,250\n"
    with pytest.raises(SurveyFileError, match=r"'1,250' could be read with a decimal comma"):
        read_survey(text.encode(), name="ambiguous.csv")


# ------------------------------------------------------------ several pairs on one line
def test_class_several_key_value_pairs_on_one_line() -> None:
    """ "Well: X   Units: feet   Azimuths: True North" is three statements, not a well name."""
    text = (
        "Well: X   Units: feet   Azimuths: True North\n"
        "Declination: 1.5 deg E\tConvergence: 0.25 deg | KB Elevation: 82 ft\n"
        "MD,Inc,Azi\n0,0,0\n100,1,10\n"
    )
    h = read_survey(text.encode(), name="pairs.csv").header
    assert h.well_name == "X"
    assert h.depth_unit is DepthUnit.FT
    assert h.azimuth_reference is NorthReference.TRUE
    assert (h.declination, h.grid_convergence, h.datum_elevation) == (1.5, 0.25, 82.0)


def test_class_sign_conventions_beside_the_label() -> None:
    """ "(+W/E-)", "West positive" beside the label turn the printed sign into ours."""
    text = (
        "Magnetic dec (+W/E-).....: 3.10 degrees\n"
        "Grid convergence, West positive: 0.40\n"
        "MD;Inc;Azi\n0;0;0\n100;1;10\n"
    )
    h = read_survey(text.encode(), name="signs.csv").header
    assert (h.declination, h.grid_convergence) == (-3.10, -0.40)


# ------------------------------------------------------------ COMPASS Design Report
def test_class_compass_design_report_export() -> None:
    """Landmark COMPASS "Design Report": dotted leaders, two header blocks side by side, names
    then a units row one field short (Comment has no unit), Latin-1."""
    s = read_survey(DATA / "compass_design_report.csv")
    h = s.header
    assert h.well_name == "Brønn A-1" and h.operator == "Operator Oil Company"
    assert (h.declination, h.grid_convergence) == (14.37, -0.85)
    assert h.depth_unit is DepthUnit.M and h.azimuth_reference is NorthReference.TRUE
    assert h.calculation_method == "minimum curvature"
    assert s.station_count == 10
    assert s.stations.iloc[-1][["md", "inc", "azi"]].tolist() == [1250.0, 20.0, 142.0]
    assert bool(s.stations["projected"].iloc[-1])
    assert s.vendor["tvd"].iloc[-1] == 1231.71 and s.vendor["east"].iloc[-1] == 93.10
    assert list(s.extra_columns.columns) == ["Comment"]
    assert s.extra_columns["Comment"].iloc[1] == "KOP"
    assert "vendor_position_mismatch" not in {f.code for f in s.findings}


# ------------------------------------------------------------ column recognition
def test_class_names_split_over_two_rows_units_in_names_and_extra_columns() -> None:
    text = (
        "Measured,Incl,Azim,True Vertical,Dogleg,Gx,Bz\n"
        "Depth (ft),(deg),(deg),Depth (ft),Severity,(g),(nT)\n"
        "0,0,0,0,0,-0.01,48000\n100,1,10,99.99,1,-0.02,48010\n"
    )
    s = read_survey(text.encode(), name="two_rows.csv")
    assert s.header.depth_unit is DepthUnit.FT
    assert s.vendor["tvd"].tolist() == [0.0, 99.99]
    assert list(s.extra_columns.columns) == ["Gx", "Bz"]
    assert s.extra_units == {"Gx": "g", "Bz": "nT"}
    assert s.extra_columns["Bz"].tolist() == [48000.0, 48010.0]


@pytest.mark.parametrize(
    ("md", "inc", "azi", "tvd", "north", "east"),
    [
        ("Målt dybde", "Inklinasjon", "Asimut", "Vertikal dybde", "Nord", "Øst"),  # Norwegian
        ("Profundidad medida", "Inclinación", "Azimut", "PVV", "Norte", "Este"),  # Spanish
        ("Profundidade medida", "Inclinação", "Azimute", "PVV", "Norte", "Leste"),  # Portuguese
        ("Profondeur mesurée", "Inclinaison", "Azimut", "Profondeur verticale", "Nord", "Est"),
    ],
)
def test_class_column_aliases_in_other_languages(
    md: str, inc: str, azi: str, tvd: str, north: str, east: str
) -> None:
    text = f"{east};{azi};{md};{north};{inc};{tvd}\n0;0;0;0;0;0\n0,87;10;100;4,94;2;99,98\n"
    s = read_survey(text.encode("latin-1"), name="aliases.csv")
    assert s.stations["md"].tolist() == [0.0, 100.0]
    assert s.stations["inc"].tolist() == [0.0, 2.0]
    assert s.vendor["east"].tolist() == [0.0, 0.87]


# ------------------------------------------------------------ P7/17 unit references
def test_class_p717_unit_references_are_file_local() -> None:
    """IOGP user guide example B: MD unit reference 5 is the survey definition's ft (the axis
    records make 6 the US survey foot); gyro and MWD records at one MD resolved by the use
    flag; the bottom-hole location projected."""
    s = read_survey(DATA / "iogp_p717_example_B.p717")
    h = s.header
    assert h.depth_unit is DepthUnit.FT
    assert h.azimuth_reference is NorthReference.GRID
    assert (h.grid_convergence, h.declination) == (1.78, 2.51)
    st = s.stations
    assert s.station_count == 23 and int(st["used"].sum()) == 21
    assert st.loc[~st["used"], "md"].tolist() == [275.0, 300.0]
    used = st[st["used"]]
    assert bool(np.all(np.diff(used["md"].to_numpy()) > 0))
    last = st.iloc[-1]
    assert (last["md"], last["inc"], last["azi"], bool(last["projected"])) == (
        500.0,
        1.699,
        23.357,
        True,
    )
    assert [x["records"] for x in h.extra["surveys"]] == [13, 10]
    codes = {f.code for f in s.findings}
    assert "duplicate_md_flagged" in codes and "duplicate_md" not in codes
    assert "vendor_position_mismatch" not in codes


_P7 = """IOGP,unit records,7,1.0,1,2020:01:01,00:00:00,t.p717,test
HC,1,1,0,Unit of Measure,{ref},US survey foot,ftUS,1,9003,0,1200,3937,0,EPSG,,
H7,1,5,0,Survey Definition,1,1,1,GYRO,Gyro,,,,,0.00,200.00,{name},2020:01:01,,,,,
H7,1,5,1,Survey Details,1,{ref},2,MD-Wireline,1,Indicated depth,1,7,AZ_TRUE,2,Surveyed,0,,0,,,,
P7,0,1,1,,,,D,1,Surveyed,0.00,0.000,0.000,,,,,,,,,
P7,0,1,1,,,,D,1,Surveyed,100.00,1.000,10.000,,,,,,,,,
P7,0,1,1,,,,BHL,6,Projected,200.00,1.000,10.000,,,,,,,,,
"""


def test_class_p717_unit_record_defines_a_reference() -> None:
    """An HC,1,1,0 Unit of Measure record defines reference 7 as the US survey foot."""
    s = read_survey(_P7.format(ref=7, name="ftUS").encode(), name="units.p717")
    assert s.header.depth_unit is DepthUnit.USFT
    assert s.header.azimuth_reference is NorthReference.TRUE
    assert bool(s.stations["projected"].iloc[-1])


def test_class_p717_conflicting_unit_definitions_refused() -> None:
    with pytest.raises(
        SurveyFileError,
        match=r"reference 7 of survey 1 means ftUS .* but the survey definition names ft",
    ) as e:
        read_survey(_P7.format(ref=7, name="ft").encode(), name="conflict.p717")
    assert e.value.line == 4 and e.value.field == "Survey Details MD UNITREF"


# ------------------------------------------------------------ findings aggregated by cause
def _mismatch_csv(n: int, bad: range) -> bytes:
    md = np.arange(n) * 30.0
    inc = np.minimum(np.arange(n) * 1.5, 60.0)
    azi = np.full(n, 120.0)
    pos = minimum_curvature(md, inc, azi)
    east = np.round(pos.east, 3)
    for i in bad:
        east[i] += 0.01 * (1 + i % 3)  # 0.01 to 0.03 off, tolerance 0.005
    rows = ["MD [m],INC,AZI,TVD,NORTH,EAST"]
    rows += [
        f"{m:.2f},{a:.2f},{b:.2f},{t:.3f},{nn:.3f},{e:.3f}"
        for m, a, b, t, nn, e in zip(md, inc, azi, pos.tvd, pos.north, east, strict=True)
    ]
    return ("\n".join(rows) + "\n").encode()


def test_class_findings_aggregated_by_cause() -> None:
    """26 stations whose vendor EAST is not reproduced: one finding with the count, the MD
    range and the largest difference with its station; the per-station list kept."""
    s = read_survey(_mismatch_csv(175, range(100, 126)), name="agg.csv")
    found = [f for f in s.findings if f.code == "vendor_position_mismatch"]
    assert len(found) == 1
    f = found[0]
    assert f.count == 26 and (f.md_from, f.md_to) == (3000.0, 3750.0)
    assert f.field == "east" and len(f.stations) == 26
    assert f.worst == pytest.approx(-0.03, abs=1e-3) and f.worst_station in (101, 104, 107)
    assert "26 stations, MD 3000 to 3750" in f.message
    assert re.search(rf"largest difference -0\.0[23]\d* at MD {f.worst_station * 30} ", f.message)
    assert Finding.from_dict(json.loads(json.dumps(f.to_dict()))) == f


def test_class_findings_aggregated_in_inspect_json(tmp_path: Path, capsys) -> None:
    from surveylab.cli import main

    p = tmp_path / "agg.csv"
    p.write_bytes(_mismatch_csv(60, range(10, 20)))
    assert main(["inspect", str(p), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (item,) = [f for f in doc["findings"] if f["code"] == "vendor_position_mismatch"]
    assert (item["count"], item["md_from"], item["md_to"]) == (10, 300.0, 570.0)
    assert [x["station"] for x in item["stations"]] == list(range(10, 20))
    assert all(x["md"] == 30.0 * x["station"] for x in item["stations"])


# ------------------------------------------------------------ header overrides
def test_class_override_resolves_its_finding_in_plain_words() -> None:
    s = read_survey(DATA / "tab_delimited.txt")
    assert "depth_unit_unknown" in {f.code for f in s.findings}
    notes = apply_overrides(s, {"depth_unit": "m"}, by="surveyor")
    assert [n.message for n in notes] == [
        "depth unit set to m by surveyor; the file did not state it"
    ]
    assert "depth_unit_unknown" not in {f.code for f in s.findings}
    assert s.header.extra["overrides"] == {"depth_unit": "m"}
    assert not any(re.search(r"<\w+\.\w+: ", f.message) for f in [*notes, *s.findings])


def _listing(reference: str, declination: str | None = None, convergence: str | None = None):
    head = f"North Reference: {reference}\nDepth Units: m\n"
    if declination is not None:
        head += f"Declination: {declination}\n"
    if convergence is not None:
        head += f"Grid Convergence: {convergence}\n"
    body = "MD,Inc,Azi\n0,0,0\n100,2,10\n200,4,359.5\n"
    return read_survey((head + body).encode(), name="ov.csv")


def test_class_declination_override_converts_magnetic_azimuths() -> None:
    s = _listing("Magnetic")
    notes = apply_overrides(s, {"declination": "2.5 E"}, by="surveyor")
    assert s.header.azimuth_reference is NorthReference.TRUE
    assert s.stations["azi"].tolist() == pytest.approx([2.5, 12.5, 2.0])
    assert any(n.code == "azimuths_converted" and "magnetic to true" in n.message for n in notes)
    assert "north_reference_unknown" not in {f.code for f in s.findings}


def test_class_declination_override_recorrects_corrected_azimuths() -> None:
    """The file's azimuths were corrected with its declination 1.0: set to 2.5, every azimuth
    turns by +1.5 (true = magnetic + declination)."""
    s = _listing("True", declination="1.0")
    apply_overrides(s, {"declination": 2.5})
    assert s.stations["azi"].tolist() == pytest.approx([1.5, 11.5, 1.0])
    assert s.header.declination_source == "set by the user"


def test_class_convergence_override_recorrects_grid_azimuths() -> None:
    """grid = true - convergence: convergence 0.5 -> 0.8 turns grid azimuths by -0.3."""
    s = _listing("Grid", convergence="0.5")
    apply_overrides(s, {"grid_convergence": 0.8})
    assert s.stations["azi"].tolist() == pytest.approx([359.7, 9.7, 359.2])


def test_class_override_without_the_applied_correction_keeps_azimuths() -> None:
    s = _listing("True")
    notes = apply_overrides(s, {"declination": 2.5})
    assert s.stations["azi"].tolist() == [0.0, 10.0, 359.5]
    assert any(n.code == "azimuths_not_converted" for n in notes)


def test_class_override_answers_an_unreadable_header_value() -> None:
    s = read_survey(b"Declination: 2,35\xb0\nMD,Inc,Azi\n0,0,0\n100.5,1.25,45.5\n", name="p.csv")
    assert "header_value_unreadable" in {f.code for f in s.findings}
    apply_overrides(s, {"declination": 2.35})
    assert "header_value_unreadable" not in {f.code for f in s.findings}
    assert s.header.declination == 2.35


def test_class_override_bad_value_names_field_and_value() -> None:
    s = read_survey(DATA / "no_tie_on.csv")
    with pytest.raises(OverrideError, match=r"declination .*'two east'"):
        apply_overrides(s, {"declination": "two east"})
    with pytest.raises(OverrideError, match=r"header field 'crs' cannot be set"):
        apply_overrides(s, {"crs": "EPSG:23031"})


# ------------------------------------------------------------ size and memory
def test_class_size_checked_before_reading(tmp_path: Path, monkeypatch, capsys) -> None:
    """An oversized file is refused from its size on disk: not a byte of it is read."""
    from surveylab.cli import main

    p = tmp_path / "big.csv"
    p.write_bytes(b"MD,INC,AZI\n" + b"0,0,0\n" * 200_000)  # 1.2 MB

    def no_read(*_a, **_k):
        raise AssertionError("the file was read before its size was checked")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    monkeypatch.setattr(Path, "open", no_read)
    with pytest.raises(SurveyFileError, match=r"larger than the 1000-byte limit"):
        check_size(p, 1000)
    with pytest.raises(SurveyFileError, match=r"big\.csv: file is \d+ bytes"):
        read_survey(p, max_bytes=1000)
    monkeypatch.setenv("SURVEYLAB_MAX_UPLOAD_MB", "1")
    for command in (
        ["inspect", str(p)],
        ["compute", str(p)],
        ["export", str(p), "--to", "csv", "-o", str(tmp_path / "o.csv")],
    ):
        assert main(command) == 1
        assert "larger than the 1048576-byte limit" in capsys.readouterr().err


def _dimension_bomb() -> bytes:
    """A ~5 KB workbook whose <dimension ref> claims A1:XFD1048576 (3 rows really)."""
    data = _xlsx([["MD", "INC", "AZI"], [0, 0, 0], [100, 1, 2]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(
                    rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', body
                )
            zout.writestr(item, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_class_spreadsheet_dimension_not_trusted(monkeypatch) -> None:
    """The claimed <dimension> is reset: rows come as long as their cells, and only the rows
    the sheet has (openpyxl's read-only mode would pad 1,048,576 rows to 16,384 cells)."""
    from surveylab.parsers import excel

    data = _dimension_bomb()
    assert len(data) < 8000 and b'ref="A1:XFD1048576"' in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml"
    )
    seen: list[int] = []
    real = excel._capped

    def counting(rows, name, sheet, cut):
        for row in real(rows, name, sheet, cut):
            seen.append(len(row))
            yield row

    monkeypatch.setattr(excel, "_capped", counting)
    s = read_survey(data, name="bomb.xlsx")
    assert s.stations["md"].tolist() == [0.0, 100.0]
    assert seen == [3, 3, 3]


def test_class_spreadsheet_row_and_column_caps(monkeypatch) -> None:
    from surveylab.parsers import excel

    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", 4)
    rows = [["MD", "INC", "AZI"]] + [[i * 10, 1, 2] for i in range(6)]
    with pytest.raises(SurveyFileError, match=r"more than 4 rows: refused"):
        read_survey(_xlsx(rows), name="long.xlsx")
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", 500_000)
    monkeypatch.setattr(excel, "MAX_SHEET_COLUMNS", 3)
    s = read_survey(
        _xlsx([["MD", "INC", "AZI", "note"], [0, 0, 0, "x"], [10, 1, 2, "y"]]), name="w.xlsx"
    )
    assert "cells_beyond_column_limit" in {f.code for f in s.findings}
    assert s.station_count == 2
