"""The HTML page written from an executed notebook (no kernel here) and the long listings that
print as fixed-width text."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from surveylab.reports.markup import listing_table_html
from surveylab.reports.render import PRINT_STYLE, ReportError, notebook_to_html


def write_notebook(path: Path, cells: list[dict]) -> Path:
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}), "utf-8")
    return path


def code(*outputs: dict, source: str = "import secret_module") -> dict:
    return {"cell_type": "code", "source": source, "outputs": list(outputs), "metadata": {}}


def test_outputs_in_order_without_code(tmp_path: Path) -> None:
    nb = write_notebook(
        tmp_path / "x.ipynb",
        [
            {"cell_type": "markdown", "source": ["# Title ", "*here*"], "metadata": {}},
            code({"output_type": "display_data", "data": {"text/html": ["<p>one</p>"]}}),
            code(
                {"output_type": "stream", "name": "stdout", "text": "a < b\n"},
                {"output_type": "execute_result", "data": {"text/plain": "plain & text"}},
                {"output_type": "display_data", "data": {"image/svg+xml": "<svg>s</svg>"}},
                {"output_type": "display_data", "data": {"image/png": "aGk=\n"}},
                {"output_type": "error", "ename": "ValueError", "evalue": "bad <x>"},
                {"output_type": "display_data", "data": {"application/x-unknown": "z"}},
            ),
        ],
    )
    page = notebook_to_html(nb, "Run <1> report")
    assert "<title>Run &lt;1&gt; report</title>" in page
    assert "secret_module" not in page
    order = [
        "<h1>Title <em>here</em></h1>",
        "<p>one</p>",
        "a &lt; b",
        "plain &amp; text",
        "<svg>s</svg>",
        "src='data:image/png;base64,aGk='",
        "ValueError: bad &lt;x&gt;",
    ]
    positions = [page.index(part) for part in order]
    assert positions == sorted(positions)
    assert "application/x-unknown" not in page and ">z<" not in page
    assert PRINT_STYLE not in page
    assert PRINT_STYLE in notebook_to_html(nb, "t", for_print=True)


BAD_PNG = {"output_type": "display_data", "data": {"image/png": "not base64!"}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "x.ipynb is not readable"),
        (json.dumps({"nbformat": 4}), "x.ipynb is not readable"),
        (json.dumps({"cells": {"a": 1}}), "x.ipynb is not readable"),
        (json.dumps({"cells": [{"source": "no type"}]}), "x.ipynb, cell 1: unreadable output"),
        (json.dumps({"cells": [code(), code(BAD_PNG)]}), "x.ipynb, cell 2: unreadable output"),
    ],
)
def test_an_unreadable_notebook_is_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text(content, "utf-8")
    with pytest.raises(ReportError, match=re.escape(message)):
        notebook_to_html(path, "t")


def test_a_missing_notebook_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"gone\.ipynb is not readable"):
        notebook_to_html(tmp_path / "gone.ipynb", "t")


def test_listing_prints_the_same_values_as_fixed_width_text() -> None:
    html = listing_table_html(
        ["MD [m]", "Inc [deg]", "Note"], [["0.00", "1000.25"], ["0.00", "90.00"], ["a<b", ""]]
    )
    table, pre = html.split("<pre", 1)
    assert "<th>MD [m]</th>" in table and "<td>1000.25</td>" in table and "a&lt;b" in table
    lines = unescape(pre.split(">", 1)[1].removesuffix("</pre>")).split("\n")
    assert lines[0].split() == ["MD", "Inc", "Note"]
    assert lines[1].split() == ["[m]", "[deg]"]
    assert lines[3].split() == ["1000.25", "90.00"]
    assert len({len(line) for line in lines}) == 1  # columns aligned
    assert "class='sl-screen'" in table and "sl-print" in pre


def test_listing_refuses_mismatched_columns() -> None:
    with pytest.raises(ValueError, match="2 headers for 1 columns"):
        listing_table_html(["MD [m]", "TVD [m]"], [["1"]])
    with pytest.raises(ValueError):
        listing_table_html(["MD [m]", "TVD [m]"], [["1"], ["1", "2"]])


def test_a_page_for_print_leaves_out_the_screen_tables(tmp_path: Path) -> None:
    listing = listing_table_html(["MD [m]"], [["1.00", "2.00"]])
    nb = write_notebook(
        tmp_path / "x.ipynb",
        [code({"output_type": "display_data", "data": {"text/html": f"<p>a</p>{listing}"}})],
    )
    screen = notebook_to_html(nb, "t")
    printed = notebook_to_html(nb, "t", for_print=True)
    assert "<table class='sl-screen'>" in screen and "<td>2.00</td>" in screen
    assert "<table" not in printed and "sl-screen-->" not in printed
    assert "<p>a</p>" in printed and "2.00</pre>" in printed.replace("\n", "")
