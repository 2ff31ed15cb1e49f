"""The upload dashboard (Admin, Engineer, Surveyor): choose or create a well and run, add files,
preview each (format, header with what the file did not state, stations, findings, plots), set
the header fields a file is silent on, then commit through the import service.

What the page guarantees:

- nothing is chosen for the user: a new run's type and a new well's type must be picked (run
  type "Unknown" when it is not known), and a new run is created together with its first
  successful import (:class:`surveylab.services.runs.NewRun`), so a refused file leaves no
  empty run;
- the header-field controls always show the file being previewed: its own values, or what was
  set for it; Apply (or Enter in a number field) previews the file again with them;
- a file that cannot be imported says so once, lists its problems (the first
  :data:`MAX_PROBLEMS`, with the count) and what to do next; Commit imports only files whose
  preview is ready, and is disabled while there is none;
- the progress bar counts files imported, so a refused commit does not fill it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
from IPython.display import display

from surveylab.calc.tables import listing_frame
from surveylab.models import Finding, NorthReference, Role, RunType, Severity, WellType
from surveylab.services import NotFound
from surveylab.services import surveys as survey_service
from surveylab.services.runs import NewRun
from surveylab.session import Session
from surveylab.ui.login import CommittedText
from surveylab.ui.shell import DashboardShell, esc, findings_html, table_html
from surveylab.units import dls_course_length, unit_label

ACCEPT = ".csv,.txt,.las,.xml,.xls,.xlsx,.p717,.p7,.dat,.asc"
#: Problems of a refused file listed in the page; the count says how many more there are.
MAX_PROBLEMS = 20
#: The runs dashboard, relative to this one (both are served from Voila's /voila/render/).
RUNS_DASHBOARD = "runs.ipynb"
#: Value of the run dropdown's entry for the new run not created yet.
NEW_RUN = "new"
#: Value of the file dropdown's entry while no file is queued (not None: ipywidgets shows a
#: Dropdown whose value is None as blank).
NO_FILE = -1
#: What :meth:`UploadApp._run_numbered` returns for a run number no run has.
_FREE = object()
#: Width of every control's label [CSS]: wide enough for "Declination [deg]" in full.
LABEL_WIDTH = "130px"

_UPLOAD_STYLE = """
<style>
.sl-problems {color: #b00020; border: 1px solid #b00020; background: #fdecee; padding: 6px 10px;
  margin: 6px 0;}
.sl-problems ol {margin: 4px 0 4px 1.4em; padding: 0;}
.sl-problems .sl-next {color: #1f1f1f; margin: 6px 0 2px 0;}
.sl-set-by-user {color: #0b57d0;}
.sl-chosen {color: #1f1f1f;}
.sl-derived {color: #555;}
.sl-commit-hint {color: #9a5b00;}
.sl-progress-label {padding: 0 8px; line-height: 28px;}
</style>
"""


@dataclass
class PendingFile:
    """A file added to the page, not stored yet.

    Attributes
    ----------
    name : str
        File name as chosen by the user [text].
    content : bytes
        The file's bytes, exactly as received.
    overrides : dict
        Header fields set for this file [field name -> value as typed or chosen].
    preview : Preview or None
        The latest preview (with ``overrides``).
    stated : dict
        What the file itself says of the fields the user may set (before any override)
        [field name -> value or None].
    """

    name: str
    content: bytes
    overrides: dict[str, Any] = field(default_factory=dict)
    preview: survey_service.Preview | None = None
    stated: dict[str, Any] = field(default_factory=dict)

    @property
    def importable(self) -> bool:
        """Whether the preview is ready (read, computed, no refusal)."""
        return self.preview is not None and self.preview.error is None


@dataclass(frozen=True)
class PendingRun:
    """A run the user asked for, created with the first file imported into it."""

    run_number: str
    run_name: str
    run_type: str

    @property
    def label(self) -> str:
        return (
            f"{self.run_number}: {self.run_name} ({self.run_type}), "
            "new: created with its first import"
        )


#: Header fields the controls set, with the label of their row in the preview.
_FIELDS = (
    ("depth_unit", "Depth unit"),
    ("azimuth_reference", "Azimuth reference"),
    ("declination", "Declination [deg]"),
    ("grid_convergence", "Grid convergence [deg]"),
)
_UNIT_CHOICES = (("m", "m"), ("ft", "ft"), ("US ft", "usft"))


def _shown(value: Any) -> str | None:
    """A header value as the page shows it (None: not stated)."""
    if value is None or value == NorthReference.UNKNOWN:
        return None
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _without_file_name(message: str, file_name: str) -> str:
    """``message`` without a leading ``"<file name>: "`` or ``"<file name>, "`` (the page names
    the file once, as the preview's title)."""
    for sep in (": ", ", "):
        if message.startswith(file_name + sep):
            return message[len(file_name) + len(sep) :]
    return message


def _refusal_text(refusal: Any) -> str:
    """A parser refusal without its file name: ``line 4, field 'inc': cannot read ...``."""
    parts = []
    if refusal.line is not None:
        parts.append(f"line {refusal.line}")
    if refusal.element is not None:
        parts.append(f"element {refusal.element}")
    if refusal.field is not None:
        parts.append(f"field '{refusal.field}'")
    return (", ".join(parts) + ": " if parts else "") + refusal.reason


def _where(line: int | None, station: int | None, field: str | None) -> str:
    where = []
    if line is not None:
        where.append(f"line {line}")
    if station is not None:
        where.append(f"station {station + 1}")
    if field:
        where.append(f"field '{field}'")
    return ", ".join(where) + ": " if where else ""


def _finding_texts(f: Finding) -> list[str]:
    """One line per problem: a finding aggregated over several stations gives one line for
    each station it lists (and one for those beyond the list), others one line."""
    if not f.stations:
        return [_where(f.line, f.station, f.field) + f.message]
    texts = [
        _where(s.get("line"), s.get("station"), f.field) + str(s.get("message") or f.message)
        for s in f.stations
    ]
    beyond = (f.count or 0) - len(f.stations)
    if beyond > 0:
        texts.append(f"{beyond} more stations: {f.message}")
    return texts


def problems_of(name: str, preview: survey_service.Preview) -> tuple[list[str], str, int]:
    """Why ``preview``'s file cannot be imported, what to do next, and how many more problems.

    Parameters
    ----------
    name : str
        The file's name [text] (left out of the messages: the page shows it once).
    preview : Preview
        A preview with ``error`` set.

    Returns
    -------
    (list of str, str, int)
        Every problem the parser and the checks report, in file order where known [plain
        text]; the next step [plain text, a sentence]; the problems the parser found beyond
        those it lists (:attr:`~surveylab.parsers.SurveyFileError.more`) [count].
    """
    refusal = preview.refusal
    if refusal is not None:  # the parser could not read the file
        # a parser that reports several problems at once lists them in ``problems``
        found = list(getattr(refusal, "problems", None) or [refusal])
        texts = [_refusal_text(p) for p in found]
        lines = [p.line for p in found if p.line is not None]
        if len(lines) == 1:
            where = f"line {lines[0]}"
        elif lines:
            where = "those lines"
        else:
            where = None
        if where is None:
            step = (
                "Check that this is a survey listing (MD, inclination, azimuth) in one of the "
                "formats above, then add the right file."
            )
        else:
            step = (
                f"Correct {where} in the file (or ask its sender for a corrected file), "
                "then add it again."
            )
        return texts, step, int(getattr(refusal, "more", 0) or 0)
    header = preview.parsed.header
    problems: list[str] = []
    steps: list[str] = []
    if header.depth_unit is None:
        problems.append(_without_file_name(preview.error or "", name))
        steps.append("set the depth unit under Header fields, then Apply")
    errors = [f for f in preview.findings if f.severity == Severity.ERROR]
    problems += [text for f in errors for text in _finding_texts(f)]
    if errors:
        steps.append(
            "correct the stations listed in the file (or ask its sender for a corrected file), "
            "then add it again"
        )
    if not problems:  # refused for a reason no finding names
        problems.append(_without_file_name(preview.error or "", name))
        steps.append("correct the file, then add it again")
    step = "; ".join(steps)
    return problems, step[0].upper() + step[1:] + ".", 0


def problems_html(problems: list[str], step: str, unlisted: int = 0) -> str:
    """The refusal box: the count, the first :data:`MAX_PROBLEMS` problems, the next step.

    ``unlisted`` problems were found beyond ``problems`` (a parser lists a bounded number);
    they count in the total and in the "more" line.
    """
    n = len(problems) + max(0, unlisted)
    shown = problems[:MAX_PROBLEMS]
    if n == 1:
        head = "This file cannot be imported:"
    elif n == len(shown):
        head = f"This file cannot be imported: {n} problems."
    else:
        head = f"This file cannot be imported: {n} problems (the first {len(shown)} below)."
    items = "".join(f"<li>{esc(p)}</li>" for p in shown)
    more = f"<p>… and {n - len(shown)} more.</p>" if n > len(shown) else ""
    return (
        f"<div class='sl-problems' role='alert'><b>{esc(head)}</b><ol>{items}</ol>{more}"
        f"<p class='sl-next'><b>What to do:</b> {esc(step)}</p></div>"
    )


class UploadApp(DashboardShell):
    title = "surveylab: upload surveys"
    roles = (Role.ADMIN, Role.ENGINEER, Role.SURVEYOR)

    def _start(self, session) -> None:
        """A user whose role may not upload gets the reason and the way to the runs
        dashboard, where every role reads runs and surveys."""
        actor = session.actor
        if actor.role not in self.roles:
            self.session = None
            *first, last = [str(r) for r in self.roles]
            self.login.show_message(
                f"{actor.username} ({actor.role}) may not use this dashboard: uploading "
                f"surveys needs the role {', '.join(first)} or {last}. Every role reads runs, "
                "surveys and reports in the",
                link=("runs dashboard", RUNS_DASHBOARD),
            )
            return
        self._role = actor.role  # the run list depends on it (read once, at login)
        super()._start(session)

    @property
    def user_session(self) -> Session:
        """The logged-in session (the page past the login form has one)."""
        assert self.session is not None, "used only after a login"
        return self.session

    def build(self) -> w.Widget:
        self.pending: list[PendingFile] = []
        self.results: list[dict[str, Any]] = []
        self.outcomes: dict[str, tuple[bool, str]] = {}  # file name -> (imported, html)
        self.new_run: PendingRun | None = None
        self._runs: dict[str, Any] = {}  # run id -> RunRecord of the run dropdown
        label = {"description_width": LABEL_WIDTH}
        wide = w.Layout(width="440px")
        field_layout = w.Layout(width="300px")
        # ---- well and run
        self.well = w.Dropdown(description="Well", style=label, layout=wide)
        self.well.add_class("sl-upload-well")
        self.new_well_name = w.Text(
            placeholder="new well name",
            description="New well",
            continuous_update=False,
            style=label,
            layout=wide,
        )
        self.new_well_name.add_class("sl-new-well-name")
        self.new_well_type = w.Dropdown(
            options=[("(choose the well type)", "")] + [(t.value, t.value) for t in WellType],
            value="",
            description="Well type",
            style=label,
            layout=field_layout,
        )
        self.new_well_type.add_class("sl-new-well-type")
        self.create_well_button = w.Button(description="Create well", icon="plus")
        self.create_well_button.add_class("sl-create-well")
        self.create_well_button.on_click(lambda _: self.create_well())
        self.run = w.Dropdown(description="Run", style=label, layout=w.Layout(width="640px"))
        self.run.add_class("sl-upload-run")
        self.run.observe(lambda _: self._run_changed(), names="value")
        self.new_run_number = w.Text(
            placeholder="e.g. R-104",
            description="Run number",
            continuous_update=False,
            style=label,
            layout=wide,
        )
        self.new_run_number.add_class("sl-new-run-number")
        self.new_run_name = w.Text(
            placeholder="e.g. 12.25in MWD",
            description="Run name",
            continuous_update=False,
            style=label,
            layout=wide,
        )
        self.new_run_name.add_class("sl-new-run-name")
        self.new_run_type = w.Dropdown(
            options=[("(choose the run type)", "")] + [(t.value, t.value) for t in RunType],
            value="",
            description="Run type",
            style=label,
            layout=field_layout,
        )
        self.new_run_type.add_class("sl-new-run-type")
        self.create_run_button = w.Button(description="New run", icon="plus")
        self.create_run_button.add_class("sl-create-run")
        self.create_run_button.on_click(lambda _: self.create_run())
        self.well.observe(lambda _: self.load_runs(), names="value")
        # ---- files
        self.upload = w.FileUpload(accept=ACCEPT, multiple=True, description="Add files")
        self.upload.add_class("sl-file-upload")
        self.upload.observe(self._on_upload, names="value")
        self.file_select = w.Dropdown(
            options=[("(no file added yet)", NO_FILE)],
            value=NO_FILE,
            description="Preview",
            style=label,
            layout=w.Layout(width="640px"),
        )
        self.file_select.add_class("sl-preview-select")
        self._refilling = False  # True while the page refills file_select (one preview only)
        self.file_select.observe(
            lambda _: None if self._refilling else self.show_preview(), names="value"
        )
        self.remove_button = w.Button(description="Remove file", icon="trash", disabled=True)
        self.remove_button.add_class("sl-remove-file")
        self.remove_button.on_click(lambda _: self.remove_current())
        self.preview_head = w.HTML()
        self.preview_head.add_class("sl-preview")
        self.depth_unit = w.Dropdown(description="Depth unit", style=label, layout=field_layout)
        self.depth_unit.add_class("sl-depth-unit")
        self.north_ref = w.Dropdown(description="North ref", style=label, layout=field_layout)
        self.north_ref.add_class("sl-north-ref")
        # a number reaches the kernel when committed (Enter, or leaving the field): it then
        # applies, as the button does
        self.declination = CommittedText(
            description="Declination [deg]", style=label, layout=field_layout
        )
        self.declination.add_class("sl-declination")
        self.convergence = CommittedText(
            description="Convergence [deg]", style=label, layout=field_layout
        )
        self.convergence.add_class("sl-convergence")
        for box in (self.declination, self.convergence):
            box.on_commit(self._number_committed)
        self.apply_button = w.Button(description="Apply to preview", icon="refresh")
        self.apply_button.add_class("sl-apply")
        self.apply_button.on_click(lambda _: self.apply_overrides())
        self.header_fields = w.VBox(
            [
                w.HTML(
                    "<b>Header fields</b>: set what the file does not state (or states "
                    "wrongly), then Apply"
                ),
                self.depth_unit,
                self.north_ref,
                self.declination,
                self.convergence,
                self.apply_button,
            ],
            layout=w.Layout(display="none", margin="0 0 0 24px"),
        )
        self.header_fields.add_class("sl-header-fields")
        self.preview_problems = w.HTML()
        self.preview_problems.add_class("sl-preview-problems")
        self.preview_findings = w.HTML()
        self.preview_findings.add_class("sl-preview-findings")
        self.preview_table = w.HTML()
        self.preview_table.add_class("sl-preview-stations")
        # plan view and vertical section side by side, above the station table
        half = {"flex": "1 1 0", "min_width": "0"}
        self.preview_plan = w.Output(layout=w.Layout(**half))
        self.preview_section = w.Output(layout=w.Layout(**half))
        self.preview_plots = w.HBox(
            [self.preview_plan, self.preview_section], layout=w.Layout(max_width="1260px")
        )
        self.preview_plots.add_class("sl-preview-plots")
        # ---- commit
        self.commit_button = w.Button(
            description="Commit import", icon="upload", button_style="primary", disabled=True
        )
        self.commit_button.add_class("sl-commit")
        self.commit_button.on_click(lambda _: self.commit())
        self.commit_hint = w.HTML("<span class='sl-commit-hint'>Add a file first.</span>")
        self.commit_hint.add_class("sl-commit-hint")
        self.progress = w.IntProgress(min=0, max=1, value=0, description="Imported")
        self.progress.add_class("sl-progress")
        self.progress.layout.visibility = "hidden"
        self.progress_label = w.HTML()
        self.progress_label.add_class("sl-progress-label")
        self.result_box = w.HTML()
        self.result_box.add_class("sl-results")
        self.load_wells()
        self._fill_header_fields(None)
        return w.VBox(
            [
                w.HTML(_UPLOAD_STYLE + "<h3>1. Well and run</h3>"),
                self.well,
                w.HBox([self.new_well_name, self.new_well_type, self.create_well_button]),
                self.run,
                w.HBox([self.new_run_number, self.new_run_name]),
                w.HBox([self.new_run_type, self.create_run_button]),
                w.HTML("<h3>2. Files (CSV, TXT, Excel, LAS, WITSML, P7/17)</h3>"),
                self.upload,
                w.HBox([self.file_select, self.remove_button]),
                w.HBox([self.preview_head, self.header_fields]),
                self.preview_problems,
                self.preview_findings,
                self.preview_plots,
                self.preview_table,
                w.HTML("<h3>3. Commit</h3>"),
                w.HBox([self.commit_button, self.progress, self.progress_label]),
                self.commit_hint,
                self.result_box,
            ]
        )

    # ------------------------------------------------------------------ well and run
    def load_wells(self, select: str | None = None) -> None:
        wells = self.call(self.user_session.wells, what="Loading wells") or []
        if self.session is None:  # the session ended during the call: the form is back
            return
        self.well.options = [("(no well)", "")] + [(x.well_name, x.well_name) for x in wells]
        # ipywidgets 8 leaves the value unset when options arrive later: choose explicitly
        self.well.value = select or ""
        self.load_runs()

    def load_runs(self, select: str | None = None) -> None:
        if self.session is None:
            return
        # the runs this user may import into: an Admin's choice is every run, anyone else's
        # their own (the import service refuses the others)
        mine = self._role is not Role.ADMIN
        runs = self.call(
            self.user_session.runs,
            mine=mine,
            well=self.well.value or None,
            what="Loading runs",
        )
        runs = runs or []
        self._runs = {str(r.id): r for r in runs}
        options: list[tuple[str, str]] = [("(choose a run)", "")]
        options += [(f"{r.run_number}: {r.run_name} ({r.run_type})", str(r.id)) for r in runs]
        if self.new_run is not None:
            options.append((self.new_run.label, NEW_RUN))
        self.run.options = options
        self.run.value = select if select in {v for _, v in options} else ""

    def _run_changed(self) -> None:
        """The chosen run's well shows in the preview's Well row."""
        p = self.current()
        if p is not None and p.preview is not None and p.preview.refusal is None:
            self.preview_head.value = self._head_html(p, p.preview)

    def chosen_well(self) -> str | None:
        """The well the files go to: the chosen run's, else the well chosen above [name]."""
        run = self._runs.get(self.run.value or "")
        if run is not None:
            return run.well_name
        return self.well.value or None

    def create_well(self) -> None:
        if not self.new_well_type.value:
            self.error("Choose the well type (Oil, Gas, Water or Other) first.")
            return
        well = self.call(
            self.user_session.create_well,
            self.new_well_name.value,
            self.new_well_type.value,
            what="Creating well",
        )
        if well is not None:
            self.ok(f"Well {well.well_name} created.")
            self.new_well_name.value = ""
            self.new_well_type.value = ""
            self.load_wells(select=well.well_name)

    def create_run(self) -> None:
        """Take the new run's number, name and type: the run is created in the database with
        the first file imported into it (so a refused file leaves no empty run)."""
        number = self.new_run_number.value.strip()
        name = self.new_run_name.value.strip()
        if not number or not name:
            self.error("Type the new run's number and name first.")
            return
        if not self.new_run_type.value:
            self.error(
                "Choose the run type (GTL, Gyro or MWD; Unknown when it is not known) first."
            )
            return
        taken = self.call(self._run_numbered, number, what="Checking the run number")
        if self.session is None or taken is None:  # logged out, or the error is shown
            return
        if taken is not _FREE:
            self.error(f"Run number {number} is taken (run {taken.run_name}); choose another.")
            return
        self.new_run = PendingRun(number, name, self.new_run_type.value)
        self.new_run_number.value = ""
        self.new_run_name.value = ""
        self.new_run_type.value = ""
        self.load_runs(select=NEW_RUN)
        self.ok(f"Run {number} will be created with its first import.")

    def _run_numbered(self, number: str) -> Any:
        """The run of this number, or :data:`_FREE` when there is none."""
        try:
            return self.user_session.run(number)
        except NotFound:
            return _FREE

    # ------------------------------------------------------------------ files
    def _on_upload(self, change) -> None:
        files = change["new"] or ()
        for f in files:
            name = f["name"] if isinstance(f, dict) else f.name
            content = bytes(f["content"] if isinstance(f, dict) else f.content)
            self.add_file(name, content)

    def add_file(self, name: str, content: bytes) -> PendingFile:
        """Queue a file and compute its preview (nothing is stored)."""
        pending = PendingFile(name, content)
        with self.working(f"Reading {name}"):
            pending.preview = survey_service.preview_file(
                content, name, max_bytes=self.settings.max_upload_bytes
            )
        header = pending.preview.parsed.header
        pending.stated = {key: getattr(header, key) for key, _ in _FIELDS}
        self.pending = [p for p in self.pending if p.name != name] + [pending]
        self.outcomes.pop(name, None)  # a new copy of the file: its old outcome is gone
        self._refill_files(len(self.pending) - 1)
        return pending

    def _refill_files(self, index: int | None) -> None:
        """File dropdown from the queue, ``index`` chosen; the preview follows."""
        self._refilling = True
        try:
            if self.pending:
                self.file_select.options = [(p.name, i) for i, p in enumerate(self.pending)]
                self.file_select.value = index if index is not None else 0
            else:
                self.file_select.options = [("(no file added yet)", NO_FILE)]
                self.file_select.value = NO_FILE
        finally:
            self._refilling = False
        self.show_preview()

    def remove_current(self) -> None:
        """Drop the previewed file from the queue."""
        p = self.current()
        if p is None:
            return
        i = self.pending.index(p)
        self.pending.remove(p)
        self._refill_files(min(i, len(self.pending) - 1) if self.pending else None)

    def current(self) -> PendingFile | None:
        i = self.file_select.value
        return self.pending[i] if i is not None and 0 <= i < len(self.pending) else None

    def _number_committed(self, _box: w.Text) -> None:
        """Enter in a number field (or leaving it): preview with it."""
        self.apply_overrides()

    def _fill_header_fields(self, p: PendingFile | None) -> None:
        """The header-field controls show file ``p``: what it set, else what the file says."""
        stated = p.stated if p is not None else {}
        ov = p.overrides if p is not None else {}

        def first(key: str) -> str:
            said = _shown(stated.get(key))
            return f"(file: {said})" if said is not None else "(not stated: choose)"

        self.depth_unit.options = [(first("depth_unit"), ""), *_UNIT_CHOICES]
        self.depth_unit.value = ov.get("depth_unit", "")
        self.north_ref.options = [(first("azimuth_reference"), "")] + [
            (r.value, r.value) for r in NorthReference if r is not NorthReference.UNKNOWN
        ]
        self.north_ref.value = ov.get("azimuth_reference", "")
        for key, box in (("declination", self.declination), ("grid_convergence", self.convergence)):
            said = _shown(stated.get(key))
            box.placeholder = f"file: {said}" if said is not None else "not stated"
            box.value = str(ov.get(key, ""))

    def apply_overrides(self) -> None:
        """Preview the shown file again with the header fields as set."""
        p = self.current()
        if p is None:
            return
        ov: dict[str, Any] = {}
        if self.depth_unit.value:
            ov["depth_unit"] = self.depth_unit.value
        if self.north_ref.value:
            ov["azimuth_reference"] = self.north_ref.value
        for key, box in (("declination", self.declination), ("grid_convergence", self.convergence)):
            if box.value.strip():
                ov[key] = box.value.strip()
        if ov == p.overrides and p.preview is not None:
            return  # previewed with these already (Enter in a field, then the button)
        try:
            with self.working(f"Previewing {p.name}"):
                preview = survey_service.preview_file(
                    p.content, p.name, ov, max_bytes=self.settings.max_upload_bytes
                )
        except Exception as exc:  # a bad override value: say which
            self.error(str(exc))
            return
        p.overrides, p.preview = ov, preview
        if "sl-error-box" in self.status.value:  # the refusal this fixes (or an older one)
            self.status.value = ""
        done = self.outcomes.get(p.name)
        if done is not None and not done[0]:  # a refused commit of this file: retried anew
            del self.outcomes[p.name]
            self._show_outcomes()
        self.show_preview()

    def _head_html(self, p: PendingFile, pv: survey_service.Preview) -> str:
        """Title, header table and last station of a file that could be read."""
        head = f"<h4>{esc(p.name)}</h4>" + self._header_rows(p, pv)
        if pv.stations is not None:
            u = unit_label(str(pv.parsed.header.depth_unit))
            last = pv.stations.iloc[-1]
            head += (
                f"<p class='sl-preview-last'>Last station: MD {last['md']:.2f} {u}, "
                f"TVD {last['tvd']:.2f} {u}, N {last['north']:.2f} {u}, "
                f"E {last['east']:.2f} {u}</p>"
            )
        return head

    def _header_rows(self, p: PendingFile, pv: survey_service.Preview) -> str:
        h = pv.parsed.header
        missing = "<span class='sl-missing'>not stated by the file</span>"

        def row(label: str, shown: str) -> str:
            return f"<tr><th class='l'>{esc(label)}</th><td class='l'>{shown}</td></tr>"

        def value_row(label: str, key: str) -> str:
            value = _shown(getattr(h, key))
            if value is None:
                return row(label, missing)
            if key in p.overrides:
                return row(label, f"{esc(value)} <span class='sl-set-by-user'>(set by you)</span>")
            return row(label, esc(value))

        chosen = self.chosen_well()
        if h.well_name:
            well = esc(h.well_name)
            if chosen and chosen != h.well_name:
                well += f" <span class='sl-derived'>(importing into well {esc(chosen)})</span>"
        elif chosen:
            well = (
                f"<span class='sl-chosen'>{esc(chosen)}</span> "
                "<span class='sl-derived'>(chosen above; the file names no well)</span>"
            )
        else:
            well = missing
        if h.total_correction is not None:
            total = esc(_shown(h.total_correction))
        elif h.declination is not None and h.grid_convergence is not None:
            total = (
                f"{h.declination - h.grid_convergence:g} <span class='sl-derived'>"
                "(declination &minus; convergence)</span>"
            )
        else:
            total = missing
        tie = h.tie_on
        tie_text = (
            missing
            if tie is None
            else esc(f"MD {tie.md:g}, TVD {tie.tvd:g}, N {tie.north:g}, E {tie.east:g}")
        )
        rows = [
            row("Format", esc(pv.parsed.format)),
            row("Well", well),
            value_row("Depth unit", "depth_unit"),
            value_row("Azimuth reference", "azimuth_reference"),
            value_row("Declination [deg]", "declination"),
            value_row("Grid convergence [deg]", "grid_convergence"),
            row("Total correction [deg]", total),
            row("Tie-on", tie_text),
            row("Stations", esc(pv.parsed.station_count)),
        ]
        return f"<table class='sl-table'>{''.join(rows)}</table>"

    def show_preview(self) -> None:
        from surveylab.ui import figures  # plotly: loaded in the background at start

        p = self.current()
        self.preview_plan.clear_output()
        self.preview_section.clear_output()
        self.remove_button.disabled = p is None
        self._fill_header_fields(p)
        self._update_commit()
        if p is None or p.preview is None:
            for box in (self.preview_head, self.preview_problems, self.preview_findings):
                box.value = ""
            self.preview_table.value = ""
            self.header_fields.layout.display = "none"
            return
        pv = p.preview
        if pv.refusal is not None:  # nothing could be read: no header, no fields to set
            self.header_fields.layout.display = "none"
            self.preview_head.value = f"<h4>{esc(p.name)}</h4>"
            self.preview_problems.value = problems_html(*problems_of(p.name, pv))
            self.preview_findings.value = ""
            self.preview_table.value = ""
            return
        self.header_fields.layout.display = "flex"
        self.preview_head.value = self._head_html(p, pv)
        h = pv.parsed.header
        if pv.error:
            self.preview_problems.value = problems_html(*problems_of(p.name, pv))
            rest = [f for f in pv.findings if f.severity != Severity.ERROR]
            self.preview_findings.value = (
                f"<h4>Other findings ({len(rest)})</h4>{findings_html(rest)}" if rest else ""
            )
        else:
            self.preview_problems.value = ""
            self.preview_findings.value = (
                f"<h4>Findings ({len(pv.findings)})</h4>{findings_html(pv.findings)}"
            )
        if pv.stations is not None:
            unit = str(h.depth_unit)
            course = dls_course_length(unit)
            df = listing_frame(pv.stations, unit, course)
            self.preview_table.value = (
                f"<div class='sl-scroll'>{table_html(df, left=0, max_rows=500)}</div>"
            )
            with self.preview_plan:
                display(figures.plan_view(pv.stations, unit, str(h.azimuth_reference)))
            with self.preview_section:
                display(
                    figures.section_view(pv.stations, unit, figures.default_vs_azimuth(pv.stations))
                )
        else:
            self.preview_table.value = ""

    # ------------------------------------------------------------------ commit
    def _update_commit(self) -> None:
        """Commit is enabled while at least one queued file's preview is ready; the hint
        names the files that will not be imported."""
        ready = [p for p in self.pending if p.importable]
        held = [p.name for p in self.pending if not p.importable]
        self.commit_button.disabled = not ready
        if not self.pending:
            hint = "" if self.outcomes else "Add a file first."
        elif not ready:
            hint = (
                f"Nothing to import yet: {', '.join(held)} cannot be imported as it is "
                "(see its preview above)."
            )
        elif held:
            hint = (
                f"Commit imports {len(ready)} of {len(self.pending)} files; not "
                f"{', '.join(held)} (see its preview above)."
            )
        else:
            hint = ""
        self.commit_hint.value = f"<span class='sl-commit-hint'>{esc(hint)}</span>" if hint else ""

    def _show_outcomes(self) -> None:
        self.result_box.value = "".join(html for _ok, html in self.outcomes.values())

    def commit(self) -> list[dict[str, Any]]:
        """Import every queued file whose preview is ready into the chosen run (a new run is
        created with the first file that imports); report each result or refusal."""
        if not self.run.value:
            self.error("Choose a run, or give a new run's number, name and type, first.")
            return []
        ready = [p for p in self.pending if p.importable]
        if not ready:
            self.error("Add a file that can be imported first.")
            return []
        target: str | NewRun
        if self.run.value == NEW_RUN:
            assert self.new_run is not None
            target = NewRun(
                self.new_run.run_number,
                self.new_run.run_name,
                self.new_run.run_type,
                well=self.well.value or None,
            )
        else:
            target = self.run.value
        self.status.value = ""
        self.results = []
        self.progress.max = len(ready)
        self.progress.value = 0
        self.progress.bar_style = ""
        self.progress.layout.visibility = "visible"
        refused = 0
        created = None
        for p in ready:
            try:
                with self.working(f"Importing {p.name}"):
                    res = self.user_session.import_file(
                        p.content, target, name=p.name, overrides=p.overrides or None
                    )
            except Exception as exc:
                from surveylab.auth import AuthenticationError

                if isinstance(exc, AuthenticationError):
                    self.logout("Your session has ended. Please log in again.")
                    return self.results
                refused += 1
                reason = _without_file_name(str(exc), p.name)
                self.results.append({"file": p.name, "ok": False, "error": str(exc)})
                self.outcomes[p.name] = (
                    False,
                    f"<div class='sl-error-box'><b>{esc(p.name)}</b> was refused and nothing "
                    f"was stored: {esc(reason)}</div>",
                )
            else:
                if isinstance(target, NewRun):  # created with this file: the next go into it
                    created = target = str(res.run.id)
                verb = "was already imported as" if res.duplicate else "imported as"
                self.results.append(
                    {
                        "file": p.name,
                        "ok": True,
                        "revision": res.survey.revision,
                        "duplicate": res.duplicate,
                    }
                )
                self.outcomes[p.name] = (
                    True,
                    f"<div class='sl-ok-box'><b>{esc(p.name)}</b> {verb} revision "
                    f"{res.survey.revision} of run {esc(res.run.run_number)} "
                    f"({res.survey.station_count} stations).</div>"
                    + findings_html(res.survey.findings),
                )
                self.progress.value += 1
            self._show_outcomes()
        imported = len(ready) - refused
        self.progress.bar_style = (
            "success" if not refused else "danger" if not imported else "warning"
        )
        self.progress_label.value = f"{imported} of {len(ready)} imported" + (
            f", {refused} refused" if refused else ""
        )
        done = {r["file"] for r in self.results if r["ok"]}
        self.pending = [p for p in self.pending if p.name not in done]
        if created is not None:
            self.new_run = None
            self.load_runs(select=created)
        self._refill_files(0 if self.pending else None)
        return self.results
