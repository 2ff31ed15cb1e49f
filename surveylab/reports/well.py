"""Content of the well report: every run of a well overlaid, and their differences along MD.

Each run's current survey is shown in one depth unit. Runs are compared against the well's Gyro
run where there is one (else the first run with a survey) with :mod:`surveylab.calc.compare`;
the gyro in-run/out-run tolerances of :data:`surveylab.calc.compare.GYRO_IN_OUT` apply where
both runs are gyro surveys (Gyro or GTL). Against an MWD run the verdict is shown for
information only.
The report notebook ``surveylab/reports/notebooks/well_report.ipynb`` displays them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from surveylab._version import __version__
from surveylab.calc import default_vs_azimuth, vertical_section
from surveylab.calc.compare import GYRO_IN_OUT, SurveyComparison, compare_surveys
from surveylab.calc.tables import convert_stations, stations_of
from surveylab.models.records import RunRecord, WellboreRecord, WellRecord
from surveylab.reports import figures as static_figures
from surveylab.reports.markup import CSS, esc, figures_html, fmt, html_table, listing_table_html
from surveylab.reports.style import COLORS
from surveylab.reports.survey import ReportSections, SurveyReport, report_session
from surveylab.services import ServiceError
from surveylab.services import runs as run_service
from surveylab.services.definitive import DefinitiveView
from surveylab.session import Session
from surveylab.units import unit_label

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Run types whose surveys are gyro surveys (the in-run/out-run tolerances apply between them).
GYRO_TYPES = ("Gyro", "GTL")
_UNITS = ("m", "ft", "usft")
_DIFF_COLUMNS = ("d_north", "d_east", "d_tvd", "distance", "d_inc")


@dataclass(frozen=True)
class RunComparison:
    """One run compared against the reference run.

    Attributes
    ----------
    run : RunRecord
        The run compared.
    comparison : SurveyComparison or None
        Differences ``run - reference`` along MD [report unit, deg]; None when not comparable.
    tolerance_applies : bool
        Both runs are gyro surveys: the gyro in-run/out-run verdict is a QC result.
    note : str
        Why the run was not compared, or what the verdict means.
    """

    run: RunRecord
    comparison: SurveyComparison | None
    tolerance_applies: bool
    note: str

    @property
    def verdict(self) -> str:
        """``pass``/``fail``/``too few stations``, marked "(information)" where not applicable."""
        if self.comparison is None:
            return "not compared"
        status = self.comparison.status
        return status if self.tolerance_applies else f"{status} (information only)"


@dataclass
class WellReport(ReportSections):
    """Everything the well report shows for one well, in the requested unit."""

    well: WellRecord
    session: Session
    unit: str
    vs_azimuth: float
    surveys: list[SurveyReport]
    skipped: list[tuple[RunRecord, str]]
    reference: SurveyReport | None
    comparisons: list[RunComparison] = field(default_factory=list)
    #: The well's wellbores and the current definitive survey of each that has one.
    wellbores: list[WellboreRecord] = field(default_factory=list)
    definitives: dict[uuid.UUID, DefinitiveView] = field(default_factory=dict)

    KIND: ClassVar[str] = "well"
    #: The sections of the report notebook, in order (see :meth:`html`).
    SECTIONS: ClassVar[tuple[str, ...]] = (
        "title",
        "provenance",
        "definitive",
        "last_stations",
        "comparison",
        "figures",
        "differences",
        "findings",
    )

    @classmethod
    def build(
        cls,
        well: str | uuid.UUID,
        units: str = "m",
        vs_azimuth: float | None = None,
        session: Session | None = None,
        step: float | None = None,
    ) -> WellReport:
        """Load every run of ``well`` and compare them.

        Parameters
        ----------
        well : str or uuid.UUID
            Well name or id.
        units : str, optional
            Depth unit of the report: "m", "ft" or "usft". Default "m".
        vs_azimuth : float, optional
            Vertical-section azimuth [deg]; default the reference run's closure direction.
        session : Session, optional
            Default: acting with the token from the environment (as :func:`surveylab.connect`).
        step : float, optional
            MD interval of the comparison [report unit]; default the reference's stations.

        Returns
        -------
        WellReport

        Raises
        ------
        ValueError
            Unknown unit.
        ServiceError
            Unknown well, or no run of the well has a survey.
        """
        if units not in _UNITS:
            raise ValueError(f"units must be m, ft or usft, got {units!r}")
        session = report_session(session)
        surveys, skipped = [], []
        # one connection (on DuckDB, opening the file is the cost), authenticated once
        with session.batch():
            well_rec = session.call(run_service.get_well, well)
            bores = session.wellbores(well_rec.id)
            definitives = {
                b.id: session.definitive(well_rec.id, b.name)
                for b in bores
                if b.definitive_id is not None
            }
            for run in session.runs(well=well_rec.id):
                if run.current_survey_id is None:
                    skipped.append((run, "no survey imported"))
                    continue
                view = session.survey(run.id)
                st, course = convert_stations(view.stations, view.survey.depth_unit, units)
                surveys.append(SurveyReport(view, session, units, 0.0, st, course))
        if not surveys:
            raise ServiceError(f"well {well_rec.well_name} has no run with a survey")
        gyros = [s for s in surveys if s.view.run.run_type == "Gyro"]
        reference = gyros[0] if gyros else surveys[0]
        azi = vs_azimuth
        if azi is None:
            azi = default_vs_azimuth(reference.stations["north"], reference.stations["east"])
        for s in surveys:
            s.vs_azimuth = float(azi)
            s.stations["vs"] = vertical_section(
                s.stations["north"].to_numpy(), s.stations["east"].to_numpy(), float(azi)
            )
        report = cls(well_rec, session, units, float(azi), surveys, skipped, reference)
        report.wellbores, report.definitives = bores, definitives
        report.comparisons = [_compare(reference, s, step) for s in surveys if s is not reference]
        return report

    # ------------------------------------------------------------------ sections
    @property
    def has_gyro_reference(self) -> bool:
        """The reference run is a Gyro run."""
        return self.reference is not None and self.reference.view.run.run_type == "Gyro"

    def title_html(self) -> str:
        w = self.well
        ref = self.reference.view.run if self.reference else None
        against = (
            f"Differences against {esc(ref.run_number)} ({esc(ref.run_type)})."
            if ref is not None
            else ""
        )
        return (
            f"{CSS}<div class='sl-report'><h1 style='font-size:22px'>Well report: "
            f"{esc(w.well_name)}</h1><p>{len(self.surveys)} run(s) with a survey; lengths in "
            f"{unit_label(self.unit)}; vertical section along {self.vs_azimuth:.2f} deg. "
            f"{against} surveylab {esc(__version__)}.</p></div>"
        )

    def well_rows(self) -> list[tuple[str, str]]:
        """Well facts: name, type, CRS, surface location, datum and elevation."""
        w = self.well
        loc = (
            "not stated"
            if w.surface_x is None or w.surface_y is None
            else f"E {w.surface_x:.2f}, N {w.surface_y:.2f} ({w.crs or 'CRS not stated'})"
        )
        return [
            ("Well", w.well_name),
            ("Type", w.well_type),
            ("Surface location", loc),
            (
                "Depth datum / elevation",
                f"{w.depth_datum or 'not stated'} / {fmt(w.datum_elevation)} "
                f"[{w.elevation_unit or 'unit not stated'}]",
            ),
        ]

    def provenance_frame(self) -> pd.DataFrame:
        """Provenance of every run's survey: one column per run, one row per item."""
        cols = {}
        for s in self.surveys:
            rows = s.provenance_rows()
            cols[s.view.run.run_number] = [v for _, v in rows]
        index = [k for k, _ in self.surveys[0].provenance_rows()]
        return pd.DataFrame(cols, index=index)

    def provenance_html(self) -> str:
        well = html_table([[k, v] for k, v in self.well_rows()], ["", ""], 2)
        runs = "".join(
            f"<h3 style='font-size:15px'>{esc(s.view.run.run_number)} "
            f"({esc(s.view.run.run_type)})</h3>"
            + html_table([[k, v] for k, v in s.provenance_rows()], ["", ""], 2)
            for s in self.surveys
        )
        skipped = ""
        if self.skipped:
            items = "".join(
                f"<li>{esc(r.run_number)} ({esc(r.run_type)}): {esc(why)}</li>"
                for r, why in self.skipped
            )
            skipped = f"<p>Runs not shown:</p><ul>{items}</ul>"
        return (
            f"<div class='sl-report'><h2>Well</h2>{well}<h2>Provenance of each run</h2>"
            f"{runs}{skipped}</div>"
        )

    def definitive_html(self) -> str:
        """Each wellbore's definitive survey: version, who composed it, the tool program
        (intervals, run, tool type, revision, status) and its last station."""
        parts = ["<div class='sl-report'><h2>Definitive surveys</h2>"]
        if not self.wellbores:
            parts.append("<p>The well has no wellbore.</p>")
        for bore in self.wellbores:
            side = (
                f" (sidetrack of {esc(bore.parent_name or '')} at MD {bore.kickoff_md:g} "
                f"{esc(bore.depth_unit or '')})"
                if bore.parent_id is not None and bore.kickoff_md is not None
                else ""
            )
            view = self.definitives.get(bore.id)
            if view is None:
                parts.append(
                    f"<h3 style='font-size:15px'>{esc(bore.name)}{side}</h3>"
                    "<p>No definitive survey composed yet.</p>"
                )
                continue
            rec, u = view.record, view.depth_unit
            rows = [
                [fmt(i["md_from"], 2), fmt(i["md_to"], 2), i["run"], i["tool"], i["revision"],
                 i["status"]]
                for i in view.tool_program()
            ]  # fmt: skip
            heads = [f"MD from [{u}]", f"MD to [{u}]", "Run", "Tool", "Revision", "Status"]
            last = view.stations.iloc[-1]
            parts.append(
                f"<h3 style='font-size:15px'>{esc(bore.name)}{side}: DEFINITIVE survey, "
                f"version {rec.version}</h3><p>Composed by {esc(rec.created_by_name or '')} on "
                f"{rec.created_at:%Y-%m-%d %H:%M} UTC: {esc(rec.note)}. Tie-on: "
                f"{esc(str(rec.tie_on.get('source', '')))} (MD {fmt(rec.tie_on.get('md'), 2)} "
                f"{esc(u)}). Last station: MD {last['md']:.2f}, TVD {last['tvd']:.2f}, "
                f"N {last['north']:.2f}, E {last['east']:.2f} [{esc(u)}], azimuths from "
                f"{esc(str(rec.azimuth_reference))} north.</p>"
                "<p><b>Tool program</b></p>" + html_table(rows, heads, 2)
            )
        parts.append("</div>")
        return "".join(parts)

    def last_stations_html(self) -> str:
        u = unit_label(self.unit)
        rows = []
        for s in self.surveys:
            last = s.stations.iloc[-1]
            rows.append(
                [
                    s.view.run.run_number,
                    s.view.run.run_name,
                    f"{last['md']:.2f}",
                    f"{last['tvd']:.2f}",
                    f"{last['north']:.2f}",
                    f"{last['east']:.2f}",
                ]
            )
        heads = ["Run", "Name", f"MD [{u}]", f"TVD [{u}]", f"N [{u}]", f"E [{u}]"]
        return (
            "<div class='sl-report'><h2>Last station of each run</h2>"
            + html_table(rows, heads, 2)
            + "</div>"
        )

    def comparison_frame(self) -> pd.DataFrame:
        """One row per compared run: verdict and worst differences."""
        rows = []
        for c in self.comparisons:
            cmp_ = c.comparison
            rows.append(
                {
                    "run": c.run.run_number,
                    "run_type": c.run.run_type,
                    "stations": None if cmp_ is None else cmp_.station_count,
                    "max_distance": None if cmp_ is None else cmp_.max_distance,
                    "max_abs_d_inc": None if cmp_ is None else cmp_.max_abs_d_inc,
                    "max_abs_d_azi": None if cmp_ is None else cmp_.max_abs_d_azi,
                    "verdict": c.verdict,
                    "note": c.note,
                }
            )
        return pd.DataFrame(rows)

    def comparison_html(self) -> str:
        if self.reference is None or not self.comparisons:
            return (
                "<div class='sl-report'><h2>Differences between runs</h2>"
                "<p>Only one run has a survey: nothing to compare.</p></div>"
            )
        u, t, ref = unit_label(self.unit), GYRO_IN_OUT, self.reference.view.run
        rows = [
            [
                r["run"],
                r["run_type"],
                "" if r["stations"] is None else r["stations"],
                fmt(r["max_distance"], 3),
                fmt(r["max_abs_d_inc"], 3),
                fmt(r["max_abs_d_azi"], 3),
                r["verdict"],
                r["note"],
            ]
            for r in self.comparison_frame().to_dict("records")
        ]
        heads = [
            "Run",
            "Type",
            "Stations",
            f"Max 3-D distance [{u}]",
            "Max |dInc| [deg]",
            "Max |dAzi| [deg]",
            "Gyro in/out check",
            "Note",
        ]
        ref_note = (
            ""
            if self.has_gyro_reference
            else "<p><b>This well has no Gyro run:</b> differences are against the first run "
            "with a survey.</p>"
        )
        return (
            "<div class='sl-report'><h2>Differences between runs</h2>"
            f"<p>Each run minus {esc(ref.run_number)} ({esc(ref.run_type)}), interpolated along "
            f"the minimum-curvature arcs at common MDs. Gyro in-run/out-run tolerances "
            f"(in-run against out-run): inclination within {t.inc:g} deg; azimuth within "
            f"{t.azi_high:g} deg "
            f"where Inc >= {t.inc_threshold:g} deg, {t.azi_low:g} deg below; at least "
            f"{t.min_stations} stations. They apply between gyro surveys (Gyro, GTL).</p>"
            f"{ref_note}{html_table(rows, heads, 2)}</div>"
        )

    def differences_html(self) -> str:
        """The per-station differences of each compared run (a table per run)."""
        u = unit_label(self.unit)
        heads = [
            f"MD [{u}]",
            f"dN [{u}]",
            f"dE [{u}]",
            f"dTVD [{u}]",
            f"3-D [{u}]",
            "dInc [deg]",
            "dAzi [deg]",
            "Azi tol. [deg]",
            "Within",
        ]
        parts = ["<div class='sl-report'><h2>Differences along MD</h2>"]
        for c in self.comparisons:
            if c.comparison is None:
                continue
            df = c.comparison.to_frame()
            columns = [
                [f"{v:.2f}" for v in df["md"].tolist()],
                *([f"{v:.3f}" for v in df[k].tolist()] for k in _DIFF_COLUMNS),
                ["n/a (vertical)" if v != v else f"{v:.3f}" for v in df["d_azi"].tolist()],
                [f"{v:g}" for v in df["azi_tolerance"].tolist()],
                ["yes" if v else "NO" for v in df["within"].tolist()],
            ]
            parts.append(
                f"<h3 style='font-size:15px'>{esc(c.run.run_number)} ({esc(c.run.run_type)}): "
                f"{esc(c.comparison.summary())}</h3>{listing_table_html(heads, columns)}"
            )
        parts.append("</div>")
        return "".join(parts)

    def overlay(self) -> list[tuple[str, pd.DataFrame]]:
        """(label, stations) of every run, for the overlaid figures."""
        return [
            (f"{s.view.run.run_number} {s.view.run.run_type}", s.stations) for s in self.surveys
        ]

    def differences_figure(self) -> go.Figure:
        """3-D distance, dInc and dAzi of each compared run against MD (interactive plotly)."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        u = unit_label(self.unit)
        fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06)
        for i, c in enumerate(self.comparisons):
            if c.comparison is None:
                continue
            cmp_, color = c.comparison, COLORS[(i + 1) % len(COLORS)]
            name = f"{c.run.run_number} {c.run.run_type}"
            for row, y in ((1, cmp_.distance), (2, cmp_.d_inc), (3, cmp_.d_azi)):
                fig.add_trace(
                    go.Scatter(
                        x=cmp_.md,
                        y=y,
                        mode="lines",
                        line={"color": color},
                        name=name,
                        showlegend=row == 1,
                    ),
                    row=row,
                    col=1,
                )
            fig.add_trace(
                go.Scatter(
                    x=cmp_.md,
                    y=cmp_.azi_tolerance,
                    mode="lines",
                    line={"color": "#888", "dash": "dot"},
                    name="azimuth tolerance",
                    showlegend=i == 0,
                ),
                row=3,
                col=1,
            )
        t = GYRO_IN_OUT.inc
        fig.add_hline(y=t, line={"color": "#888", "dash": "dot"}, row=2, col=1)
        fig.add_hline(y=-t, line={"color": "#888", "dash": "dot"}, row=2, col=1)
        fig.update_yaxes(title=f"3-D [{u}]", row=1, col=1)
        fig.update_yaxes(title="dInc [deg]", row=2, col=1)
        fig.update_yaxes(title="dAzi [deg]", row=3, col=1)
        fig.update_xaxes(title=f"MD [{u}]", row=3, col=1)
        ref = self.reference.view.run.run_number if self.reference else ""
        fig.update_layout(
            title={"text": f"Differences against {ref} along MD", "x": 0.02, "font": {"size": 14}},
            height=620,
            margin={"l": 60, "r": 20, "t": 40, "b": 50},
            template="plotly_white",
            legend={"orientation": "h", "y": -0.12},
        )
        return fig

    def differences_svg(self) -> str:
        """3-D distance, dInc and dAzi of each compared run against MD, as SVG text.

        Raises
        ------
        ValueError
            No run was compared.
        """
        ref = self.reference.view.run.run_number if self.reference else ""
        compared = [
            (f"{c.run.run_number} {c.run.run_type}", c.comparison)
            for c in self.comparisons
            if c.comparison is not None
        ]
        return static_figures.differences_view(compared, self.unit, ref, GYRO_IN_OUT.inc)

    def figures(self) -> list[str]:
        """Overlaid plan view, vertical section and 3-D view, then the differences along MD
        where a run was compared, as SVG text."""
        series = self.overlay()
        ref = str(self.surveys[0].view.survey.azimuth_reference)
        out = [
            static_figures.plan_view(series, self.unit, ref),
            static_figures.section_view(series, self.unit, self.vs_azimuth),
            static_figures.view_3d(series, self.unit),
        ]
        if any(c.comparison is not None for c in self.comparisons):
            out.append(self.differences_svg())
        return out

    def figures_html(self) -> str:
        return figures_html(self.figures())

    def findings_html(self) -> str:
        rows = [
            [s.view.run.run_number, f.severity, f.code, f.message]
            for s in self.surveys
            for f in sorted(s.view.survey.findings, key=lambda f: -f.severity.rank)
        ]
        if not rows:
            return "<div class='sl-report'><h2>Findings</h2><p>None.</p></div>"
        return (
            "<div class='sl-report'><h2>Findings</h2>"
            + html_table(rows, ["Run", "Severity", "Code", "Message"], 4)
            + "</div>"
        )


def _compare(reference: SurveyReport, other: SurveyReport, step: float | None) -> RunComparison:
    run = other.view.run
    ref_north = str(reference.view.survey.azimuth_reference)
    north = str(other.view.survey.azimuth_reference)
    if north != ref_north:
        return RunComparison(
            run, None, False, f"azimuths referenced to {north} north, the reference to {ref_north}"
        )
    gyro_pair = run.run_type in GYRO_TYPES and reference.view.run.run_type in GYRO_TYPES
    try:
        result = compare_surveys(
            stations_of(reference.stations), stations_of(other.stations), step=step
        )
    except ValueError as exc:  # SurveyInputError: no overlap in MD
        return RunComparison(run, None, False, str(exc))
    note = (
        "gyro against gyro: QC tolerance"
        if gyro_pair
        else "not a gyro pair: tolerances shown for information"
    )
    return RunComparison(run, result, gyro_pair, note)
