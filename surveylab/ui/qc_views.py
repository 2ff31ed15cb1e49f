"""What the runs dashboard shows of a revision's QC, its approval and its wellbore: HTML of
the QC verdict and reference field, the stations outside the limits, the status history, the
wellbores of a well and a definitive survey's tool program, and who may do what.

The checks themselves are the services' (:mod:`surveylab.services.qc`,
:mod:`surveylab.services.approval`, :mod:`surveylab.services.definitive`); what a user may do
is decided there again whatever the dashboard shows (:func:`approval_rights` only chooses
which controls to show).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from surveylab.auth import Permission, has_permission
from surveylab.models import Actor, SurveyStatus
from surveylab.models.records import StatusChangeRecord, SurveyRecord, WellboreRecord
from surveylab.services.approval import APPROVABLE
from surveylab.services.definitive import DefinitiveView
from surveylab.services.qc import QC_STATUSES, QCView
from surveylab.ui.shell import esc, table_html
from surveylab.units import unit_label

__all__ = [
    "Rights",
    "approval_rights",
    "definitive_html",
    "failed_stations_html",
    "qc_summary_html",
    "status_history_html",
    "wellbores_html",
]

#: How each reference value and limit is printed: key, label, unit, decimals.
REFERENCE_ROWS = (
    ("btotal_nt", "Btotal", "nT", 1),
    ("dip_deg", "Dip", "deg", 3),
    ("gtotal_g", "Gtotal", "g", 5),
)
#: Words for the QC verdict of the stored document.
VERDICT_CLASS = {"pass": "sl-ok", "fail": "sl-qc-fail"}


@dataclass(frozen=True)
class Rights:
    """Which controls of the QC tab a user sees for a revision, and why not.

    Attributes
    ----------
    rerun : bool
        "Run QC again": survey work (Admin, Engineer, Surveyor) on a revision whose QC is
        not frozen (draft, qc_passed, qc_failed).
    approve : bool
        Approve: Engineer or Admin, not the person who imported the revision (four eyes), on
        a revision not yet approved or definitive.
    override : bool
        The revision failed QC: approving it needs "override failed QC" (and a note).
    why_not : str
        Why approving is not offered (empty when it is).
    """

    rerun: bool
    approve: bool
    override: bool
    why_not: str


def approval_rights(actor: Actor, survey: SurveyRecord) -> Rights:
    """What ``actor`` is offered on ``survey`` (the services check it again)."""
    status = SurveyStatus(survey.status)
    rerun = has_permission(actor, Permission.SURVEY_WRITE) and status in QC_STATUSES
    where = f"Revision {survey.revision}"
    if status not in APPROVABLE:
        by = survey.status_changed_by_name or "someone"
        at = survey.status_changed_at
        when = f" at {at:%Y-%m-%d %H:%M} UTC" if at else ""
        why = f"{where} is {status} (by {by}{when}): there is nothing to approve."
    elif not has_permission(actor, Permission.APPROVE_SURVEYS):
        why = (
            f"Approving needs the Engineer or Admin role; {actor.username} is {actor.role}. "
            "Ask an engineer to approve it."
        )
    elif survey.imported_by is not None and survey.imported_by == actor.id:
        why = (
            f"{actor.username} imported {where.lower()}: approval needs a second person (four "
            "eyes). Ask another engineer or an admin."
        )
    else:
        why = ""
    return Rights(rerun, not why, status is SurveyStatus.QC_FAILED, why)


def _fixed(value: float, decimals: int) -> str:
    """``value`` to ``decimals`` places, without the sign of a value that rounds to zero."""
    text = f"{value:.{decimals}f}"
    return text.lstrip("-") if float(text) == 0 else text


def _num(value: Any, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "<span class='sl-missing'>none</span>"
    return f"{float(value):.{decimals}f}"


def qc_summary_html(qc: QCView) -> str:
    """The QC verdict, the revision's status, the reference field with the source of each
    value, the limits and the gyro in-run/out-run verdict; or why there is nothing to check.
    """
    data = qc.to_dict()
    doc = qc.document or {}
    raw = doc.get("raw") or {}
    verdict = data["qc_status"]
    css = VERDICT_CLASS.get(verdict, "sl-verdict")
    parts = [
        f"<p class='sl-qc-verdict'>QC of revision {qc.survey.revision}: "
        f"<b class='{css}'>{esc(verdict)}</b> · status <b class='sl-qc-status'>"
        f"{esc(qc.survey.status)}</b>"
    ]
    if doc.get("ran_at"):
        parts.append(f" · checked {esc(str(doc['ran_at'])[:16].replace('T', ' '))} UTC")
        if doc.get("ran_by"):
            parts.append(f" by {esc(doc['ran_by'])}")
    parts.append("</p>")
    if data.get("summary"):
        parts.append(f"<p class='sl-note'>{esc(data['summary'])}</p>")
    if not data["stations"]:
        reason = data.get("reason") or "nothing to check"
        parts.append(
            f"<p class='sl-qc-none'>No raw-sensor QC for this revision: {esc(reason)}.</p>"
        )
    ref = data["reference"]
    if data["stations"] and ref.get("source") != "none":
        details = ref.get("details") or {}
        sources = ref.get("sources") or {}
        rows = "".join(
            f"<tr><th class='l'>{label} [{unit}]</th><td>{_num(ref.get(key), d)}</td>"
            f"<td class='l'>{esc(sources.get(key) or '')}</td>"
            f"<td class='l sl-wrap'>{esc(details.get(key) or '')}</td></tr>"
            for key, label, unit, d in REFERENCE_ROWS
        )
        parts.append(
            f"<h4>Reference field (source: {esc(ref['source'])})</h4>"
            "<table class='sl-table sl-qc-reference'><thead><tr><th class='l'></th>"
            "<th>Value</th><th class='l'>From</th><th class='l'>Source</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    elif data["stations"]:
        parts.append(
            "<p class='sl-qc-none'><b>No reference field:</b> "
            f"{esc(ref.get('reason') or data.get('reason') or '')}</p>"
        )
    limits = raw.get("limits") or data.get("limits")
    if limits and data["stations"]:
        parts.append(
            f"<p class='sl-qc-limits'>Limits: Btotal ±{limits['btotal_nt']:g} nT, dip "
            f"±{limits['dip_deg']:g} deg, Gtotal ±{limits['gtotal_g']:g} g; inclination and "
            f"azimuth from the raw readings within {limits['inc_deg']:g} deg and "
            f"{limits['azi_deg']:g} deg of the reported ones (axes: x and y cross-axial, z "
            "along the tool towards the bit).</p>"
        )
    angles = raw.get("angles")
    if angles and angles.get("summary"):
        parts.append(
            f"<p class='sl-note'>Angles from the raw readings: {esc(angles['summary'])}</p>"
        )
    gyro = data.get("gyro")
    if gyro:
        g_css = VERDICT_CLASS.get(str(gyro.get("status")), "sl-verdict")
        counts = ""
        if gyro.get("in_run") is not None:
            counts = f" ({gyro['in_run']} in-run, {gyro['out_run']} out-run stations)"
        parts.append(
            f"<p class='sl-qc-gyro'>Gyro in-run against out-run{counts}: "
            f"<b class='{g_css}'>{esc(gyro.get('status', ''))}</b>: "
            f"{esc(gyro.get('summary') or gyro.get('reason') or '')}</p>"
        )
    return "".join(parts)


def failed_stations_html(qc: QCView, depth_unit: str) -> str:
    """The stations outside a limit, with their three deltas (or that there are none)."""
    frame = qc.stations
    if frame.empty:
        return ""
    u = unit_label(depth_unit)
    bad = frame[[v is not None and v is not pd.NA and not bool(v) for v in frame["passed"]]]
    used = int(frame["used"].astype(bool).sum())
    if bad.empty:
        judged = [v for v in frame["passed"] if v is not None and v is not pd.NA]
        if not judged:
            return ""
        return (
            f"<p class='sl-ok sl-qc-all-pass'>All {used} stations used are within the limits.</p>"
        )
    shown = pd.DataFrame(
        {
            f"MD [{u}]": [_fixed(v, 2) for v in bad["md"]],
            "ΔBtotal [nT]": [_fixed(v, 1) for v in bad["d_btotal_nt"]],
            "ΔDip [deg]": [_fixed(v, 3) for v in bad["d_dip_deg"]],
            "ΔGtotal [g]": [_fixed(v, 5) for v in bad["d_gtotal_g"]],
            "Used": ["yes" if v else "no" for v in bad["used"]],
        }
    )
    return (
        f"<h4 class='sl-qc-failed-head'>Stations outside the limits ({len(bad)} of "
        f"{len(frame)})</h4><div class='sl-scroll'>{table_html(shown, left=0, max_rows=200)}"
        "</div>"
    )


def status_history_html(changes: Sequence[StatusChangeRecord]) -> str:
    """The revision's status changes, oldest first: who, when, from, to, note."""
    if not changes:
        return "<p class='sl-note'>No status change recorded.</p>"
    df = pd.DataFrame(
        [
            {
                "At (UTC)": f"{c.changed_at:%Y-%m-%d %H:%M}",
                "By": c.changed_by_name or "",
                "From": c.from_status or "",
                "To": c.to_status + (" (QC override)" if c.override_qc else ""),
                "Note": c.note,
            }
            for c in changes
        ]
    )
    return f"<div class='sl-scroll'>{table_html(df, left=5)}</div>"


def wellbores_html(bores: Sequence[WellboreRecord], run_bore: str | None) -> str:
    """A well's wellbores: name, parent, kick-off MD and whether it has a definitive survey."""
    df = pd.DataFrame(
        [
            {
                "Wellbore": b.name + (" (this run's)" if b.name == run_bore else ""),
                "Parent": b.parent_name or "(main bore)",
                "Kick-off MD": ""
                if b.kickoff_md is None
                else f"{b.kickoff_md:.2f} {unit_label(b.depth_unit or 'm')}",
                "Definitive survey": "yes" if b.definitive_id is not None else "none yet",
            }
            for b in bores
        ]
    )
    return f"<div class='sl-scroll'>{table_html(df, left=4)}</div>"


def definitive_html(dv: DefinitiveView) -> str:
    """A definitive survey's heading (version, who composed it, the tie-on) and its tool
    program (interval, run, tool type, revision, status, MD from and to)."""
    rec, bore = dv.record, dv.wellbore
    u = unit_label(dv.depth_unit)
    tie = rec.tie_on or {}
    tie_text = ""
    if tie:
        tie_text = (
            f" Tie-on at MD {float(tie.get('md', 0.0)):.2f} {esc(u)} "
            f"({esc(tie.get('source') or '')})."
        )
    program = pd.DataFrame(
        [
            {
                "Interval": k + 1,
                "Run": iv["run"],
                "Tool type": iv["tool"],
                "Revision": iv["revision"],
                "Status": iv["status"],
                f"MD from [{u}]": float(iv["md_from"]),
                f"MD to [{u}]": float(iv["md_to"]),
            }
            for k, iv in enumerate(dv.tool_program())
        ]
    )
    stations = len(dv.stations)
    return (
        f"<h4 class='sl-definitive-head'>Definitive survey of {esc(bore.well_name or '')}/"
        f"{esc(bore.name)}: version {rec.version}{'' if rec.is_current else ' (replaced)'}</h4>"
        f"<p class='sl-note'>Composed by {esc(rec.created_by_name or 'someone')} at "
        f"{rec.created_at:%Y-%m-%d %H:%M} UTC: {esc(rec.note)}. {stations:,} stations, "
        f"azimuths from {esc(str(rec.azimuth_reference))} north, MD in {esc(u)}.{tie_text}</p>"
        "<h4>Tool program</h4>"
        f"<div class='sl-scroll sl-tool-program'>{table_html(program, left=3)}</div>"
    )
