"""The survey report of one run revision: provenance, listing, figures, findings, history.

The report notebooks display these sections; nothing here renders files (see
:mod:`surveylab.reports.render`). Figures are static SVG drawn in-process by matplotlib
(:mod:`surveylab.reports.figures`) so that HTML and PDF keep them without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from surveylab._version import __version__
from surveylab.calc import default_vs_azimuth, vertical_section
from surveylab.calc.tables import convert_stations, listing_frame
from surveylab.models.records import StatusChangeRecord, SurveyRecord
from surveylab.reports import figures as static_figures
from surveylab.reports.markup import CSS, esc, figures_html, fmt, html_table, listing_table_html
from surveylab.services.qc import QCView
from surveylab.session import Session, SurveyView, token_from_environment
from surveylab.units import convert, unit_label


def report_session(session: Session | None) -> Session:
    """The session a report notebook acts through: the one given, else the token of
    ``SURVEYLAB_TOKEN`` / ``SURVEYLAB_TOKEN_FILE`` (never a notebook parameter).

    Raises
    ------
    RuntimeError
        No session given and no token in the environment.
    """
    session = session or Session(token_from_environment())
    if not session.token:
        raise RuntimeError("not authenticated: set SURVEYLAB_TOKEN or SURVEYLAB_TOKEN_FILE")
    return session


class ReportSections:
    """A report as the notebooks show it: named sections of HTML, in order."""

    KIND: ClassVar[str] = "report"
    SECTIONS: ClassVar[tuple[str, ...]] = ()

    def html(self, section: str) -> str:
        """One section of :data:`SECTIONS` as HTML (the ``<section>_html`` method).

        Raises
        ------
        KeyError
            Not a section of this report.
        """
        if section not in self.SECTIONS:
            raise KeyError(f"a {self.KIND} report has no section {section!r}")
        return getattr(self, f"{section}_html")()

    def sections(self) -> dict[str, str]:
        """Every section as HTML, in order (what the renderer prepares for the notebook)."""
        return {name: self.html(name) for name in self.SECTIONS}


@dataclass
class SurveyReport(ReportSections):
    """Everything the survey report shows for one run revision, in the requested unit."""

    view: SurveyView
    session: Session
    unit: str
    vs_azimuth: float
    stations: pd.DataFrame
    course: float
    #: The run's survey revisions, read with the survey by :meth:`build`; None: read when shown.
    history: list[SurveyRecord] | None = None
    #: The revision's stored QC, read by :meth:`build`; None: read when shown.
    qc: QCView | None = None
    #: The revision's status changes, read by :meth:`build`; None: read when shown.
    status_changes: list[StatusChangeRecord] | None = None

    KIND: ClassVar[str] = "survey"
    #: The sections of the report notebook, in order (see :meth:`html`).
    SECTIONS: ClassVar[tuple[str, ...]] = (
        "title",
        "provenance",
        "qc",
        "last_station",
        "listing",
        "figures",
        "uncertainty",
        "findings",
        "history",
    )

    @classmethod
    def build(
        cls,
        run: str,
        revision: int | None = None,
        units: str = "m",
        vs_azimuth: float | None = None,
        session: Session | None = None,
    ) -> SurveyReport:
        session = report_session(session)
        # one connection (on DuckDB, opening the file is the cost): authenticate once (a refused
        # token fails here), the survey, and the revision history shown at the end of the report
        with session.batch():
            view = session.survey(run, revision)
            history = session.history(view.run.id)
            qc = session.qc(view.run.id, view.survey.revision)
            changes = session.status_history(view.run.id, view.survey.revision)
        unit = {"m": "m", "ft": "ft", "usft": "usft"}.get(units)
        if unit is None:
            raise ValueError(f"units must be m, ft or usft, got {units!r}")
        st, course = convert_stations(view.stations, view.survey.depth_unit, unit)
        azi = vs_azimuth
        if azi is None:
            azi = view.survey.vs_azimuth
        if azi is None:
            azi = default_vs_azimuth(st["north"], st["east"])
        st["vs"] = vertical_section(st["north"].to_numpy(), st["east"].to_numpy(), float(azi))
        return cls(view, session, unit, float(azi), st, course, history, qc, changes)

    # ------------------------------------------------------------------ sections
    def title_html(self) -> str:
        r = self.view.run
        return (
            f"{CSS}<div class='sl-report'><h1 style='font-size:22px'>Survey report: "
            f"{esc(r.run_name)} ({esc(r.run_number)})</h1>"
            f"<p>Well {esc(r.well_name or 'not assigned')}, run type {esc(r.run_type)}, "
            f"revision {self.view.survey.revision}, lengths in {unit_label(self.unit)}.</p>"
            f"{self.status_line_html()}</div>"
        )

    def status_line(self) -> str:
        """The revision's status in words: status, by whom and when, the note, the QC."""
        s = self.view.survey
        who = f" by {s.status_changed_by_name}" if s.status_changed_by_name else ""
        when = f" on {s.status_changed_at:%Y-%m-%d %H:%M} UTC" if s.status_changed_at else ""
        qc = (s.qc or {}).get("status", "not run")
        note = f" ({s.status_note})" if s.status_note else ""
        return f"Status: {s.status.upper()}{who}{when}{note}. QC: {qc}."

    def status_line_html(self) -> str:
        color = {"qc_failed": "#c0392b", "approved": "#1e7b34", "definitive": "#1e7b34"}
        c = color.get(self.view.survey.status, "#444")
        return (
            f"<p class='sl-status' style='border-left:4px solid {c};padding-left:8px'>"
            f"<b>{esc(self.status_line())}</b></p>"
        )

    def qc_html(self) -> str:
        """Quality control: the QC verdict, the reference field and where it comes from, the
        limits, stations outside them (figure and table), gyro in-run/out-run, status history."""
        view = (
            self.qc
            if self.qc is not None
            else self.session.qc(self.view.run.id, self.view.survey.revision)
        )
        data = view.to_dict()
        raw = (view.document or {}).get("raw") or {}
        parts = ["<div class='sl-report'><h2>Quality control</h2>"]
        parts.append(f"<p>{esc(data.get('summary') or data.get('reason') or '')}</p>")
        ref = data["reference"]
        if ref.get("source") != "none":
            details = ref.get("details") or {}
            rows = [
                ["Btotal [nT]", fmt(ref["btotal_nt"], 1), details.get("btotal_nt", "")],
                ["Dip [deg]", fmt(ref["dip_deg"], 3), details.get("dip_deg", "")],
                ["Gtotal [g]", fmt(ref["gtotal_g"], 5), details.get("gtotal_g", "")],
            ]
            parts.append(
                f"<h3 style='font-size:15px'>Reference field ({esc(ref['source'])})</h3>"
                + html_table(rows, ["", "Value", "Source"], 3)
            )
        elif data["stations"]:
            parts.append(f"<p><b>No reference field:</b> {esc(ref.get('reason') or '')}</p>")
        limits = raw.get("limits")
        if limits:
            parts.append(
                f"<p>Limits: Btotal {limits['btotal_nt']:g} nT, dip {limits['dip_deg']:g} deg, "
                f"Gtotal {limits['gtotal_g']:g} g; angles from the raw readings "
                f"{limits['inc_deg']:g} deg inclination, {limits['azi_deg']:g} deg azimuth "
                "(axis convention: x and y cross-axial, z along the tool towards the bit).</p>"
            )
        frame = view.stations
        if not frame.empty and ref.get("source") != "none":
            md_unit = str(self.view.survey.depth_unit)
            parts.append(
                figures_html(
                    [
                        static_figures.qc_view(
                            frame, limits or {}, md_unit,
                            f"Raw-sensor QC of {self.view.run.run_number} revision "
                            f"{self.view.survey.revision}",
                        )
                    ]
                )
            )  # fmt: skip
            bad = [s for s in data["stations"] if s["pass"] is False]
            if bad:
                rows = [
                    [fmt(s["md"], 2), fmt(s["d_btotal_nt"], 1), fmt(s["d_dip_deg"], 3),
                     fmt(s["d_gtotal_g"], 5)]
                    for s in bad
                ]  # fmt: skip
                heads = [f"MD [{md_unit}]", "dBtotal [nT]", "dDip [deg]", "dGtotal [g]"]
                parts.append(
                    f"<h3 style='font-size:15px'>Stations outside the limits ({len(bad)})</h3>"
                    + html_table(rows, heads, 1)
                )
        gyro = data.get("gyro")
        if gyro:
            parts.append(
                f"<p><b>Gyro in-run against out-run:</b> {esc(gyro.get('summary', ''))}</p>"
            )
        changes = (
            self.status_changes
            if self.status_changes is not None
            else self.session.status_history(self.view.run.id, self.view.survey.revision)
        )
        if changes:
            rows = [
                [f"{c.changed_at:%Y-%m-%d %H:%M}", c.from_status or "", c.to_status,
                 c.changed_by_name or "", c.note]
                for c in changes
            ]  # fmt: skip
            parts.append(
                "<h3 style='font-size:15px'>Status history</h3>"
                + html_table(rows, ["At (UTC)", "From", "To", "By", "Note"], 4)
            )
        parts.append("</div>")
        return "".join(parts)

    def provenance_rows(self) -> list[tuple[str, str]]:
        s, r, h = self.view.survey, self.view.run, self.view.survey.header
        tie = h.tie_on
        tie_text = (
            "not stated: vertical from MD 0 assumed"
            if tie is None
            else f"MD {tie.md:g}, Inc {tie.inc:g}, Azi {tie.azi:g}, TVD {tie.tvd:g}, "
            f"N {tie.north:g}, E {tie.east:g} [{s.depth_unit}]"
        )
        return [
            ("Well", r.well_name or "not assigned"),
            ("Wellbore", r.wellbore_name or h.wellbore_name or "not stated"),
            ("Run", f"{r.run_number}: {r.run_name}"),
            ("Run type / tool", f"{r.run_type} / {h.tool or 'not stated'}"),
            ("Survey date", h.survey_date or "not stated"),
            ("Depth unit (stored)", str(s.depth_unit)),
            ("Azimuth reference", str(s.azimuth_reference)),
            (
                "Declination [deg]",
                f"{fmt(h.declination, 3)} (source: {h.declination_source or 'file'})",
            ),
            (
                "Grid convergence [deg]",
                f"{fmt(h.grid_convergence, 3)} (source: {h.convergence_source or 'file'})",
            ),
            ("Total correction [deg]", fmt(h.total_correction, 3)),
            (
                "Depth datum / elevation",
                f"{h.depth_datum or 'not stated'} / {fmt(h.datum_elevation)}",
            ),
            ("Tie-on", tie_text),
            ("Calculation method", s.method.replace("_", " ")),
            ("Survey revision", str(s.revision)),
            ("Status", s.status),
            ("Source file", s.file_name or ""),
            ("sha256", s.sha256 or ""),
            ("Imported by / at", f"{s.imported_by_name} / {s.imported_at:%Y-%m-%d %H:%M UTC}"),
            ("Assumptions", "; ".join(s.assumptions) or "none"),
            ("surveylab version", __version__),
        ]

    def provenance_html(self) -> str:
        rows = [[k, v] for k, v in self.provenance_rows()]
        return f"<div class='sl-report'><h2>Provenance</h2>{html_table(rows, ['', ''], 2)}</div>"

    def listing(self) -> pd.DataFrame:
        return listing_frame(self.stations, self.unit, self.course)

    def listing_html(self) -> str:
        df = self.listing()
        columns = [
            ["" if v != v else f"{v:.2f}" for v in df[c].to_numpy(dtype=float).tolist()]
            for c in df.columns
        ]  # NaN (v != v) as an empty cell
        return (
            f"<div class='sl-report'><h2>Survey listing ({len(df)} stations, "
            f"VS along {self.vs_azimuth:.2f} deg)</h2>"
            f"{listing_table_html(list(df.columns), columns)}</div>"
        )

    def last_station_html(self) -> str:
        last = self.stations.iloc[-1]
        u = unit_label(self.unit)
        return (
            f"<div class='sl-report'><p><b>Last station:</b> MD {last['md']:.2f} {u}, "
            f"TVD {last['tvd']:.2f} {u}, N {last['north']:.2f} {u}, E {last['east']:.2f} {u}</p>"
            "</div>"
        )

    def figures(self) -> list[str]:
        """Plan view, vertical section, 3-D view and DLS against MD, as SVG text."""
        st, u = self.stations, self.unit
        ref = str(self.view.survey.azimuth_reference)
        return [
            static_figures.plan_view(st, u, ref),
            static_figures.section_view(st, u, self.vs_azimuth),
            static_figures.view_3d(st, u),
            static_figures.dls_view(st, u, self.course),
        ]

    def figures_html(self) -> str:
        return figures_html(self.figures())

    def uncertainty_html(self) -> str:
        """Position uncertainty: the ellipses on the plan view and section at
        :data:`~surveylab.calc.uncertainty.DEFAULT_SIGMA` (ISCWSA error model of the run's tool
        code) and the minimum separation factor against the well's other runs (ISCWSA rule).
        Omitted with a one-line note when the run has no tool code (type Unknown, none set),
        or when the model cannot be computed (the reason said)."""
        from surveylab.calc.uncertainty import (
            DEFAULT_SIGMA,
            horizontal_ellipses,
            section_ellipses,
            spaced_stations,
        )
        from surveylab.services import ServiceError
        from surveylab.services.uncertainty import tool_code_for

        head = "<div class='sl-report'><h2>Position uncertainty and anti-collision</h2>"
        run, rev = self.view.run, self.view.survey.revision
        try:
            code, source = tool_code_for(run)
            unc = self.session.uncertainty(run.id, rev)
        except ServiceError as exc:
            return f"{head}<p class='sl-note'>Omitted: {esc(str(exc))}.</p></div>"
        scale = float(convert(1.0, unc.depth_unit, self.unit))
        u = unit_label(self.unit)
        st = unc.stations
        md = st["md"].to_numpy()
        pick = spaced_stations(md)
        cov = unc.uncertainty.covariance[pick] * scale**2
        north = st["north"].to_numpy()[pick] * scale
        east = st["east"].to_numpy()[pick] * scale
        tvd = st["tvd"].to_numpy()[pick] * scale
        ref = str(unc.north_reference)
        flat = horizontal_ellipses(cov, sigma=DEFAULT_SIGMA, north_reference=ref,
                                   depth_unit=self.unit)  # fmt: skip
        on_plan = flat.outline(north, east, points=49)
        upright = section_ellipses(cov, self.vs_azimuth, sigma=DEFAULT_SIGMA,
                                   north_reference=ref, depth_unit=self.unit)  # fmt: skip
        vs = vertical_section(north, east, self.vs_azimuth)
        on_section = upright.outline(vs, tvd, points=49)
        figures = [
            static_figures.ellipse_plan_view(
                self.stations, self.unit, ref, on_plan[0], on_plan[1], flat.label()
            ),
            static_figures.ellipse_section_view(
                self.stations, self.unit, self.vs_azimuth, on_section[0], on_section[1],
                upright.label(),
            ),
        ]  # fmt: skip
        parts = [
            head,
            f"<p>{esc(unc.uncertainty.model)} ({esc(unc.uncertainty.revision)}), tool code "
            f"{esc(code)} ({esc(source)}); covariances 1 sigma, ellipses drawn at "
            f"{DEFAULT_SIGMA:g} sigma at {len(pick)} stations evenly spaced in MD.</p>",
            figures_html(figures),
            self._clearance_html(u),
            "</div>",
        ]
        return "".join(parts)

    def clearance_rows(self) -> tuple[list[list[str]], str, list[dict[str, str]]]:
        """The minimum separation factor against each other run of the well: rows (offset,
        tool code, min SF, MD and centre-to-centre distance at it [report unit]), the rule,
        and the offsets skipped with their reasons.

        Raises
        ------
        ServiceError
            The clearance cannot be computed (e.g. the run is on no well).
        """
        doc = self.session.clearance(
            self.view.run.id, revision=self.view.survey.revision, scope="well"
        ).to_dict()
        scale = float(convert(1.0, doc["depth_unit"], self.unit))
        rows = [
            [o["offset"], o["model"], fmt(o["min_sf"], 2), fmt(o["md_at_min"] * scale, 2),
             fmt(o["ctc_at_min"] * scale, 2)]
            for o in doc["offsets"]
        ]  # fmt: skip
        return rows, doc["rule"], doc["skipped"]

    def _clearance_html(self, u: str) -> str:
        from surveylab.services import ServiceError

        title = "<h3 style='font-size:15px'>Minimum separation factor against the well's runs</h3>"
        try:
            rows, rule, skipped = self.clearance_rows()
        except ServiceError as exc:
            return f"{title}<p class='sl-note'>Not computed: {esc(str(exc))}.</p>"
        parts = [title, f"<p>{esc(rule)}; hole and casing radii 0 (centre lines).</p>"]
        if rows:
            heads = ["Offset", "Tool code", "Min SF [-]", f"MD at min [{u}]", f"C-C at min [{u}]"]
            parts.append(html_table(rows, heads, 2))
        else:
            parts.append("<p>No other run of the well could be compared.</p>")
        if skipped:
            parts.append(
                "<p class='sl-note'>Not computed: "
                + "; ".join(f"{esc(x['offset'])}: {esc(x['reason'])}" for x in skipped)
                + "</p>"
            )
        return "".join(parts)

    def findings_html(self) -> str:
        fs = self.view.survey.findings
        if not fs:
            return "<div class='sl-report'><h2>Findings</h2><p>None.</p></div>"
        rows = [
            [f.severity, f.code, f.message, "" if f.station is None else f.station + 1]
            for f in sorted(fs, key=lambda f: -f.severity.rank)
        ]
        return (
            "<div class='sl-report'><h2>Findings</h2>"
            + html_table(rows, ["Severity", "Code", "Message", "Station"], 3)
            + "</div>"
        )

    def history_html(self) -> str:
        revs = self.history if self.history is not None else self.session.history(self.view.run.id)
        rows = [
            [
                s.revision,
                s.file_name,
                s.station_count,
                s.worst_severity or "none",
                s.imported_by_name,
                f"{s.imported_at:%Y-%m-%d %H:%M}",
            ]
            for s in revs
        ]
        heads = ["Revision", "File", "Stations", "Worst finding", "Imported by", "At (UTC)"]
        heads.append("Status")
        for row, s in zip(rows, revs, strict=True):
            row.append(s.status)
        return (
            "<div class='sl-report'><h2>Revision history</h2>"
            + html_table(rows, heads, 2)
            + "</div>"
        )
