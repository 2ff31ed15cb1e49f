"""The upload dashboard (Admin, Engineer, Surveyor): choose or create a well and run, add files,
preview each (format, header with what the file did not state, stations, findings, plots), fix
missing header fields, then commit through the import service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
from IPython.display import display

from surveylab.calc.tables import listing_frame
from surveylab.models import NorthReference, Role, RunType, WellType
from surveylab.services import surveys as survey_service
from surveylab.ui.shell import DashboardShell, esc, findings_html, table_html
from surveylab.units import dls_course_length, unit_label

ACCEPT = ".csv,.txt,.las,.xml,.xls,.xlsx,.p717,.p7,.dat,.asc"


@dataclass
class PendingFile:
    name: str
    content: bytes
    overrides: dict[str, Any] = field(default_factory=dict)
    preview: survey_service.Preview | None = None


class UploadApp(DashboardShell):
    title = "surveylab: upload surveys"
    roles = (Role.ADMIN, Role.ENGINEER, Role.SURVEYOR)

    def build(self) -> w.Widget:
        self.pending: list[PendingFile] = []
        self.results: list[dict[str, Any]] = []
        # ---- well and run
        self.well = w.Dropdown(description="Well")
        self.new_well_name = w.Text(placeholder="new well name", description="New well")
        self.new_well_type = w.Dropdown(options=[t.value for t in WellType], description="Type")
        self.create_well_button = w.Button(description="Create well", icon="plus")
        self.create_well_button.add_class("sl-create-well")
        self.create_well_button.on_click(lambda _: self.create_well())
        self.run = w.Dropdown(description="Run", layout=w.Layout(width="420px"))
        self.run.add_class("sl-upload-run")
        self.new_run_number = w.Text(placeholder="e.g. R-104", description="Run number")
        self.new_run_name = w.Text(placeholder="e.g. 12.25in MWD", description="Run name")
        self.new_run_type = w.Dropdown(options=[t.value for t in RunType], description="Run type")
        self.create_run_button = w.Button(description="Create run", icon="plus")
        self.create_run_button.add_class("sl-create-run")
        self.create_run_button.on_click(lambda _: self.create_run())
        self.well.observe(lambda _: self.load_runs(), names="value")
        # ---- files
        self.upload = w.FileUpload(accept=ACCEPT, multiple=True, description="Add files")
        self.upload.add_class("sl-file-upload")
        self.upload.observe(self._on_upload, names="value")
        self.file_select = w.Dropdown(description="Preview", layout=w.Layout(width="420px"))
        self.file_select.add_class("sl-preview-select")
        self._refilling = False  # True while add_file refills file_select (one preview only)
        self.file_select.observe(
            lambda _: None if self._refilling else self.show_preview(), names="value"
        )
        self.preview_head = w.HTML()
        self.preview_head.add_class("sl-preview")
        self.depth_unit = w.Dropdown(
            options=[("(from file)", ""), ("m", "m"), ("ft", "ft"), ("US ft", "usft")],
            description="Depth unit",
        )
        self.north_ref = w.Dropdown(
            options=[("(from file)", "")] + [(r.value, r.value) for r in NorthReference],
            description="North ref",
        )
        self.declination = w.Text(placeholder="deg, east +", description="Declination")
        self.convergence = w.Text(placeholder="deg", description="Convergence")
        self.apply_button = w.Button(description="Apply to preview", icon="refresh")
        self.apply_button.on_click(lambda _: self.apply_overrides())
        self.preview_findings = w.HTML()
        self.preview_findings.add_class("sl-preview-findings")
        self.preview_table = w.HTML()
        self.preview_table.add_class("sl-preview-stations")
        self.preview_plots = w.Output()
        self.preview_plots.add_class("sl-preview-plots")
        self.commit_button = w.Button(
            description="Commit import", icon="upload", button_style="primary"
        )
        self.commit_button.add_class("sl-commit")
        self.commit_button.on_click(lambda _: self.commit())
        self.progress = w.IntProgress(min=0, max=1, value=0, description="Files")
        self.progress.layout.visibility = "hidden"
        self.result_box = w.HTML()
        self.result_box.add_class("sl-results")
        self.load_wells()
        return w.VBox(
            [
                w.HTML("<h3>1. Well and run</h3>"),
                w.HBox([self.well]),
                w.HBox([self.new_well_name, self.new_well_type, self.create_well_button]),
                w.HBox([self.run]),
                w.HBox([self.new_run_number, self.new_run_name]),
                w.HBox([self.new_run_type, self.create_run_button]),
                w.HTML("<h3>2. Files (CSV, TXT, Excel, LAS, WITSML, P7/17)</h3>"),
                self.upload,
                self.file_select,
                self.preview_head,
                w.HTML("<b>Header fields to set where the file is silent or wrong:</b>"),
                w.HBox([self.depth_unit, self.north_ref]),
                w.HBox([self.declination, self.convergence, self.apply_button]),
                self.preview_findings,
                self.preview_table,
                self.preview_plots,
                w.HTML("<h3>3. Commit</h3>"),
                w.HBox([self.commit_button, self.progress]),
                self.result_box,
            ]
        )

    # ------------------------------------------------------------------ well and run
    def load_wells(self, select: str | None = None) -> None:
        wells = self.call(self.session.wells, what="Loading wells") or []
        if self.session is None:  # the session ended during the call: the form is back
            return
        self.well.options = [("(no well)", "")] + [(x.well_name, x.well_name) for x in wells]
        # ipywidgets 8 leaves the value unset when options arrive later: choose explicitly
        self.well.value = select or ""
        self.load_runs()

    def load_runs(self, select: str | None = None) -> None:
        if self.session is None:
            return
        runs = self.call(self.session.runs, well=self.well.value or None, what="Loading runs")
        runs = runs or []
        self.run.options = [("(choose a run)", None)] + [
            (f"{r.run_number}: {r.run_name} ({r.run_type})", str(r.id)) for r in runs
        ]
        if select:
            self.run.value = select

    def create_well(self) -> None:
        well = self.call(
            self.session.create_well,
            self.new_well_name.value,
            self.new_well_type.value,
            what="Creating well",
        )
        if well is not None:
            self.ok(f"Well {well.well_name} created.")
            self.new_well_name.value = ""
            self.load_wells(select=well.well_name)

    def create_run(self) -> None:
        run = self.call(
            self.session.create_run,
            self.new_run_number.value,
            self.new_run_name.value,
            self.new_run_type.value,
            well=self.well.value or None,
            what="Creating run",
        )
        if run is not None:
            self.ok(f"Run {run.run_number} created.")
            self.new_run_number.value = ""
            self.new_run_name.value = ""
            self.load_runs(select=str(run.id))

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
        self.pending = [p for p in self.pending if p.name != name] + [pending]
        self._refilling = True
        try:
            self.file_select.options = [(p.name, i) for i, p in enumerate(self.pending)]
            self.file_select.value = len(self.pending) - 1
        finally:
            self._refilling = False
        self.show_preview()
        return pending

    def current(self) -> PendingFile | None:
        i = self.file_select.value
        return self.pending[i] if i is not None and i < len(self.pending) else None

    def apply_overrides(self) -> None:
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
        p.overrides = ov
        try:
            p.preview = survey_service.preview_file(
                p.content, p.name, ov, max_bytes=self.settings.max_upload_bytes
            )
        except Exception as exc:  # a bad override value: say which
            self.error(str(exc))
            return
        self.show_preview()

    def show_preview(self) -> None:
        from surveylab.ui import figures  # plotly: loaded in the background at start

        p = self.current()
        self.preview_plots.clear_output()
        if p is None or p.preview is None:
            self.preview_head.value = ""
            return
        pv = p.preview
        if pv.error and pv.stations is None and pv.parsed.format == "unknown":
            self.preview_head.value = (
                f"<div class='sl-error-box'><b>{esc(p.name)} cannot be imported:</b> "
                f"{esc(pv.error)}</div>"
            )
            self.preview_findings.value = ""
            self.preview_table.value = ""
            return
        h = pv.parsed.header

        def field_row(label: str, value: Any, key: str) -> str:
            if value is None or value == NorthReference.UNKNOWN:
                shown = "<span class='sl-missing'>not stated by the file</span>"
            else:
                shown = esc(value)
            return f"<tr><th class='l'>{esc(label)}</th><td class='l'>{shown}</td></tr>"

        tie = h.tie_on
        rows = [
            field_row("Format", pv.parsed.format, "format"),
            field_row("Well", h.well_name, "well_name"),
            field_row("Depth unit", h.depth_unit, "depth_unit"),
            field_row("Azimuth reference", h.azimuth_reference, "azimuth_reference"),
            field_row("Declination [deg]", h.declination, "declination"),
            field_row("Grid convergence [deg]", h.grid_convergence, "grid_convergence"),
            field_row("Total correction [deg]", h.total_correction, "total_correction"),
            field_row(
                "Tie-on",
                None
                if tie is None
                else f"MD {tie.md:g}, TVD {tie.tvd:g}, N {tie.north:g}, E {tie.east:g}",
                "tie_on",
            ),
            field_row("Stations", pv.parsed.station_count, "stations"),
        ]
        head = f"<table class='sl-table'>{''.join(rows)}</table>"
        if pv.error:
            head += f"<div class='sl-error-box'>{esc(pv.error)}</div>"
        if pv.stations is not None:
            unit = str(h.depth_unit)
            last = pv.stations.iloc[-1]
            u = unit_label(unit)
            head += (
                f"<p class='sl-preview-last'>Last station: MD {last['md']:.2f} {u}, "
                f"TVD {last['tvd']:.2f} {u}, N {last['north']:.2f} {u}, "
                f"E {last['east']:.2f} {u}</p>"
            )
        self.preview_head.value = f"<h4>{esc(p.name)}</h4>{head}"
        by_sev = findings_html(pv.findings)
        self.preview_findings.value = f"<h4>Findings ({len(pv.findings)})</h4>{by_sev}"
        if pv.stations is not None:
            unit = str(h.depth_unit)
            course = dls_course_length(unit)
            df = listing_frame(pv.stations, unit, course)
            self.preview_table.value = (
                f"<div class='sl-scroll'>{table_html(df, left=0, max_rows=500)}</div>"
            )
            with self.preview_plots:
                display(figures.plan_view(pv.stations, unit, str(h.azimuth_reference)))
                display(
                    figures.section_view(pv.stations, unit, figures.default_vs_azimuth(pv.stations))
                )
        else:
            self.preview_table.value = ""

    # ------------------------------------------------------------------ commit
    def commit(self) -> list[dict[str, Any]]:
        """Import every queued file into the chosen run; report each result or refusal."""
        if not self.run.value:
            self.error("Choose or create a run first.")
            return []
        if not self.pending:
            self.error("Add at least one file first.")
            return []
        self.results = []
        self.progress.max = len(self.pending)
        self.progress.value = 0
        self.progress.layout.visibility = "visible"
        parts = []
        for p in list(self.pending):
            try:
                with self.working(f"Importing {p.name}"):
                    res = self.session.import_file(
                        p.content, self.run.value, name=p.name, overrides=p.overrides or None
                    )
            except Exception as exc:
                from surveylab.auth import AuthenticationError

                if isinstance(exc, AuthenticationError):
                    self.logout("Your session has ended. Please log in again.")
                    return self.results
                self.results.append({"file": p.name, "ok": False, "error": str(exc)})
                parts.append(
                    f"<div class='sl-error-box'><b>{esc(p.name)}</b> was refused and nothing "
                    f"was stored: {esc(exc)}</div>"
                )
            else:
                verb = "was already imported as" if res.duplicate else "imported as"
                self.results.append(
                    {
                        "file": p.name,
                        "ok": True,
                        "revision": res.survey.revision,
                        "duplicate": res.duplicate,
                    }
                )
                parts.append(
                    f"<div class='sl-ok-box'><b>{esc(p.name)}</b> {verb} revision "
                    f"{res.survey.revision} of run {esc(res.run.run_number)} "
                    f"({res.survey.station_count} stations).</div>"
                    + findings_html(res.survey.findings)
                )
            self.progress.value += 1
            self.result_box.value = "".join(parts)
        self.pending = [p for p, r in zip(self.pending, self.results, strict=True) if not r["ok"]]
        self.file_select.options = [(p.name, i) for i, p in enumerate(self.pending)]
        return self.results
