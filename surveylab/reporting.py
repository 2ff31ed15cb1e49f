"""Render report notebooks: papermill executes, nbconvert writes HTML without code, Debian's
chromium prints the HTML to PDF. Each rendered file is recorded through the reports service.

The access token reaches the notebook's kernel through its environment, never as a parameter
(papermill writes parameters into the executed notebook); outputs are checked for it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from surveylab.config import REPO_ROOT
from surveylab.models.records import ReportRecord
from surveylab.services import ServiceError
from surveylab.services import reports as report_service
from surveylab.session import Session

REPORTS_DIR = REPO_ROOT / "notebooks" / "reports"
TEMPLATES = {
    "survey": REPORTS_DIR / "survey_report.ipynb",
    "well": REPORTS_DIR / "well_report.ipynb",
}
FORMATS = ("html", "pdf")
_env_lock = threading.Lock()


class ReportError(ServiceError):
    """A report could not be rendered (names the report and the step)."""


@dataclass(frozen=True)
class RenderedReport:
    path: Path
    record: ReportRecord


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@contextlib.contextmanager
def _token_in_environment(token: str):
    """Hand the token to child processes (the kernel) through the environment only."""
    with _env_lock:
        old = os.environ.get("SURVEYLAB_TOKEN")
        os.environ["SURVEYLAB_TOKEN"] = token
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("SURVEYLAB_TOKEN", None)
            else:
                os.environ["SURVEYLAB_TOKEN"] = old


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "report"


def _holds_token(token: str, *texts: str) -> bool:
    """Whether any text holds the token or its payload (the part that names the user)."""
    parts = [token]
    pieces = token.split(".")
    if len(pieces) == 3 and len(pieces[1]) >= 16:
        parts.append(pieces[1])
    return any(p in t for p in parts for t in texts)


def execute_notebook(template: Path, parameters: dict[str, Any], token: str, workdir: Path) -> Path:
    import papermill

    out = workdir / f"executed_{template.name}"
    with _token_in_environment(token):
        try:
            papermill.execute_notebook(
                str(template),
                str(out),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                cwd=str(workdir),
            )
        except papermill.PapermillExecutionError as exc:
            raise ReportError(
                f"report notebook {template.name} failed in cell {exc.exec_count}: "
                f"{exc.ename}: {exc.evalue}"
            ) from None
    return out


def notebook_to_html(executed: Path, title: str) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


def html_to_pdf(html_path: Path, pdf_path: Path, timeout_s: float = 120.0) -> None:
    browser = chromium_path()
    if browser is None:
        raise ReportError("PDF needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="surveylab-chromium-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = proc.stderr.decode(errors="replace")[-300:]
        raise ReportError(f"chromium could not print {html_path.name} to PDF: {tail}")


def render_report(
    session: Session,
    *,
    run: str | None = None,
    fmt: str = "html",
    output_dir: str | os.PathLike = ".",
    revision: int | None = None,
    units: str = "m",
    vs_azimuth: float | None = None,
    kind: str = "survey",
    well: str | None = None,
) -> RenderedReport:
    """Execute a report notebook and write HTML or PDF into ``output_dir``.

    Parameters
    ----------
    session : Session
        The acting user (needs the right to run reports).
    run : str, optional
        Run number, name or id [text]; required for ``kind="survey"``.
    fmt : str, optional
        "html" or "pdf". Default "html".
    output_dir : str or path-like, optional
        Folder the report is written to (created when missing).
    revision : int, optional
        Survey revision (survey report only); default the current one.
    units : str, optional
        Depth unit of the report: "m", "ft" or "usft".
    vs_azimuth : float, optional
        Vertical-section azimuth [deg].
    kind : str, optional
        "survey" (one run) or "well" (every run of a well). Default "survey".
    well : str, optional
        Well name or id [text]; required for ``kind="well"``.

    Returns
    -------
    RenderedReport
        The file written [absolute path] and its record in the reports service.

    Raises
    ------
    ReportError
        Bad format, unit or kind, a missing run/well, a failing notebook cell (named), or a
        PDF that chromium could not print.
    """
    if kind not in TEMPLATES:
        raise ReportError(f"report kind must be survey or well, got {kind!r}")
    if fmt not in FORMATS:
        raise ReportError(f"format must be html or pdf, got {fmt!r}")
    if units not in ("m", "ft", "usft"):
        raise ReportError(f"units must be m, ft or usft, got {units!r}")
    if kind == "survey" and not run:
        raise ReportError("a survey report needs a run")
    if kind == "well" and not well:
        raise ReportError("a well report needs a well")
    if not session.token:
        raise ReportError("not authenticated")
    actor = session.actor
    report_service.check_may_report(session.uow(), actor)
    out_dir = Path(output_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if kind == "survey":
        assert run is not None
        run_rec = session.run(run)
        view = session.survey(run_rec.id, revision)
        run_id, well_id = run_rec.id, run_rec.well_id
        parameters: dict[str, Any] = {
            "run": str(run_rec.id),
            "revision": revision,
            "units": units,
            "vs_azimuth": vs_azimuth,
            "format": fmt,
            "output_dir": str(out_dir),
        }
        base = _safe_name(f"{run_rec.run_number}_rev{view.survey.revision}_{kind}_{stamp}")
        title = f"{run_rec.run_name} survey report"
    else:
        from surveylab.services import runs as run_service

        well_rec = run_service.get_well(session.uow(), actor, str(well))
        run_id, well_id = None, well_rec.id
        parameters = {
            "well": str(well_rec.id),
            "units": units,
            "vs_azimuth": vs_azimuth,
            "format": fmt,
            "output_dir": str(out_dir),
        }
        base = _safe_name(f"{well_rec.well_name}_{kind}_{stamp}")
        title = f"{well_rec.well_name} well report"
    template = TEMPLATES[kind]
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="surveylab-report-") as tmp:
        work = Path(tmp)
        executed = execute_notebook(template, parameters, session.token, work)
        html = notebook_to_html(executed, title)
        if _holds_token(session.token, html, executed.read_text()):
            raise ReportError("refusing to write a report that contains the access token")
        html_path = (out_dir if fmt == "html" else work) / f"{base}.html"
        html_path.write_text(html, encoding="utf-8")
        final = html_path
        if fmt == "pdf":
            final = out_dir / f"{base}.pdf"
            html_to_pdf(html_path, final)
    record = report_service.record_report(
        session.uow(),
        actor,
        kind=kind,
        fmt=fmt,
        parameters=parameters,
        file_path=final.resolve(),
        run_id=run_id,
        well_id=well_id,
    )
    return RenderedReport(final.resolve(), record)
