"""Generated fields for the bulk import's tests and benchmark: N wells x M runs of vendor CSV
listings, with broken files, duplicates and manifest errors where asked.

:func:`write_field` writes the files and a manifest and returns what a correct import must
make of them (:class:`Field`), so a test compares the database with that, not with numbers
typed in by hand.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from surveylab.demo import vendor_csv
from surveylab.services.field import MANIFEST_COLUMNS

RUN_TYPES = ("MWD", "Gyro", "GTL", "Unknown")


def survey_bytes(seed: int, stations: int, *, depth_unit: bool = True) -> bytes:
    """A vendor CSV listing of ``stations`` stations (plus its tie-on row), unique per seed:
    a build from vertical to 20..70 deg with a slow turn, MD every 15 m."""
    rng = np.random.default_rng(seed)
    md = np.arange(1, stations + 1) * 15.0
    top = 20.0 + 50.0 * rng.random()
    inc = np.clip(np.linspace(0, top, stations) + rng.normal(0, 0.05, stations), 0, 180)
    azi = (rng.uniform(0, 360) + np.linspace(0, 20, stations) + rng.normal(0, 0.1, stations)) % 360
    content = vendor_csv(
        pd.DataFrame({"md": md, "inc": inc.round(2), "azi": azi.round(2)}),
        well=f"W{seed}",
        run=str(seed),
        tool="MWD",
    )
    if not depth_unit:  # a listing that does not state its depth unit (an override fixes it)
        content = content.replace(b"Depth unit: m\n", b"").replace(b"MD [m]", b"MD")
    return content


@dataclass
class Field:
    """A generated field: the manifest and what importing it must give.

    Attributes
    ----------
    root : Path
        The folder holding the files and ``manifest.csv``.
    manifest : Path
        The manifest.
    imported : dict
        ``(run_number, revision) -> station count`` of every revision the import must store.
    runs : dict
        ``run_number -> (well, wellbore, run_type)`` of every run it must have.
    refused : dict
        ``manifest line -> field`` (None: the file's own error) of every line it must refuse.
    duplicates : set of int
        Manifest lines that repeat an earlier line's file into the same run.
    wells : set of str
        Wells it must have.
    """

    root: Path
    manifest: Path
    imported: dict[tuple[str, int], int] = field(default_factory=dict)
    runs: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    refused: dict[int, str | None] = field(default_factory=dict)
    duplicates: set[int] = field(default_factory=set)
    wells: set[str] = field(default_factory=set)

    @property
    def lines(self) -> int:
        """Manifest lines naming a file (the column names not counted)."""
        return len(self.imported) + len(self.refused) + len(self.duplicates)


def write_field(
    root: Path,
    *,
    wells: int,
    runs: int,
    stations: int = 20,
    seed: int = 0,
    broken: int = 0,
    duplicates: int = 0,
    bad_lines: int = 0,
    sidetracks: bool = False,
    revisions: int = 1,
) -> Field:
    """Write a field of ``wells`` x ``runs`` runs and its manifest under ``root``.

    Parameters
    ----------
    wells, runs : int
        Wells, and runs per well [count].
    stations : int
        Stations per listing [count].
    seed : int
        Seed of the random choices (which lines break, run types, numbers).
    broken : int
        Files whose content cannot be read (a station with a letter in a number), each a
        run of its own: refused with the file's line and field.
    duplicates : int
        Lines repeating an earlier line's file into its run (duplicates, not stored twice).
    bad_lines : int
        Manifest lines with an error of their own, cycling through: a missing file, an
        unknown run type, a bad header value, a run whose well disagrees with its first
        line. Refused with the manifest line and field.
    sidetracks : bool
        Put every second run of a well on wellbore ``ST1`` (created by the import).
    revisions : int
        Files per run (its revisions, in order) [count].
    """
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    out = Field(root, root / "manifest.csv")
    rows: list[dict[str, str]] = []
    n = 0
    for w in range(wells):
        well = f"F{seed}-W{w:04d}"
        out.wells.add(well)
        for r in range(runs):
            number = f"{well}-R{r}"
            bore = "ST1" if sidetracks and r % 2 else ""
            rtype = RUN_TYPES[int(rng.integers(0, len(RUN_TYPES)))]
            out.runs[number] = (well, bore or "main", rtype)
            for k in range(revisions):
                n += 1
                name = f"{well}/run{r}" + (f"_rev{k}" if revisions > 1 else "") + ".csv"
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(survey_bytes(seed * 1_000_003 + n, stations))
                rows.append(
                    {
                        "file": name,
                        "well": well,
                        "wellbore": bore,
                        "run_number": number,
                        "run_name": f"{number} {rtype}",
                        "run_type": rtype.lower() if n % 3 == 0 else rtype,  # any case
                    }
                )
                out.imported[(number, k + 1)] = stations + 1  # the tie-on row is a station
    for b in range(broken):
        well = f"F{seed}-W{b % max(wells, 1):04d}"
        name = f"{well}/broken{b}.csv"
        text = survey_bytes(seed * 7 + b, stations).decode()
        lines = text.split("\n")
        at = lines.index("0.00,0.00,0.00") + 1 + b % max(stations - 1, 1)
        lines[at] = lines[at].replace(".", "O", 1)  # '1O.5': a letter in a number
        (root / name).write_text("\n".join(lines))
        rows.append(
            {
                "file": name,
                "well": well,
                "wellbore": "",
                "run_number": f"{well}-X{b}",
                "run_name": f"{well} broken {b}",
                "run_type": "MWD",
            }
        )
        out.refused[len(rows) + 1] = None  # the file's own line and field
    good = list(range(len(rows)))
    for _ in range(duplicates):
        rows.append(dict(rows[good[int(rng.integers(0, wells * runs * revisions))]]))
        out.duplicates.add(len(rows) + 1)
    for b in range(bad_lines):
        base = dict(rows[0])
        kind = b % 4
        base["run_number"] = f"BAD-{seed}-{b}"
        base["run_name"] = f"bad line {b}"
        if kind == 0:
            base["file"] = f"missing/nowhere{b}.csv"
            column = "file"
        elif kind == 1:
            base["run_type"] = "wireline"
            column = "run_type"
        elif kind == 2:
            base["depth_unit"] = "furlong"
            column = "depth_unit"
        else:  # a second line of an existing run, on another well
            base = dict(rows[0])
            base["well"] = f"F{seed}-elsewhere"
            column = "well"
        rows.append(base)
        out.refused[len(rows) + 1] = column
    columns = [*MANIFEST_COLUMNS, "depth_unit"]
    with out.manifest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return out
