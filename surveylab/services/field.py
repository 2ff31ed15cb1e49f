"""Importing a whole field: many survey files into wells, wellbores and runs in one command.

What maps each file to its well, wellbore and run is a **manifest** (CSV, one file per line) or,
for a folder without one, the folder's layout:

- Manifest columns: ``file`` (a path, relative to the manifest's folder), ``well``,
  ``wellbore`` (empty: the well's main wellbore), ``run_number``, ``run_name``, ``run_type``
  (GTL, Gyro, MWD or Unknown, any case); optional ``well_type`` (for a well created here;
  default Oil, as ``surveylab wells create``) and any header field a user may set at import
  (:data:`surveylab.parsers.overrides.OVERRIDABLE`: ``depth_unit``, ``azimuth_reference``,
  ``declination``, ...; empty: not set). Several lines may name one run: its files become its
  revisions in the manifest's order.
- A folder holding ``manifest.csv`` is imported by that manifest. Otherwise every file of
  ``FOLDER/WELL/RUN.ext`` or ``FOLDER/WELL/WELLBORE/RUN.ext`` is one run of that well (and
  wellbore): run number and run name ``WELL/RUN`` (``WELL/WELLBORE/RUN``); run type from the
  last word of ``RUN`` when it names one (``run2_gyro.csv``: Gyro), else Unknown. Names
  starting with ``.`` are left out; a file elsewhere is refused.

How it runs (:func:`import_field`): one short read plans the work (who may, which runs exist,
which files they hold already); files already imported with the same header fields (same
SHA-256) are skipped without being read again, so running the same import again after an
interruption continues where it stopped. Then several writers (one per CPU by default) each
take a file, parse and compute it (:func:`surveylab.services.surveys.prepare_import`) and store
it in its own transaction on the writer's own connection
(:func:`surveylab.services.surveys.store_import`), creating the well, wellbore and run with the
run's first file: a refused file leaves nothing behind. A well's files go one after another in
the manifest's order (so its runs and revisions are made in that order, and no two writers ever
create the same well, wellbore or run); different wells are written side by side. On
PostgreSQL the writers are worker processes (threads of this process below
:data:`POOL_MIN_BYTES` of files, where starting a process costs more than it saves), so the
Python work of a write, most of it, runs on every core. On DuckDB they are threads of this
process, which holds the database file: DuckDB runs each connection's statements outside
Python's global lock and commits transactions that touch different rows side by side, but
serialises part of each, so two cores import 1.4-1.6x as fast as one there, against 1.6-1.9x
on PostgreSQL (bench/RESULTS.md, "Importing a field").
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import io
import multiprocessing
import multiprocessing.util
import os
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveylab.auth import AuthenticationError, Permission, PermissionDenied
from surveylab.config import Settings
from surveylab.models import Actor, RunType
from surveylab.models.records import RunRecord
from surveylab.parsers import SurveyFileError, check_size
from surveylab.parsers.overrides import OVERRIDABLE, OverrideError, normalise_overrides
from surveylab.repositories import UnitOfWork
from surveylab.services.common import ServiceError, audit_ok, guard
from surveylab.services.runs import NewRun, add_well
from surveylab.services.surveys import PreparedImport, prepare_import, store_import
from surveylab.services.wellbores import MAIN_WELLBORE

__all__ = [
    "MANIFEST_COLUMNS",
    "MANIFEST_NAME",
    "FieldEntry",
    "FieldOutcome",
    "FieldSummary",
    "ManifestError",
    "default_workers",
    "import_field",
    "plan_source",
]

#: The manifest's required columns.
MANIFEST_COLUMNS = ("file", "well", "wellbore", "run_number", "run_name", "run_type")
#: Columns a manifest may have besides: the well type and the header fields a user may set.
OPTIONAL_COLUMNS = ("well_type", *OVERRIDABLE)
#: The manifest a folder may hold.
MANIFEST_NAME = "manifest.csv"
#: Why a duplicate is not stored again.
_ALREADY = "already imported into this run with the same header fields"
#: Below this many bytes of files to import, PostgreSQL's writers are threads of this process
#: [bytes]: starting a worker process (an interpreter importing surveylab, about 2 s) costs
#: about as long as importing 1 MB of listings (bench/RESULTS.md, "Importing a field").
POOL_MIN_BYTES = 1_000_000
#: Files handed to the writers and not yet reported, per writer: each writer has its next
#: file waiting while the last one's outcome is reported.
_AHEAD_PER_WORKER = 2


class ManifestError(ServiceError):
    """A manifest that cannot be used at all (unreadable, an unknown or missing column); the
    message names the manifest, its line and the field. Nothing is imported."""


@dataclass(frozen=True)
class FieldEntry:
    """One file to import and where it goes.

    Attributes
    ----------
    path : pathlib.Path
        The file [path].
    shown : str
        The file as messages name it: its path relative to the manifest's or the
        folder's location [text].
    manifest_line : int or None
        The manifest line that names it (1 is the column names); None for a folder layout.
    well, wellbore, run_number, run_name, run_type, well_type : str
        Where it goes; ``wellbore`` empty: the well's main wellbore.
    overrides : dict
        Header fields set for it (:func:`surveylab.parsers.overrides.normalise_overrides`).
    """

    path: Path
    shown: str
    manifest_line: int | None
    well: str
    wellbore: str
    run_number: str
    run_name: str
    run_type: str
    well_type: str = "Oil"
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldOutcome:
    """What became of one file (or of one manifest line that names no usable file).

    ``outcome`` is ``imported``, ``duplicate`` (the run holds these bytes with these header
    fields already: not stored again) or ``refused`` (nothing stored; ``reason``, and the
    file's ``line`` and ``field`` where the parser names them, or the ``manifest_line`` and
    its ``field`` for a manifest error).
    """

    file: str
    outcome: str
    manifest_line: int | None = None
    well: str | None = None
    wellbore: str | None = None
    run: str | None = None
    revision: int | None = None
    stations: int | None = None
    worst_finding: str | None = None
    reason: str | None = None
    line: int | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (every attribute, None where not known)."""
        return {
            "file": self.file,
            "outcome": self.outcome,
            "manifest_line": self.manifest_line,
            "well": self.well,
            "wellbore": self.wellbore,
            "run": self.run,
            "revision": self.revision,
            "stations": self.stations,
            "worst_finding": self.worst_finding,
            "reason": self.reason,
            "line": self.line,
            "field": self.field,
        }

    def where(self) -> str:
        """The file with the manifest line, its line and field where known, for messages."""
        parts = [self.file]
        if self.manifest_line is not None:
            parts.append(f"manifest line {self.manifest_line}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)


@dataclass
class FieldSummary:
    """The result of :func:`import_field`: one outcome per file, in the manifest's order, and
    what was created."""

    source: str
    workers: int
    outcomes: list[FieldOutcome] = field(default_factory=list)
    wells_created: int = 0
    wellbores_created: int = 0
    runs_created: int = 0
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        """How many files had this outcome (``imported``, ``duplicate``, ``refused``)."""
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def refused(self) -> list[FieldOutcome]:
        """The refused files, in the manifest's order."""
        return [o for o in self.outcomes if o.outcome == "refused"]

    def to_dict(self) -> dict[str, Any]:
        """The ``surveylab import-field --json`` document: ``source``, ``workers``,
        ``seconds``, ``counts`` (``files``, ``imported``, ``duplicates``, ``refused``,
        ``wells_created``, ``wellbores_created``, ``runs_created``) and ``files`` (each
        :meth:`FieldOutcome.to_dict`)."""
        return {
            "source": self.source,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "counts": {
                "files": len(self.outcomes),
                "imported": self.count("imported"),
                "duplicates": self.count("duplicate"),
                "refused": self.count("refused"),
                "wells_created": self.wells_created,
                "wellbores_created": self.wellbores_created,
                "runs_created": self.runs_created,
            },
            "files": [o.to_dict() for o in self.outcomes],
        }


def default_workers() -> int:
    """The writers of an import by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# ------------------------------------------------------------------------------------- plan
def _refusal(entry: FieldEntry, **kw: Any) -> FieldOutcome:
    """A refused file: where the entry puts it, and why (``reason``, ``line``, ``field``)."""
    return FieldOutcome(
        entry.shown,
        "refused",
        manifest_line=entry.manifest_line,
        well=entry.well,
        wellbore=entry.wellbore or MAIN_WELLBORE,
        run=entry.run_number,
        **kw,
    )


def _unusable(shown: str, manifest_line: int | None, **kw: Any) -> FieldOutcome:
    """A refused manifest line or folder file that names no usable entry."""
    return FieldOutcome(shown, "refused", manifest_line=manifest_line, **kw)


def _run_type(text: str) -> str | None:
    """The run type a text names (any case), or None."""
    for rt in RunType:
        if text.strip().lower() == rt.value.lower():
            return rt.value
    return None


def read_manifest(path: Path) -> tuple[list[FieldEntry], list[FieldOutcome]]:
    """The files a manifest names, and its lines that cannot be used (refused, naming the
    manifest line and the field).

    Raises
    ------
    ManifestError
        The manifest cannot be read, has no column names, a column it may not have, a
        required column missing, or a column twice (names line 1 and the column).
    """
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{name}: the manifest is not UTF-8 text ({exc.reason})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ManifestError(f"{name}, line 1: the manifest is empty") from None
    except csv.Error as exc:
        raise ManifestError(f"{name}, line 1: {exc}") from None
    allowed = (*MANIFEST_COLUMNS, *OPTIONAL_COLUMNS)
    for col in header:
        if col not in allowed:
            raise ManifestError(
                f"{name}, line 1, field {col!r}: unknown column; columns are "
                f"{', '.join(MANIFEST_COLUMNS)}, optionally {', '.join(OPTIONAL_COLUMNS)}"
            )
        if header.count(col) > 1:
            raise ManifestError(f"{name}, line 1, field {col!r}: the column is there twice")
    missing = [c for c in MANIFEST_COLUMNS if c not in header]
    if missing:
        raise ManifestError(
            f"{name}, line 1, field {missing[0]!r}: required column missing "
            f"(columns: {', '.join(MANIFEST_COLUMNS)})"
        )
    base = path.parent
    entries: list[FieldEntry] = []
    refused: list[FieldOutcome] = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ManifestError(f"{name}, line {reader.line_num}: {exc}") from None
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            refused.append(
                _unusable(
                    values[0].strip() if values else "",
                    line,
                    reason=f"{len(values)} values for {len(header)} columns",
                )
            )
            continue
        row = {h: v.strip() for h, v in zip(header, values, strict=True)}
        found = _manifest_entry(row, base, line)
        if isinstance(found, FieldOutcome):
            refused.append(found)
        else:
            entries.append(found)
    return entries, refused


def _manifest_entry(row: dict[str, str], base: Path, line: int) -> FieldEntry | FieldOutcome:
    shown = row["file"]

    def refuse(column: str, reason: str) -> FieldOutcome:
        return _unusable(shown, line, field=column, reason=reason)

    for column in ("file", "well", "run_number", "run_name"):
        if not row[column]:
            return refuse(column, f"{column} is empty")
    rtype = _run_type(row["run_type"])
    if rtype is None:
        allowed = ", ".join(rt.value for rt in RunType)
        return refuse("run_type", f"run type must be one of {allowed}, got {row['run_type']!r}")
    wtype = row.get("well_type") or "Oil"
    if "/" in row["wellbore"]:
        return refuse("wellbore", f"a wellbore name has no '/', got {row['wellbore']!r}")
    overrides: dict[str, Any] = {}
    for key in OVERRIDABLE:
        if row.get(key):
            try:
                overrides.update(normalise_overrides({key: row[key]}))
            except OverrideError as exc:
                return refuse(key, str(exc))
    path = base / row["file"]  # an absolute path stays as it is
    if not path.is_file():
        return refuse("file", f"no such file: {path}")
    return FieldEntry(
        path,
        shown,
        line,
        row["well"],
        row["wellbore"],
        row["run_number"],
        row["run_name"],
        rtype,
        wtype,
        overrides,
    )


def scan_folder(folder: Path) -> tuple[list[FieldEntry], list[FieldOutcome]]:
    """The files of a folder laid out as ``WELL/RUN.ext`` or ``WELL/WELLBORE/RUN.ext`` (see
    the module's description), sorted by path; files elsewhere are refused."""
    entries: list[FieldEntry] = []
    refused: list[FieldOutcome] = []
    paths = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    for p in paths:
        parts = p.relative_to(folder).parts
        shown = "/".join(parts)
        if len(parts) not in (2, 3):
            refused.append(
                _unusable(
                    shown,
                    None,
                    reason="not in a well's folder (FOLDER/WELL/RUN.ext or "
                    "FOLDER/WELL/WELLBORE/RUN.ext) and no manifest.csv in the folder",
                )
            )
            continue
        well, stem = parts[0], Path(parts[-1]).stem
        wellbore = parts[1] if len(parts) == 3 else ""
        words = [w for w in re.split(r"[-_. ]+", stem) if w]
        rtype = _run_type(words[-1]) if words else None
        number = "/".join([*parts[:-1], stem])
        entries.append(
            FieldEntry(p, shown, None, well, wellbore, number, number, rtype or "Unknown")
        )
    return entries, refused


def plan_source(source: str | os.PathLike[str]) -> tuple[list[FieldEntry], list[FieldOutcome]]:
    """The files to import from a manifest, a folder holding ``manifest.csv``, or a folder
    laid out by well (see the module's description), and the lines or files refused.

    Raises
    ------
    ManifestError
        As :func:`read_manifest`.
    ServiceError
        ``source`` is neither a folder nor a file.
    """
    src = Path(source)
    if src.is_dir():
        manifest = src / MANIFEST_NAME
        return read_manifest(manifest) if manifest.is_file() else scan_folder(src)
    if src.is_file():
        return read_manifest(src)
    raise ServiceError(f"{src}: no such folder or manifest")


# ------------------------------------------------------------------------------------- import
@dataclass(frozen=True)
class _Task:
    index: int
    path: str
    name: str
    overrides: dict[str, Any]
    max_bytes: int
    by: str


def _prepare(task: _Task) -> tuple[int, PreparedImport | dict[str, Any]]:
    """Read, parse and compute one file (in a worker process): the prepared import, or why
    it is refused (reason, line, field)."""
    try:
        content = Path(task.path).read_bytes()
        return task.index, prepare_import(
            content, task.name, task.overrides or None, max_bytes=task.max_bytes, by=task.by
        )
    except SurveyFileError as exc:
        return task.index, {"reason": exc.reason, "line": exc.line, "field": exc.field}
    except ServiceError as exc:
        return task.index, {"reason": str(exc), "line": None, "field": None}
    except OSError as exc:
        return task.index, {"reason": f"cannot read file: {exc.strerror or exc}"}


@dataclass(frozen=True)
class _Job:
    """One file for a writer: what to parse, where it goes, and whether its run exists
    (``known``; ``run_id`` when it was stored before this import, None when this import
    made it, so that it is found by number)."""

    task: _Task
    entry: FieldEntry
    known: bool
    run_id: uuid.UUID | None


@dataclass(frozen=True)
class _Done:
    """A writer's result for one file: its outcome and what the write created."""

    index: int
    outcome: FieldOutcome
    made_well: bool = False
    made_bore: bool = False
    made_run: bool = False


def _parse_and_store(uow: UnitOfWork, actor: Actor, job: _Job) -> _Done:
    """Parse and compute one file, then store it in its own transaction on ``uow``."""
    index, prepared = _prepare(job.task)
    if isinstance(prepared, dict):
        return _Done(index, _refusal(job.entry, **prepared))
    return _write(uow, actor, job, prepared)


class _WriterThreads:
    """The connections of the writing threads: each thread opens its own unit of work on its
    first file and keeps it for the rest of the import; :meth:`close` ends them all."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._opened: list[UnitOfWork] = []
        self._lock = threading.Lock()

    def run(self, actor: Actor, job: _Job) -> _Done:
        uow: UnitOfWork | None = getattr(self._local, "uow", None)
        if uow is None:
            uow = UnitOfWork(self.settings).__enter__()
            self._local.uow = uow
            with self._lock:
                self._opened.append(uow)
        return _parse_and_store(uow, actor, job)

    def close(self) -> None:
        """Roll back what is not committed and close every writer's connection (after the
        threads have stopped)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for uow in opened:
            uow.__exit__(None, None, None)


#: A worker process's own unit of work, opened on its first file (see :func:`_run_in_worker`).
_WORKER_UOW: UnitOfWork | None = None


def _run_in_worker(settings: Settings, actor: Actor, job: _Job) -> _Done:
    """A worker process's writer: one connection for all the files it is given, closed when
    the process ends."""
    global _WORKER_UOW
    if _WORKER_UOW is None:
        uow = UnitOfWork(settings).__enter__()
        _WORKER_UOW = uow
        multiprocessing.util.Finalize(None, uow.__exit__, args=(None, None, None), exitpriority=10)
    return _parse_and_store(_WORKER_UOW, actor, job)


def _writers(
    settings: Settings, count: int, size: int
) -> tuple[Executor, Callable[[Actor, _Job], Future[_Done]], _WriterThreads | None]:
    """The writers of an import: an executor, how to hand it a file, and the writing
    threads' connections to close afterwards (None for worker processes).

    Worker processes on PostgreSQL when the files come to :data:`POOL_MIN_BYTES` (``size``
    [bytes]) or more; threads of this process below, and always on DuckDB, whose file one
    process holds.
    """
    if size >= POOL_MIN_BYTES and not settings.database_url.startswith("duckdb"):
        # "forkserver": workers fork from a clean server process that imported this module
        # once, sharing no database connection or thread with this process (a forked copy of
        # an open DuckDB or psycopg connection is not safe to use or to close)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        pool = ProcessPoolExecutor(max_workers=count, mp_context=context)
        return pool, lambda actor, job: pool.submit(_run_in_worker, settings, actor, job), None
    threads = _WriterThreads(settings)
    tpool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="import-field")
    return tpool, lambda actor, job: tpool.submit(threads.run, actor, job), threads


def import_field(
    uow: UnitOfWork,
    actor: Actor | None,
    source: str | os.PathLike[str],
    *,
    workers: int | None = None,
    progress: Callable[[FieldOutcome, int, int], None] | None = None,
) -> FieldSummary:
    """Import every survey file of a field (a manifest, or a folder; see the module's
    description) as revisions of runs owned by the actor, creating wells, wellbores and runs
    as needed.

    Parameters
    ----------
    uow : UnitOfWork
        A unit of work not held open by the caller. It is held from the plan to the last
        file written: on DuckDB that is the whole import (one writing process holds the file).
    actor : Actor or None
        The authenticated user: survey work (Admin, Engineer or Surveyor) [Actor].
    source : str or os.PathLike
        A manifest (CSV), a folder holding ``manifest.csv``, or a folder laid out by well.
    workers : int, optional
        Writers, each parsing, computing and storing one file at a time on its own
        connection [count]; default :func:`default_workers`. With 1, or when every file goes
        to one well, this process does it all on ``uow``'s connection (see the module's
        description for what the writers are on each backend).
    progress : callable, optional
        Called in the calling thread with each file's outcome, the files done and the files
        in all, as each file is decided: the manifest's unusable lines, the duplicates and
        the files refused before parsing first, then the files as they are written (a
        well's in the manifest's order). The summary lists them all in the manifest's
        order.

    Returns
    -------
    FieldSummary
        Each file's outcome (imported, duplicate or refused with the reason) and what was
        created.

    Raises
    ------
    PermissionDenied
        The actor may not do survey work (audited); nothing is read or stored.
    ManifestError
        The manifest cannot be used at all; nothing is stored.
    ServiceError
        The source is neither a folder nor a file.
    """
    started = time.perf_counter()
    n_workers = default_workers() if workers is None else int(workers)
    if n_workers < 1:
        raise ServiceError(f"workers must be 1 or more, got {workers!r}")
    with uow:
        acting = guard(
            uow,
            actor,
            Permission.SURVEY_WRITE,
            action="import a field",
            target=f"from {source}",
            target_type="run",
        )
    entries, early = plan_source(source)
    summary = FieldSummary(str(source), n_workers)
    total = len(entries) + len(early)
    decided: dict[int, FieldOutcome] = {}  # by entry index, when decided before the writers
    done = 0

    def report(outcome: FieldOutcome) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(outcome, done, total)

    for outcome in early:
        report(outcome)
    with uow:  # one connection from the plan to the last file written
        existing = uow.runs.by_numbers(e.run_number for e in entries)
        new_names = {e.run_name for e in entries if e.run_number not in existing}
        names_taken = uow.runs.names_taken(new_names)
        imported = {
            (run_id, sha, _key(overrides))
            for run_id, sha, overrides in uow.surveys.imported_keys(r.id for r in existing.values())
        }
        limit = uow.settings.max_upload_bytes
        tasks: list[_Task] = []
        first: dict[str, FieldEntry] = {}  # each run's first line
        name_of: dict[str, str] = {}  # run name -> run number, in this manifest
        seen: set[tuple[str, str, str]] = set()
        size = 0  # of the files to parse [bytes]
        for i, entry in enumerate(entries):
            why = _check_entry(entry, existing.get(entry.run_number), first, name_of, names_taken)
            if why is not None:
                decided[i] = _refusal(entry, field=why[0], reason=why[1])
                continue
            try:
                check_size(entry.path, limit, name=entry.shown)
                content = entry.path.read_bytes()
            except SurveyFileError as exc:
                decided[i] = _refusal(entry, reason=exc.reason)
                continue
            except OSError as exc:
                decided[i] = _refusal(entry, reason=f"cannot read file: {exc.strerror or exc}")
                continue
            sha = hashlib.sha256(content).hexdigest()
            key = (entry.run_number, sha, _key(entry.overrides))
            run = existing.get(entry.run_number)
            if key in seen or (run is not None and (run.id, sha, key[2]) in imported):
                decided[i] = _duplicate(entry)
                continue
            seen.add(key)
            tasks.append(
                _Task(i, str(entry.path), entry.path.name, entry.overrides, limit, acting.username)
            )
            size += len(content)
        for outcome in decided.values():
            report(outcome)
        _write_all(uow, acting, entries, tasks, existing, n_workers, size, summary, decided, report)
    # the manifest's order (its unusable lines first: for a folder they have no line)
    summary.outcomes = early + [decided[i] for i in range(len(entries))]
    summary.outcomes.sort(key=lambda o: o.manifest_line or 0)
    summary.seconds = time.perf_counter() - started
    return summary


def _write_all(
    uow: UnitOfWork,
    actor: Actor,
    entries: list[FieldEntry],
    tasks: list[_Task],
    existing: dict[str, RunRecord],
    workers: int,
    size: int,
    summary: FieldSummary,
    decided: dict[int, FieldOutcome],
    report: Callable[[FieldOutcome], None],
) -> None:
    """Parse and store the tasks' files: each well's in the manifest's order, the wells side
    by side on up to ``workers`` writers; each outcome goes into ``decided`` (by entry
    index) and to ``report`` as it comes."""
    runs_made: dict[str, RunRecord | None] = dict(existing)  # None: made by this import
    chains: dict[str, deque[_Task]] = {}  # each well's files, in the manifest's order
    for task in tasks:
        chains.setdefault(entries[task.index].well, deque()).append(task)

    def job(task: _Task) -> _Job:
        entry = entries[task.index]
        run = runs_made.get(entry.run_number)
        return _Job(task, entry, entry.run_number in runs_made, run.id if run else None)

    def settle(done: _Done) -> None:
        if done.made_run:
            runs_made[entries[done.index].run_number] = None  # found by number from now on
            summary.runs_created += 1
        summary.wells_created += done.made_well
        summary.wellbores_created += done.made_bore
        decided[done.index] = done.outcome
        report(done.outcome)

    count = min(workers, len(chains))
    if count <= 1:  # one writer: this process, on the import's own connection
        for task in tasks:
            settle(_parse_and_store(uow, actor, job(task)))
        return
    executor, submit, threads = _writers(uow.settings, count, size)
    ready = [(chain[0].index, key) for key, chain in chains.items()]  # the wells' next files
    heapq.heapify(ready)
    running: dict[Future[_Done], str] = {}
    try:
        while ready or running:
            while ready and len(running) < count * _AHEAD_PER_WORKER:
                _, key = heapq.heappop(ready)
                running[submit(actor, job(chains[key].popleft()))] = key
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                key = running.pop(future)
                settle(future.result())  # an unexpected error stops the import here
                if chains[key]:
                    heapq.heappush(ready, (chains[key][0].index, key))
    finally:
        for future in running:  # on an error or an interrupt: nothing more is started
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
        if threads is not None:
            threads.close()


def _key(overrides: dict[str, Any]) -> str:
    """Header overrides as a comparable text (the same values give the same text)."""
    return repr(sorted(overrides.items()))


def _duplicate(entry: FieldEntry) -> FieldOutcome:
    return FieldOutcome(
        entry.shown,
        "duplicate",
        manifest_line=entry.manifest_line,
        well=entry.well,
        wellbore=entry.wellbore or MAIN_WELLBORE,
        run=entry.run_number,
        reason=_ALREADY,
    )


def _check_entry(
    entry: FieldEntry,
    run: RunRecord | None,
    first: dict[str, FieldEntry],
    name_of: dict[str, str],
    names_taken: dict[str, str],
) -> tuple[str, str] | None:
    """Why a line cannot be imported as it stands, as (field, reason); None when it can.

    A run's lines must agree with its first line and with the run as stored (well, wellbore,
    name, type); a new run's name must be free.
    """
    if run is not None:
        bore = entry.wellbore or MAIN_WELLBORE
        if run.well_name != entry.well:
            return "well", f"run {run.run_number} is on well {run.well_name!r}, not {entry.well!r}"
        if (run.wellbore_name or MAIN_WELLBORE).lower() != bore.lower():
            return (
                "wellbore",
                f"run {run.run_number} is on wellbore {run.wellbore_name!r}, not {bore!r}",
            )
        if run.run_name != entry.run_name:
            return "run_name", f"run {run.run_number} is named {run.run_name!r}"
        if run.run_type != entry.run_type:
            return "run_type", f"run {run.run_number} is a {run.run_type} run"
    prior = first.setdefault(entry.run_number, entry)
    if prior is not entry:
        where = (
            f"manifest line {prior.manifest_line}"
            if prior.manifest_line is not None
            else prior.shown
        )
        for column in ("well", "wellbore", "run_name", "run_type"):
            if getattr(prior, column) != getattr(entry, column):
                return (
                    column,
                    f"run {entry.run_number} has {column} {getattr(prior, column)!r} at {where}",
                )
    owner = name_of.setdefault(entry.run_name, entry.run_number)
    if owner != entry.run_number:
        return "run_name", f"run name {entry.run_name!r} is given to run {owner} as well"
    if run is None and entry.run_name in names_taken:
        taken_by = names_taken[entry.run_name]
        return "run_name", f"run name {entry.run_name!r} is taken by run {taken_by}"
    return None


def _write(uow: UnitOfWork, actor: Actor, job: _Job, prepared: PreparedImport) -> _Done:
    """Store one prepared file in its own transaction, with its well, wellbore and run when
    they are new; a refusal rolls all of it back."""
    entry = job.entry
    made_well = made_bore = False
    try:
        target: Any
        if job.known:
            target = job.run_id if job.run_id is not None else entry.run_number
        else:
            well = uow.wells.by_name(entry.well)
            if well is None:
                well = add_well(uow, actor, well_name=entry.well, well_type=entry.well_type)
                made_well = True
            if entry.wellbore and uow.wellbores.by_name(well.id, entry.wellbore) is None:
                bore = uow.wellbores.add(well_id=well.id, name=entry.wellbore, created_by=actor.id)
                audit_ok(
                    uow,
                    actor,
                    "create wellbore",
                    target_type="wellbore",
                    target_id=bore.id,
                    detail=f"{well.well_name}/{bore.name}: wellbore (field import)",
                )
                made_bore = True
            target = NewRun(
                entry.run_number,
                entry.run_name,
                entry.run_type,
                well,  # as read above: not looked up again
                entry.wellbore or None,
            )
        result = store_import(uow, actor, run=target, prepared=prepared, reread_run=False)
    except (ServiceError, PermissionDenied, AuthenticationError) as exc:
        uow.rollback()
        return _Done(job.task.index, _refusal(entry, reason=str(exc)))
    survey = result.survey
    outcome = FieldOutcome(
        entry.shown,
        "duplicate" if result.duplicate else "imported",
        manifest_line=entry.manifest_line,
        well=entry.well,
        wellbore=entry.wellbore or MAIN_WELLBORE,
        run=entry.run_number,
        revision=survey.revision,
        stations=survey.station_count,
        worst_finding=survey.worst_severity,
        reason=_ALREADY if result.duplicate else None,
    )
    return _Done(job.task.index, outcome, made_well, made_bore, made_run=not job.known)
