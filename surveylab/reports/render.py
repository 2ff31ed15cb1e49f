"""Render the report notebooks (``surveylab/reports/notebooks/``): papermill executes,
:func:`notebook_to_html` writes the outputs as one HTML page without code, Debian's chromium
prints the HTML to PDF. Each rendered file is recorded through the reports service.

The HTML page is written here rather than by nbconvert: nbconvert's HTML exporter embeds the
JupyterLab theme (~300 KB of CSS) and a MathJax script from a CDN, and re-parses the whole page
with BeautifulSoup, which took seconds for a 1,000-station listing (bench/RESULTS.md, Reports).

The access token reaches the notebook's kernel through its environment, never as a parameter
(papermill writes parameters into the executed notebook); outputs are checked for it.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from surveylab.models.records import ReportRecord, RunRecord
from surveylab.reports import chromium
from surveylab.reports import content as report_content
from surveylab.reports.markup import SCREEN_ONLY
from surveylab.services import ServiceError
from surveylab.services import reports as report_service
from surveylab.services import runs as run_service
from surveylab.session import Session

#: The report notebooks, shipped in the package (the repository's ``notebooks/reports/`` holds
#: the same files, for opening in JupyterLab).
NOTEBOOKS_DIR = Path(__file__).resolve().with_name("notebooks")
TEMPLATES = {
    "survey": NOTEBOOKS_DIR / "survey_report.ipynb",
    "well": NOTEBOOKS_DIR / "well_report.ipynb",
}
FORMATS = ("html", "pdf")
#: Command-line arguments of every report kernel: the :mod:`surveylab.reports.kernel` extension.
KERNEL_ARGUMENTS = ("--IPKernelApp.extra_extensions=surveylab.reports.kernel",)
_env_lock = threading.Lock()


class ReportError(ServiceError):
    """A report could not be rendered (names the report and the step)."""


class NotebookKernel(Protocol):
    """A running kernel that executes report notebooks (:class:`surveylab.reports.warm.
    WarmKernel`), as :func:`execute_notebook` does with a kernel of its own."""

    def execute(
        self, template: Path, parameters: dict[str, Any], workdir: Path, content: Path | None
    ) -> Path: ...


@dataclass(frozen=True)
class RenderedReport:
    path: Path
    record: ReportRecord


@contextlib.contextmanager
def _kernel_environment(variables: dict[str, str]):
    """Hand ``variables`` (the token among them) to child processes (the kernel) through the
    environment only, restoring this process's environment afterwards."""
    with _env_lock:
        old = {name: os.environ.get(name) for name in variables}
        os.environ.update(variables)
        try:
            yield
        finally:
            for name, value in old.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "report"


def _holds_token(token: str, *texts: str) -> bool:
    """Whether any text holds the token or its payload (the part that names the user)."""
    parts = [token]
    pieces = token.split(".")
    if len(pieces) == 3 and len(pieces[1]) >= 16:
        parts.append(pieces[1])
    return any(p in t for p in parts for t in texts)


def execute_notebook(
    template: Path,
    parameters: dict[str, Any],
    token: str,
    workdir: Path,
    content: Path | None = None,
) -> Path:
    """Execute ``template`` with papermill in ``workdir``; the executed notebook's path.

    The notebook is saved once at the end, not after every cell (each save re-validates and
    rewrites the growing notebook). The kernel loads :mod:`surveylab.reports.kernel`
    (:data:`KERNEL_ARGUMENTS`), which keeps the garbage collector off the imported libraries.
    ``content`` names the file where the report's sections are being prepared
    (:mod:`surveylab.reports.content`); the kernel learns it from its environment.

    Raises
    ------
    ReportError
        A cell failed (its execution count, exception name and message).
    """
    import papermill

    out = workdir / f"executed_{template.name}"
    variables = {"SURVEYLAB_TOKEN": token}
    if content is not None:
        variables[report_content.ENV_CONTENT] = str(content)
    with _kernel_environment(variables):
        try:
            papermill.execute_notebook(
                str(template),
                str(out),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                cwd=str(workdir),
                extra_arguments=list(KERNEL_ARGUMENTS),
            )
        except papermill.PapermillExecutionError as exc:
            raise ReportError(
                f"report notebook {template.name} failed in cell {exc.exec_count}: "
                f"{exc.ename}: {exc.evalue}"
            ) from None
    return out


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 13px; color: #111;
  margin: 18px auto; max-width: 1000px; padding: 0 12px;}}
svg {{max-width: 100%; height: auto;}}
img {{max-width: 100%;}}
pre.sl-output {{font-size: 12px; white-space: pre-wrap;}}
pre.sl-stderr, pre.sl-error {{color: #b00020;}}
@page {{size: A4; margin: 12mm;}}
@media print {{body {{margin: 0; max-width: none; padding: 0;}}}}
</style>{print_style}
</head>
<body>
{body}
</body>
</html>
"""

#: Added to a page that is only printed: the print versions of long listings in every medium.
#: (Chromium lays a page out for the screen before printing it; a hidden 1,000-row table still
#: cost seconds there.)
PRINT_STYLE = (
    "\n<style>.sl-screen {display: none !important;} .sl-print {display: block !important;}</style>"
)
#: What a page that is only printed leaves out: the screen versions of long listings. Even
#: hidden, a 1,000-row table's 10,000 cells took 0.3 s of chromium's print (bench/RESULTS.md).
_SCREEN_ONLY = re.compile("{}.*?{}".format(*map(re.escape, SCREEN_ONLY)), re.S)

#: Output types shown, most preferred first (as Jupyter front ends choose).
_MIME_ORDER = (
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/plain",
)


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _markdown(source: str) -> str:
    import mistune

    return str(mistune.html(source))


def _output_html(output: dict[str, Any]) -> str:
    """One cell output as HTML (unknown output types are left out)."""
    kind = output.get("output_type")
    if kind == "stream":
        name = "sl-stderr" if output.get("name") == "stderr" else "sl-stdout"
        return f"<pre class='sl-output {name}'>{html.escape(_text(output.get('text', '')))}</pre>"
    if kind == "error":
        text = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        return f"<pre class='sl-output sl-error'>{html.escape(text)}</pre>"
    if kind not in ("display_data", "execute_result"):
        return ""
    data = output.get("data", {})
    mime = next((m for m in _MIME_ORDER if m in data), None)
    if mime is None:
        return ""
    value = data[mime]
    if mime in ("text/html", "image/svg+xml"):
        return f"<div class='sl-output'>{_text(value)}</div>"
    if mime in ("image/png", "image/jpeg"):
        encoded = base64.b64encode(base64.b64decode(_text(value))).decode("ascii")
        return f"<img class='sl-output' alt='figure' src='data:{mime};base64,{encoded}'>"
    if mime == "text/markdown":
        return _markdown(_text(value))
    return f"<pre class='sl-output'>{html.escape(_text(value))}</pre>"


def notebook_to_html(executed: Path, title: str, *, for_print: bool = False) -> str:
    """The outputs and Markdown cells of an executed notebook as one HTML page, without code.

    Parameters
    ----------
    executed : Path
        An executed notebook (nbformat 4 JSON) [path].
    title : str
        Title of the page [text].
    for_print : bool, optional
        The page is only printed (to PDF): long listings as fixed-width text, their screen
        tables left out (:data:`surveylab.reports.markup.SCREEN_ONLY`) or hidden
        (:data:`PRINT_STYLE`). Default False.

    Returns
    -------
    str
        The HTML page: outputs in cell order (HTML, SVG, PNG/JPEG, Markdown, else plain text;
        streams and errors as preformatted text).

    Raises
    ------
    ReportError
        The file is not a readable notebook (named).
    """
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
        cells = nb["cells"]
        if not isinstance(cells, list):
            raise TypeError("cells is not a list")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"executed notebook {executed.name} is not readable: {exc}") from None
    parts: list[str] = []
    for index, cell in enumerate(cells, start=1):
        try:
            if cell["cell_type"] == "markdown":
                parts.append(_markdown(_text(cell["source"])))
            elif cell["cell_type"] == "code":
                parts.extend(_output_html(out) for out in cell.get("outputs", []))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReportError(
                f"executed notebook {executed.name}, cell {index}: unreadable output: {exc!r}"
            ) from None
    body = "\n".join(p for p in parts if p)
    return PAGE.format(
        title=html.escape(title),
        print_style=PRINT_STYLE if for_print else "",
        body=_SCREEN_ONLY.sub("", body) if for_print else body,
    )


def _survey_revision(session: Session, run_rec: RunRecord, revision: int | None) -> int:
    """The revision a survey report of ``run_rec`` shows, checked without loading stations.

    Raises
    ------
    ReportError
        The run has no survey, or not that revision.
    """
    records = session.history(run_rec.id)
    if revision is None:
        current = [r.revision for r in records if r.id == run_rec.current_survey_id]
        if not current:
            raise ReportError(f"run {run_rec.run_number} has no survey yet")
        return current[0]
    if not any(r.revision == revision for r in records):
        raise ReportError(f"run {run_rec.run_number} has no revision {revision}")
    return revision


def _prepare(session: Session, kind: str, parameters: dict[str, Any], path: Path) -> None:
    """Build the report's sections for the notebook's kernel and write them to ``path``; on any
    failure write why instead, and the kernel builds the report itself (failing there, with the
    cell named, if the report cannot be built)."""
    p = parameters
    # the builders are imported here, in the preparing thread: their imports (matplotlib)
    # overlap the kernel's start
    try:
        report: Any
        if kind == "survey":
            from surveylab.reports.survey import SurveyReport

            wanted = report_content.survey_parameters(
                p["run"], p["revision"], p["units"], p["vs_azimuth"]
            )
            report = SurveyReport.build(**wanted, session=session)
        else:
            from surveylab.reports.well import WellReport

            wanted = report_content.well_parameters(p["well"], p["units"], p["vs_azimuth"])
            report = WellReport.build(**wanted, session=session)
        report_content.write_prepared(path, kind, wanted, report.sections())
    except Exception as exc:
        report_content.write_failed(path, f"{type(exc).__name__}: {exc}")


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
    kernel: NotebookKernel | None = None,
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
    kernel : NotebookKernel, optional
        A running report kernel to execute the notebook in (:mod:`surveylab.reports.warm`,
        used by :func:`surveylab.reports.batch.render_batch`); default a kernel started for
        this report and stopped after it.

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
    # one connection for the checks (on DuckDB, opening the file is the cost)
    with session.batch():
        actor = session.actor
        session.call(report_service.check_may_report)
        if kind == "survey":
            assert run is not None
            run_rec = session.run(run)
            shown = _survey_revision(session, run_rec, revision)
        else:
            well_rec = session.call(run_service.get_well, str(well))
    out_dir = Path(output_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if kind == "survey":
        run_id, well_id = run_rec.id, run_rec.well_id
        parameters: dict[str, Any] = {
            "run": str(run_rec.id),
            "revision": revision,
            "units": units,
            "vs_azimuth": vs_azimuth,
            "format": fmt,
            "output_dir": str(out_dir),
        }
        base = _safe_name(f"{run_rec.run_number}_rev{shown}_{kind}_{stamp}")
        title = f"{run_rec.run_name} survey report"
    else:
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
    try:
        # a PDF's browser starts now, while the notebook runs
        printer = chromium.PdfPrinter() if fmt == "pdf" else None
        with (
            printer or contextlib.nullcontext(),
            tempfile.TemporaryDirectory(prefix="surveylab-report-") as tmp,
        ):
            work = Path(tmp)
            # the sections are built here while papermill starts the kernel, which shows them
            content = work / "content.json"
            preparing = threading.Thread(
                target=_prepare, args=(session, kind, parameters, content), daemon=True
            )
            preparing.start()
            try:
                if kernel is None:
                    executed = execute_notebook(template, parameters, session.token, work, content)
                else:
                    executed = kernel.execute(template, parameters, work, content)
            finally:
                preparing.join()
            html = notebook_to_html(executed, title, for_print=printer is not None)
            if _holds_token(session.token, html, executed.read_text()):
                raise ReportError("refusing to write a report that contains the access token")
            html_path = (out_dir if printer is None else work) / f"{base}.html"
            html_path.write_text(html, encoding="utf-8")
            final = html_path
            if printer is not None:
                final = out_dir / f"{base}.pdf"
                printer.print(html_path, final)
            # recorded while the browser closes
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
    except chromium.PrintError as exc:
        raise ReportError(str(exc)) from None
    return RenderedReport(final.resolve(), record)
