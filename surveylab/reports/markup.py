"""HTML building blocks of the report pages: their CSS, escaping, number formats, tables, the
long listing (a table on screen, fixed-width text in print) and the figures' section.

:data:`SCREEN_ONLY` marks HTML that only a screen shows; a page made only for printing leaves
it out (:func:`surveylab.reports.render.notebook_to_html`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

#: Comments around HTML that only a screen shows; a page made only for printing leaves it out
#: (:func:`surveylab.reports.render.notebook_to_html`).
SCREEN_ONLY = ("<!--sl-screen-->", "<!--/sl-screen-->")

CSS = """
<style>
.sl-report table {border-collapse: collapse; font-size: 12px; margin: 6px 0 14px 0;}
.sl-report th, .sl-report td {border: 1px solid #ccc; padding: 2px 6px; text-align: right;}
.sl-report th {background: #f0f3f7;}
.sl-report td.l, .sl-report th.l {text-align: left;}
.sl-report h2 {font-size: 17px; margin: 14px 0 4px 0;}
.sl-sev-error {color: #b00020; font-weight: bold;}
.sl-sev-warning {color: #a15c00;}
.sl-sev-info {color: #555;}
.sl-print {display: none;}
pre.sl-listing {font-family: "DejaVu Sans Mono", monospace; font-size: 9px; line-height: 1.25;}
@media print {.sl-screen {display: none;} .sl-print {display: block;}}
</style>
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def html_table(rows: Sequence[Sequence[object]], headers: Sequence[str], left: int = 0) -> str:
    head = "".join(
        f"<th class='{'l' if i < left else ''}'>{esc(h)}</th>" for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td class='{'l' if i < left else ''}'>{esc(v)}</td>" for i, v in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def listing_table_html(headers: list[str], columns: list[list[str]]) -> str:
    """A long table of formatted values: an HTML table on screen, fixed-width text in print.

    Chromium prints every table cell as its own text run: a 1,000-row table took ~10 s and
    3.4 MB of PDF, the same listing as fixed-width text ~0.5 s and 0.1 MB (bench/RESULTS.md).
    The print version splits each header ``"Name [unit]"`` over two lines.

    Parameters
    ----------
    headers : list of str
        Column labels with the unit in brackets, e.g. ``"MD [m]"`` [text].
    columns : list of list of str
        The formatted values, one list per column, all of the same length [text].

    Returns
    -------
    str
        HTML: a ``table.sl-screen`` (between the :data:`SCREEN_ONLY` comments) and a
        ``pre.sl-print.sl-listing`` holding the same values.

    Raises
    ------
    ValueError
        The number of headers and columns differ, or columns of different lengths.
    """
    if len(headers) != len(columns):
        raise ValueError(f"listing: {len(headers)} headers for {len(columns)} columns")
    rows = list(zip(*columns, strict=True))
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr><td>" + "</td><td>".join(esc(v) for v in row) + "</td></tr>" for row in rows
    )
    names, units = [], []
    for h in headers:
        name, _, unit = h.partition(" [")
        names.append(name)
        units.append(f"[{unit}" if unit else "")
    widths = [
        max([len(n), len(u), *(len(v) for v in col)]) + 2
        for n, u, col in zip(names, units, columns, strict=True)
    ]
    lines = [
        "".join(t.rjust(w) for t, w in zip(texts, widths, strict=True))
        for texts in (names, units, *rows)
    ]
    return (
        f"{SCREEN_ONLY[0]}<table class='sl-screen'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{SCREEN_ONLY[1]}"
        f"<pre class='sl-print sl-listing'>{esc(chr(10).join(lines))}</pre>"
    )


def fmt(value: object, decimals: int = 2) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return f"{value:.{decimals}f}"
    return str(value)


def figures_html(images: list[str]) -> str:
    """The report's "Figures" section: each SVG kept whole on a printed page."""
    parts = "".join(f"<div style='page-break-inside: avoid'>{image}</div>" for image in images)
    return f"<div class='sl-report'><h2>Figures</h2>{parts}</div>"
