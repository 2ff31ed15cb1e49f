"""``surveylab wells|runs|import|history`` via ``surveylab.cli.main``, acting as SURVEYLAB_TOKEN."""

from __future__ import annotations

from surveylab.cli import main
from surveylab.demo import vendor_csv, well_profile
from tests.cli.conftest import refused as _refused


def test_wells_and_runs_commands(cli):
    code, well, _ = cli("engineer", "wells", "create", "W-1", "--type", "Gas", "--json")
    assert code == 0 and well["well_name"] == "W-1" and well["well_type"] == "Gas"
    code, wells, _ = cli("viewer", "wells", "list", "--json")
    assert [w["well_name"] for w in wells] == ["W-1"]
    code, run, _ = cli(
        "engineer",
        "runs",
        "create",
        "--number",
        "R1",
        "--name",
        "Run one",
        "--type",
        "MWD",
        "--well",
        "W-1",
        "--json",
    )
    assert code == 0 and (run["run_number"], run["well"], run["owner"]) == ("R1", "W-1", "engineer")
    cli("surveyor", "runs", "create", "--number", "R2", "--name", "Run two", "--json")
    code, all_runs, _ = cli("viewer", "runs", "list", "--json")
    assert [r["run_number"] for r in all_runs] == ["R1", "R2"]
    code, mine, _ = cli("surveyor", "runs", "list", "--mine", "--json")
    assert [r["run_number"] for r in mine] == ["R2"]
    code, shown, _ = cli("viewer", "runs", "show", "R1", "--json")
    assert shown["id"] == run["id"] and shown["run_type"] == "MWD"
    code, by_id, _ = cli("viewer", "runs", "show", run["id"], "--json")
    assert by_id["run_number"] == "R1"
    code, text, _ = cli("viewer", "runs", "list")
    assert code == 0 and "Run one" in text and "Run two" in text
    # refusals: permission, unknown run, not authenticated
    _refused(cli("surveyor", "runs", "delete", "R1", "--json"), "permission denied", "R1")
    _refused(cli("viewer", "runs", "create", "--number", "R3", "--name", "x"), "permission denied")
    _refused(cli("viewer", "wells", "create", "W-2"), "permission denied")
    _refused(cli("viewer", "runs", "show", "R9"), "unknown run 'R9'")
    _refused(cli(None, "runs", "list"), "not authenticated")
    _refused(cli("engineer", "runs", "create", "--number", "R1", "--name", "dup"), "is taken")
    code, gone, _ = cli("engineer", "runs", "delete", "R1", "--json")
    assert code == 0 and gone == {"deleted": "R1"}
    _refused(cli("viewer", "runs", "show", "R1"), "unknown run 'R1'")


def test_import_and_history_commands(cli, tmp_path):
    cli("engineer", "runs", "create", "--number", "R1", "--name", "one", "--json")
    first = tmp_path / "first.csv"
    first.write_bytes(vendor_csv(well_profile("J"), well="W", run="R1", tool="MWD"))
    second = tmp_path / "second.csv"
    st = well_profile("J")
    st.loc[3, "inc"] = 200.0  # refused by the calculation gate
    second.write_bytes(vendor_csv(st, well="W", run="R1", tool="MWD"))
    third = tmp_path / "third.csv"
    third.write_bytes(vendor_csv(well_profile("S"), well="W", run="R1", tool="MWD"))

    code, res, _ = cli("engineer", "import", str(first), "--run", "R1", "--json")
    assert code == 0 and res["revision"] == 1 and not res["duplicate"]
    assert res["run"] == "R1" and res["file_name"] == "first.csv" and "findings" in res
    code, text, _ = cli("engineer", "import", str(first), "--run", "R1")
    assert code == 0 and "already imported as revision 1" in text
    _refused(cli("engineer", "import", str(second), "--run", "R1"), "second.csv", "inclination")
    code, res, _ = cli("engineer", "import", str(third), "--run", "R1", "--json")
    assert res["revision"] == 2
    code, hist, _ = cli("viewer", "history", "R1", "--json")
    assert [(h["revision"], h["file_name"]) for h in hist] == [(1, "first.csv"), (2, "third.csv")]
    code, text, _ = cli("viewer", "history", "R1")
    assert code == 0 and "third.csv" in text
    # refusals: permission, unknown run, unreadable file, missing file, not authenticated
    _refused(cli("viewer", "import", str(third), "--run", "R1"), "permission denied")
    _refused(cli("engineer", "import", str(first), "--run", "nope"), "unknown run 'nope'")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02garbage" * 10)
    _refused(cli("engineer", "import", str(junk), "--run", "R1"), "junk.bin")
    _refused(cli("engineer", "import", str(tmp_path / "missing.csv"), "--run", "R1"), "missing.csv")
    _refused(cli(None, "history", "R1"), "not authenticated")
    _refused(cli("viewer", "history", "nope"), "unknown run 'nope'")
    code, hist, _ = cli("viewer", "history", "R1", "--json")
    assert len(hist) == 2  # none of the refusals added a revision


def test_import_several_files_makes_one_revision_each_in_order(cli, tmp_path):
    """`surveylab import F1 F2 --run R`: each file a revision, in the order given; a refused
    file stops the batch with one error line and leaves the earlier ones stored."""
    cli("engineer", "runs", "create", "--number", "MULTI", "--name", "Multi", "--json")
    paths = []
    for i, kind in enumerate(("J", "S", "horizontal")):
        p = tmp_path / f"multi{i}.csv"
        p.write_bytes(vendor_csv(well_profile(kind), well="W", run="MULTI", tool="MWD"))
        paths.append(str(p))
    code, out, _ = cli("engineer", "import", *paths[:2], "--run", "MULTI", "--json")
    assert code == 0
    assert [d["file"] for d in out] == ["multi0.csv", "multi1.csv"]
    assert [d["revision"] for d in out] == [1, 2]
    bad = tmp_path / "bad.csv"
    st = well_profile("J")
    st.loc[2, "inc"] = 190.0
    bad.write_bytes(vendor_csv(st, well="W", run="MULTI", tool="MWD"))
    _refused(cli("engineer", "import", str(bad), paths[2], "--run", "MULTI"), "bad.csv")
    code, hist, _ = cli("viewer", "history", "MULTI", "--json")
    assert [h["revision"] for h in hist] == [1, 2]


TWO_PROBLEMS = b"MD [m],Inc [deg],Azi [deg]\n0,0,0\n100,1O.5,5\n200,2,6\n150,2,6\n300,3,7\n"


def test_import_and_inspect_print_every_problem_of_a_refused_file(cli, tmp_path, capsys):
    """A file with an unreadable value (line 3) and an MD going back (line 5): the error line
    names the first and counts the others, then one line per problem; nothing is stored."""
    cli("engineer", "runs", "create", "--number", "TWO", "--name", "Two", "--json")
    bad = tmp_path / "two.csv"
    bad.write_bytes(TWO_PROBLEMS)
    code, _out, err = cli("engineer", "import", str(bad), "--run", "TWO")
    want = [
        "error: two.csv, line 3, field 'inc': cannot read '1O.5' as a number; and 1 more problem",
        "  line 3, field 'inc': cannot read '1O.5' as a number",
        "  line 5, field 'md': MD 150 is less than the previous 200",
    ]
    assert code == 1 and [e for e in err if not e.startswith("warning: ")] == want
    code, hist, _ = cli("viewer", "history", "TWO", "--json")
    assert hist == []
    capsys.readouterr()
    assert main(["inspect", str(bad)]) == 1
    out, err_text = capsys.readouterr()
    assert err_text.strip().splitlines() == want and "Traceback" not in out


def test_a_refusal_with_more_problems_than_listed_says_how_many_more(tmp_path, capsys):
    rows = "".join(f"{10 * i},1O.{i},5\n" for i in range(1, 131))
    bad = tmp_path / "many.csv"
    bad.write_text("MD [m],Inc [deg],Azi [deg]\n0,0,0\n" + rows)
    assert main(["inspect", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].endswith("; and 129 more problems")
    assert len(err) == 1 + 100 + 1 and err[-1] == "  ... and 30 more problems not listed"
    assert err[1] == "  line 3, field 'inc': cannot read '1O.1' as a number"
