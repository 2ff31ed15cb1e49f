"""``surveylab qc|approve|status|compare-runs|wellbores|definitive`` and ``runs show`` status:
the JSON shapes the issue specifies, and refusals as one ``error:`` line naming the run."""

from __future__ import annotations

import numpy as np

from surveylab.demo import vendor_csv, well_profile
from tests.cli.conftest import refused
from tests.sensor_frames import survey_with_raw_readings

REF = {"Reference Btotal": "50000 nT", "Reference Dip": "60 deg", "Reference Gtotal": "1 g"}
STATION_KEYS = {
    "md",
    "gtotal_g",
    "btotal_nt",
    "dip_deg",
    "d_gtotal_g",
    "d_btotal_nt",
    "d_dip_deg",
    "pass",
}


def _raw_file(tmp_path, name: str, *, bad_station: int | None = None) -> str:
    md = 100.0 + 30.0 * np.arange(12)
    b = np.full(12, 50_000.0)
    if bad_station is not None:
        b[bad_station] += 1000.0
    data = survey_with_raw_readings(
        md, np.linspace(2, 30, 12), np.linspace(40, 50, 12), np.linspace(0, 330, 12),
        btotal=b, header=REF,
    )  # fmt: skip
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _setup(cli, tmp_path):
    assert cli("surveyor", "wells", "create", "W-Q")[0] == 0
    for number, kind in (("Q1", "MWD"), ("Q2", "MWD"), ("G1", "Gyro")):
        code, _, err = cli("surveyor", "runs", "create", "--number", number, "--name", number,
                           "--type", kind, "--well", "W-Q")  # fmt: skip
        assert code == 0, err
    assert cli("surveyor", "import", _raw_file(tmp_path, "q1.csv"), "--run", "Q1")[0] == 0
    bad = _raw_file(tmp_path, "q2.csv", bad_station=4)
    assert cli("surveyor", "import", bad, "--run", "Q2")[0] == 0
    gyro = tmp_path / "g1.csv"
    gyro.write_bytes(vendor_csv(well_profile("J"), well="W-Q", run="G1", tool="Gyro"))
    assert cli("surveyor", "import", str(gyro), "--run", "G1")[0] == 0


def test_qc_json_shape(cli, tmp_path):
    _setup(cli, tmp_path)
    code, doc, _ = cli("viewer", "qc", "Q1", "--json")
    assert code == 0
    assert {"run", "revision", "status", "reference", "stations", "pass"} <= set(doc)
    assert (doc["run"], doc["revision"], doc["status"], doc["pass"]) == ("Q1", 1, "qc_passed", True)
    assert {"btotal_nt", "dip_deg", "gtotal_g", "source"} <= set(doc["reference"])
    assert doc["reference"]["source"] == "file" and doc["reference"]["btotal_nt"] == 50000.0
    assert len(doc["stations"]) == 12 and all(set(s) >= STATION_KEYS for s in doc["stations"])
    code, bad, _ = cli("viewer", "qc", "Q2", "--revision", "1", "--json")
    assert bad["status"] == "qc_failed" and bad["pass"] is False
    assert [s["md"] for s in bad["stations"] if s["pass"] is False] == [220.0]
    code, none, _ = cli("viewer", "qc", "G1", "--json")
    assert none["stations"] == [] and none["pass"] is None
    assert "no raw sensor readings" in none["reason"]
    code, text, _ = cli("viewer", "qc", "Q2")
    assert code == 0 and "qc_failed" in text and "NO" in text and "Btotal [nT]" in text
    # the user's reference: QC again (survey work), the source says so
    code, user, _ = cli("surveyor", "qc", "Q1", "--btotal-nt", "50000", "--json")
    assert code == 0 and user["reference"]["source"] == "user+file"
    refused(cli("viewer", "qc", "Q1", "--rerun"), "Viewer may not run survey QC on run Q1")
    refused(cli("viewer", "qc", "NOPE"), "unknown run 'NOPE'")
    refused(cli("viewer", "qc", "Q1", "--revision", "9"), "run Q1 has no revision 9")


def test_approve_and_runs_show_status(cli, tmp_path):
    _setup(cli, tmp_path)
    refused(cli("surveyor", "approve", "Q1", "--note", "ok"), "Surveyor may not approve", "Q1")
    refused(
        cli("engineer", "approve", "Q2", "--note", "ok"),
        "run Q2 revision 1 failed QC",
        "--override-qc",
    )
    code, ok, _ = cli("engineer", "approve", "Q1", "--note", "fine", "--json")
    assert code == 0 and (ok["run"], ok["revision"], ok["status"]) == ("Q1", 1, "approved")
    assert ok["changed_by"] == "engineer" and ok["note"] == "fine" and ok["qc"] == "pass"
    refused(cli("admin", "approve", "Q1", "--note", "again"), "already approved (by engineer")
    code, over, _ = cli("admin", "approve", "Q2", "--note", "known", "--override-qc", "--json")
    assert code == 0 and over["status"] == "approved" and over["note"].startswith("QC override")
    code, shown, _ = cli("viewer", "runs", "show", "Q1", "--json")
    assert shown["status"] == "approved" and shown["wellbore"] == "main"
    code, history, _ = cli("viewer", "status", "Q1", "--json")
    assert [(h["from"], h["to"], h["by"]) for h in history] == [
        (None, "draft", "surveyor"),
        ("draft", "qc_passed", "surveyor"),
        ("qc_passed", "approved", "engineer"),
    ]
    code, listed, _ = cli("viewer", "runs", "list", "--json")
    assert {r["run_number"]: r["status"] for r in listed} == {
        "G1": "draft",
        "Q1": "approved",
        "Q2": "approved",
    }
    # the importer may not approve, even as an Engineer
    code, _, _ = cli("engineer", "runs", "create", "--number", "Q3", "--name", "Q3", "--well",
                     "W-Q")  # fmt: skip
    cli("engineer", "import", _raw_file(tmp_path, "q3.csv"), "--run", "Q3")
    refused(cli("engineer", "approve", "Q3", "--note", "mine"), "four eyes", "run Q3")


def test_wellbores_and_definitive_json_shapes(cli, tmp_path):
    _setup(cli, tmp_path)
    cli("engineer", "approve", "Q1", "--note", "ok")
    refused(
        cli("engineer", "definitive", "compose", "W-Q", "--interval", "G1:0:TD", "--note", "x"),
        "run G1 revision 1 is draft, not approved",
    )
    code, d, err = cli("engineer", "definitive", "compose", "W-Q", "--interval", "Q1:100:430",
                       "--note", "first", "--json")  # fmt: skip
    assert code == 0, err
    assert {"well", "wellbore", "version", "intervals", "stations"} <= set(d)
    assert (d["well"], d["wellbore"], d["version"]) == ("W-Q", "main", 1)
    assert d["intervals"] == [
        {"run": "Q1", "revision": 1, "md_from": 100.0, "md_to": 430.0, "tool": "MWD",
         "status": "definitive"},
    ]  # fmt: skip
    keys = {"md", "inc", "azi", "tvd", "north", "east", "run"}
    assert all(set(s) == keys for s in d["stations"]) and d["stations"][-1]["md"] == 430.0
    code, shown, _ = cli("viewer", "definitive", "show", "W-Q/main", "--json")
    assert shown["stations"] == d["stations"] and shown["intervals"] == d["intervals"]
    code, text, _ = cli("viewer", "definitive", "show", "W-Q")
    assert "tool program" in text and "Q1" in text
    code, made, _ = cli("surveyor", "wellbores", "create", "W-Q", "ST1", "--parent", "main",
                        "--kickoff-md", "250", "--json")  # fmt: skip
    assert code == 0 and (made["name"], made["parent"], made["kickoff_md"]) == (
        "ST1",
        "main",
        250.0,
    )
    assert made["depth_unit"] == "m"  # from the parent's definitive survey
    code, bores, _ = cli("viewer", "wellbores", "list", "W-Q", "--json")
    assert [(b["name"], b["parent"], b["definitive"]) for b in bores] == [
        ("main", None, True),
        ("ST1", "main", False),
    ]
    refused(cli("surveyor", "wellbores", "create", "W-Q", "ST2", "--parent", "main"),
            "needs both its parent")  # fmt: skip
    refused(cli("viewer", "definitive", "show", "W-Q/ST1"), "W-Q/ST1 has no definitive survey")
    out = tmp_path / "def.csv"
    code, exported, _ = cli("viewer", "definitive", "export", "W-Q", "--to", "csv", "-o",
                            str(out), "--json")  # fmt: skip
    assert code == 0 and exported["file"] == str(out)
    assert "# Survey status: DEFINITIVE survey of wellbore W-Q/main version 1" in out.read_text()
    code, versions, _ = cli("viewer", "definitive", "versions", "W-Q", "--json")
    assert [(v["version"], v["current"]) for v in versions] == [(1, True)]
    code, cmp, _ = cli("viewer", "compare-runs", "Q1", "Q2", "--json")
    assert (
        code == 0
        and cmp["run"] == "Q1"
        and cmp["other"] == "Q2"
        and cmp["status"]
        in (
            "pass",
            "too few stations",
        )
    )
    assert {"md", "d_inc", "d_azi", "distance", "distance_tolerance", "within"} == set(
        cmp["rows"][0]
    )
