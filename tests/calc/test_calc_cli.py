"""``surveylab compute``: the station table, JSON, output files and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from surveylab.cli import main


@pytest.fixture
def survey_csv(tmp_path: Path) -> Path:
    path = tmp_path / "s.csv"
    path.write_text("MD,Inc,Azi\n100,3,45\n200,6,46\n300,9,47\n400,12,48\n")
    return path


def _json(capsys, *argv: str) -> dict:
    assert main(["compute", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_document(survey_csv: Path, capsys) -> None:
    doc = _json(capsys, str(survey_csv), "--depth-unit", "ft", "--vs-azimuth", "45")
    assert doc["depth_unit"] == "ft"
    assert doc["dls_course_length"] == 100.0
    assert doc["method"] == "minimum_curvature"
    st = doc["stations"]
    assert len(st) == 4
    keys = {
        "md",
        "inc",
        "azi",
        "tvd",
        "north",
        "east",
        "dls",
        "build_rate",
        "turn_rate",
        "toolface",
        "vs",
    }
    assert keys <= set(st[0])
    assert st[1]["dls"] == pytest.approx(3.0, rel=2e-3)  # per 100 ft
    assert st[1]["build_rate"] == pytest.approx(3.0)
    assert st[-1]["vs"] > 0


def test_json_without_vs_and_with_tie_on(survey_csv: Path, capsys) -> None:
    doc = _json(capsys, str(survey_csv), "--depth-unit", "m", "--tie-on", "100,3,45,99,1,2")
    assert "vs" not in doc["stations"][0]
    assert doc["assumptions"] == []
    first = doc["stations"][0]
    assert (first["tvd"], first["north"], first["east"]) == (99.0, 1.0, 2.0)
    assert doc["dls_course_length"] == 30.0


def test_at_md_and_step_add_interpolated_stations(survey_csv: Path, capsys) -> None:
    base = _json(capsys, str(survey_csv), "--depth-unit", "m", "--tie-on", "100,3,45,99,1,2")
    doc = _json(
        capsys,
        str(survey_csv),
        "--depth-unit",
        "m",
        "--tie-on",
        "100,3,45,99,1,2",
        "--at-md",
        "150,250",
        "--step",
        "75",
    )
    mds = [s["md"] for s in doc["stations"]]
    assert mds == sorted(mds)
    assert {150.0, 250.0, 175.0, 325.0, 400.0} <= set(mds)
    on_station = {s["md"]: s for s in doc["stations"] if not s["interpolated"]}
    for s in base["stations"]:  # survey stations keep their positions
        assert on_station[s["md"]]["tvd"] == pytest.approx(s["tvd"], abs=1e-9)


def test_methods_and_table_output(survey_csv: Path, capsys) -> None:
    assert main(["compute", str(survey_csv), "--depth-unit", "usft", "--method", "tangential"]) == 0
    out = capsys.readouterr().out
    assert "method tangential" in out and "deg/100 US ft" in out
    assert "md [US ft]" in out


def test_output_files(survey_csv: Path, tmp_path: Path, capsys) -> None:
    out_csv = tmp_path / "o.csv"
    out_json = tmp_path / "o.json"
    assert main(["compute", str(survey_csv), "--depth-unit", "m", "-o", str(out_csv)]) == 0
    frame = pd.read_csv(out_csv)
    assert list(frame.columns[:6]) == ["md", "inc", "azi", "tvd", "north", "east"]
    assert len(frame) == 4
    assert main(["compute", str(survey_csv), "--depth-unit", "m", "-o", str(out_json)]) == 0
    assert json.loads(out_json.read_text())["depth_unit"] == "m"
    assert (
        main(["compute", str(survey_csv), "--depth-unit", "m", "-o", str(tmp_path / "o.txt")]) == 1
    )
    assert "must end in .csv or .json" in capsys.readouterr().err


def _error(capsys, *argv: str) -> str:
    code = main(["compute", *argv])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    return err


def test_bad_station_names_the_station(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("md,inc,azi\n100,3,45\n200,190,46\n")
    err = _error(capsys, str(path), "--depth-unit", "m")
    assert "station 2" in err and "190" in err


def test_u_turn_is_an_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "u.csv"
    path.write_text("md,inc,azi\n100,90,0\n130,90,180\n")
    err = _error(capsys, str(path), "--depth-unit", "m", "--tie-on", "100,90,0,50,0,0")
    assert "U-turn" in err


@pytest.mark.parametrize(
    ("extra", "text"),
    [
        ([], "depth unit"),
        (["--depth-unit", "m", "--tie-on", "1,2,3"], "--tie-on"),
        (["--depth-unit", "m", "--vs-azimuth", "10", "--vs-origin", "a,b"], "--vs-origin"),
        (["--depth-unit", "m", "--at-md", "5000"], "outside the surveyed range"),
        (["--depth-unit", "m", "--step", "-1"], "positive"),
    ],
)
def test_option_errors(survey_csv: Path, capsys, extra, text) -> None:
    assert text in _error(capsys, str(survey_csv), *extra)


def test_missing_file(tmp_path: Path, capsys) -> None:
    assert "no such file" in _error(capsys, str(tmp_path / "nope.csv"), "--depth-unit", "m")
