"""The runs dashboard (everyone): a data grid of runs (filtered, sorted and paged in the
database, each with its current revision's status) beside the chosen run: summary, stations,
plots, 3-D, QC and approval, history, differences against another run of the well, the
wellbore's definitive survey, exports and reports."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from surveylab.calc.compare import GYRO_IN_OUT
from surveylab.calc.tables import at_td, listing_frame
from surveylab.models import RunType, SurveyStatus
from surveylab.models.records import RunRecord
from surveylab.session import Session, SurveyView
from surveylab.ui.download import Downloader
from surveylab.ui.grid import DataGrid
from surveylab.ui.labels import north_wording
from surveylab.ui.qc_views import (
    approval_rights,
    definitive_html,
    failed_stations_html,
    qc_summary_html,
    status_history_html,
    wellbores_html,
)
from surveylab.ui.shell import DashboardShell, download_link, esc, findings_html, table_html
from surveylab.units import unit_label

PAGE_SIZE = 25
#: Delay between the first page and making the run's tabs (hidden) [s]: after the shell's
#: plotting warm-up (:data:`surveylab.ui.shell.WARMUP_DELAY_S`).
DETAILS_DELAY_S = 2.5
#: the tabs of a chosen run, in order; all but the first are filled when first open
TAB_TITLES = (
    "Summary",
    "Stations",
    "Plots",
    "3-D",
    "QC",
    "History",
    "Overlay",
    "Wellbore",
    "Anti-collision",
    "Export & report",
)
(
    TAB_SUMMARY,
    TAB_STATIONS,
    TAB_PLOTS,
    TAB_3D,
    TAB_QC,
    TAB_HISTORY,
    TAB_OVERLAY,
    TAB_WELLBORE,
    TAB_ANTICOLLISION,
    TAB_EXPORT,
) = range(10)

#: The runs table's columns: key, label, alignment, and the database order of a click on its
#: head (None: not sortable).
GRID_COLUMNS: tuple[tuple[str, str, str, str | None], ...] = (
    ("run_number", "Run", "l", "run_number"),
    ("run_name", "Name", "l", "run_name"),
    ("run_type", "Type", "l", "run_type"),
    ("well", "Well", "l", "well"),
    ("owner", "Owner", "l", "owner"),
    ("revision", "Rev", "r", None),
    ("status", "Status", "l", None),
    ("stations", "Stations", "r", None),
    ("worst", "Worst finding", "l", None),
    ("updated", "Updated", "l", "updated_at"),
)
SORT_ORDER = {key: order for key, _, _, order in GRID_COLUMNS if order is not None}

#: The status filter's entries: the current revision's lifecycle status, or no survey.
STATUS_FILTERS = (
    ("All statuses", ""),
    *((str(x), str(x)) for x in SurveyStatus),
    ("no survey", "none"),
)

#: The first page's filters and order (the widgets' initial values).
FIRST_SCOPE, FIRST_SORT = "All runs", ("run_number", False)
#: A dropdown's entry when nothing is chosen (also what an empty dropdown shows).
NO_RUN = ("(choose a run)", None)
NO_REVISION = ("(choose a revision)", None)
#: Shown beside the table until a run is chosen.
HINT = (
    "<p class='sl-hint'>Click a run in the table (or move to it with the arrow keys and press "
    "Enter) to see its survey here.</p>"
)
#: What the listing shows when its runs could not be read (the status line says why).
UNREAD_LISTING: dict[str, Any] = {
    "label": "",
    "prev_disabled": True,
    "next_disabled": True,
    "rows": [],
    "empty": "Runs could not be read (see the message above).",
}
EXPORT_FORMATS = (
    ("CSV", "csv"),
    ("Excel", "xlsx"),
    ("LAS 2.0", "las"),
    ("WITSML 1.4.1.1", "witsml"),
    ("WITSML 2.0", "witsml20"),
)
REPORT_FORMATS = (("HTML", "html"), ("PDF", "pdf"))
REPORT_UNITS = (("m", "m"), ("ft", "ft"), ("US survey ft", "usft"))
_CSS = (Path(__file__).resolve().parent / "runs.css").read_text(encoding="utf-8")


def _label(r) -> str:
    return f"{r.run_number}: {r.run_name}"


def _deg(x: float) -> str:
    return f"{x:.2f}°"


class RunsApp(DashboardShell):
    title = "surveylab: survey runs"
    #: the chosen run's survey (None: no run chosen, or it has no survey)
    view: SurveyView | None
    #: the chosen run
    selected: RunRecord | None
    #: the chosen run's tabs (made with the first run chosen)
    tabs: w.Tab | None

    @property
    def sess(self) -> Session:
        """The session: the dashboard's page exists only while someone is logged in."""
        assert self.session is not None, "the page is built after a login"
        return self.session

    @property
    def chosen_view(self) -> SurveyView:
        """The chosen run's survey, for the tabs that show one."""
        assert self.view is not None, "a tab of a run is filled with a run chosen"
        return self.view

    @property
    def chosen_run(self) -> RunRecord:
        assert self.selected is not None, "a tab of a run is filled with a run chosen"
        return self.selected

    @property
    def run_tabs(self) -> w.Tab:
        assert self.tabs is not None, "the tabs are made with the first run chosen"
        return self.tabs

    def build(self) -> w.Widget:
        """The first page: filters, the first page of runs in the grid, and the pager.

        Its data is read first and every widget is made with its final state, classes and
        shared Layout and style, so that each reaches the browser as one message (its
        creation) and none is updated right after.
        """
        self.page = 0
        self.page_runs: list = []
        self.total = 0
        self.selected = None
        self.view = None
        self._then: str | None = None
        wells = self.call(self.sess.wells, what="Loading wells") or []
        if self.session is None:  # the session ended: the login form is back
            return w.VBox()
        self._counted: tuple[tuple[str, Any], ...] | None = None
        first = self._load(self._filters(FIRST_SCOPE, "", "", "", "", *FIRST_SORT, ""), 0)
        shown = self._listing(*first) if first is not None else UNREAD_LISTING
        # ---- filters. The first page's widgets share one Layout and one style per kind
        # (ipywidgets allows it; none of them changes its own): each is a model the browser
        # must create between the login and the table. CSS classes go in as ``_dom_classes``,
        # sent with the widget's creation (``add_class`` would be one more update right after).
        plain = w.Layout()
        field = w.Layout(width="206px")
        self.page_style = w.HTML(_CSS, layout=plain)
        shown_style = self.page_style.style
        self.scope = w.ToggleButtons(
            options=[FIRST_SCOPE, "My runs"],
            value=FIRST_SCOPE,
            layout=plain,
            _dom_classes=("sl-scope",),
        )
        described = {"description_width": "52px"}
        self.search = w.Text(
            placeholder="number or name",
            description="Search",
            layout=field,
            style=described,
            continuous_update=False,
            _dom_classes=("sl-search",),
        )
        typed = self.search.style
        self.well_filter = w.Dropdown(
            options=[("All wells", "")] + [(x.well_name, x.well_name) for x in wells],
            description="Well",
            layout=field,
            style=described,
            _dom_classes=("sl-well-filter",),
        )
        chosen = self.well_filter.style
        self.type_filter = w.Dropdown(
            options=[("All types", "")] + [(t.value, t.value) for t in RunType],
            description="Type",
            layout=field,
            style=chosen,
            _dom_classes=("sl-type-filter",),
        )
        self.owner_filter = w.Text(
            placeholder="username",
            description="Owner",
            layout=field,
            style=typed,
            continuous_update=False,
            _dom_classes=("sl-owner-filter",),
        )
        self.status_filter = w.Dropdown(
            options=STATUS_FILTERS,
            description="Status",
            layout=field,
            style=chosen,
            _dom_classes=("sl-status-filter",),
        )
        self.table = DataGrid(
            columns=[
                {"key": k, "label": label, "align": a, "sortable": order is not None}
                for k, label, a, order in GRID_COLUMNS
            ],
            rows=shown["rows"],
            sort_key=FIRST_SORT[0],
            sort_descending=FIRST_SORT[1],
            empty_text=shown["empty"],
            label="Runs",
            layout=plain,
            _dom_classes=("sl-runs-table",),
        )
        self.prev_button = w.Button(
            description="Previous",
            icon="chevron-left",
            layout=plain,
            disabled=shown["prev_disabled"],
            _dom_classes=("sl-prev",),
        )
        pressed = self.prev_button.style
        self.next_button = w.Button(
            description="Next",
            icon="chevron-right",
            layout=plain,
            style=pressed,
            disabled=shown["next_disabled"],
            _dom_classes=("sl-next",),
        )
        self.page_label = w.HTML(
            shown["label"], layout=plain, style=shown_style, _dom_classes=("sl-page-label",)
        )
        for widget in (
            self.scope,
            self.well_filter,
            self.type_filter,
            self.owner_filter,
            self.status_filter,
        ):
            widget.observe(lambda _: self.refresh(reset=True), names="value")
        self.search.observe(lambda _: self.refresh(reset=True), names="value")
        self._sorted = FIRST_SORT
        self.table.observe(self._on_sort, names=["sort_key", "sort_descending"])
        self.table.observe(self._on_select, names="selected")
        self.prev_button.on_click(lambda _: self.turn_page(-1))
        self.next_button.on_click(lambda _: self.turn_page(+1))
        # the tabs of a run are made with the first run chosen: fewer widgets to send and
        # build in the browser before the first page shows
        self.tabs: w.Tab | None = None
        self.run_header = w.HTML(
            HINT, layout=plain, style=shown_style, _dom_classes=("sl-run-header",)
        )
        self.details = w.VBox([self.run_header], layout=plain, _dom_classes=("sl-details",))
        # made with the first page, while the browser has little else to do: anywidget gives
        # a model 2 s to start in the browser, and the burst of widgets made with the first
        # chosen run took longer than that on a loaded 2-core machine
        self.downloader = Downloader(layout=plain)
        listing = w.VBox(
            [
                w.HBox([self.scope, self.search], layout=plain, _dom_classes=("sl-row",)),
                w.HBox(
                    [self.well_filter, self.type_filter, self.owner_filter, self.status_filter],
                    layout=plain,
                    _dom_classes=("sl-row",),
                ),
                self.table,
                w.HBox([self.prev_button, self.page_label, self.next_button], layout=plain),
            ],
            layout=plain,
            _dom_classes=("sl-listing",),
        )
        return w.HBox(
            [self.page_style, listing, self.details, self.downloader],
            layout=plain,
            _dom_classes=("sl-runs-layout",),
        )

    def ready(self) -> None:
        """After the first page is sent: the shell's plotting warm-up, then the run's tabs,
        made hidden :data:`DETAILS_DELAY_S` later while the user reads the table, so that
        the first click on a row only fills them (about 40 widgets the browser would
        otherwise create between that click and the summary). Without a running event loop
        (pytest) they are made with the first run chosen."""
        super().ready()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        loop.call_later(DETAILS_DELAY_S, self._build_details_ahead)

    def _build_details_ahead(self) -> None:
        if self.session is None or self.tabs is not None:
            return  # logged out meanwhile, or a run was chosen already
        self._build_details()
        self.run_tabs.layout.display = "none"

    def _build_details(self) -> None:
        """The tabs of a chosen run (once: ahead, or with the first run chosen)."""
        wide = {"description_width": "initial"}
        self.summary = w.HTML(_dom_classes=("sl-summary",))
        self.findings = w.HTML(_dom_classes=("sl-findings-box",))
        self.stations = w.HTML(_dom_classes=("sl-stations",))
        self.vs_azimuth = w.BoundedFloatText(
            min=0,
            max=360,
            step=1,
            description="VS azimuth [deg]",
            style=wide,
            layout=w.Layout(width="210px"),
            _dom_classes=("sl-vs-azimuth",),
        )
        self.vs_azimuth.observe(self._vs_changed, names="value")
        self.vs_reset = w.Button(
            description="Closure direction",
            tooltip="Section along the closure direction at TD (or the file's azimuth)",
            layout=w.Layout(width="150px"),
            _dom_classes=("sl-vs-reset",),
        )
        self.vs_reset.on_click(lambda _: self._reset_vs())
        self.vs_note = w.HTML(_dom_classes=("sl-vs-note",))
        self.show_ellipses = w.Checkbox(
            value=False,
            description="Uncertainty ellipses",
            indent=False,
            layout=w.Layout(width="170px"),
            _dom_classes=("sl-ellipses",),
        )
        self.ellipse_sigma = w.BoundedFloatText(
            value=2.0,
            min=0.5,
            max=10.0,
            step=0.5,
            description="sigma",
            style=wide,
            layout=w.Layout(width="110px"),
            _dom_classes=("sl-ellipse-sigma",),
        )
        for box in (self.show_ellipses, self.ellipse_sigma):
            box.observe(self._vs_changed, names="value")
        self.ellipse_note = w.HTML(_dom_classes=("sl-ellipse-note",))
        # tabs are filled when open (on choosing a run, or on opening the tab later): the
        # browser's plotting is the costliest thing on the page, and a figure drawn in a
        # hidden tab is drawn again when the tab shows
        half = w.Layout(width="50%", min_width="0")
        self.plan_out = w.Output(layout=half, _dom_classes=("sl-plan",))
        self.section_out = w.Output(layout=half, _dom_classes=("sl-section",))
        self.dls_out = w.Output(_dom_classes=("sl-dls",))
        self.plots = w.VBox(
            [
                w.HBox([self.vs_azimuth, self.vs_reset, self.vs_note]),
                w.HBox([self.show_ellipses, self.ellipse_sigma, self.ellipse_note]),
                w.HBox([self.plan_out, self.section_out]),
                self.dls_out,
            ],
            _dom_classes=("sl-plots",),
        )
        self.plot3d = w.Output(_dom_classes=("sl-plot-3d",))
        self._drawn: dict[int, object] = {}  # tab index -> the view drawn there
        revision = w.Layout(width="240px")
        self.rev_a = w.Dropdown(
            options=[NO_REVISION],
            description="Revision A",
            style=wide,
            layout=revision,
            _dom_classes=("sl-rev-a",),
        )
        self.rev_b = w.Dropdown(
            options=[NO_REVISION],
            description="Revision B",
            style=wide,
            layout=revision,
            _dom_classes=("sl-rev-b",),
        )
        self.compare_button = w.Button(
            description="Compare", icon="exchange", _dom_classes=("sl-compare",)
        )
        self.compare_button.on_click(lambda _: self.compare())
        self.compare_row = w.HBox([self.rev_a, self.rev_b, self.compare_button])
        self.history = w.HTML(_dom_classes=("sl-history",))
        self.diff = w.HTML(_dom_classes=("sl-diff",))
        run = w.Layout(width="300px")
        self.overlay_ref = w.Dropdown(
            options=[NO_RUN],
            description="Reference run",
            style=wide,
            layout=run,
            _dom_classes=("sl-overlay-ref",),
        )
        self.overlay_other = w.Dropdown(
            options=[NO_RUN],
            description="Compared run",
            style=wide,
            layout=run,
            _dom_classes=("sl-overlay-other",),
        )
        self._overlay_quiet = False
        self.overlay_ref.observe(self._overlay_changed, names="value")
        self.overlay_other.observe(self._overlay_changed, names="value")
        self.overlay_note = w.HTML(_dom_classes=("sl-overlay-note",))
        self.overlay_out = w.Output(_dom_classes=("sl-overlay-plot",))
        self.overlay_table = w.HTML(_dom_classes=("sl-overlay-table",))
        self.acol_offsets = w.SelectMultiple(
            options=[],
            description="Offset runs",
            style=wide,
            rows=5,
            layout=w.Layout(width="340px"),
            _dom_classes=("sl-acol-offsets",),
        )
        self._acol_quiet = False
        self.acol_offsets.observe(self._acol_changed, names="value")
        self.acol_note = w.HTML(_dom_classes=("sl-acol-note",))
        self.acol_ladder = w.Output(layout=half, _dom_classes=("sl-acol-ladder",))
        self.acol_cylinder = w.Output(layout=half, _dom_classes=("sl-acol-cylinder",))
        self.acol_table = w.HTML(_dom_classes=("sl-acol-table",))
        self.export_format = w.Dropdown(
            options=EXPORT_FORMATS, description="Format", _dom_classes=("sl-export-format",)
        )
        self.export_button = w.Button(
            description="Download", icon="download", _dom_classes=("sl-export",)
        )
        self.export_button.on_click(lambda _: self.export())
        self.report_format = w.Dropdown(
            options=REPORT_FORMATS,
            description="Format",
            layout=w.Layout(width="180px"),
            _dom_classes=("sl-report-format",),
        )
        self.report_units = w.Dropdown(
            options=REPORT_UNITS,
            description="Units",
            layout=w.Layout(width="200px"),
            _dom_classes=("sl-report-units",),
        )
        self.report_vs = w.BoundedFloatText(
            min=0,
            max=360,
            step=1,
            description="VS azimuth [deg]",
            style=wide,
            layout=w.Layout(width="210px"),
            _dom_classes=("sl-report-vs",),
        )
        self.report_button = w.Button(
            description="Make report", icon="file", _dom_classes=("sl-make-report",)
        )
        self.report_button.on_click(lambda _: self.make_report())
        self.downloads = w.HTML(_dom_classes=("sl-downloads",))
        self._build_qc_tab()
        self._build_wellbore_tab()
        self.tabs = w.Tab(
            children=[
                w.VBox([self.summary, self.findings]),
                w.VBox([self.stations]),
                self.plots,
                w.VBox([self.plot3d]),
                self.qc_tab,
                w.VBox([self.compare_row, self.history, self.diff]),
                w.VBox(
                    [
                        w.HBox([self.overlay_ref, self.overlay_other]),
                        self.overlay_note,
                        self.overlay_out,
                        self.overlay_table,
                    ]
                ),
                self.wellbore_tab,
                w.VBox(
                    [
                        self.acol_offsets,
                        self.acol_note,
                        w.HBox([self.acol_ladder, self.acol_cylinder]),
                        self.acol_table,
                    ]
                ),
                w.VBox(
                    [
                        w.HTML("<h4>Export the survey</h4>"),
                        w.HBox([self.export_format, self.export_button]),
                        w.HTML("<h4>Survey report</h4>"),
                        w.HBox(
                            [
                                self.report_format,
                                self.report_units,
                                self.report_vs,
                                self.report_button,
                            ]
                        ),
                        self.downloads,
                    ]
                ),
            ],
            _dom_classes=("sl-run-tabs",),
        )
        self.tabs.titles = TAB_TITLES
        self.tabs.observe(lambda _: self.draw_open_tab(), names="selected_index")
        self.details.children = [self.run_header, self.tabs]

    def _build_qc_tab(self) -> None:
        """The QC tab: verdict and reference field, the deltas against MD with the limit
        bands, the stations outside them, "Run QC again", approval and the status history."""
        self.qc_info = w.HTML(_dom_classes=("sl-qc-info",))
        self.qc_rerun = w.Button(
            description="Run QC again",
            icon="refresh",
            tooltip="Check the revision's raw readings again (survey work: Surveyor, "
            "Engineer or Admin)",
            layout=w.Layout(width="150px"),
            _dom_classes=("sl-qc-rerun",),
        )
        self.qc_rerun.on_click(lambda _: self.rerun_qc())
        self.qc_out = w.Output(_dom_classes=("sl-qc-plot",))
        self.qc_failed = w.HTML(_dom_classes=("sl-qc-failed",))
        self.approve_hint = w.HTML(_dom_classes=("sl-approve-hint",))
        self.approve_note = w.Textarea(
            placeholder="Why this revision is approved (required; kept with the status)",
            description="Note",
            layout=w.Layout(width="520px", height="64px"),
            _dom_classes=("sl-approve-note",),
        )
        self.override_qc = w.Checkbox(
            description="Override failed QC (the note says why)",
            indent=False,
            _dom_classes=("sl-override-qc",),
        )
        self.approve_button = w.Button(
            description="Approve",
            icon="check",
            button_style="success",
            _dom_classes=("sl-approve",),
        )
        self.approve_button.on_click(lambda _: self.approve())
        self.approve_box = w.VBox(
            [self.approve_note, self.override_qc, self.approve_button],
            layout=w.Layout(display="none"),
            _dom_classes=("sl-approve-box",),
        )
        self.status_changes = w.HTML(_dom_classes=("sl-status-history",))
        self.qc_tab = w.VBox(
            [
                self.qc_info,
                self.qc_rerun,
                self.qc_out,
                self.qc_failed,
                w.HTML("<h4>Approval</h4>"),
                self.approve_hint,
                self.approve_box,
                w.HTML("<h4>Status history</h4>"),
                self.status_changes,
            ],
            _dom_classes=("sl-qc",),
        )

    def _build_wellbore_tab(self) -> None:
        """The Wellbore tab: the well's wellbores and a wellbore's definitive survey (tool
        program, plan view, vertical section)."""
        self.wellbore_note = w.HTML(_dom_classes=("sl-wellbore-note",))
        self.wellbores_table = w.HTML(_dom_classes=("sl-wellbores",))
        self.wellbore_pick = w.Dropdown(
            options=[("(no wellbore)", None)],
            description="Wellbore",
            style={"description_width": "initial"},
            layout=w.Layout(width="300px"),
            _dom_classes=("sl-wellbore-pick",),
        )
        self._wellbore_quiet = False
        self._bores: dict[str, Any] = {}  # the shown well's wellbores by name
        self.wellbore_pick.observe(self._wellbore_changed, names="value")
        self.definitive_info = w.HTML(_dom_classes=("sl-definitive",))
        half = w.Layout(width="50%", min_width="0")
        self.definitive_plan = w.Output(layout=half, _dom_classes=("sl-definitive-plan",))
        self.definitive_section = w.Output(layout=half, _dom_classes=("sl-definitive-section",))
        self.wellbore_tab = w.VBox(
            [
                self.wellbore_note,
                self.wellbores_table,
                self.wellbore_pick,
                self.definitive_info,
                w.HBox([self.definitive_plan, self.definitive_section]),
            ],
            _dom_classes=("sl-wellbore",),
        )

    # ------------------------------------------------------------------ calls and errors
    def act(self, fn, *args: Any, what: str, then: str, **kw: Any) -> Any:
        """:meth:`call` whose error message ends with what to do next (``then``)."""
        self._then = then
        try:
            return self.call(fn, *args, what=what, **kw)
        finally:
            self._then = None

    def error(self, message: str) -> None:
        then = getattr(self, "_then", None)
        if then:
            message = f"{message.rstrip('.')}. {then}"
        super().error(message)

    # ------------------------------------------------------------------ listing
    def filters(self) -> dict[str, Any]:
        """The listing's filters and order, from the filter widgets and the grid's sort."""
        return self._filters(
            self.scope.value,
            self.well_filter.value,
            self.type_filter.value,
            self.owner_filter.value,
            self.search.value,
            self.table.sort_key,
            self.table.sort_descending,
            self.status_filter.value,
        )

    @staticmethod
    def _filters(
        scope: str,
        well: str,
        run_type: str,
        owner: str,
        search: str,
        sort_key: str,
        descending: bool,
        status: str,
    ) -> dict[str, Any]:
        f: dict[str, Any] = {
            "mine": scope == "My runs",
            "well": well or None,
            "run_type": run_type or None,
            "owner": owner.strip() or None,
            "search": search.strip() or None,
            "order_by": SORT_ORDER.get(sort_key, "run_number"),
            "descending": bool(descending),
        }
        if status:  # only when chosen: a session over HTTP knows no status filter yet
            f["status"] = status
        return f

    def _load(self, f: dict[str, Any], page: int) -> tuple[int, list, int] | None:
        """(run count, runs of the page, page) for filters ``f`` and 0-based ``page``
        (clamped to the last page); None when a call failed (the status line says why)."""
        loaded = self.act(
            self._read_page,
            f,
            page,
            what="Loading runs",
            then="Change the filters or reload the page; if the database is busy, try again.",
        )
        if loaded is None:
            return None
        self.page, self.page_runs, self.total = loaded[2], loaded[1], loaded[0]
        return loaded

    def _read_page(self, f: dict[str, Any], page: int) -> tuple[int, list, int]:
        """Read one page on one connection, authenticated once (a batch), and count the runs
        when the filters changed: turning pages or changing the order reuses the count (at
        100,000 runs a count can cost as much as the page, bench/RESULTS.md). A page that
        comes back short of what the count promised (runs deleted meanwhile) counts again."""
        count_filters = {k: v for k, v in f.items() if k not in ("order_by", "descending")}
        key = tuple(sorted(count_filters.items()))
        with self.sess.batch():
            if key != self._counted:
                self.total = self.sess.count_runs(**count_filters)
                self._counted = key
            total = self.total
            pages = max(1, math.ceil(total / PAGE_SIZE))
            page = min(page, pages - 1)
            runs = self.sess.runs(**f, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
            if len(runs) < min(PAGE_SIZE, total - page * PAGE_SIZE):
                total = self.total = self.sess.count_runs(**count_filters)
                pages = max(1, math.ceil(total / PAGE_SIZE))
                if page > pages - 1:
                    page = pages - 1
                    runs = self.sess.runs(**f, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
        return total, runs, page

    @staticmethod
    def _listing(total: int, runs: list, page: int) -> dict[str, Any]:
        """What the listing's widgets show for one page of runs."""
        pages = max(1, math.ceil(total / PAGE_SIZE))
        noun = "run" if total == 1 else "runs"
        rows = [
            {
                "id": str(r.id),
                "run_number": r.run_number,
                "run_name": r.run_name,
                "run_type": r.run_type,
                "well": r.well_name or "",
                "owner": r.owner_name,
                "revision": str(r.current_revision) if r.current_revision is not None else "none",
                "status": r.current_status or "",
                "stations": f"{r.station_count:,}" if r.station_count is not None else "",
                "worst": r.worst_severity or "none",
                "updated": f"{r.updated_at:%Y-%m-%d}",
            }
            for r in runs
        ]
        return {
            "label": f"&nbsp;Page {page + 1:,} of {pages:,} ({total:,} {noun})&nbsp;",
            "prev_disabled": page == 0,
            "next_disabled": page >= pages - 1,
            "rows": rows,
            "empty": "No runs match these filters: clear the search, owner, well, type or "
            "status to see more.",
        }

    def refresh(self, reset: bool = False) -> None:
        if self.session is None:
            return
        loaded = self._load(self.filters(), 0 if reset else self.page)
        if loaded is None:
            return
        shown = self._listing(*loaded)
        self.page_label.value = shown["label"]
        self.prev_button.disabled = shown["prev_disabled"]
        self.next_button.disabled = shown["next_disabled"]
        with self.table.hold_sync():
            self.table.empty_text = shown["empty"]
            self.table.rows = shown["rows"]

    def _on_sort(self, _change=None) -> None:
        """A click on a column head: the first page in the new order (once, though the
        head's click changes key and direction together)."""
        order = (self.table.sort_key, self.table.sort_descending)
        if order != self._sorted:
            self._sorted = order
            self.refresh(reset=True)

    def turn_page(self, step: int) -> None:
        self.page = max(0, self.page + step)
        self.refresh()

    # ------------------------------------------------------------------ one run
    def _on_select(self, change) -> None:
        if change["new"]:
            self.select_run(change["new"])

    def choose(self, run_number: str) -> None:
        """Choose the run ``run_number`` of the page shown, as a click on its row does."""
        ref = next(str(r.id) for r in self.page_runs if r.run_number == run_number)
        self.table.selected = ref

    def select_run(self, run_ref: str) -> None:
        if self.tabs is None:
            self._build_details()
        self.status.value = ""
        view = self.act(
            self.sess.survey,
            run_ref,
            what="Loading survey",
            then="Choose another run, or reload the page.",
        )
        if self.session is None:  # the session ended during the call: the form is back
            return
        if view is None:
            run = self.call(self.sess.run, run_ref)
            if run is not None:
                self.status.value = ""
                self.view, self.selected = None, run
                self.run_header.value = (
                    f"<h3 class='sl-run-title'>{esc(_label(run))}</h3><p class='sl-hint'>Run "
                    f"{esc(run.run_number)} has no survey yet: import a file for it in the "
                    "upload dashboard (Surveyor, Engineer or Admin).</p>"
                )
                self.run_tabs.layout.display = "none"
            return
        self.view = view
        self.selected = view.run
        self.run_tabs.layout.display = ""
        self.vs_azimuth.unobserve(self._vs_changed, names="value")
        self.vs_azimuth.value = round(view.vs_azimuth, 2)
        self.vs_azimuth.observe(self._vs_changed, names="value")
        self.report_vs.value = self.vs_azimuth.value
        self.show_summary()
        self.downloads.value = ""
        self._drawn.clear()
        self.draw_open_tab()

    @property
    def context(self) -> str:
        """Well, run and revision of the chosen survey, for titles."""
        v = self.chosen_view
        well = v.run.well_name or "no well"
        return f"{well} · run {v.run.run_number} rev {v.survey.revision}"

    def stations_shown(self) -> pd.DataFrame:
        """The chosen survey's stations with VS along the chosen azimuth on every row."""
        return self.chosen_view.stations_with_vs(float(self.vs_azimuth.value))

    def show_summary(self) -> None:
        v = self.chosen_view
        s, h, r = v.survey, v.survey.header, v.run
        u = unit_label(s.depth_unit)

        def val(x, d=3):
            if x is None:
                return "<span class='sl-missing'>not stated</span>"
            return esc(f"{x:.{d}f}" if isinstance(x, float) else x)

        tie = h.tie_on
        tie_text = (
            "<span class='sl-missing'>not stated: vertical from surface assumed</span>"
            if tie is None
            else esc(
                f"MD {tie.md:g}, Inc {tie.inc:g}, Azi {tie.azi:g}, TVD {tie.tvd:g}, "
                f"N {tie.north:g}, E {tie.east:g} [{u}]"
            )
        )
        if h.total_correction is not None:
            total = val(h.total_correction)
        elif h.declination is not None and h.grid_convergence is not None:
            total = esc(
                f"{h.declination - h.grid_convergence:.3f} (declination - convergence; "
                "not stated by the file)"
            )
        else:
            total = val(None)
        vs_az = float(self.vs_azimuth.value)
        td = at_td(v.stations, vs_az)
        north = str(s.azimuth_reference)
        ref = f"from {north} north" if north in ("true", "grid", "magnetic") else "north unknown"
        if abs(vs_az - v.vs_azimuth) >= 0.005:
            vs_source = "chosen under Plots"
        elif v.vs_azimuth_stated:
            vs_source = "stated by the file"
        else:
            vs_source = "the closure direction at TD: the file states no section azimuth"
        rows = [
            ("Run", esc(f"{r.run_number}: {r.run_name} ({r.run_type})")),
            ("Well", esc(r.well_name or "not assigned")),
            ("Owner", esc(r.owner_name)),
            ("Revision", f"{s.revision} (current)" if s.id == r.current_survey_id else s.revision),
            ("Status", self._status_text(s)),
            ("Source file", esc(f"{s.file_name} ({s.detected_format}), sha256 {s.sha256}")),
            ("Imported", esc(f"{s.imported_by_name} at {s.imported_at:%Y-%m-%d %H:%M} UTC")),
            ("Depth unit", esc(u)),
            ("Azimuth reference", esc(s.azimuth_reference)),
            ("Declination [deg]", val(h.declination)),
            ("Grid convergence [deg]", val(h.grid_convergence)),
            ("Total correction [deg]", total),
            ("Datum / elevation", f"{val(h.depth_datum)} / {val(h.datum_elevation, 2)}"),
            ("Tie-on", tie_text),
            ("Method", esc(s.method.replace("_", " "))),
            ("DLS course length", esc(f"{s.dls_course_length:g} {u}")),
            ("Assumptions", esc("; ".join(s.assumptions) or "none")),
            (
                "At TD",
                esc(
                    f"MD {td.md:.2f} {u}, Inc {_deg(td.inc)}, Azi {_deg(td.azi)} ({ref}), "
                    f"TVD {td.tvd:.2f} {u}, N {td.north:.2f} {u}, E {td.east:.2f} {u}"
                ),
            ),
            (
                "VS at TD",
                esc(
                    f"{td.vs:.2f} {u} along {_deg(vs_az)} ({vs_source}); origin the wellhead "
                    "(N 0, E 0)"
                ),
            ),
            (
                "Closure at TD",
                esc(f"{td.closure_distance:.2f} {u} towards {_deg(td.closure_direction)} ({ref})"),
            ),
        ]
        body = "".join(
            f"<tr><th class='l'>{k}</th><td class='l sl-wrap'>{v_}</td></tr>" for k, v_ in rows
        )
        self.run_header.value = (
            f"<h3 class='sl-run-title'>{esc(r.run_number)}: {esc(r.run_name)} "
            f"<span class='sl-run-sub'>{esc(r.run_type)} · {esc(r.well_name or 'no well')} · "
            f"rev {s.revision} · <span class='sl-run-status'>{esc(s.status)}</span> · "
            f"{len(v.stations):,} stations · TD {td.md:.2f} {u} MD</span></h3>"
        )
        self.summary.value = f"<table class='sl-table sl-header'>{body}</table>"
        self.findings.value = "<h4>Findings</h4>" + findings_html(s.findings)

    @staticmethod
    def _status_text(s) -> str:
        """A revision's status with who changed it last, when and why."""
        text = str(s.status)
        if s.status_changed_by_name:
            text += f" (by {s.status_changed_by_name}"
            if s.status_changed_at:
                text += f" at {s.status_changed_at:%Y-%m-%d %H:%M} UTC"
            text += ")"
        if s.status_note:
            text += f": {s.status_note}"
        return esc(text) + " · the QC tab has the checks and the history"

    def show_stations(self) -> None:
        v = self.chosen_view
        u = unit_label(v.survey.depth_unit)
        df = listing_frame(self.stations_shown(), v.depth_unit, v.survey.dls_course_length)
        az = float(self.vs_azimuth.value)
        note = (
            f"<p class='sl-note'>VS [{esc(u)}] along {_deg(az)} "
            f"({esc(north_wording(v.survey.azimuth_reference))}) from the wellhead (N 0, E 0), "
            "as under Plots.</p>"
        )
        self.stations.value = (
            f"{note}<div class='sl-scroll'>{table_html(df, left=0, max_rows=500)}</div>"
        )

    def _vs_changed(self, _change=None) -> None:
        self._drawn.pop(TAB_PLOTS, None)
        self._drawn.pop(TAB_STATIONS, None)
        if self.view is not None:
            self.show_summary()
        self.draw_open_tab()

    def _reset_vs(self) -> None:
        if self.view is not None:
            self.vs_azimuth.value = round(self.view.vs_azimuth, 2)

    def draw_open_tab(self) -> None:
        """Fill the open tab if it is not filled for the chosen run yet (the summary is
        filled on choosing a run; each other tab when it is first open for that run)."""
        tab = self.run_tabs.selected_index
        if self.view is None or self._drawn.get(tab) is self.view:
            return
        fill = {
            TAB_STATIONS: self.show_stations,
            TAB_PLOTS: self.draw_plots,
            TAB_3D: self.draw_3d,
            TAB_QC: self.show_qc,
            TAB_HISTORY: self.show_history,
            TAB_OVERLAY: self.prepare_overlay,
            TAB_WELLBORE: self.show_wellbores,
            TAB_ANTICOLLISION: self.prepare_clearance,
        }.get(tab)
        if fill is not None:
            self._drawn[tab] = self.view
            fill()

    def draw_plots(self) -> None:
        """Plan view, vertical section (along the chosen azimuth) and DLS of the chosen run."""
        from surveylab.ui import figures  # plotly: loaded in the background at start

        if self.view is None:
            return
        v = self.view
        unit, north = str(v.survey.depth_unit), str(v.survey.azimuth_reference)
        az = float(self.vs_azimuth.value)
        name = f"{v.run.run_number} rev {v.survey.revision}"
        series = [(name, v.stations)]
        self.vs_note.value = "<span class='sl-note'>origin: the wellhead (N 0, E 0)</span>"
        plan = figures.plan_view(series, unit, north, context=self.context)
        section = figures.section_view(series, unit, az, north, context=self.context)
        self.ellipse_note.value = ""
        if self.show_ellipses.value:
            self._draw_ellipses(plan, section, az)
        for out, fig in (
            (self.plan_out, plan),
            (self.section_out, section),
            (
                self.dls_out,
                figures.dls_view(series, unit, v.survey.dls_course_length, context=self.context),
            ),
        ):
            out.clear_output(wait=True)
            with out:
                display(fig)

    def _draw_ellipses(self, plan, section, vs_azimuth: float) -> None:
        """The chosen revision's ellipses of uncertainty at the chosen sigma on both plots
        (the run's tool code; a note says why when they cannot be computed)."""
        from surveylab.calc.uncertainty import (
            horizontal_ellipses,
            section_ellipses,
            spaced_stations,
        )
        from surveylab.services import ServiceError
        from surveylab.ui import figures

        assert self.view is not None
        v = self.view
        sigma = float(self.ellipse_sigma.value)
        try:
            unc = self.sess.uncertainty(v.run.id, v.survey.revision)
        except ServiceError as exc:
            self.ellipse_note.value = f"<span class='sl-note'>no ellipses: {esc(str(exc))}</span>"
            return
        st = unc.stations
        pick = spaced_stations(st["md"].to_numpy())
        cov = unc.uncertainty.covariance[pick]
        md = st["md"].to_numpy()[pick]
        north, east = st["north"].to_numpy()[pick], st["east"].to_numpy()[pick]
        unit, ref = str(unc.depth_unit), str(unc.north_reference)
        flat = horizontal_ellipses(cov, sigma=sigma, north_reference=ref, depth_unit=unit)
        figures.add_ellipses(plan, flat, north, east, md, unit, swap=True)
        upright = section_ellipses(cov, vs_azimuth, sigma=sigma, north_reference=ref,
                                   depth_unit=unit)  # fmt: skip
        vs = figures.vertical_section(north, east, vs_azimuth, (0.0, 0.0))
        figures.add_ellipses(section, upright, vs, st["tvd"].to_numpy()[pick], md, unit)
        self.ellipse_note.value = (
            f"<span class='sl-note'>{esc(unc.uncertainty.model)}; {len(pick)} stations; "
            "covariances 1-sigma, drawn at "
            f"{sigma:g} sigma</span>"
        )

    def draw_3d(self) -> None:
        """The 3-D view of the chosen run."""
        from surveylab.ui import figures  # plotly: loaded in the background at start

        if self.view is None:
            return
        v = self.view
        name = f"{v.run.run_number} rev {v.survey.revision}"
        self.plot3d.clear_output(wait=True)
        with self.plot3d:
            display(
                figures.view_3d(
                    [(name, v.stations)],
                    str(v.survey.depth_unit),
                    str(v.survey.azimuth_reference),
                    context=self.context,
                )
            )

    # ------------------------------------------------------------------ QC and approval
    def show_qc(self) -> None:
        """The chosen revision's stored QC: verdict, reference field and its source, the
        deltas against MD with the limit bands, the stations outside them, the gyro
        in-run/out-run verdict; approval and "Run QC again" for those allowed; the status
        history."""
        from surveylab.ui import figures  # plotly: loaded in the background at start

        v = self.chosen_view
        run, rev = self.chosen_run, v.survey.revision
        self.qc_out.clear_output()
        loaded = self.act(
            self._read_qc,
            run.id,
            rev,
            what="Loading QC",
            then="Reload the page and try again.",
        )
        if loaded is None:
            return
        qc, changes, actor = loaded
        self.qc_info.value = qc_summary_html(qc)
        self.qc_failed.value = failed_stations_html(qc, v.depth_unit)
        limits = ((qc.document or {}).get("raw") or {}).get("limits")
        reference = ((qc.document or {}).get("raw") or {}).get("reference") or {}
        if not qc.stations.empty and limits and reference.get("source", "none") != "none":
            fig = figures.qc_view(
                qc.stations,
                limits,
                v.depth_unit,
                title=f"Raw-sensor QC: {self.context} · measured minus reference "
                f"({reference.get('source')})",
            )
            with self.qc_out:
                display(fig)
        self.status_changes.value = status_history_html(changes)
        self._show_rights(actor, qc.survey)

    def _read_qc(self, run_id, revision: int):
        """The revision's QC, its status history and the acting user, on one connection
        authenticated once (a batch)."""
        with self.sess.batch():
            return (
                self.sess.qc(run_id, revision),
                self.sess.status_history(run_id, revision),
                self.sess.actor,
            )

    def _show_rights(self, actor, survey) -> None:
        """Show "Run QC again" and the approval controls to those allowed, and say why not
        to the others (the services refuse them whatever is shown)."""
        rights = approval_rights(actor, survey)
        self.qc_rerun.layout.display = "" if rights.rerun else "none"
        self.approve_box.layout.display = "" if rights.approve else "none"
        self.override_qc.layout.display = "" if rights.override else "none"
        if not rights.override:
            self.override_qc.value = False
        if rights.approve:
            needs = (
                " It failed QC: tick <b>Override failed QC</b> and say why in the note."
                if rights.override
                else ""
            )
            self.approve_hint.value = (
                f"<p class='sl-note'>Approve revision {survey.revision} as "
                f"{esc(actor.username)} (a second person: it was imported by "
                f"{esc(survey.imported_by_name or 'someone else')}).{needs}</p>"
            )
        else:
            self.approve_hint.value = f"<p class='sl-note'>{esc(rights.why_not)}</p>"

    def approve(self) -> None:
        """Approve the chosen revision with the note (and the QC override when ticked); the
        service decides (role, four eyes, QC) and its refusal is shown as it words it."""
        if self.view is None:
            return
        run, rev = self.chosen_run, self.chosen_view.survey.revision
        done = self.act(
            self.sess.approve,
            run.id,
            revision=rev,
            note=self.approve_note.value,
            override_qc=bool(self.override_qc.value),
            what="Approving",
            then="Nothing was changed",
        )
        if done is None:
            return
        self.approve_note.value = ""
        self.override_qc.value = False
        self._after_status_change(
            f"Run {run.run_number} revision {done.revision} is {done.status} "
            f"(by {done.status_changed_by_name})."
        )

    def rerun_qc(self) -> None:
        """Run QC on the chosen revision again (survey work) and show the new result."""
        if self.view is None:
            return
        run, rev = self.chosen_run, self.chosen_view.survey.revision
        done = self.act(
            self.sess.run_qc,
            run.id,
            rev,
            what="Running QC",
            then="Nothing was changed",
        )
        if done is not None:
            self._after_status_change(
                f"QC of run {run.run_number} revision {rev} ran again: "
                f"{done.survey.status} ({(done.document or {}).get('summary', '')})."
            )

    def _after_status_change(self, message: str) -> None:
        """The table's row, the run's header and the open tab show the new status."""
        run_id = str(self.chosen_run.id)
        self.refresh()
        self.select_run(run_id)
        self.ok(message)

    # ------------------------------------------------------------------ wellbore
    def show_wellbores(self) -> None:
        """The chosen run's well's wellbores, and the definitive survey of the run's
        wellbore (another one may be chosen)."""
        r = self.chosen_run
        self.definitive_info.value = ""
        self.wellbores_table.value = ""
        for out in (self.definitive_plan, self.definitive_section):
            out.clear_output()
        if r.well_id is None:
            self._wellbore_options([("(no wellbore)", None)], None)
            self.wellbore_pick.layout.display = "none"
            self.wellbore_note.value = (
                f"<p class='sl-note'>Run {esc(r.run_number)} is not assigned to a well: it "
                "belongs to no wellbore and no definitive survey.</p>"
            )
            return
        bores = self.act(
            self.sess.wellbores,
            r.well_id,
            what="Loading wellbores",
            then="Reload the page and try again.",
        )
        if bores is None:
            return
        self.wellbore_pick.layout.display = ""
        self.wellbore_note.value = (
            f"<p>Wellbores of well <b>{esc(r.well_name)}</b>; run {esc(r.run_number)} is on "
            f"<b>{esc(r.wellbore_name or 'none')}</b>.</p>"
        )
        self.wellbores_table.value = wellbores_html(bores, r.wellbore_name)
        names = [b.name for b in bores]
        chosen = r.wellbore_name if r.wellbore_name in names else (names[0] if names else None)
        self._wellbore_options([(n, n) for n in names] or [("(no wellbore)", None)], chosen)
        self._bores = {b.name: b for b in bores}
        self.show_definitive()

    def _wellbore_options(self, options, value) -> None:
        self._wellbore_quiet = True
        try:
            self.wellbore_pick.options = options
            self.wellbore_pick.value = value
        finally:
            self._wellbore_quiet = False

    def _wellbore_changed(self, _change=None) -> None:
        if not self._wellbore_quiet:
            self.show_definitive()

    def show_definitive(self) -> None:
        """The chosen wellbore's current definitive survey: tool program, plan view and
        vertical section; or that it has none yet and how one is made."""
        from surveylab.ui import figures  # plotly: loaded in the background at start

        for out in (self.definitive_plan, self.definitive_section):
            out.clear_output()
        name = self.wellbore_pick.value
        bore = self._bores.get(name)
        if bore is None:
            self.definitive_info.value = ""
            return
        where = f"{bore.well_name}/{bore.name}"
        if bore.definitive_id is None:
            self.definitive_info.value = (
                f"<p class='sl-note sl-no-definitive'>Wellbore {esc(where)} has no definitive "
                "survey yet. An Engineer or Admin composes one from approved revisions: "
                f"<code>surveylab definitive compose '{esc(where)}' --interval "
                "RUN:MD_FROM:MD_TO [--interval ...] --note TEXT</code>.</p>"
            )
            return
        dv = self.act(
            self.sess.definitive,
            bore.well_id,
            bore.name,
            what="Loading the definitive survey",
            then="Choose another wellbore, or reload the page.",
        )
        if dv is None:
            return
        self.definitive_info.value = definitive_html(dv)
        st, unit = dv.stations, dv.depth_unit
        north = str(dv.record.azimuth_reference)
        context = f"{where} definitive v{dv.record.version}"
        series = [(f"definitive v{dv.record.version}", st)]
        az = figures.default_vs_azimuth(st)
        for out, fig in (
            (self.definitive_plan, figures.plan_view(series, unit, north, context=context)),
            (
                self.definitive_section,
                figures.section_view(series, unit, az, north, context=context),
            ),
        ):
            with out:
                display(fig)

    # ------------------------------------------------------------------ history
    def show_history(self) -> None:
        revs = (
            self.act(
                self.sess.history,
                self.chosen_run.id,
                what="Loading history",
                then="Reload the page and try again.",
            )
            or []
        )
        # the file of each revision is in the table below: the labels stay short
        options = [(f"revision {s.revision}", s.revision) for s in revs]
        self.diff.value = ""
        if len(options) >= 2:
            self.rev_a.options = options
            self.rev_b.options = options
            self.rev_a.value = options[-2][1]
            self.rev_b.value = options[-1][1]
            self.compare_row.layout.display = ""
            note = ""
        else:
            self.rev_a.options = [NO_REVISION]
            self.rev_b.options = [NO_REVISION]
            self.compare_row.layout.display = "none"
            note = (
                "<p class='sl-note'>This run has one revision: nothing to compare. Importing "
                "another file into the run (upload dashboard) makes revision 2.</p>"
            )
        df = pd.DataFrame(
            [
                {
                    "Revision": s.revision,
                    "File": s.file_name,
                    "Stations": s.station_count,
                    "Worst finding": s.worst_severity or "none",
                    "Imported by": s.imported_by_name,
                    "At (UTC)": f"{s.imported_at:%Y-%m-%d %H:%M}",
                }
                for s in revs
            ]
        )
        table = f"<div class='sl-scroll'>{table_html(df, left=2)}</div>" if len(df) else ""
        self.history.value = table + note

    def compare(self) -> None:
        if self.selected is None or self.rev_a.value is None or self.rev_b.value is None:
            return
        a, b = self.rev_a.value, self.rev_b.value
        if a == b:
            self.diff.value = (
                f"<p class='sl-note'>Revision {a} was chosen twice: choose two different "
                "revisions.</p>"
            )
            return
        diff = self.act(
            self.sess.compare_revisions,
            self.chosen_run.id,
            a,
            b,
            what="Comparing revisions",
            then="Choose two other revisions, or reload the page.",
        )
        if diff is None:
            return
        u = unit_label(diff.attrs.get("depth_unit", "m"))
        deltas = diff[["d_inc", "d_azi", "d_tvd", "d_north", "d_east"]]
        # a station present in one revision only has NaN differences: it differs
        changed = (deltas.abs().fillna(1.0) > 1e-6).any(axis=1)
        n = int(changed.sum())
        if n == 0:
            self.diff.value = (
                f"<p>Revisions {a} and {b} have the same stations: all {len(diff)} agree "
                "(within 0.000001).</p>"
            )
            return
        shown = diff.loc[changed, ["md", "d_inc", "d_azi", "d_tvd", "d_north", "d_east"]].rename(
            columns={
                "md": f"MD [{u}]",
                "d_inc": "ΔInc [deg]",
                "d_azi": "ΔAzi [deg]",
                "d_tvd": f"ΔTVD [{u}]",
                "d_north": f"ΔN [{u}]",
                "d_east": f"ΔE [{u}]",
            }
        )
        self.diff.value = (
            f"<p>Revision {b} minus revision {a}: {n} of {len(diff)} stations differ "
            "(only those are listed; a station in one revision only shows blanks).</p>"
            f"<div class='sl-scroll'>{table_html(shown, left=0, decimals=3)}</div>"
        )

    # ------------------------------------------------------------------ overlay
    def prepare_overlay(self) -> None:
        """Offer the runs of the chosen run's well; compare the chosen run against the well's
        Gyro run (else its first other run) at once."""
        r = self.chosen_run
        self.overlay_out.clear_output()
        self.overlay_table.value = ""
        if r.well_id is None:
            self._overlay_options([NO_RUN], None, None)
            self.overlay_note.value = (
                f"<p class='sl-note'>Run {esc(r.run_number)} is not assigned to a well: "
                "assign it to one to compare it with the well's other runs.</p>"
            )
            return
        same = self.act(
            self.sess.runs,
            well=str(r.well_id),
            what="Loading the well's runs",
            then="Reload the page and try again.",
        )
        runs = [x for x in same or [] if x.current_survey_id]
        options = [NO_RUN] + [(f"{x.run_number} ({x.run_type})", str(x.id)) for x in runs]
        others = [x for x in runs if x.id != r.id]
        if not others:
            self._overlay_options(options, None, None)
            self.overlay_note.value = (
                f"<p class='sl-note'>Run {esc(r.run_number)} is the only run of well "
                f"{esc(r.well_name)} with a survey: import another run to compare.</p>"
            )
            return
        gyros = [x for x in others if x.run_type == "Gyro"]
        if r.run_type == "Gyro" or not gyros:
            reference, other = str(r.id), str(others[0].id)
        else:
            reference, other = str(gyros[0].id), str(r.id)
        self._overlay_options(options, reference, other)
        self.overlay()

    def _overlay_options(self, options, reference, other) -> None:
        """Fill both run dropdowns without comparing on each change."""
        self._overlay_quiet = True
        try:
            for dd, value in ((self.overlay_ref, reference), (self.overlay_other, other)):
                dd.options = options
                dd.value = value
        finally:
            self._overlay_quiet = False

    def _overlay_changed(self, _change=None) -> None:
        if not self._overlay_quiet:
            self.overlay()

    def overlay(self) -> None:
        """Differences along MD of the compared run against the reference run."""
        from surveylab.ui import figures  # plotly: loaded in the background at start

        ref, other = self.overlay_ref.value, self.overlay_other.value
        self.overlay_table.value = ""
        self.overlay_out.clear_output()
        if ref is None or other is None:
            self.overlay_note.value = "<p class='sl-note'>Choose two runs to compare.</p>"
            return
        if ref == other:
            self.overlay_note.value = (
                "<p class='sl-note'>The same run was chosen twice: choose two different runs.</p>"
            )
            return
        self.overlay_note.value = ""
        diff = self.act(
            self.sess.compare_runs,
            ref,
            other,
            what="Comparing runs",
            then="Choose two other runs.",
        )
        if diff is None:
            return
        c, u = diff.comparison, unit_label(diff.depth_unit)
        a, b = diff.reference, diff.other
        names = f"{b.run_number} ({b.run_type}) minus {a.run_number} ({a.run_type})"
        t = GYRO_IN_OUT
        tolerance = (
            f"gyro in-run/out-run tolerances: Inc {t.inc:g} deg; Azi {t.azi_high:g} deg where "
            f"Inc >= {t.inc_threshold:g} deg, {t.azi_low:g} deg below; at least "
            f"{t.min_stations} stations"
        )
        verdict_class = "sl-ok" if c.passed and diff.gyro_runs == 2 else "sl-verdict"
        self.overlay_note.value = (
            f"<p><b>{esc(names)}</b>, interpolated along the minimum-curvature arcs at "
            f"{c.station_count} MDs in {esc(u)}. Largest 3-D distance {c.max_distance:.2f} "
            f"{esc(u)}, |ΔInc| {c.max_abs_d_inc:.3f} deg, |ΔAzi| {c.max_abs_d_azi:.3f} deg.</p>"
            + (
                f"<p class='{verdict_class}'>Verdict: <b>{esc(diff.verdict)}</b> against the "
                f"{esc(tolerance)}.</p>"
                if diff.tolerances_apply
                else "<p class='sl-note'>Neither run is a gyro survey: no tolerance applies.</p>"
            )
        )
        horizontal = diff.horizontal
        data = {
            "d_tvd": c.d_tvd,
            "d_north": c.d_north,
            "d_east": c.d_east,
            "horizontal": horizontal,
            "distance": c.distance,
            "d_inc": c.d_inc,
            "d_azi": c.d_azi,
        }
        fig = figures.differences_view(
            c.md,
            data,
            diff.depth_unit,
            title=f"Differences along MD: {b.run_number} rev {diff.other_revision} "
            f"({b.run_type}) minus {a.run_number} rev {diff.reference_revision} "
            f"({a.run_type}) · well {a.well_name}",
            inc_tolerance=t.inc if diff.tolerances_apply else None,
            azi_tolerance=c.azi_tolerance if diff.tolerances_apply else None,
        )
        with self.overlay_out:
            display(fig)
        frame = pd.DataFrame(
            {
                f"MD [{u}]": c.md,
                f"ΔTVD [{u}]": c.d_tvd,
                f"ΔN [{u}]": c.d_north,
                f"ΔE [{u}]": c.d_east,
                f"Horizontal [{u}]": horizontal,
                f"3-D [{u}]": c.distance,
                "ΔInc [deg]": c.d_inc,
                "ΔAzi [deg]": c.d_azi,
            }
        )
        if diff.tolerances_apply:
            frame["Azi tolerance [deg]"] = c.azi_tolerance
            frame["Within"] = ["yes" if x else "NO" for x in c.within]
        self.overlay_table.value = (
            f"<div class='sl-scroll'>{table_html(frame, left=0, decimals=3, max_rows=500)}</div>"
        )

    # ------------------------------------------------------------------ anti-collision
    def prepare_clearance(self) -> None:
        """Offer the other runs of the chosen run's well (all chosen) and compute the chosen
        revision's clearance against them (scope "well")."""
        r = self.chosen_run
        self._acol_clear()
        if r.well_id is None:
            self._acol_options([])
            self.acol_note.value = (
                f"<p class='sl-note'>Run {esc(r.run_number)} is not assigned to a well: assign "
                "it to one to check its clearance against the well's other runs.</p>"
            )
            return
        same = self.act(
            self.sess.runs,
            well=str(r.well_id),
            what="Loading the well's runs",
            then="Reload the page and try again.",
        )
        others = [x for x in same or [] if x.current_survey_id and x.id != r.id]
        self._acol_options([(f"{x.run_number} ({x.run_type})", str(x.id)) for x in others])
        if not others:
            self.acol_note.value = (
                f"<p class='sl-note'>Run {esc(r.run_number)} is the only run of well "
                f"{esc(r.well_name)} with a survey: no offset to check against.</p>"
            )
            return
        self.clearance()

    def _acol_options(self, options: list[tuple[str, str]]) -> None:
        """Offer ``options`` with all of them chosen, without computing on the change."""
        self._acol_quiet = True
        try:
            self.acol_offsets.value = ()
            self.acol_offsets.options = options
            self.acol_offsets.value = tuple(v for _, v in options)
        finally:
            self._acol_quiet = False

    def _acol_changed(self, _change=None) -> None:
        if not self._acol_quiet and self.view is not None:
            self.clearance()

    def _acol_clear(self) -> None:
        self.acol_note.value = ""
        self.acol_table.value = ""
        self.acol_ladder.clear_output()
        self.acol_cylinder.clear_output()

    def clearance(self) -> None:
        """Separation factors of the chosen revision against the chosen offset runs (every
        run of the well when all are chosen): ladder plot, travelling cylinder, and the
        minimum SF of each offset; a note says why when there is nothing to show."""
        from surveylab.services import ServiceError
        from surveylab.ui import figures  # plotly: loaded in the background at start

        self._acol_clear()
        chosen = list(self.acol_offsets.value)
        if not chosen:
            self.acol_note.value = "<p class='sl-note'>Choose at least one offset run.</p>"
            return
        every = len(chosen) == len(self.acol_offsets.options)
        where = {"scope": "well"} if every else {"offsets": chosen}
        v = self.chosen_view
        try:
            found = self.sess.clearance(v.run.id, revision=v.survey.revision, **where)
        except ServiceError as exc:
            self.acol_note.value = f"<p class='sl-note'>No clearance: {esc(str(exc))}</p>"
            return
        doc = found.to_dict()
        u = unit_label(doc["depth_unit"])
        rule = found.result.rule
        params = (
            f"<p class='sl-note'>{esc(doc['rule'])}: k is the sigma multiple of the combined "
            f"1-sigma pedal-curve radii, sigma_pa the project-ahead term, S_m the surface "
            f"margin; hole and casing radii 0 (centre lines). Reference "
            f"{esc(found.reference.name)} rev {v.survey.revision}: {esc(doc['model'])} "
            f"({esc(doc['revision'])}); lengths in {esc(u)}, azimuths to true north.</p>"
        )
        skipped = "".join(
            f"<li>{esc(s['offset'])}: {esc(s['reason'])}</li>" for s in doc["skipped"]
        )
        skipped = f"<p class='sl-note'>Not computed:</p><ul>{skipped}</ul>" if skipped else ""
        if not doc["offsets"]:
            self.acol_note.value = (
                params + "<p class='sl-note'>No offset could be placed beside the reference, "
                "so there is no separation factor to show.</p>" + skipped
            )
            return
        self.acol_note.value = params + skipped
        curves = found.curves()
        subtitle = f"ISCWSA rule k = {rule.k:g}, sigma_pa = {rule.sigma_pa:g} m, S_m = "
        subtitle += f"{rule.surface_margin:g} m"
        with self.acol_ladder:
            display(
                figures.ladder_view(curves, doc["depth_unit"], context=self.context, rule=subtitle)
            )
        with self.acol_cylinder:
            display(
                figures.travelling_cylinder_view(curves, doc["depth_unit"], context=self.context)
            )
        frame = pd.DataFrame(
            {
                "Offset": [o["offset"] for o in doc["offsets"]],
                "Tool code": [o["model"] for o in doc["offsets"]],
                "Min SF [-]": [o["min_sf"] for o in doc["offsets"]],
                f"MD at min [{u}]": [o["md_at_min"] for o in doc["offsets"]],
                f"C-C at min [{u}]": [o["ctc_at_min"] for o in doc["offsets"]],
            }
        )
        self.acol_table.value = (
            "<h4>Minimum separation factor per offset</h4>"
            f"<div class='sl-scroll'>{table_html(frame, left=2, decimals=2)}</div>"
        )

    # ------------------------------------------------------------------ files
    def export(self) -> None:
        if self.view is None:
            return
        label = dict((v, k) for k, v in EXPORT_FORMATS)[self.export_format.value]
        out = self.act(
            self.sess.export_survey,
            self.chosen_run.id,
            self.export_format.value,
            self.view.survey.revision,
            vs_azimuth=float(self.vs_azimuth.value),
            what=f"Exporting {label}",
            then="Choose another format (CSV writes every survey), or reload the page.",
        )
        if out is not None:
            name, data = out
            self.downloader.save(name, data)
            self.downloads.value = (
                f"<p>{esc(label)} saved as <b>{esc(name)}</b> ({len(data) / 1000:.1f} kB; VS "
                f"along {_deg(float(self.vs_azimuth.value))}). If your browser did not save it: "
                f"{download_link(name, data, 'download ' + name)}</p>"
            )

    def make_report(self) -> None:
        if self.view is None:
            return
        from surveylab.reports.render import render_report

        fmt = self.report_format.value
        done = self.act(
            render_report,
            self.session,
            run=str(self.chosen_run.id),
            fmt=fmt,
            output_dir=self.settings.reports_dir,
            revision=self.view.survey.revision,
            units=self.report_units.value,
            vs_azimuth=float(self.report_vs.value),
            what=f"Rendering the {fmt.upper()} report (this takes a few seconds)",
            then="Try HTML (a PDF needs Debian's chromium on the server), or ask your "
            "administrator.",
        )
        if done is not None:
            data = done.path.read_bytes()
            self.downloader.save(done.path.name, data)
            self.downloads.value = (
                f"<p>Report saved as <b>{esc(done.path.name)}</b> ({len(data) / 1000:.1f} kB, "
                f"{esc(self.report_units.value)}, VS along {_deg(float(self.report_vs.value))}). "
                f"If your browser did not save it: "
                f"{download_link(done.path.name, data, 'download ' + done.path.name)}</p>"
            )
