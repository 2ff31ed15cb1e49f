"""Printing HTML to PDF with Debian's chromium over the DevTools pipe: a real page printed, and
every way it can fail named (no browser, a browser that exits, a page that does not load, time
running out), with the browser ended afterwards."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from surveylab.reports import chromium
from surveylab.reports.chromium import PdfPrinter, PrintError, html_to_pdf
from tests.conftest import require_component

pytestmark = pytest.mark.slow

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>@page {size: A4; margin: 12mm;}
</style></head><body><h1>Survey report: Demo W-9</h1><p>TVD 1234.56 m</p>
<pre>%s</pre></body></html>"""


@pytest.fixture
def browser() -> str:
    found = chromium.chromium_path()
    require_component(found is not None and shutil.which("nice") is not None, "chromium needed")
    return str(found)


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(PAGE % "\n".join(f"line {i}" for i in range(200)), encoding="utf-8")
    return path


def test_a_page_prints_to_a4_with_its_text(browser, page, tmp_path) -> None:
    import pypdf

    out = tmp_path / "report.pdf"
    html_to_pdf(page, out)
    reader = pypdf.PdfReader(str(out))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4 [mm]
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Survey report: Demo W-9" in text and "TVD 1234.56 m" in text
    assert "line 199" in text and len(reader.pages) >= 2


def test_the_browser_is_ended_without_a_print(browser) -> None:
    printer = PdfPrinter()
    time.sleep(0.2)  # let it start
    printer.close(wait=True)
    assert not printer._thread.is_alive()


def test_a_page_that_does_not_load_is_named(browser, tmp_path) -> None:
    with pytest.raises(PrintError, match=r"gone\.html.*could not load the page: net::ERR_FILE"):
        html_to_pdf(tmp_path / "gone.html", tmp_path / "gone.pdf")
    assert not (tmp_path / "gone.pdf").exists()


def test_running_out_of_time_is_named(browser, page, tmp_path) -> None:
    with pytest.raises(PrintError, match=r"report\.html to PDF: timed out"):
        html_to_pdf(page, tmp_path / "late.pdf", timeout_s=0.01)


def test_a_browser_that_exits_is_named_with_its_message(tmp_path, page, monkeypatch) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'Missing X server or $DISPLAY' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(chromium, "chromium_path", lambda: str(fake))
    with pytest.raises(PrintError, match=re.escape("chromium exited: Missing X server")):
        html_to_pdf(page, tmp_path / "x.pdf")


def test_no_browser_is_named(monkeypatch, page, tmp_path) -> None:
    monkeypatch.setattr(chromium, "chromium_path", lambda: None)
    with pytest.raises(PrintError, match="PDF needs Debian's chromium"):
        html_to_pdf(page, tmp_path / "x.pdf")


def test_a_browser_gone_before_the_first_command_is_named(tmp_path) -> None:
    """The browser closed its end of the pipe before a command was written (a broken pipe):
    the error still quotes what it said, once it has ended."""
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexec 3<&-\necho 'profile is locked' >&2\nsleep 0.3\nexit 1\n")
    fake.chmod(0o755)
    tools = chromium._DevTools(str(fake), str(tmp_path), time.monotonic() + 30)
    try:
        time.sleep(0.2)  # it has closed the pipe by now, and not yet exited
        with pytest.raises(PrintError, match="chromium exited: profile is locked"):
            tools.call("Target.getTargets")
    finally:
        tools.close()
    assert tools._ended
