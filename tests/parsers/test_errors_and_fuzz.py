"""Unreadable input raises SurveyFileError only (naming file, line, field); nothing else escapes."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveylab.parsers import FORMATS, SurveyFileError, detect_format, read_survey

DATA = Path(__file__).resolve().parent.parent / "data"


def test_message_format_and_attributes() -> None:
    e = SurveyFileError("well.csv", "cannot read '1O.5' as a number", line=12, field="inc")
    assert str(e) == "well.csv, line 12, field 'inc': cannot read '1O.5' as a number"
    assert isinstance(e, ValueError)
    again = pickle.loads(pickle.dumps(e))
    assert str(again) == str(e) and again.line == 12


def test_size_limit_bytes_and_path(tmp_path: Path) -> None:
    data = b"MD,INC,AZI\n0,0,0\n100,1,1\n"
    with pytest.raises(SurveyFileError, match="larger than the 10-byte limit"):
        read_survey(data, name="big.csv", max_bytes=10)
    p = tmp_path / "big.csv"
    p.write_bytes(data)
    with pytest.raises(SurveyFileError, match=r"big\.csv: file is"):
        read_survey(p, max_bytes=10)
    assert read_survey(p, max_bytes=len(data)).station_count == 2


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"just some prose\nno table here\n", "no column-header row"),
        (b"MD,INC,AZI\n", "no survey stations"),
        (b"MD,INC,AZI\n100,,5\n", "line 2, field 'inc': value missing"),
        (b"MD,INC,AZI\n100,5,\n", "line 2, field 'azi': azimuth missing"),
        (b"MD,INC,AZI\n0,0,0\nabc,def,ghi\n100,1,1\n", "line 3, field 'md'"),
        (b"MD [furlong],INC,AZI\n0,0,0\n", "unknown depth unit 'furlong'"),
        (b"PK\x03\x04garbage", "zip archive that is not an Excel"),
        (b"PK\x03\x04xl/garbage", "not a readable .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1garbage", "not a readable .xls"),
        (b"<wells xmlns='x'/>", "root element <wells>"),
        (b"<trajectorys><trajectory>", "not well-formed XML"),
        (b"<trajectorys xmlns='http://www.witsml.org/schemas/1series'/>", "no <trajectory>"),
        (b"~VERSION\n VERS. 2.0 :\n~A\n1 2 3\n", "LAS"),
        (b"\x00\x01\x02binary", "binary content"),
    ],
)
def test_unreadable_inputs(data: bytes, match: str) -> None:
    with pytest.raises(SurveyFileError, match=match) as ei:
        read_survey(data, name="in.dat")
    assert ei.value.file == "in.dat"


def test_witsml_station_error_names_element() -> None:
    data = (
        (DATA / "witsml20_minimal.xml")
        .read_bytes()
        .replace(b'<Md uom="m">30</Md>', b'<Md uom="m">3O</Md>')
    )
    with pytest.raises(SurveyFileError) as ei:
        read_survey(data, name="t.xml")
    assert ei.value.element == "trajectoryStation 2 (uid=b)" and ei.value.field == "md"


def test_witsml_unknown_uom() -> None:
    data = (
        (DATA / "witsml20_minimal.xml").read_bytes().replace(b'uom="dega">1<', b'uom="furlong">1<')
    )
    with pytest.raises(SurveyFileError, match="unknown angle unit 'furlong'"):
        read_survey(data, name="t.xml")


def test_p717_bad_record() -> None:
    data = (
        (DATA / "p717_flag0_duplicates.p717").read_bytes().replace(b"200.00,2.000", b"2OO.00,2.000")
    )
    with pytest.raises(SurveyFileError) as ei:
        read_survey(data, name="p.p717")
    assert (ei.value.line, ei.value.field) == (8, "md")


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(SurveyFileError, match="cannot open file"):
        read_survey(tmp_path / "nope.csv")
    with pytest.raises(SurveyFileError, match="unknown format 'pdf'"):
        read_survey(b"MD,INC,AZI\n0,0,0\n", format="pdf")


def test_detection_ignores_extension() -> None:
    xml = (DATA / "witsml20_minimal.xml").read_bytes()
    assert detect_format(xml) == "witsml20"
    assert read_survey(xml, name="looks_like.csv").format == "witsml20"
    assert set(FORMATS) >= {"csv", "xlsx", "xls", "las", "witsml14", "witsml20", "p717"}


def _read_or_refuse(data: bytes) -> None:
    try:
        s = read_survey(data, name="fuzz.bin")
    except SurveyFileError as exc:
        assert exc.file == "fuzz.bin"
        return
    assert s.station_count >= 1
    assert set(s.stations.columns) == {"md", "inc", "azi", "projected", "used"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_only_survey_file_error(data: bytes) -> None:
    _read_or_refuse(data)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="MDINCAZ0123456789.,;\t -\n\r:#[]()mft°ON", max_size=400))
def test_random_text_only_survey_file_error(text: str) -> None:
    _read_or_refuse(text.encode("utf-8"))


SEEDS = [
    DATA / "letter_suffix_projected.csv",
    DATA / "witsml14_rad_sentinel.xml",
    DATA / "las_minimal_survey.las",
    DATA / "p717_flag0_duplicates.p717",
    DATA / "key_value_header.csv",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=5000),
            st.binary(max_size=4),
            st.integers(min_value=0, max_value=4),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_quirk_files_only_survey_file_error(seed: Path, edits: list) -> None:
    data = bytearray(seed.read_bytes())
    for pos, ins, cut in edits:
        p = pos % (len(data) + 1)
        data[p : p + cut] = ins
    _read_or_refuse(bytes(data))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rel=st.sampled_from(
        [
            "csv/aer_sdi_105030309506W400.csv",
            "witsml/volve_15_9-F-7_trajectory.xml",
            "p717/iogp_p717_example_A.p717",
            "las/kgs_sperry_mwd_survey.las",
            "csv/penobscot_P-129.csv",
        ]
    ),
    pos=st.integers(min_value=0, max_value=60000),
    junk=st.binary(min_size=1, max_size=8),
)
def test_mutated_reference_files_only_survey_file_error(
    reference_data: Path, rel: str, pos: int, junk: bytes
) -> None:
    data = bytearray((reference_data / rel).read_bytes())
    p = pos % len(data)
    data[p : p + len(junk)] = junk
    _read_or_refuse(bytes(data))
