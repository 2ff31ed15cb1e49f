"""LAS 2.0 surveys through lasio: ~A stations, ~Well metadata (MDEC, GRDC, AZTC, NREF, ...).

A wireline log with inclination/azimuth curves that are zero throughout is refused as a survey.
"""

from __future__ import annotations

import io
import logging
import math
import warnings

import numpy as np

from surveylab.calc.errors import SurveyInputError
from surveylab.models import Finding, NorthReference, Severity
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers._common import RawSurvey, build_survey
from surveylab.parsers._errors import MAX_PROBLEMS, Problem, ProblemLog, SurveyFileError
from surveylab.parsers.columns import VENDOR_ROLES, match_header
from surveylab.parsers.terms import (
    angle_unit_from_text,
    depth_unit_from_text,
    normalise_date,
    north_reference_from_text,
)
from surveylab.parsers.text import decode_text

_DEPTH_NAMES = ("DEPT", "DEPTH", "MD", "TDEP")
_FLAGS = ("PROJ", "USED")


def _item(las: object, mnem: str) -> tuple[str, str] | None:
    for section in ("Well", "Parameter"):
        sec = las.sections.get(section) if hasattr(las, "sections") else None
        if sec is None:
            continue
        for it in sec:
            if it.mnemonic.strip().upper() == mnem:
                return str(it.value).strip(), str(it.unit).strip()
    return None


def _num(las: object, mnem: str) -> float | None:
    it = _item(las, mnem)
    if it is None:
        return None
    try:
        v = float(it[0])
    except ValueError:
        return None
    return None if v in (-999.25, -9999.0) or not math.isfinite(v) else v


def _reference_field(las: object, header: SurveyHeader, findings: list[Finding]) -> None:
    """The reference field the ~Well section states: MFLD (total field), MDIP (dip), GVFD
    (gravity field), each with the unit of its line (inferred from the magnitude when the
    line has none, as the note in ``header.extra["reference_field_notes"]`` says)."""
    from surveylab.units import UnitError
    from surveylab.units.sensors import (
        gravity_to_g,
        magnetic_to_nt,
        parse_gravity_unit,
        parse_magnetic_unit,
    )

    for mnem, attr in (
        ("MFLD", "ref_btotal_nt"),
        ("MDIP", "ref_dip_deg"),
        ("GVFD", "ref_gtotal_g"),
    ):
        v = _num(las, mnem)
        item = _item(las, mnem)
        if v is None or item is None:
            continue
        unit = item[1] or None
        try:
            if mnem == "MDIP":
                if unit and angle_unit_from_text(unit) == "rad":
                    v = math.degrees(v)
                value = v if -90.0 <= v <= 90.0 else None
            else:
                if unit is None:
                    from surveylab.calc.qc import infer_gravity_unit, infer_magnetic_unit

                    infer = infer_magnetic_unit if mnem == "MFLD" else infer_gravity_unit
                    unit = str(infer([v]))
                    header.extra.setdefault("reference_field_notes", []).append(
                        f"LAS ~Well {mnem}: no unit stated, {unit} inferred from the magnitude"
                    )
                value = (
                    float(magnetic_to_nt(v, parse_magnetic_unit(unit)))
                    if mnem == "MFLD"
                    else float(gravity_to_g(v, parse_gravity_unit(unit)))
                )
        except (UnitError, SurveyInputError):
            value = None
        if value is None:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "header_value_unreadable",
                    f"LAS ~Well {mnem} {item[0]!r} {item[1]!r} is not a reference field value "
                    "with a known unit; left unset",
                    field=mnem,
                )
            )
            continue
        setattr(header, attr, value)
        header.extra.setdefault("reference_field_labels", {})[attr] = f"LAS ~Well {mnem}"


def read_las(data: bytes, name: str) -> ParsedSurvey:
    """Read a LAS 2.0 survey.

    Parameters
    ----------
    data : bytes
        File content (ASCII, UTF-8 or Latin-1) [-].
    name : str
        File name used in messages [-].
    """
    import lasio

    text = decode_text(data, name)
    logging.getLogger("lasio").setLevel(logging.ERROR)
    try:
        # lasio formats every curve array into a debug message even when debug logging is
        # off; summarised printing makes that cheap (it was half of the reading time)
        with warnings.catch_warnings(), np.printoptions(threshold=4, edgeitems=1):
            warnings.simplefilter("ignore")
            las = lasio.read(io.StringIO(text), ignore_header_errors=True)
    except Exception as exc:
        found = _scan_data(text)
        if found:  # rows lasio could not shape into the curves: each one named
            raise found.refusal(name) from None
        raise SurveyFileError(name, f"not a readable LAS file: {exc}") from None
    curves = [c.mnemonic.strip() for c in las.curves]
    cm = match_header(curves)
    if cm is None:
        raise SurveyFileError(
            name,
            "LAS file has no measured depth, inclination and azimuth curves "
            f"(curves: {', '.join(curves[:12])}{'...' if len(curves) > 12 else ''})",
            element="~Curve",
        )
    rows = _data_lines(text, las)
    n_rows = len(las.curves[0].data) if las.curves else 0
    if rows is not None and len(rows) != n_rows:
        # lasio splits run-together values ("1.5.2", "0..5") and shapes all values into the
        # curves, so a row with more or fewer values shifts every row after it: refuse
        found = _scan_data(text)
        if found:
            raise found.refusal(name)
        raise SurveyFileError(
            name,
            f"the ~A section has {len(rows)} data lines but {n_rows} rows were read from it",
            element="~A",
        )
    # (row, curve, problem), sorted into file order at the end; each curve keeps its first
    # MAX_PROBLEMS (enough for the first MAX_PROBLEMS in file order) and counts the rest
    problems: list[tuple[int, int, Problem]] = []
    unlisted = [0]
    unreadable: dict[int, np.ndarray] = {}  # curve -> its cells that are no number
    arr = {
        role: _numbers(las, j, rows, (problems, unlisted, unreadable))
        for role, j in cm.cols.items()
        if role != "comment"
    }
    md, inc, azi = arr["md"], arr["inc"], arr["azi"]
    flag_cols = [j for j, c in enumerate(las.curves) if c.mnemonic.strip().upper() in _FLAGS]
    flag_data = {
        las.curves[j].mnemonic.strip().upper(): _numbers(
            las, j, rows, (problems, unlisted, unreadable)
        )
        for j in flag_cols
    }
    nulls = dict.fromkeys(_NULL_WHAT, 0)
    for k in np.flatnonzero(~(np.isfinite(md) & np.isfinite(inc) & np.isfinite(azi))):
        for role in _nulls(md[k], inc[k], azi[k]):
            j = cm.cols[role]
            if j in unreadable and unreadable[j][k]:
                continue
            nulls[role] += 1
            if nulls[role] > MAX_PROBLEMS:
                unlisted[0] += 1
                continue
            reason = f"{_NULL_WHAT[role]} is null"
            problems.append((int(k), j, _problem(reason, int(k), rows, curves[j])))
    _refuse_log(las, cm, md, inc, azi, name)
    if problems:
        problems.sort(key=lambda item: (item[0], item[1]))
        raise SurveyFileError.of_problems(name, [item[2] for item in problems], unlisted[0])
    md_unit_txt = str(las.curves[cm.cols["md"]].unit).strip()
    header = SurveyHeader()
    findings: list[Finding] = []
    du = depth_unit_from_text(md_unit_txt)
    if du is None and md_unit_txt:
        raise SurveyFileError(
            name,
            f"unsupported depth unit {md_unit_txt!r}",
            element="~Curve",
            field=curves[cm.cols["md"]],
        )
    header.depth_unit = du
    header.angle_unit = angle_unit_from_text(str(las.curves[cm.cols["inc"]].unit))
    _well_fields(las, header, findings)
    if cm.azimuth_reference is not NorthReference.UNKNOWN:
        header.azimuth_reference = cm.azimuth_reference
    raw = RawSurvey()
    factor = 180.0 / math.pi if header.angle_unit == "rad" else 1.0
    raw.md = [float(v) for v in md]
    raw.inc = [float(v) * factor for v in inc]
    raw.azi = [0.0 if not math.isfinite(v) else float(v) * factor for v in azi]
    raw.projected = [bool(v == 1) for v in flag_data.get("PROJ", np.zeros(len(md)))]
    raw.used = [v != 0 for v in flag_data.get("USED", np.ones(len(md)))]
    raw.lines = list(rows) if rows is not None else [None] * len(md)
    for role in VENDOR_ROLES:
        if role in arr:
            raw.vendor[role] = [float(v) for v in arr[role]]
            raw.vendor_decimals[role] = _printed_decimals(text, curves[cm.cols[role]])
    if "dls" in cm.cols:
        header.extra["dls_unit"] = str(las.curves[cm.cols["dls"]].unit).strip()
    head_end = text.upper().find("~A")
    raw_header = text[: head_end if head_end >= 0 else 0]
    return build_survey("las", name, header, raw, raw_header=raw_header, findings=findings)


def _data_lines(text: str, las: object) -> list[int] | None:
    """1-based line of each ~A data line, or None where rows do not map to lines (a wrapped
    file, or no ~A section).

    LAS 2.0 (CWLS, "LAS Version 2.0", 1992): the ~A section runs to the end of the file, one
    depth step per line unless ``WRAP`` is ``YES``; blank lines and lines starting with ``#``
    are not data.
    """
    wrap = _item(las, "WRAP")
    if wrap is not None and wrap[0].strip().upper().startswith("Y"):
        return None
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().upper().startswith("~A")), None)
    if start is None:
        return None
    rows = []
    for i in range(start + 1, len(lines)):
        line = lines[i].strip()
        if line.startswith("~"):
            break
        if line and not line.startswith("#"):
            rows.append(i + 1)
    return rows


def _problem(reason: str, k: int, rows: list[int] | None, mnemonic: str) -> Problem:
    """A problem of ~A row ``k`` (0-based) in curve ``mnemonic``, by line where known."""
    if rows is not None:
        return Problem(reason, line=rows[k], field=mnemonic)
    return Problem(reason, field=mnemonic, element=f"~A row {k + 1}")


def _numbers(
    las: object,
    j: int,
    rows: list[int] | None,
    found: tuple[list[tuple[int, int, Problem]], list[int], dict[int, np.ndarray]],
) -> np.ndarray:
    """Curve ``j`` as floats (null: NaN). A cell that is no number is NaN and a problem:
    ``found`` is (problems, unlisted, unreadable): the curve's first :data:`MAX_PROBLEMS`
    problems are kept, the rest counted in ``unlisted[0]``, and ``unreadable[j]`` marks them."""
    problems, unlisted, unreadable = found
    curve = las.curves[j]  # type: ignore[attr-defined]
    try:
        return np.asarray(curve.data, dtype=float)
    except (TypeError, ValueError):
        pass
    # lasio leaves a curve with any text cell as text, its NULL values unreplaced
    null = _null_value(las)
    mnemonic = curve.mnemonic.strip()
    out = np.empty(len(curve.data))
    bad = unreadable[j] = np.zeros(len(curve.data), dtype=bool)
    count = 0
    for k, cell in enumerate(curve.data):
        try:
            value = float(cell)
            out[k] = np.nan if null is not None and value == null else value
        except (TypeError, ValueError):
            out[k] = np.nan
            bad[k] = True
            count += 1
            if count > MAX_PROBLEMS:
                unlisted[0] += 1
                continue
            reason = f"cannot read {str(cell)!r} as a number"
            problems.append((k, j, _problem(reason, k, rows, mnemonic)))
    return out


_NULL_WHAT = {"md": "depth", "inc": "inclination", "azi": "azimuth"}


def _nulls(md: float, inc: float, azi: float) -> list[str]:
    """The roles of a station that are null (NaN), in column order; a vertical station's
    azimuth (inclination 0) may be null. An unreadable value counts as null here."""
    out = [r for r, v in (("md", md), ("inc", inc)) if not math.isfinite(v)]
    if not math.isfinite(azi) and math.isfinite(inc) and inc != 0:
        out.append("azi")
    return out


def _scan_data(text: str) -> ProblemLog:
    """The ~A rows of an unwrapped LAS 2.0 file that do not hold one number per ~Curve
    mnemonic, read without lasio's substitutions: each row with another count of values, and
    each value that is no number, by line and mnemonic (empty where the file is wrapped or has
    no ~Curve and ~A sections)."""
    lines = text.splitlines()
    section = ""
    mnemonics: list[str] = []
    problems = ProblemLog()
    null: float | None = None
    cm = None
    for i, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("~"):
            section = line[1:2].upper()
            continue
        if section == "V" and line.upper().startswith("WRAP") and ":" in line:
            if line.split(":", 1)[0].split(".", 1)[-1].strip().upper().startswith("Y"):
                return ProblemLog()  # wrapped: rows span lines
        elif section == "W" and line.upper().startswith("NULL") and ":" in line:
            try:
                null = float(line.split(":", 1)[0].split(".", 1)[-1].strip())
            except ValueError:
                null = None
        elif section == "C":
            mnemonics.append(line.split(".", 1)[0].strip())
            cm = match_header(mnemonics)
        elif section == "A" and mnemonics:
            cells = line.split()
            if len(cells) != len(mnemonics):
                problems.add(
                    Problem(
                        f"{len(cells)} values where the ~Curve section defines "
                        f"{len(mnemonics)} curves",
                        line=i,
                    )
                )
                continue
            values = []
            bad: set[str] = set()
            for cell, mnemonic in zip(cells, mnemonics, strict=True):
                try:
                    v = float(cell)
                except ValueError:
                    v = math.nan
                    bad.add(mnemonic)
                    problems.add(
                        Problem(f"cannot read {cell!r} as a number", line=i, field=mnemonic)
                    )
                values.append(math.nan if v == null else v)
            if cm is not None:
                md, inc, azi = (values[cm.cols[r]] for r in ("md", "inc", "azi"))
                for role in _nulls(md, inc, azi):
                    mnemonic = mnemonics[cm.cols[role]]
                    if mnemonic not in bad:
                        problems.add(Problem(f"{_NULL_WHAT[role]} is null", line=i, field=mnemonic))
    return problems


def _null_value(las: object) -> float | None:
    """The ~Well section's NULL value (LAS 2.0), or None where it states none."""
    it = _item(las, "NULL")
    try:
        return float(it[0]) if it is not None else None
    except ValueError:
        return None


def _printed_decimals(text: str, mnemonic: str) -> int:
    """Decimals printed in the ~A section (all columns share one print format here)."""
    i = text.upper().find("~A")
    if i < 0:
        return 2
    best = 0
    for line in text[i:].splitlines()[1:6]:
        for tok in line.split():
            if "." in tok:
                best = max(best, len(tok.split(".")[1]))
    return best or 2


def _refuse_log(
    las: object, cm: object, md: np.ndarray, inc: np.ndarray, azi: np.ndarray, name: str
) -> None:
    reasons: list[str] = []
    curves = las.curves  # type: ignore[attr-defined]
    inc_name = curves[cm.cols["inc"]].mnemonic  # type: ignore[attr-defined]
    azi_name = curves[cm.cols["azi"]].mnemonic  # type: ignore[attr-defined]
    zero_inc = bool(np.all(np.nan_to_num(inc) == 0))
    zero_azi = bool(np.all(np.nan_to_num(azi) == 0))
    if zero_inc and zero_azi:
        reasons.append(f"inclination ({inc_name}) and azimuth ({azi_name}) are zero on every row")
    finite = md[np.isfinite(md)]
    if len(finite) > 1 and finite[-1] < finite[0]:
        reasons.append(f"depth decreases ({finite[0]:g} -> {finite[-1]:g})")
    odd_units = []
    for c in curves:
        if c.mnemonic.strip().upper() in _DEPTH_NAMES:
            u = str(c.unit).strip()
            if u and depth_unit_from_text(u) is None:
                odd_units.append(f"{c.mnemonic.strip()} in {u}")
    if reasons and odd_units:
        reasons.append("depth unit " + ", ".join(odd_units))
    step = _num(las, "STEP")
    decreasing = len(finite) > 1 and finite[-1] < finite[0]
    log_like = len(curves) > 12 or bool(step) or decreasing
    if (zero_inc and zero_azi and log_like) or (decreasing and len(curves) > 12):
        raise SurveyFileError(
            name, "a wireline log, not a survey: " + "; ".join(reasons), element="~A"
        )


def _well_fields(las: object, header: SurveyHeader, findings: list[Finding]) -> None:
    def val(m: str) -> str | None:
        it = _item(las, m)
        return it[0] if it and it[0] else None

    header.well_name = val("WELL")
    header.wellbore_name = val("WBN")
    header.operator = val("COMP")
    header.tool = val("SVYT") or val("TOOL")
    header.calculation_method = val("CMTH")
    header.scale_factor = _num(las, "GSF")
    header.run_name = val("RUN") or val("SON")
    date = val("DATE") or val("STIM")
    header.survey_date = normalise_date(date) if date else None
    if (d := _num(las, "MDEC")) is not None:
        header.declination, header.declination_source = d, "LAS ~Well MDEC"
    _reference_field(las, header, findings)
    if (g := _num(las, "GRDC")) is not None:
        header.grid_convergence, header.convergence_source = g, "LAS ~Well GRDC (grid correction)"
    header.total_correction = _num(las, "AZTC")
    header.vs_azimuth = _num(las, "VSDR")
    header.crs = val("CCDE") or val("XYGR") or val("GDAT")
    header.surface_x = _num(las, "UTMX") if _num(las, "UTMX") else None
    header.surface_y = _num(las, "UTMY") if _num(las, "UTMY") else None
    tie = {
        k: _num(las, m)
        for k, m in (
            ("md", "TIEMD"),
            ("inc", "TIEINC"),
            ("azi", "TIEAZI"),
            ("tvd", "TIETVD"),
            ("north", "TIEN"),
            ("east", "TIEE"),
        )
    }
    if tie["md"] is not None:
        header.extra["tie_on_stated"] = {k: v for k, v in tie.items() if v is not None}
    if (edat := _num(las, "EDAT")) is not None:
        header.datum_elevation = edat
        header.depth_datum = val("DMF")
    dmf = "" if edat is not None else (val("DMF") or val("LMF") or "").lower()
    pairs = {"kb": "EKB", "kelly": "EKB", "drill floor": "EDF", "df": "EDF", "ground": "EGL"}
    datum_key = next((v for k, v in pairs.items() if k in dmf), None)
    if datum_key is None and _num(las, "EKB"):
        datum_key = "EKB"
    if datum_key is not None:
        header.depth_datum = {"EKB": "KB", "EDF": "DF", "EGL": "GL"}[datum_key]
        header.datum_elevation = _num(las, datum_key)
    nref = val("NREF")
    ref = north_reference_from_text(nref)
    if ref is not None:
        header.azimuth_reference = ref
    elif nref is not None:
        findings.append(
            Finding(
                Severity.INFO,
                "north_reference_code",
                f"NREF is {nref!r}, a vendor code that does not name the north reference",
                field="NREF",
            )
        )
    extra: dict[str, str] = {}
    for sec in ("Well", "Parameter"):
        for it in las.sections.get(sec, []):  # type: ignore[attr-defined]
            extra.setdefault(it.mnemonic.strip(), str(it.value).strip())
    header.extra["fields"] = extra
    for m in ("MFLD", "MDIP", "EGL", "EKB", "EDF", "UWI", "API", "MMDL", "MMDD"):
        if m in extra:
            header.extra[m.lower()] = extra[m]
