"""The runs dashboard (everyone): list, filter and page runs; look at one run's survey; history,
revision differences, overlays, exports and reports."""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from surveylab.calc.tables import convert_stations, listing_frame
from surveylab.models import RunType
from surveylab.services import exports as export_service
from surveylab.ui.shell import DashboardShell, download_link, esc, findings_html, table_html
from surveylab.units import unit_label

PAGE_SIZE = 25
#: the tabs of a chosen run, in order; all but the first are filled when first open
TAB_TITLES = ("Summary", "Stations", "Plots", "3-D", "History", "Overlay", "Export & report")
TAB_STATIONS, TAB_PLOTS, TAB_3D, TAB_HISTORY, TAB_OVERLAY = 1, 2, 3, 4, 5
SORTS = {
    "Run number": ("run_number", False),
    "Run name": ("run_name", False),
    "Well": ("well", False),
    "Owner": ("owner", False),
    "Type": ("run_type", False),
    "Newest first": ("updated_at", True),
}


def _label(r) -> str:
    return f"{r.run_number}: {r.run_name}"


#: The first page's filters (the widgets' initial values).
FIRST_SCOPE, FIRST_SORT = "All runs", "Run number"
NO_RUN = ("(choose a run)", None)
#: What the listing shows when its runs could not be read (the status line says why).
UNREAD_LISTING: dict[str, Any] = {
    "label": "",
    "prev_disabled": True,
    "next_disabled": True,
    "table": "",
    "options": [NO_RUN],
}


class RunsApp(DashboardShell):
    title = "surveylab: survey runs"

    def build(self) -> w.Widget:
        """The first page: filters, the first page of runs, pager and run chooser.

        Its data is read first and every widget is made with its final state, classes and
        shared Layout and style, so that each reaches the browser as one message (its
        creation) and none is updated right after: between the login and the table the
        browser has 26 models to create and nothing else.
        """
        self.page = 0
        self.page_runs: list = []
        self.total = 0
        self.selected = None
        self.view = None
        wells = self.call(self.session.wells, what="Loading wells") or []
        if self.session is None:  # the session ended: the login form is back
            return w.VBox()
        first = self._load(self._filters(FIRST_SCOPE, "", "", "", "", FIRST_SORT), 0)
        shown = self._listing(*first) if first is not None else UNREAD_LISTING
        # ---- filters. The first page's widgets share one Layout and one style per kind
        # (ipywidgets allows it; none of them changes its own): each is a model the browser
        # must create between the login and the table. CSS classes go in as ``_dom_classes``, sent
        # with the widget's creation (``add_class`` would be one more update right after it).
        plain = w.Layout()
        self.scope = w.ToggleButtons(
            options=[FIRST_SCOPE, "My runs"],
            value=FIRST_SCOPE,
            layout=plain,
            _dom_classes=("sl-scope",),
        )
        self.well_filter = w.Dropdown(
            options=[("All wells", "")] + [(x.well_name, x.well_name) for x in wells],
            description="Well",
            layout=plain,
        )
        described = self.well_filter.style
        self.type_filter = w.Dropdown(
            options=[("All types", "")] + [(t.value, t.value) for t in RunType],
            description="Type",
            layout=plain,
            style=described,
        )
        self.owner_filter = w.Text(
            placeholder="username", description="Owner", layout=plain, continuous_update=False
        )
        typed = self.owner_filter.style
        self.search = w.Text(
            placeholder="number or name",
            description="Search",
            layout=plain,
            style=typed,
            continuous_update=False,
        )
        self.sort = w.Dropdown(
            options=list(SORTS),
            value=FIRST_SORT,
            description="Sort",
            layout=plain,
            style=described,
        )
        self.prev_button = w.Button(
            description="Previous",
            icon="chevron-left",
            layout=plain,
            disabled=shown["prev_disabled"],
        )
        pressed = self.prev_button.style
        self.next_button = w.Button(
            description="Next",
            icon="chevron-right",
            layout=plain,
            style=pressed,
            disabled=shown["next_disabled"],
        )
        self.page_label = w.HTML(shown["label"], layout=plain, _dom_classes=("sl-page-label",))
        self.table = w.HTML(
            shown["table"],
            layout=plain,
            style=self.page_label.style,
            _dom_classes=("sl-runs-table",),
        )
        self.run_select = w.Dropdown(
            options=shown["options"],
            value=None,
            description="Run",
            layout=w.Layout(width="420px"),
            style=described,
            _dom_classes=("sl-run-select",),
        )
        for widget in (
            self.scope,
            self.well_filter,
            self.type_filter,
            self.sort,
            self.owner_filter,
            self.search,
        ):
            widget.observe(lambda _: self.refresh(reset=True), names="value")
        self.prev_button.on_click(lambda _: self.turn_page(-1))
        self.next_button.on_click(lambda _: self.turn_page(+1))
        self.run_select.observe(self._on_select, names="value")
        # the tabs of a run are made with the first run chosen: fewer widgets to send and
        # build in the browser before the first page shows
        self.tabs: w.Tab | None = None
        self.details = w.VBox([], layout=w.Layout(display="none"))
        return w.VBox(
            [
                self.scope,
                w.HBox([self.well_filter, self.type_filter, self.sort], layout=plain),
                w.HBox([self.owner_filter, self.search], layout=plain),
                self.table,
                w.HBox([self.prev_button, self.page_label, self.next_button], layout=plain),
                self.run_select,
                self.details,
            ],
            layout=plain,
        )

    def _build_details(self) -> None:
        """The tabs of a chosen run (once, with the first run chosen)."""
        self.summary = w.HTML()
        self.summary.add_class("sl-summary")
        self.findings = w.HTML()
        self.findings.add_class("sl-findings-box")
        self.stations = w.HTML()
        self.stations.add_class("sl-stations")
        self.vs_azimuth = w.BoundedFloatText(
            min=0, max=360, step=1, description="VS azi [deg]", layout=w.Layout(width="220px")
        )
        self.vs_azimuth.observe(self._vs_changed, names="value")
        self.plots = w.Output()
        self.plots.add_class("sl-plots")
        # tabs are filled when open (on choosing a run, or on opening the tab later): the
        # browser's plotting is the costliest thing on the page, and a figure drawn in a
        # hidden tab is drawn again when the tab shows
        self.plot3d = w.Output()
        self.plot3d.add_class("sl-plot-3d")
        self._drawn: dict[int, object] = {}  # tab index -> the view drawn there
        self.rev_a = w.Dropdown(description="Revision A", layout=w.Layout(width="220px"))
        self.rev_b = w.Dropdown(description="Revision B", layout=w.Layout(width="220px"))
        self.compare_button = w.Button(description="Compare", icon="exchange")
        self.compare_button.add_class("sl-compare")
        self.compare_button.on_click(lambda _: self.compare())
        self.history = w.HTML()
        self.history.add_class("sl-history")
        self.diff = w.HTML()
        self.diff.add_class("sl-diff")
        self.overlay_select = w.SelectMultiple(description="Runs", rows=5)
        self.overlay_button = w.Button(description="Overlay", icon="clone")
        self.overlay_button.on_click(lambda _: self.overlay())
        self.overlay_out = w.Output()
        self.export_format = w.Dropdown(
            options=[
                ("CSV", "csv"),
                ("Excel", "xlsx"),
                ("LAS 2.0", "las"),
                ("WITSML 1.4", "witsml"),
                ("WITSML 2.0", "witsml20"),
            ],
            description="Format",
        )
        self.export_button = w.Button(description="Export", icon="download")
        self.export_button.add_class("sl-export")
        self.export_button.on_click(lambda _: self.export())
        self.report_format = w.Dropdown(options=["html", "pdf"], description="Report")
        self.report_button = w.Button(description="Make report", icon="file")
        self.report_button.add_class("sl-make-report")
        self.report_button.on_click(lambda _: self.make_report())
        self.downloads = w.HTML()
        self.downloads.add_class("sl-downloads")
        self.tabs = w.Tab(
            children=[
                w.VBox([self.summary, self.findings]),
                w.VBox([self.stations]),
                w.VBox([self.vs_azimuth, self.plots]),
                w.VBox([self.plot3d]),
                w.VBox(
                    [w.HBox([self.rev_a, self.rev_b, self.compare_button]), self.history, self.diff]
                ),
                w.VBox([self.overlay_select, self.overlay_button, self.overlay_out]),
                w.VBox(
                    [
                        w.HBox([self.export_format, self.export_button]),
                        w.HBox([self.report_format, self.report_button]),
                        self.downloads,
                    ]
                ),
            ]
        )
        self.tabs.titles = TAB_TITLES
        self.tabs.observe(lambda _: self.draw_open_tab(), names="selected_index")
        self.details.children = [self.tabs]

    # ------------------------------------------------------------------ listing
    def filters(self) -> dict[str, Any]:
        """The listing's filters and order, from the filter widgets."""
        return self._filters(
            self.scope.value,
            self.well_filter.value,
            self.type_filter.value,
            self.owner_filter.value,
            self.search.value,
            self.sort.value,
        )

    @staticmethod
    def _filters(
        scope: str, well: str, run_type: str, owner: str, search: str, sort: str
    ) -> dict[str, Any]:
        order_by, descending = SORTS[sort]
        return {
            "mine": scope == "My runs",
            "well": well or None,
            "run_type": run_type or None,
            "owner": owner.strip() or None,
            "search": search.strip() or None,
            "order_by": order_by,
            "descending": descending,
        }

    def _load(self, f: dict[str, Any], page: int) -> tuple[int, list, int] | None:
        """(run count, runs of the page, page) for filters ``f`` and 0-based ``page``
        (clamped to the last page); None when a call failed (the status line says why)."""
        count_filters = {k: v for k, v in f.items() if k not in ("order_by", "descending")}
        total = self.call(self.session.count_runs, **count_filters, what="Counting runs")
        if total is None:
            return None
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(page, pages - 1)
        runs = self.call(
            self.session.runs,
            **f,
            limit=PAGE_SIZE,
            offset=page * PAGE_SIZE,
            what="Loading runs",
        )
        if runs is None:
            return None
        self.page, self.page_runs, self.total = page, runs, total
        return total, runs, page

    @staticmethod
    def _listing(total: int, runs: list, page: int) -> dict[str, Any]:
        """What the listing's widgets show for one page of runs."""
        pages = max(1, math.ceil(total / PAGE_SIZE))
        noun = "run" if total == 1 else "runs"
        rows = pd.DataFrame(
            [
                {
                    "Run number": r.run_number,
                    "Run name": r.run_name,
                    "Type": r.run_type,
                    "Well": r.well_name or "",
                    "Owner": r.owner_name,
                    "Revision": r.current_revision if r.current_revision is not None else "none",
                    "Stations": r.station_count if r.station_count is not None else "",
                    "Worst finding": r.worst_severity or "none",
                    "Updated (UTC)": f"{r.updated_at:%Y-%m-%d %H:%M}",
                }
                for r in runs
            ]
        )
        return {
            "label": f"&nbsp;Page {page + 1} of {pages} ({total} {noun})&nbsp;",
            "prev_disabled": page == 0,
            "next_disabled": page >= pages - 1,
            "table": table_html(rows, left=5)
            if len(rows)
            else "<p>No runs match these filters.</p>",
            "options": [NO_RUN] + [(_label(r), str(r.id)) for r in runs],
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
        self.table.value = shown["table"]
        current = self.run_select.value
        self.run_select.options = shown["options"]
        if current in {v for _, v in shown["options"]}:
            self.run_select.value = current

    def turn_page(self, step: int) -> None:
        self.page = max(0, self.page + step)
        self.refresh()

    # ------------------------------------------------------------------ one run
    def _on_select(self, change) -> None:
        if change["new"]:
            self.select_run(change["new"])

    def select_run(self, run_ref: str) -> None:
        from surveylab.ui import figures  # plotly: loaded in the background at start

        if self.tabs is None:
            self._build_details()
        view = self.call(self.session.survey, run_ref, what="Loading survey")
        if self.session is None:  # the session ended during the call: the form is back
            return
        if view is None:
            run = self.call(self.session.run, run_ref)
            if run is not None:
                self.summary.value = f"<p>Run {esc(run.run_number)} has no survey yet.</p>"
                self.details.layout.display = ""
            return
        self.view = view
        self.selected = view.run
        self.show_summary()
        self.downloads.value = ""
        self.details.layout.display = ""
        self.vs_azimuth.unobserve_all()
        az = view.survey.vs_azimuth
        self.vs_azimuth.value = round(
            az if az is not None else figures.default_vs_azimuth(view.stations), 2
        )
        self.vs_azimuth.observe(self._vs_changed, names="value")
        self._drawn.clear()
        self.draw_open_tab()

    def show_summary(self) -> None:
        v = self.view
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
        last = v.stations.iloc[-1]
        rows = [
            ("Run", esc(f"{r.run_number}: {r.run_name} ({r.run_type})")),
            ("Well", esc(r.well_name or "not assigned")),
            ("Owner", esc(r.owner_name)),
            ("Revision", f"{s.revision} (current)" if s.id == r.current_survey_id else s.revision),
            ("Source file", esc(f"{s.file_name} ({s.detected_format}), sha256 {s.sha256}")),
            ("Imported", esc(f"{s.imported_by_name} at {s.imported_at:%Y-%m-%d %H:%M} UTC")),
            ("Depth unit", esc(u)),
            ("Azimuth reference", esc(s.azimuth_reference)),
            ("Declination [deg]", val(h.declination)),
            ("Grid convergence [deg]", val(h.grid_convergence)),
            ("Total correction [deg]", val(h.total_correction)),
            ("Datum / elevation", f"{val(h.depth_datum)} / {val(h.datum_elevation, 2)}"),
            ("Tie-on", tie_text),
            ("Method", esc(s.method.replace("_", " "))),
            ("DLS course length", esc(f"{s.dls_course_length:g} {u}")),
            ("Assumptions", esc("; ".join(s.assumptions) or "none")),
            (
                "Last station",
                esc(
                    f"MD {last['md']:.2f} {u}, TVD {last['tvd']:.2f} {u}, "
                    f"N {last['north']:.2f} {u}, E {last['east']:.2f} {u}"
                ),
            ),
        ]
        body = "".join(f"<tr><th class='l'>{k}</th><td class='l'>{v_}</td></tr>" for k, v_ in rows)
        self.summary.value = f"<table class='sl-table sl-header'>{body}</table>"
        self.findings.value = "<h4>Findings</h4>" + findings_html(s.findings)

    def show_stations(self) -> None:
        v = self.view
        df = listing_frame(v.stations, str(v.survey.depth_unit), v.survey.dls_course_length)
        self.stations.value = f"<div class='sl-scroll'>{table_html(df, left=0, max_rows=500)}</div>"

    def _vs_changed(self, _change=None) -> None:
        self._drawn.pop(TAB_PLOTS, None)
        self.draw_open_tab()

    def draw_open_tab(self) -> None:
        """Fill the open tab if it is not filled for the chosen run yet (the summary is
        filled on choosing a run; each other tab when it is first open for that run)."""
        tab = self.tabs.selected_index
        if self.view is None or self._drawn.get(tab) is self.view:
            return
        fill = {
            TAB_STATIONS: self.show_stations,
            TAB_PLOTS: self.draw_plots,
            TAB_3D: self.draw_3d,
            TAB_HISTORY: self.show_history,
            TAB_OVERLAY: self.prepare_overlay,
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
        unit = str(v.survey.depth_unit)
        self.plots.clear_output(wait=True)
        with self.plots:
            for fig in (
                figures.plan_view(v.stations, unit, str(v.survey.azimuth_reference)),
                figures.section_view(v.stations, unit, float(self.vs_azimuth.value)),
                figures.dls_view(v.stations, unit, v.survey.dls_course_length),
            ):
                display(fig)

    def draw_3d(self) -> None:
        """The 3-D view of the chosen run."""
        from surveylab.ui import figures  # plotly: loaded in the background at start

        if self.view is None:
            return
        v = self.view
        self.plot3d.clear_output(wait=True)
        with self.plot3d:
            display(figures.view_3d(v.stations, str(v.survey.depth_unit)))

    def show_history(self) -> None:
        revs = self.call(self.session.history, self.selected.id, what="Loading history") or []
        options = [(f"rev {s.revision}: {s.file_name}", s.revision) for s in revs]
        self.rev_a.options = options
        self.rev_b.options = options
        if options:
            self.rev_a.value = options[max(0, len(options) - 2)][1]
            self.rev_b.value = options[-1][1]
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
        self.history.value = table_html(df, left=2) if len(df) else ""
        self.diff.value = ""

    def compare(self) -> None:
        if self.selected is None or self.rev_a.value is None or self.rev_b.value is None:
            return
        diff = self.call(
            self.session.compare_revisions,
            self.selected.id,
            self.rev_a.value,
            self.rev_b.value,
            what="Comparing revisions",
        )
        if diff is None:
            return
        u = unit_label(diff.attrs.get("depth_unit", "m"))
        shown = diff[["md", "d_inc", "d_azi", "d_tvd", "d_north", "d_east"]].rename(
            columns={
                "md": f"MD [{u}]",
                "d_inc": "dInc [deg]",
                "d_azi": "dAzi [deg]",
                "d_tvd": f"dTVD [{u}]",
                "d_north": f"dN [{u}]",
                "d_east": f"dE [{u}]",
            }
        )
        changed = int((diff[["d_inc", "d_azi"]].abs().fillna(1) > 1e-9).any(axis=1).sum())
        self.diff.value = (
            f"<p>Revision {self.rev_b.value} minus revision {self.rev_a.value}: "
            f"{changed} of {len(diff)} stations differ.</p>"
            f"<div class='sl-scroll'>{table_html(shown, left=0, decimals=3)}</div>"
        )

    def prepare_overlay(self) -> None:
        r = self.selected
        if r.well_id is None:
            self.overlay_select.options = []
            return
        same = self.call(self.session.runs, well=str(r.well_id)) or []
        self.overlay_select.options = [(_label(x), str(x.id)) for x in same if x.current_survey_id]
        self.overlay_select.value = tuple(v for _, v in self.overlay_select.options)

    def overlay(self) -> None:
        from surveylab.ui import figures  # plotly: loaded in the background at start

        chosen = list(self.overlay_select.value)
        views = []
        for ref in chosen:
            view = self.call(self.session.survey, ref, what="Loading surveys")
            if self.session is None:  # the session ended: the form is back
                return
            if view is not None:
                views.append(view)
        if not views:
            return
        unit = str(views[0].survey.depth_unit)
        series = [
            (v.run.run_number, convert_stations(v.stations, v.survey.depth_unit, unit)[0])
            for v in views
        ]
        self.overlay_out.clear_output(wait=True)
        with self.overlay_out:
            display(figures.plan_view(series, unit))
            display(figures.section_view(series, unit, float(self.vs_azimuth.value or 0.0)))

    # ------------------------------------------------------------------ files
    def export(self) -> None:
        if self.selected is None:
            return
        out = self.call(
            self.session.call,
            export_service.export_survey,
            self.selected.id,
            self.export_format.value,
            self.view.survey.revision,
            what="Exporting",
        )
        if out is not None:
            name, data = out
            self.downloads.value = f"<p>Download: {download_link(name, data)}</p>"

    def make_report(self) -> None:
        if self.selected is None:
            return
        from surveylab.reports.render import render_report

        out_dir = self.settings.reports_dir
        done = self.call(
            render_report,
            self.session,
            run=str(self.selected.id),
            fmt=self.report_format.value,
            output_dir=out_dir,
            revision=self.view.survey.revision,
            what="Rendering report (this takes a few seconds)",
        )
        if done is not None:
            data = done.path.read_bytes()
            self.downloads.value = f"<p>Report ready: {download_link(done.path.name, data)}</p>"
