"""``surveylab uncertainty FILE`` and ``surveylab clearance FILE --offsets ...`` (no database)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from surveylab.calc import minimum_curvature
from surveylab.calc.north import magnetic_field
from surveylab.calc.uncertainty import (
    ReferenceField,
    SeparationRule,
    WellPath,
    clearance,
    position_uncertainty,
)
from surveylab.cli import main
from surveylab.models import TieOn

HEADER = """Survey Date: 2021-05-03
Azimuth Reference: True North
Declination: -1.5 deg
Dip: 72.1
Total Field: 50210 nT
Latitude: 58.44
Longitude: 1.95
Depth Unit: {unit}
"""
ROWS = "MD,Inc,Azi\n0,0,0\n100,2,40\n200,5,42\n300,9,44\n400,14,45\n"
FIELD = ReferenceField(total_field=50210.0, dip=72.1, declination=-1.5, latitude=58.44)


def _file(tmp_path: Path, name: str, header: str, rows: str = ROWS) -> Path:
    path = tmp_path / name
    path.write_text(header + rows)
    return path


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    return _file(tmp_path, "s.csv", HEADER.format(unit="m"))


def _json(capsys, *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _error(capsys, *argv: str) -> str:
    assert main(list(argv)) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "Traceback" not in err[0]
    return err[0]


def test_help_lists_both_commands(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "uncertainty" in out and "clearance" in out


def test_json_document_is_the_library_result(survey: Path, capsys) -> None:
    doc = _json(capsys, "uncertainty", str(survey), "--model", "MWD+IFR1", "--sigma", "3")
    assert doc["model"] == "ISCWSA MWD Rev5.11, OWSG MWD+IFR1 (A005Mc, set A Rev 5.1)"
    assert doc["revision"] == "ISCWSA Rev5.11"
    assert doc["sigma"] == 3.0 and doc["covariance_sigma"] == 1.0
    assert doc["depth_unit"] == "m" and doc["north_reference"] == "true"
    assert doc["plane"] == "3-sigma ellipses, horizontal plane (true north)"
    ref = doc["reference"]
    assert ref["declination_deg"] == -1.5 and ref["btotal_nt"] == 50210.0
    assert ref["sources"]["dip"] == "file header 'Dip'"
    assert "declination" in ref["source"]
    rows = doc["stations"]
    keys = {"md", "nn", "ee", "vv", "ne", "nv", "ev", "semi_major", "semi_minor", "azimuth"}
    assert keys | {"vertical"} == set(rows[0])
    md = np.array([0, 100, 200, 300, 400.0])
    want = position_uncertainty(
        md,
        [0, 2, 5, 9, 14],
        [0, 40, 42, 44, 45],
        depth_unit="m",
        north_reference="true",
        field=FIELD,
        tool="MWD+IFR1",
    )
    assert [r["md"] for r in rows] == list(md)
    for r, c in zip(rows, want.covariance, strict=True):
        got = [r["nn"], r["ee"], r["vv"], r["ne"], r["nv"], r["ev"]]
        assert np.allclose(got, [c[0, 0], c[1, 1], c[2, 2], c[0, 1], c[0, 2], c[1, 2]])
    ell = want.ellipses(3.0)
    assert np.allclose([r["semi_major"] for r in rows], ell.semi_major)
    assert np.allclose([r["vertical"] for r in rows], 3.0 * np.sqrt(want.covariance[:, 2, 2]))


def test_text_table(survey: Path, capsys) -> None:
    assert main(["uncertainty", str(survey)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("model ISCWSA MWD Rev5.11, OWSG MWD+SRGM")
    assert "2-sigma ellipses, horizontal plane (true north) [m]" in out
    assert len(out.strip().splitlines()) == 4 + 5


def test_options_override_the_header_and_igrf_fills_the_rest(tmp_path: Path, capsys) -> None:
    header = "Survey Date: 2021-05-03\nAzimuth Reference: True\nLatitude: 58.44\nLongitude: 1.95\n"
    path = _file(tmp_path, "igrf.csv", header + "Depth Unit: m\n")
    doc = _json(capsys, "uncertainty", str(path), "--dip-deg", "71.5")
    ref = doc["reference"]
    mf = magnetic_field(58.44, 1.95, "2021-05-03")
    assert ref["dip_deg"] == 71.5 and ref["sources"]["dip"] == "option"
    assert ref["declination_deg"] == pytest.approx(mf.declination)
    assert ref["btotal_nt"] == pytest.approx(mf.total_field)
    assert ref["sources"]["declination"].startswith("IGRF-14 at 58.4400 N, 1.9500 E on 2021-05")


def test_feet_give_feet_squared(tmp_path: Path, capsys) -> None:
    md_m = np.array([0.0, 100.0, 200.0])
    rows = "MD,Inc,Azi\n" + "".join(
        f"{float(m) / 0.3048!r},{i},{a}\n"
        for m, i, a in zip(md_m, (0, 2, 5), (0, 40, 42), strict=True)
    )
    feet_file = _file(tmp_path, "f.csv", HEADER.format(unit="ft"), rows)
    metres_file = _file(
        tmp_path, "m.csv", HEADER.format(unit="m"), "MD,Inc,Azi\n0,0,0\n100,2,40\n200,5,42\n"
    )
    feet = _json(capsys, "uncertainty", str(feet_file))
    metres = _json(capsys, "uncertainty", str(metres_file))
    assert feet["depth_unit"] == "ft"
    for f, m in zip(feet["stations"], metres["stations"], strict=True):
        assert f["nn"] * 0.3048**2 == pytest.approx(m["nn"], rel=1e-9)
        assert f["semi_major"] * 0.3048 == pytest.approx(m["semi_major"], rel=1e-9)


def test_a_gyro_reads_the_latitude(survey: Path, capsys) -> None:
    doc = _json(capsys, "uncertainty", str(survey), "--model", "GYRO-NS")
    assert doc["model"].startswith("ISCWSA gyro Rev5.11, OWSG GYRO-NS (A020Gb")
    assert doc["reference"]["latitude_deg"] == 58.44


@pytest.mark.parametrize(
    ("header", "extra", "text"),
    [
        (HEADER.format(unit="m"), ["--model", "MWD+X"], "--model: unknown tool code 'MWD+X'"),
        (HEADER.format(unit="m"), ["--sigma", "0"], "--sigma 0.0: must be a positive number"),
        (HEADER.replace("Depth Unit: {unit}\n", ""), [], "does not state its depth unit"),
        ("Depth Unit: m\n", [], "does not say which north its azimuths are from"),
        ("Depth Unit: m\nAzimuth Reference: True\n", [], "no location for the geomagnetic"),
        (
            "Depth Unit: m\nAzimuth Reference: True\nLatitude: 58\nLongitude: 2\n",
            [],
            "the geomagnetic model needs the survey date",
        ),
        (
            "Depth Unit: m\nAzimuth Reference: True\nTotal Field: 0.5\n",
            ["--dip-deg", "70", "--declination-deg", "1"],
            "header field 'Total Field': total field 0.5 has no unit and is not in nT",
        ),
        ("Depth Unit: m\nAzimuth Reference: True\n", ["--model", "GYRO-NS"], "needs the latitude"),
        (
            "Depth Unit: m\nAzimuth Reference: Grid\n",
            ["--btotal-nt", "5e4", "--dip-deg", "70", "--declination-deg", "0"],
            "grid azimuths need the grid convergence",
        ),
    ],
)
def test_refusals_name_the_file_or_option(tmp_path: Path, capsys, header, extra, text) -> None:
    path = _file(tmp_path, "bad.csv", header.format(unit="m"))
    err = _error(capsys, "uncertainty", str(path), *extra)
    assert text in err


def test_a_gyro_past_its_range_names_the_station(tmp_path: Path, capsys) -> None:
    rows = "MD,Inc,Azi\n0,0,0\n500,60,40\n1000,89.5,42\n"
    path = _file(tmp_path, "h.csv", HEADER.format(unit="m"), rows)
    err = _error(capsys, "uncertainty", str(path), "--model", "GYRO-NS")
    assert "h.csv" in err and "station 3 (MD 1000)" in err and "GYRO-NS" in err


def test_missing_file(tmp_path: Path, capsys) -> None:
    err = _error(capsys, "uncertainty", str(tmp_path / "none.csv"))
    assert "none.csv: no such file" in err


# ----------------------------------------------------------------------------- clearance

PAD = """Survey Date: 2021-05-03
Azimuth Reference: Grid North
Grid Convergence: 0.8
CRS: EPSG:23031
Easting: {x}
Northing: 6478000.0
Depth Unit: m
"""


def _pad_file(tmp_path: Path, name: str, x: float, azi: float) -> Path:
    rows = "MD,Inc,Azi\n0,0,0\n300,0,0\n" + "".join(
        f"{600 + 300 * k},{10 * (k + 1)},{azi}\n" for k in range(4)
    )
    return _file(tmp_path, name, PAD.format(x=x), rows)


def test_clearance_json_is_the_library_result(tmp_path: Path, capsys) -> None:
    """Two wells from slots 5 m apart (ED50 / UTM 31N), one east, one west: the closest
    approach is at the kick-off, 5 m apart; the numbers are those of calc.uncertainty."""
    a = _pad_file(tmp_path, "a.csv", 435000.0, 90.0)
    b = _pad_file(tmp_path, "b.csv", 435005.0, 270.0)
    c = _pad_file(tmp_path, "c.csv", 435040.0, 0.0)
    argv = ["clearance", str(a), "--offsets", f"{b},{c}", "--reference-radius-m", "0.2"]
    doc = _json(capsys, *argv)
    assert doc["reference"] == str(a) and doc["depth_unit"] == "m"
    assert doc["rule"].startswith("ISCWSA separation rule") and "k = 3.5" in doc["rule"]
    assert [o["offset"] for o in doc["offsets"]] == [str(b), str(c)]
    first = doc["offsets"][0]
    assert first["md_at_min"] == 300.0 and first["ctc_at_min"] == pytest.approx(5.0)
    # the same with the library (the field the uncertainty command reports for the pad)
    ref = _json(capsys, "uncertainty", str(a))["reference"]
    assert ref["sources"]["declination"].startswith("IGRF-14")
    field = ReferenceField(
        total_field=ref["btotal_nt"], dip=ref["dip_deg"], declination=ref["declination_deg"]
    )
    md = np.array([0, 300, 600, 900, 1200, 1500.0])
    inc = np.array([0, 0, 10, 20, 30, 40.0])
    paths = []
    for name, east0, azi, radius in (("a", 0.0, 90.0, 0.2), ("b", 5.0, 270.0, 0.0)):
        az = np.where(inc > 0, azi, 0.0)
        u = position_uncertainty(
            md, inc, az, depth_unit="m", north_reference="grid", grid_convergence=0.8,
            field=field,
        )  # fmt: skip
        p = minimum_curvature(md, inc, az, tie_on=TieOn(0.0, 0.0, 0.0, 0.0, 0.0, east0))
        paths.append(WellPath(name, md, inc, az, p.tvd, p.north, p.east, u.covariance, radius))
    res = clearance(paths[0], paths[1:], depth_unit="m", rule=SeparationRule()).offsets[0]
    assert first["min_sf"] == pytest.approx(res.min_sf, rel=1e-9)
    assert first["md_at_min"] == res.md_at_min


def test_clearance_without_surface_locations_says_what_it_assumed(survey, tmp_path, capsys):
    other = _file(tmp_path, "o.csv", HEADER.format(unit="m"), ROWS.replace(",40\n", ",220\n"))
    assert main(["clearance", str(survey), "--offsets", str(other)]) == 0
    out = capsys.readouterr().out
    assert "assumed: the files do not all state a surface location in one CRS" in out
    assert "min SF" in out and "o.csv" in out


@pytest.mark.parametrize(
    ("extra", "text"),
    [
        (["--offsets", ","], "--offsets: give one or more survey files"),
        (["--offsets", "{tmp}/none.csv"], "none.csv: no such file"),
        (["--offsets", "{survey}", "--k", "0"], "--k 0.0: must be a non-negative number"),
        (["--offsets", "{survey}", "--sigma-pa-m", "-1"], "--sigma-pa-m -1.0"),
    ],
)
def test_clearance_refusals(survey, tmp_path, capsys, extra, text) -> None:
    argv = [x.format(tmp=tmp_path, survey=survey) for x in extra]
    err = _error(capsys, "clearance", str(survey), *argv)
    assert text in err


def test_clearance_grid_slots_with_true_azimuths_need_the_convergence(tmp_path, capsys) -> None:
    header = PAD.replace("Grid North", "True North").replace("Grid Convergence: 0.8\n", "")
    vertical = "MD,Inc,Azi\n0,0,0\n500,0,0\n1000,0,0\n"
    a = _file(tmp_path, "a.csv", header.format(x=435000.0), vertical)
    b = _file(tmp_path, "b.csv", header.format(x=435010.0), vertical)
    err = _error(capsys, "clearance", str(a), "--offsets", str(b))
    assert "give --convergence-deg" in err
    doc = _json(capsys, "clearance", str(a), "--offsets", str(b), "--convergence-deg", "0.8")
    assert doc["offsets"][0]["ctc_at_min"] == pytest.approx(10.0, rel=1e-9)
    assert math.isfinite(doc["offsets"][0]["min_sf"])
