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
from surveylab.units import unit_label


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
