"""Bulk import of a field (services.field): generated fields on both backends, what the
manifest says against what is stored, resuming without parsing again, refusals, permissions."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from surveylab.auth import PermissionDenied
from surveylab.repositories import UnitOfWork
from surveylab.services import field as field_service
from surveylab.services.field import ManifestError, import_field
from tests.field_data import Field, survey_bytes, write_field


def _stored(settings) -> dict[tuple[str, int], int]:
    """(run number, revision) -> station count of every revision in the database."""
    out = {}
    with UnitOfWork(settings) as uow:
        for run in uow.runs.list():
            for s in uow.surveys.for_run(run.id):
                out[(run.run_number, s.revision)] = s.station_count
    return out


def _check_field(settings, made: Field, summary, owner) -> None:
    """The database holds exactly what the generated field says, owned by ``owner``."""
    assert _stored(settings) == made.imported
    with UnitOfWork(settings) as uow:
        runs = {r.run_number: r for r in uow.runs.list()}
        assert {w.well_name for w in uow.wells.list()} == made.wells
    assert set(runs) == set(made.runs)
    for number, (well, bore, rtype) in made.runs.items():
        r = runs[number]
        assert (r.well_name, r.wellbore_name, r.run_type) == (well, bore, rtype)
        assert r.user_id == owner.id
        assert r.current_revision == max(k for n, k in made.imported if n == number)
    by_line = {o.manifest_line: o for o in summary.outcomes}
    assert len(summary.outcomes) == made.lines
    for line, column in made.refused.items():
        o = by_line[line]
        assert o.outcome == "refused" and o.reason, o
        if column is None:  # the file's own error: its line and field named
            assert o.line is not None and o.field is not None, o
        else:
            assert o.field == column, o
    assert {line for line, o in by_line.items() if o.outcome == "duplicate"} == made.duplicates
    assert summary.count("imported") == len(made.imported)


@pytest.mark.parametrize(
    "shape",
    [
        {"seed": 1, "wells": 3, "runs": 2, "broken": 2, "duplicates": 2, "bad_lines": 4},
        {"seed": 2, "wells": 2, "runs": 3, "sidetracks": True, "revisions": 2, "bad_lines": 5},
        {"seed": 3, "wells": 4, "runs": 1, "stations": 3, "duplicates": 3, "broken": 1},
    ],
    ids=["broken-and-bad-lines", "sidetracks-and-revisions", "short-surveys"],
)
def test_a_generated_field_is_stored_as_its_manifest_says(settings, people, tmp_path, shape):
    made = write_field(tmp_path / "field", **shape)
    actor = people["surveyor"]
    summary = import_field(UnitOfWork(settings), actor, made.manifest, workers=1)
    _check_field(settings, made, summary, actor)
    assert summary.runs_created == len(made.runs)
    assert summary.wells_created == len(made.wells)
    if shape.get("sidetracks"):
        assert summary.wellbores_created == len(made.wells)
    # refused lines leave nothing: no run of theirs, no stray file rows
    with UnitOfWork(settings) as uow:
        numbers = {r.run_number for r in uow.runs.list()}
        assert not any(n.startswith("BAD-") or "-X" in n for n in numbers)


@pytest.mark.parametrize("writers", ["threads", "processes"])
@pytest.mark.parametrize(
    "shape",
    [
        {"seed": 4, "wells": 3, "runs": 3, "broken": 2, "duplicates": 1},
        {"seed": 12, "wells": 3, "runs": 2, "sidetracks": True, "revisions": 3, "bad_lines": 4},
    ],
    ids=["broken-and-duplicates", "sidetracks-and-revisions"],
)
def test_several_writers_give_the_same_result(
    settings, people, tmp_path, monkeypatch, shape, writers
):
    """Wells written side by side (threads; on PostgreSQL processes too, while DuckDB keeps
    threads whatever the size, since a worker process could not open its file) store what one
    writer stores: runs, revisions in the manifest's order, wellbores, refusals, duplicates."""
    made = write_field(tmp_path / "field", **shape)
    if writers == "processes":
        monkeypatch.setattr(field_service, "POOL_MIN_BYTES", 0)  # processes for a small field
    summary = import_field(UnitOfWork(settings), people["engineer"], made.manifest, workers=2)
    _check_field(settings, made, summary, people["engineer"])
    assert summary.runs_created == len(made.runs)
    assert summary.wells_created == len(made.wells)
    if shape.get("sidetracks"):
        assert summary.wellbores_created == len(made.wells)
    assert [o.manifest_line for o in summary.outcomes] == sorted(
        o.manifest_line or 0 for o in summary.outcomes
    )


def test_writers_take_a_wells_files_in_turn_and_wells_side_by_side(
    settings, people, tmp_path, monkeypatch
):
    """With threads as writers (DuckDB, and a field under POOL_MIN_BYTES on PostgreSQL): a
    well's files are parsed one after another in the manifest's order, never two at once,
    while other wells' files are written by other threads."""
    import threading
    import time

    made = write_field(tmp_path / "field", seed=13, wells=4, runs=2, revisions=2)
    with made.manifest.open(newline="") as fh:
        well_of = {r["file"]: r["well"] for r in csv.DictReader(fh)}
    order = [line.split(",")[0] for line in made.manifest.read_text().splitlines()[1:]]
    lock = threading.Lock()
    busy: dict[str, int] = {}
    overlap: list[str] = []
    seen: dict[str, list[str]] = {}
    threads: set[str] = set()
    prepare = field_service._prepare

    def watched(task):
        name = Path(task.path).relative_to(made.root).as_posix()
        well = well_of[name]
        with lock:
            if busy.get(well):
                overlap.append(name)
            busy[well] = busy.get(well, 0) + 1
            seen.setdefault(well, []).append(name)
            threads.add(threading.current_thread().name)
        time.sleep(0.02)  # long enough for another writer to take the same well, if it could
        try:
            return prepare(task)
        finally:
            with lock:
                busy[well] -= 1

    monkeypatch.setattr(field_service, "_prepare", watched)
    summary = import_field(UnitOfWork(settings), people["engineer"], made.manifest, workers=3)
    assert summary.count("imported") == len(made.imported) == 16
    assert overlap == []
    for well, names in seen.items():
        assert names == [n for n in order if well_of[n] == well]
    assert len(threads) == 3 and all(t.startswith("import-field") for t in threads)
    _check_field(settings, made, summary, people["engineer"])


def test_a_writer_failing_stops_the_import_and_leaves_whole_files(
    settings, people, tmp_path, monkeypatch
):
    """An unexpected error in a writer (not a refusal: a bug, a lost connection) stops the
    import and reaches the caller; every file stored before is whole, and running the import
    again stores the rest."""
    made = write_field(tmp_path / "field", seed=14, wells=4, runs=2)
    prepare = field_service._prepare
    victim = sorted(made.root.glob("*/run1*"))[1]  # the second well's second run

    def failing(task):
        if Path(task.path) == victim:
            raise RuntimeError("the disk went away")
        return prepare(task)

    monkeypatch.setattr(field_service, "_prepare", failing)
    with pytest.raises(RuntimeError, match="the disk went away"):
        import_field(UnitOfWork(settings), people["engineer"], made.manifest, workers=2)
    stored = _stored(settings)
    assert len(stored) < len(made.imported)
    for key, count in stored.items():  # no half-written file: each with all its stations
        assert made.imported[key] == count
    monkeypatch.setattr(field_service, "_prepare", prepare)
    again = import_field(UnitOfWork(settings), people["engineer"], made.manifest, workers=2)
    assert again.count("imported") == len(made.imported) - len(stored)
    assert _stored(settings) == made.imported


def test_running_again_skips_what_was_imported_without_parsing_it(
    settings, people, tmp_path, monkeypatch
):
    made = write_field(tmp_path / "field", seed=5, wells=3, runs=2, broken=2, duplicates=1)
    actor = people["surveyor"]
    import_field(UnitOfWork(settings), actor, made.manifest, workers=1)
    parsed: list[str] = []
    prepare = field_service._prepare

    def counting(task):
        parsed.append(Path(task.path).name)
        return prepare(task)

    monkeypatch.setattr(field_service, "_prepare", counting)
    again = import_field(UnitOfWork(settings), actor, made.manifest, workers=1)
    # only the refused files are read again (the user may have fixed them)
    assert sorted(parsed) == ["broken0.csv", "broken1.csv"]
    assert again.count("imported") == 0
    assert again.count("duplicate") == len(made.imported) + len(made.duplicates)
    assert again.count("refused") == len(made.refused)
    assert _stored(settings) == made.imported  # nothing twice


def test_a_fixed_file_is_imported_on_the_next_run(settings, people, tmp_path):
    made = write_field(tmp_path / "field", seed=6, wells=2, runs=1, broken=1)
    actor = people["engineer"]
    first = import_field(UnitOfWork(settings), actor, made.manifest, workers=1)
    assert first.count("refused") == 1
    (broken,) = first.refused
    (made.root / broken.file).write_bytes(survey_bytes(99, 7))  # the user repairs it
    second = import_field(UnitOfWork(settings), actor, made.manifest, workers=1)
    assert second.count("refused") == 0 and second.count("imported") == 1
    assert broken.run is not None
    assert _stored(settings)[(broken.run, 1)] == 8


def test_header_fields_from_the_manifest_are_applied(settings, people, tmp_path):
    root = tmp_path / "field"
    (root / "W1").mkdir(parents=True)
    (root / "W1" / "a.csv").write_bytes(survey_bytes(1, 10, depth_unit=False))
    (root / "W1" / "b.csv").write_bytes(survey_bytes(2, 10, depth_unit=False))
    manifest = root / "list.csv"
    with manifest.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "well", "wellbore", "run_number", "run_name", "run_type", "depth_unit"])
        w.writerow(["W1/a.csv", "W1", "", "A", "A", "MWD", "ft"])
        w.writerow(["W1/b.csv", "W1", "", "B", "B", "MWD", ""])
    summary = import_field(UnitOfWork(settings), people["surveyor"], manifest, workers=1)
    a, b = summary.outcomes
    assert a.outcome == "imported"
    assert b.outcome == "refused" and "depth unit" in (b.reason or "")
    with UnitOfWork(settings) as uow:
        run = uow.runs.by_number("A")
        assert run is not None
        (survey,) = uow.surveys.for_run(run.id)
        assert str(survey.depth_unit) == "ft"
        assert survey.header.extra["overrides"] == {"depth_unit": "ft"}
        assert uow.runs.by_number("B") is None


def test_a_folder_is_read_by_its_layout(settings, people, tmp_path):
    root = tmp_path / "field"
    for rel, seed in (
        ("W-1/run1_mwd.csv", 1),
        ("W-1/run2-Gyro.csv", 2),
        ("W-1/ST1/run3.csv", 3),
        ("W-2/survey.csv", 4),
        ("stray.csv", 5),
        (".hidden/x.csv", 6),
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(survey_bytes(seed, 5))
    summary = import_field(UnitOfWork(settings), people["surveyor"], root, workers=1)
    got = {o.file: o.outcome for o in summary.outcomes}
    assert got == {
        "W-1/run1_mwd.csv": "imported",
        "W-1/run2-Gyro.csv": "imported",
        "W-1/ST1/run3.csv": "imported",
        "W-2/survey.csv": "imported",
        "stray.csv": "refused",
    }
    with UnitOfWork(settings) as uow:
        runs = {r.run_number: (r.well_name, r.wellbore_name, r.run_type) for r in uow.runs.list()}
    assert runs == {
        "W-1/run1_mwd": ("W-1", "main", "MWD"),
        "W-1/run2-Gyro": ("W-1", "main", "Gyro"),
        "W-1/ST1/run3": ("W-1", "ST1", "Unknown"),
        "W-2/survey": ("W-2", "main", "Unknown"),
    }


def test_a_folder_with_a_manifest_uses_it(settings, people, tmp_path):
    made = write_field(tmp_path / "field", seed=7, wells=2, runs=1)
    summary = import_field(UnitOfWork(settings), people["surveyor"], made.root, workers=1)
    _check_field(settings, made, summary, people["surveyor"])


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        ("file,well,wellbore,run_number,run_name,run_type,colour", "field 'colour'"),
        ("file,well,run_number,run_name,run_type", "field 'wellbore'"),
        ("file,well,well,wellbore,run_number,run_name,run_type", "field 'well'"),
        ("", "empty"),
    ],
)
def test_a_manifest_that_cannot_be_used_imports_nothing(settings, people, tmp_path, header, needle):
    made = write_field(tmp_path / "field", seed=8, wells=1, runs=2)
    rows = made.manifest.read_text().splitlines()[1:]
    made.manifest.write_text("\n".join([header, *rows]) + "\n" if header else "")
    with pytest.raises(ManifestError) as err:
        import_field(UnitOfWork(settings), people["surveyor"], made.manifest, workers=1)
    assert "manifest.csv, line 1" in str(err.value) and needle in str(err.value)
    assert _stored(settings) == {}


def test_lines_disagreeing_with_stored_runs_are_refused(settings, people, tmp_path):
    made = write_field(tmp_path / "field", seed=9, wells=1, runs=2)
    import_field(UnitOfWork(settings), people["surveyor"], made.manifest, workers=1)
    with made.manifest.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    number = rows[0]["run_number"]
    rows[0]["run_type"] = "GTL" if rows[0]["run_type"] != "GTL" else "MWD"
    rows[0]["file"] = rows[1]["file"]  # other bytes, so not a duplicate
    rows[1]["run_name"] = rows[0]["run_name"]  # a name another run has
    with made.manifest.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    summary = import_field(UnitOfWork(settings), people["surveyor"], made.manifest, workers=1)
    first, second = summary.outcomes
    assert (first.outcome, first.field, first.run) == ("refused", "run_type", number)
    assert (second.outcome, second.field) == ("refused", "run_name")


def test_a_viewer_is_refused_and_the_refusal_audited(settings, people, tmp_path):
    made = write_field(tmp_path / "field", seed=10, wells=1, runs=1)
    with pytest.raises(PermissionDenied):
        import_field(UnitOfWork(settings), people["viewer"], made.manifest, workers=1)
    assert _stored(settings) == {}
    with UnitOfWork(settings) as uow:
        (event,) = uow.audit.list(action="import a field")
    assert event.outcome == "denied" and event.actor_name == "viewer"


def test_runs_of_another_owner_are_refused_for_a_surveyor(settings, people, tmp_path):
    made = write_field(tmp_path / "field", seed=11, wells=1, runs=2, revisions=2)
    rows = made.manifest.read_text().splitlines()
    # the first revision of each run by one surveyor, the second by another
    first = tmp_path / "first.csv"
    first.write_text("\n".join([rows[0], rows[1], rows[3]]) + "\n")
    for line in (1, 3):
        assert rows[line].startswith(f"F11-W0000/run{(line - 1) // 2}_rev0.csv")
    made.manifest.rename(made.root / "all.csv")
    (made.root / "first.csv").write_text(first.read_text())
    import_field(UnitOfWork(settings), people["surveyor"], made.root / "first.csv", workers=1)
    other = import_field(UnitOfWork(settings), people["surveyor2"], made.root / "all.csv")
    outcomes = [o.outcome for o in other.outcomes]
    assert outcomes == ["duplicate", "refused", "duplicate", "refused"]
    assert "surveyor2" not in {o.run for o in other.outcomes}
    admin = import_field(UnitOfWork(settings), people["admin"], made.root / "all.csv")
    assert [o.outcome for o in admin.outcomes] == ["duplicate", "imported"] * 2
    assert _stored(settings) == made.imported


def test_each_new_file_costs_few_statements_and_reads_its_well_once(settings, people, tmp_path):
    """The write of a field import is its cost (bench/RESULTS.md, "Importing a field"): a
    file that makes a new run reads its well once (the import's look-up; the new run and QC
    take that record), and the whole import stays within 16 statements a file. Counted on the
    engine, so a statement added to the import's path shows up here."""
    from sqlalchemy import event

    from surveylab import db

    made = write_field(tmp_path / "field", seed=5, wells=4, runs=3)
    statements: list[str] = []

    def count(conn, cursor, statement, *_):
        statements.append(" ".join(statement.split()[:4]))

    engine = db.get_engine(settings)
    event.listen(engine, "before_cursor_execute", count)
    try:
        summary = import_field(UnitOfWork(settings), people["engineer"], made.manifest, workers=1)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    files = summary.count("imported")
    assert files == 12 and summary.runs_created == 12
    well_reads = [s for s in statements if s.startswith("SELECT wells.")]
    # one a file, one more for each new well (its name checked before it is made)
    assert len(well_reads) == files + summary.wells_created == 16, well_reads
    assert len(statements) <= 16 * files, f"{len(statements) / files:.1f} statements a file"
