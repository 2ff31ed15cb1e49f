"""A refused file reports every problem it has, not only the first.

Generated listings (delimited and aligned text, decimal points and commas, .xlsx) get k cells
of MD, inclination or azimuth mistyped the way hands and OCR mistype numbers (a letter O or l
for a digit, a doubled separator); the refusal must name exactly those k cells, by line and
field, in file order, and its message is the first one's plus "and k-1 more problems".
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.parsers import MAX_PROBLEMS, Problem, SurveyFileError, read_survey
from tests.parsers.conftest import PROFILE
from tests.parsers.vendor_styles import Source, sources

FIELDS = ("md", "inc", "azi")


def _mistyped(draw: st.DrawFn, text: str, comma: bool) -> str:
    """``text`` (a printed number) mistyped: it no longer reads as a number."""
    kind = draw(st.sampled_from(["O", "l", "sep"]))
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if kind == "sep":
        sep = "," if comma else "."
        k = text.find(sep)
        return text[:k] + sep + text[k:] if k >= 0 else text + sep + sep + "5"
    i = draw(st.sampled_from(digits))
    return text[:i] + kind + text[i + 1 :]


@st.composite
def corrupted(draw: st.DrawFn, sheet: bool = False):
    """(source, printed table with k mistyped cells, the (station, field) pairs mistyped)."""
    src: Source = draw(sources(max_stations=16))
    comma = not sheet and draw(st.booleans())
    n = len(src.md)
    k = draw(st.integers(1, n))
    rows = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
    bad = {r: draw(st.sampled_from(FIELDS)) for r in rows}
    table = []
    for i in range(n):
        cells = []
        for j, fld in enumerate(FIELDS):
            text = f"{getattr(src, fld)[i]:.{src.dp[j]}f}"
            if comma:
                text = text.replace(".", ",")
            if bad.get(i) == fld:
                text = _mistyped(draw, text, comma)
            cells.append(text)
        table.append(cells)
    return src, comma, table, bad


def _expected(bad: dict[int, str], first_line: int) -> list[tuple[int, str]]:
    return sorted((first_line + i, fld) for i, fld in bad.items())


def _check(exc: SurveyFileError, want: list[tuple[int, str]]) -> None:
    got = [(p.line, p.field) for p in exc.problems]
    assert got == want, (got, want, str(exc))
    assert exc.more == 0 and exc.problem_count == len(want)
    assert (exc.line, exc.field) == want[0]
    line, field = want[0]
    first = f"line {line}, field '{field}'" if field is not None else f"line {line}: "
    assert first in str(exc)
    if len(want) > 1:
        assert str(exc).endswith(
            f"and {len(want) - 1} more problem{'s' if len(want) > 2 else ''}"
        ), str(exc)
    else:
        assert "more problem" not in str(exc)


@settings(PROFILE, max_examples=300)
@given(corrupted(), st.sampled_from([",", ";", "\t", "aligned"]), st.booleans())
def test_text_listing_names_every_mistyped_cell(case, delim: str, header: bool) -> None:
    """CSV/TXT (comma, semicolon, tab, aligned columns): exactly the k cells, line and field."""
    _src, comma, table, bad = case
    if comma and delim == ",":
        delim = ";"
    lines = ["Well: X-1", "Depth units: m", ""] if header else []
    if comma:  # a table of 1,250-like numbers only is ambiguous: the header shows the comma
        lines.insert(0, "Declination: 2,35°")
    names = ["MD [m]", "Inc [deg]", "Azi [deg]"]
    if delim == "aligned":
        width = max(len(c) for row in [names, *table] for c in row) + 3
        lines += ["".join(c.ljust(width) for c in row).rstrip() for row in [names, *table]]
    else:
        lines += [delim.join(row) for row in [names, *table]]
    data = ("\n".join(lines) + "\n").encode()
    with pytest.raises(SurveyFileError) as ei:
        read_survey(data, name="typos.txt" if delim in ("\t", "aligned") else "typos.csv")
    _check(ei.value, _expected(bad, len(lines) - len(table) + 1))


@settings(PROFILE, max_examples=60)
@given(corrupted(sheet=True), st.integers(0, 3))
def test_spreadsheet_names_every_mistyped_cell(case, blank_rows: int) -> None:
    """.xlsx with numbers stored as numbers and k cells typed as text that is no number: the
    k cells, by sheet row and field."""
    import openpyxl

    _src, _comma, table, bad = case
    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws.cell(1, 1, "Depth units")
    ws.cell(1, 2, "m")
    top = 2 + blank_rows
    for j, name in enumerate(("MD", "Inc", "Azi"), start=1):
        ws.cell(top, j, name)
    for i, row in enumerate(table):
        for j, text in enumerate(row, start=1):
            ws.cell(top + 1 + i, j, text if bad.get(i) == FIELDS[j - 1] else float(text))
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(SurveyFileError) as ei:
        read_survey(buf.getvalue(), name="typos.xlsx")
    _check(ei.value, _expected(bad, top + 1))


LAS_MNEMONICS = {"md": "DEPT", "inc": "INC", "azi": "AZI"}


@settings(PROFILE, max_examples=80)
@given(corrupted(), st.lists(st.integers(0, 16), max_size=3), st.booleans())
def test_las_names_every_mistyped_and_null_cell(case, comments: list[int], nulls: bool) -> None:
    """LAS 2.0 (unwrapped ~A, comment lines between rows): the k mistyped cells and, with
    ``nulls``, an inclination written as the NULL value, each by line and curve mnemonic."""
    _src, _comma, table, bad = case
    if nulls:  # one more station, last, whose inclination is the NULL value
        table = [*table, ["99999", "-999.25", "10"]]
        bad = {**bad, len(table) - 1: "inc"}
    head = [
        "~VERSION INFORMATION",
        " VERS.   2.0 : CWLS LOG ASCII STANDARD - VERSION 2.0",
        " WRAP.   NO  : ONE LINE PER DEPTH STEP",
        "~WELL INFORMATION",
        " NULL.   -999.25 : NULL VALUE",
        " WELL.   X-1 : WELL",
        "~CURVE INFORMATION",
        " DEPT.M   : measured depth",
        " INC .DEG : inclination",
        " AZI .DEG : azimuth",
        "~A",
    ]
    lines = list(head)
    rows_at = []
    for i, row in enumerate(table):
        if i in comments:
            lines.append("# a comment between rows")
        rows_at.append(len(lines) + 1)
        lines.append(" ".join(row))
    with pytest.raises(SurveyFileError) as ei:
        read_survey(("\n".join(lines) + "\n").encode(), name="typos.las")
    want = sorted((rows_at[i], LAS_MNEMONICS[fld]) for i, fld in bad.items())
    _check(ei.value, want)


LAS_HEAD = (
    "~VERSION INFORMATION\n VERS. 2.0 :\n WRAP. NO :\n~WELL INFORMATION\n NULL. -999.25 :\n"
    "~CURVE INFORMATION\n DEPT.M :\n INC .DEG :\n AZI .DEG :\n~A\n"
)


@settings(PROFILE, max_examples=40)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=6, unique=True), st.data())
def test_las_values_run_together_never_shift_the_rows(bad_rows: list[int], data) -> None:
    """Class: values run together in ~A ("1.5-2", "10.5.5"). lasio splits them and shapes
    every value into the curves, so extra values shift all later rows into the wrong curves
    (silently, when they are all numbers); the reader refuses and names each such line."""
    rows = [[f"{30.0 * i:.1f}", f"{1.5 * i:.1f}", f"{10 + 0.5 * i:.1f}"] for i in range(10)]
    for r in bad_rows:
        j = data.draw(st.integers(1, 2))
        rows[r][j] += data.draw(st.sampled_from(["-2", ".5"]))
    text = LAS_HEAD + "\n".join(" ".join(r) for r in rows) + "\n"
    with pytest.raises(SurveyFileError) as ei:
        read_survey(text.encode(), name="runon.las")
    first_row_line = LAS_HEAD.count("\n") + 1
    assert sorted({p.line for p in ei.value.problems}) == [
        first_row_line + r for r in sorted(bad_rows)
    ]
    assert all(p.field in ("INC", "AZI") for p in ei.value.problems)


def test_las_a_run_on_negative_value_on_every_row_still_reads() -> None:
    """A fixed-width LAS whose negative value eats the space before it on a row ("10.0-2.5")
    holds the right number of values once split: it reads, as lasio intends."""
    text = LAS_HEAD + "0.0 0.0 0.0\n30.0 1.0-999.25\n60.0 2.0 10.0\n"
    with pytest.raises(SurveyFileError, match=r"line 12, field 'AZI': azimuth is null"):
        read_survey(text.encode(), name="runon.las")
    ok = read_survey(
        (LAS_HEAD + "0.0 0.0 0.0\n30.0 1.0 10.0\n60.0 2.0 10.0\n").encode(), name="ok.las"
    )
    assert ok.station_count == 3


P717_EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "iogp_p717_example_B.p717"


@settings(PROFILE, max_examples=60)
@given(st.data())
def test_p717_names_every_unreadable_station_field(data) -> None:
    """IOGP P7/17 (the user guide's example B): k station records with MD, inclination or
    azimuth mistyped, or emptied, or cut short: each one named by line and field, in order."""
    lines = P717_EXAMPLE.read_text(encoding="utf-8").splitlines()
    stations = [i for i, ln in enumerate(lines) if ln.startswith("P7,")]
    picked = sorted(data.draw(st.lists(st.sampled_from(stations), min_size=1, unique=True)))
    want = []
    for i in picked:
        f = lines[i].split(",")
        kind = data.draw(st.sampled_from(["typo", "empty", "short"]))
        if kind == "short":
            lines[i] = ",".join(f[:9])
            want.append((i + 1, None))
            continue
        fields = data.draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True))
        for fld in FIELDS:  # in record order: md (10), inc (11), azi (12)
            if fld in fields:
                j = 10 + FIELDS.index(fld)
                f[j] = "" if kind == "empty" else _mistyped(data.draw, f[j], comma=False)
                want.append((i + 1, fld))
        lines[i] = ",".join(f)
    with pytest.raises(SurveyFileError) as ei:
        read_survey(("\n".join(lines) + "\n").encode(), name="typos.p717")
    _check(ei.value, want)


WITSML_TAGS = {"md": "Md", "inc": "Incl", "azi": "Azi"}
WITSML_FIELDS = {"md": "md", "inc": "incl", "azi": "azi"}


@settings(PROFILE, max_examples=60)
@given(corrupted(sheet=True), st.sampled_from(["typo", "empty", "unit"]))
def test_witsml_names_every_unreadable_station_value(case, kind: str) -> None:
    """WITSML 2.0 trajectory: k station values mistyped, emptied or in an unknown unit
    (an MD, inclination or azimuth each): each one named by station element and field."""
    src, _comma, table, bad = case
    stations = []
    for i, row in enumerate(table):
        cells = []
        for j, fld in enumerate(FIELDS):
            text = row[j] if bad.get(i) != fld or kind == "typo" else f"{getattr(src, fld)[i]}"
            uom = "m" if fld == "md" else "dega"
            if bad.get(i) == fld and kind == "empty":
                text = ""
            if bad.get(i) == fld and kind == "unit":
                uom = "furlong"
            cells.append(f'<{WITSML_TAGS[fld]} uom="{uom}">{text}</{WITSML_TAGS[fld]}>')
        stations.append(f'<TrajectoryStation uid="s{i}">{"".join(cells)}</TrajectoryStation>')
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Trajectory xmlns="http://www.energistics.org/energyml/data/witsmlv2" '
        'schemaVersion="2.0" uuid="00000000-0000-0000-0000-000000000001">\n'
        "<AziRef>true north</AziRef>\n" + "\n".join(stations) + "\n</Trajectory>\n"
    )
    if kind == "unit" and bad.get(0) == "md":
        return  # the first station's MD unit is the file's depth unit: one refusal, tested apart
    if kind == "empty" and all(fld == "azi" and float(table[i][1]) == 0 for i, fld in bad.items()):
        return  # a vertical station may leave its azimuth empty
    with pytest.raises(SurveyFileError) as ei:
        read_survey(doc.encode(), name="typos.xml")
    want = [
        (f"trajectoryStation {i + 1} (uid=s{i})", WITSML_FIELDS[fld])
        for i, fld in sorted(bad.items())
        if not (kind == "empty" and fld == "azi" and float(table[i][1]) == 0)
    ]
    got = [(p.element, p.field) for p in ei.value.problems]
    assert got == want, (got, want, str(ei.value))
    assert ei.value.more == 0


@pytest.mark.parametrize("fmt", ["las-cells", "las-nulls", "las-extra", "p717", "witsml"])
def test_a_problem_on_every_row_keeps_the_first_100_and_counts_the_rest(fmt: str) -> None:
    """5,000 stations, each with a problem (two where two values cannot be read): the refusal
    lists the first MAX_PROBLEMS in file order and counts the others; nothing more is held."""
    n = 5000
    if fmt.startswith("las"):
        # las-extra: a fourth value where the ~Curve section defines three (3 + 4n values in
        # all, no multiple of 3: lasio cannot shape them, the reader names each row)
        cell = {"las-cells": "1O.5 2O.5", "las-nulls": "-999.25 -999.25", "las-extra": "1 2 3"}
        rows = [f"{10.0 * (i + 1):.1f} {cell[fmt]}" for i in range(n)]
        data, name, per_row = LAS_HEAD + "0.0 0.0 0.0\n" + "\n".join(rows) + "\n", "big.las", 2
        if fmt != "las-cells":  # a null inclination leaves the azimuth unjudged
            per_row = 1
        first_line = LAS_HEAD.count("\n") + 2
    elif fmt == "p717":
        head = P717_EXAMPLE.read_text(encoding="utf-8").splitlines()
        head = [ln for ln in head if not ln.startswith("P7,")]
        rows = [f"P7,0,1,1,,,,D,1,Surveyed,{10 * i}.00,1O.0,10.0,,,,,,,,," for i in range(n)]
        data, name, per_row = "\n".join([*head, *rows]) + "\n", "big.p717", 1
        first_line = len(head) + 1
    else:
        st_ = "".join(
            f'<TrajectoryStation uid="s{i}"><Md uom="m">{10 * i}</Md>'
            f'<Incl uom="dega">1O</Incl><Azi uom="dega">x</Azi></TrajectoryStation>'
            for i in range(n)
        )
        data = (
            '<Trajectory xmlns="http://www.energistics.org/energyml/data/witsmlv2" '
            f'schemaVersion="2.0" uuid="00000000-0000-0000-0000-000000000001">{st_}</Trajectory>'
        )
        name, per_row, first_line = "big.xml", 2, None
    with pytest.raises(SurveyFileError) as ei:
        read_survey(data.encode(), name=name)
    e = ei.value
    assert len(e.problems) == MAX_PROBLEMS and e.problem_count == per_row * n
    if first_line is not None:
        lines = [p.line for p in e.problems]
        assert lines == sorted(lines) and lines[0] == first_line


def test_the_stations_read_are_still_checked() -> None:
    """An unreadable value at line 3 and an MD going back at line 5: both named."""
    data = b"MD [m],Inc [deg],Azi [deg]\n0,0,0\n100,1O.5,5\n200,2,6\n150,2,6\n300,3,7\n"
    with pytest.raises(SurveyFileError) as ei:
        read_survey(data, name="two.csv")
    assert [(p.line, p.field) for p in ei.value.problems] == [(3, "inc"), (5, "md")]
    assert str(ei.value) == (
        "two.csv, line 3, field 'inc': cannot read '1O.5' as a number; and 1 more problem"
    )
    assert "MD 150 is less than the previous 200" in ei.value.problems[1].reason


def test_a_last_row_with_an_unreadable_md_is_a_problem_not_a_footer() -> None:
    data = b"MD [m],Inc [deg],Azi [deg]\n0,0,0\n100,1,5\n2O0,2,6\n"
    with pytest.raises(SurveyFileError, match=r"line 4, field 'md': cannot read '2O0'"):
        read_survey(data, name="last.csv")
    # prose after the table stays a footer
    ok = read_survey(b"MD [m],Inc [deg],Azi [deg]\n0,0,0\n100,1,5\nPage 3 of 3\n", name="f.csv")
    assert ok.station_count == 2


def test_problems_are_capped_and_the_rest_counted() -> None:
    rows = [f"{10 * i},1O.{i},5" for i in range(1, 151)]
    data = ("MD [m],Inc [deg],Azi [deg]\n0,0,0\n" + "\n".join(rows) + "\n").encode()
    with pytest.raises(SurveyFileError) as ei:
        read_survey(data, name="many.csv")
    e = ei.value
    assert len(e.problems) == MAX_PROBLEMS and e.more == 50 and e.problem_count == 150
    assert [p.line for p in e.problems] == list(range(3, 3 + MAX_PROBLEMS))
    assert str(e).endswith("; and 149 more problems")


def test_problems_survive_pickling_and_print_with_their_place() -> None:
    e = SurveyFileError.of_problems(
        "w.csv", [Problem("cannot read 'x' as a number", 3, "inc"), Problem("bad", 7, "md")], 4
    )
    again = pickle.loads(pickle.dumps(e))
    assert again.problems == e.problems and again.more == 4 and str(again) == str(e)
    assert str(e) == "w.csv, line 3, field 'inc': cannot read 'x' as a number; and 5 more problems"
    assert str(e.problems[1]) == "line 7, field 'md': bad"
    single = SurveyFileError("w.csv", "empty")
    assert single.problems == [Problem("empty")] and single.problem_count == 1
    with pytest.raises(ValueError, match="at least one problem"):
        SurveyFileError.of_problems("w.csv", [])
