"""``surveylab uncertainty RUN`` and ``surveylab clearance RUN``: stored runs through the CLI
(JSON shapes, the tool code set from the CLI, refusals as one ``error:`` line)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.cli.conftest import refused

HEADER = (
    "Survey Date: 2021-05-03\nAzimuth Reference: True North\nDeclination: -1.5 deg\n"
    "Reference Btotal: 50210 nT\nReference Dip: 72.1 deg\nLatitude: 58.44\nLongitude: 1.95\n"
    "Depth Units: ft\n"
)
STATION_KEYS = {"md", "nn", "ee", "vv", "ne", "nv", "ev", "semi_major", "semi_minor", "azimuth",
                "vertical"}  # fmt: skip


def _file(tmp_path, name: str, turn: float) -> str:
    md = 100.0 * np.arange(31)
    inc = np.clip((md - 500.0) / 50.0, 0.0, 40.0)
    azi = (30.0 + turn) % 360.0
    rows = "\n".join(f"{m},{i},{azi}" for m, i in zip(md, inc, strict=True))
    path = tmp_path / name
    path.write_text(HEADER + "MD,Inc,Azi\n" + rows + "\n")
    return str(path)


@pytest.fixture
def stored(cli, tmp_path):
    """Well W-U with runs U-1 (MWD), U-2 (Gyro) and U-3 (Unknown), each with a survey."""
    assert cli("surveyor", "wells", "create", "W-U")[0] == 0
    for number, kind, turn in (
        ("U-1", "MWD", 0.0),
        ("U-2", "Gyro", 180.0),
        ("U-3", "Unknown", 90.0),
    ):
        assert cli("surveyor", "runs", "create", "--number", number, "--name", number,
                   "--type", kind, "--well", "W-U")[0] == 0  # fmt: skip
        path = _file(tmp_path, f"{number}.csv", turn)
        assert cli("surveyor", "import", path, "--run", number)[0] == 0
    return tmp_path


def test_uncertainty_of_a_stored_run(cli, stored):
    code, doc, _ = cli("viewer", "uncertainty", "U-1", "--sigma", "3", "--json")
    assert code == 0
    assert doc["run"] == "U-1" and doc["survey_revision"] == 1
    assert "MWD+SRGM" in doc["model"] and doc["revision"] == "ISCWSA Rev5.11"
    assert doc["sigma"] == 3.0 and doc["covariance_sigma"] == 1.0 and doc["depth_unit"] == "ft"
    assert "3-sigma" in doc["plane"]
    assert len(doc["stations"]) == 31 and set(doc["stations"][-1]) == STATION_KEYS
    last = doc["stations"][-1]
    assert last["vertical"] == pytest.approx(3.0 * np.sqrt(last["vv"]))
    # covariances in the survey's unit squared: the same run in metres is 0.3048^2 of it
    code, gyro, _ = cli("viewer", "uncertainty", "U-2", "--revision", "1", "--json")
    assert code == 0 and "GYRO-NS" in gyro["model"]
    code, text, _ = cli("viewer", "uncertainty", "U-1")
    assert code == 0 and "MWD+SRGM" in text and "2-sigma ellipses" in text and "[ft^2]" in text


def test_the_tool_code_of_an_unknown_run_comes_from_the_cli(cli, stored, tmp_path):
    refused(cli("viewer", "uncertainty", "U-3", "--json"), "type Unknown", "--model", "set-tool")
    code, doc, _ = cli("viewer", "uncertainty", "U-3", "--model", "MWD+IFR1", "--json")
    assert code == 0 and "MWD+IFR1" in doc["model"] and doc["tools"][0]["source"] == "given"
    refused(cli("viewer", "runs", "set-tool", "U-3", "MWD+IFR1"), "permission denied")
    refused(cli("surveyor2", "runs", "set-tool", "U-3", "MWD+IFR1"), "permission denied")
    refused(cli("surveyor", "runs", "set-tool", "U-3", "XYZ"), "unknown tool code 'XYZ'")
    code, run, _ = cli("surveyor", "runs", "set-tool", "U-3", "mwd+ifr1", "--json")
    assert code == 0 and run["tool_code"] == "MWD+IFR1"
    code, doc, _ = cli("viewer", "uncertainty", "U-3", "--json")
    assert code == 0 and doc["tools"][0]["source"] == "set on the run"
    assert cli("admin", "runs", "set-tool", "U-3", "none", "--json")[1]["tool_code"] is None
    # runs create --tool-code; a bad code leaves no run behind
    refused(cli("surveyor", "runs", "create", "--number", "U-9", "--name", "U-9",
                "--tool-code", "XYZ"), "--tool-code", "unknown tool code")  # fmt: skip
    refused(cli("viewer", "runs", "show", "U-9"), "unknown run")
    code, made, _ = cli("surveyor", "runs", "create", "--number", "U-8", "--name", "U-8",
                        "--tool-code", "GYRO-MWD", "--json")  # fmt: skip
    assert code == 0 and made["tool_code"] == "GYRO-MWD"


def test_clearance_of_a_stored_run(cli, stored, tmp_path):
    code, doc, _ = cli("viewer", "clearance", "U-1", "--all-in-well", "--model", "MWD",
                       "--json")  # fmt: skip
    assert code == 0
    assert doc["reference"] == "U-1" and "MWD+SRGM" in doc["model"]
    assert doc["revision"] == "ISCWSA Rev5.11" and "k = 3.5" in doc["rule"]
    assert [o["offset"] for o in doc["offsets"]] == ["U-2"]  # U-3 has no tool code
    assert doc["skipped"][0]["offset"] == "U-3" and "type Unknown" in doc["skipped"][0]["reason"]
    off = doc["offsets"][0]
    assert set(off) == {"offset", "model", "min_sf", "md_at_min", "ctc_at_min"}
    assert off["min_sf"] < 1.0 and off["md_at_min"] <= 600.0  # one slot: they share the top hole
    code, named, _ = cli("viewer", "clearance", "U-1", "--offsets", "U-2", "--json")
    assert code == 0 and named["offsets"] == doc["offsets"]
    code, every, _ = cli("viewer", "clearance", "U-1", "--all", "--json")
    assert code == 0 and [o["offset"] for o in every["offsets"]] == ["U-2"]
    refused(cli("viewer", "clearance", "U-1", "--offsets", "U-3"), "offset run U-3", "Unknown")
    refused(cli("viewer", "clearance", "U-1", "--offsets", "NOPE"), "unknown run 'NOPE'")
    refused(cli("viewer", "clearance", "NOPE", "--all"), "NOPE: no such file, and no stored run")
    refused(cli(None, "uncertainty", "U-1"), "U-1: no such file", "SURVEYLAB_TOKEN")
    refused(cli("viewer", "uncertainty", "U-1", "--depth-unit", "m"), "--depth-unit",
            "survey files only")  # fmt: skip
    path = _file(tmp_path, "f.csv", 0.0)
    refused(cli("viewer", "clearance", path, "--all"), "--offsets")
    refused(cli("viewer", "uncertainty", path, "--revision", "2"), "is a file")


def test_compare_runs_against_their_combined_uncertainty(cli, stored):
    """``compare-runs --uncertainty``: the position tolerance at each compared MD is sigma
    times the largest semi-axis of both runs' combined covariance; it grows along MD and
    scales with sigma; a run without a tool code is refused naming it."""
    code, fixed, _ = cli("viewer", "compare-runs", "U-1", "U-2", "--json")
    assert code == 0 and fixed["position_tolerance"].endswith("(fixed)")
    code, doc, _ = cli("viewer", "compare-runs", "U-1", "U-2", "--uncertainty", "--json")
    assert code == 0 and doc["position_tolerance"].startswith("2-sigma")
    rows = doc["rows"]
    assert len(rows) == 31  # every station of the reference is compared
    tol = np.array([r["distance_tolerance"] for r in rows], dtype=float)
    md = np.array([r["md"] for r in rows], dtype=float)
    a = cli("viewer", "uncertainty", "U-1", "--json")[1]["stations"]
    b = cli("viewer", "uncertainty", "U-2", "--json")[1]["stations"]

    def cov(s):
        return np.array([[s["nn"], s["ne"], s["nv"]], [s["ne"], s["ee"], s["ev"]],
                         [s["nv"], s["ev"], s["vv"]]])  # fmt: skip

    by_md = {s["md"]: cov(s) for s in a}
    other_by_md = {s["md"]: cov(s) for s in b}
    assert set(md) <= set(by_md) and set(md) <= set(other_by_md)  # the same stations here
    for m, t in zip(md, tol, strict=True):
        want = 2.0 * np.sqrt(np.linalg.eigvalsh(by_md[m] + other_by_md[m])[-1])
        assert t == pytest.approx(want, rel=1e-6, abs=1e-12)
    assert tol[-1] > tol[0]
    assert np.all(np.diff(tol) >= -1e-9)  # uncertainty only grows along MD
    code, wide, _ = cli("viewer", "compare-runs", "U-1", "U-2", "--uncertainty", "--sigma", "4",
                        "--json")  # fmt: skip
    rows4 = wide["rows"]
    np.testing.assert_allclose([r["distance_tolerance"] for r in rows4], 2.0 * tol, rtol=1e-9)
    refused(cli("viewer", "compare-runs", "U-1", "U-3", "--uncertainty"), "run U-3", "--model")
    refused(
        cli("viewer", "compare-runs", "U-1", "U-2", "--uncertainty", "--sigma", "0"),
        "sigma must be a positive number",
    )
