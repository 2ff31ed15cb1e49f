"""``surveylab uncertainty`` and ``surveylab clearance``: of a stored run, or of survey files.

The position uncertainty of a survey by the ISCWSA error model (an OWSG tool code), with its
ellipses at a stated sigma, and the separation factors of a well against offset wells by the
ISCWSA rule. The argument is a survey file when it is the path of an existing file (nothing
is read from the database: the reference field comes, value by value, from the options, else
the file's header, else the IGRF model, offline, at the file's location and date; the output
says which); anything else names a stored run (acting as the user of SURVEYLAB_TOKEN; see
:mod:`surveylab.services.uncertainty`).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from surveylab.cli import CliError
from surveylab.models import DepthUnit, NorthReference, TieOn

#: ISCWSA separation-rule defaults (SeparationRule)
_K, _SIGMA_PA, _MARGIN = 3.5, 0.5, 0.3


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``uncertainty`` and ``clearance`` commands."""
    from surveylab.calc.uncertainty import DEFAULT_MODEL, TOOL_MODELS

    codes = ", ".join(sorted(TOOL_MODELS))
    u = subparsers.add_parser(
        "uncertainty",
        help="position uncertainty of a survey file (ISCWSA error model) and its ellipses",
        description="Position covariance of every station of a survey file by the ISCWSA "
        "error model (Rev5.11) for an OWSG tool code, and its ellipses of uncertainty. "
        "Covariances are 1-sigma in the file's length unit squared; ellipses at --sigma.",
    )
    u.add_argument(
        "file",
        metavar="RUN|FILE",
        help="a stored run (number or id), or a survey file (any supported format)",
    )
    _common(u, DEFAULT_MODEL, codes)
    _stored(u)
    u.add_argument(
        "--definitive",
        action="store_true",
        help="RUN names a wellbore (WELL or WELL/WELLBORE): its definitive survey, each "
        "interval with its run's tool code",
    )
    u.add_argument(
        "--sigma", type=float, default=2.0, metavar="K", help="sigma multiple of the ellipses"
    )
    u.set_defaults(func=handle_uncertainty)

    c = subparsers.add_parser(
        "clearance",
        help="separation factors of a survey file against offset survey files (ISCWSA rule)",
        description="Closest point on each offset, centre-to-centre distance, pedal-curve "
        "radii and the ISCWSA separation factor SF = (D - R_ref - R_off - S_m) / (k sigma_S) "
        "along the reference well; the minimum SF per offset.",
    )
    c.add_argument("file", metavar="RUN|FILE", help="the reference: a stored run, or a survey file")
    which = c.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--offsets",
        metavar="RUN2,RUN3,...",
        help="offset runs (for a stored RUN) or offset survey files (for a FILE)",
    )
    which.add_argument(
        "--all-in-well",
        action="store_true",
        help="every other run of the reference run's well that has a survey",
    )
    which.add_argument(
        "--all", action="store_true", help="every other run in the database that has a survey"
    )
    _common(c, DEFAULT_MODEL, codes)
    _stored(c)
    c.add_argument("--k", type=float, default=_K, help=f"sigma multiple k (default {_K})")
    c.add_argument(
        "--sigma-pa-m",
        type=float,
        default=_SIGMA_PA,
        metavar="M",
        help=f"project-ahead uncertainty [m] (default {_SIGMA_PA})",
    )
    c.add_argument(
        "--surface-margin-m",
        type=float,
        default=_MARGIN,
        metavar="M",
        help=f"surface margin S_m [m] (default {_MARGIN})",
    )
    c.add_argument(
        "--reference-radius-m",
        type=float,
        default=0.0,
        metavar="M",
        help="hole or casing radius of the reference well [m] (default 0)",
    )
    c.add_argument(
        "--offset-radius-m",
        type=float,
        default=0.0,
        metavar="M",
        help="hole or casing radius of the offset wells [m] (default 0)",
    )
    c.set_defaults(func=handle_clearance)


def _stored(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--revision",
        type=int,
        metavar="N",
        help="survey revision of a stored run (default: current)",
    )


def _common(p: argparse.ArgumentParser, default_model: str, codes: str) -> None:
    p.add_argument(
        "--model",
        metavar="CODE",
        help=f"tool code: {codes} (default: a stored run's, from its run type or set with "
        f"'surveylab runs set-tool'; {default_model} for a file)",
    )
    p.add_argument(
        "--depth-unit",
        choices=[x.value for x in DepthUnit],
        help="depth unit when a file does not state it",
    )
    p.add_argument(
        "--azimuth-reference",
        choices=["true", "grid", "magnetic"],
        help="north of the azimuths when a file does not state it",
    )
    p.add_argument("--convergence-deg", type=float, metavar="X", help="grid convergence [deg]")
    p.add_argument("--btotal-nt", type=float, metavar="X", help="total magnetic field [nT]")
    p.add_argument("--dip-deg", type=float, metavar="X", help="magnetic dip [deg]")
    p.add_argument(
        "--declination-deg", type=float, metavar="X", help="declination [deg], positive east"
    )
    p.add_argument("--latitude-deg", type=float, metavar="X", help="latitude [deg] (gyro)")
    p.add_argument("--longitude-deg", type=float, metavar="X", help="longitude [deg] (IGRF)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="survey date for IGRF")
    p.add_argument("--json", action="store_true", help="print JSON on stdout")


# ------------------------------------------------------------------------------ reading


@dataclass
class _Survey:
    """A survey file's stations and what the commands need of its header."""

    path: Path
    md: np.ndarray
    inc: np.ndarray
    azi: np.ndarray
    unit: DepthUnit
    north: NorthReference
    convergence: float | None
    tie: TieOn | None
    header: Any
    assumptions: list[str] = field(default_factory=list)


def _read(path: Path, args: argparse.Namespace) -> _Survey:
    from surveylab.parsers import read_survey

    if not path.is_file():
        raise CliError(f"{path}: no such file")
    parsed = read_survey(path)
    st = parsed.stations
    if "used" in st.columns:
        st = st[st["used"].fillna(True).astype(bool)]
    h = parsed.header
    unit = h.depth_unit
    if args.depth_unit:
        given = DepthUnit(args.depth_unit)
        if unit is not None and given is not unit:
            raise CliError(
                f"{path}: file states depth unit {unit.value}, --depth-unit says {given.value}"
            )
        unit = given
    if unit is None:
        raise CliError(f"{path}: the file does not state its depth unit: give --depth-unit")
    north = h.azimuth_reference
    if args.azimuth_reference:
        given_ref = NorthReference(args.azimuth_reference)
        if north is not NorthReference.UNKNOWN and given_ref is not north:
            raise CliError(
                f"{path}: file states {north.value} azimuths, --azimuth-reference says "
                f"{given_ref.value}"
            )
        north = given_ref
    if north is NorthReference.UNKNOWN:
        raise CliError(
            f"{path}: the file does not say which north its azimuths are from: give "
            "--azimuth-reference true|grid|magnetic"
        )
    convergence = args.convergence_deg if args.convergence_deg is not None else h.grid_convergence
    return _Survey(
        path=path,
        md=st["md"].to_numpy(dtype=np.float64),
        inc=st["inc"].to_numpy(dtype=np.float64),
        azi=st["azi"].to_numpy(dtype=np.float64),
        unit=unit,
        north=north,
        convergence=convergence,
        tie=h.tie_on,
        header=h,
    )


def _key(text: str) -> str:
    return re.sub(r"\(.*?\)|\[.*?\]", "", text).strip().lower().replace("_", " ")


_FIELD_KEYS = {
    "total_field": ("total field", "btotal", "b total", "magnetic field", "total magnetic field",
                    "field strength", "magnetic field strength", "mag field", "mfld"),
    "dip": ("dip", "dip angle", "magnetic dip", "mag dip", "mdip"),
    "latitude": ("latitude", "lat", "surface latitude"),
    "longitude": ("longitude", "lon", "long", "surface longitude"),
}  # fmt: skip


def _header_value(s: _Survey, name: str) -> tuple[float, str, str] | None:
    """(number, its unit text, the header key) of a header field, if the file states one."""
    fields: dict[str, str] = dict(s.header.extra.get("fields", {}))
    for short in ("mfld", "mdip"):
        if short in s.header.extra:
            fields.setdefault(short.upper(), str(s.header.extra[short]))
    for raw_key, raw in fields.items():
        if _key(raw_key) in _FIELD_KEYS[name]:
            m = re.match(r"\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*(.*)$", str(raw))
            if m:
                unit_text = (m.group(2) or "") + " " + raw_key
                return float(m.group(1)), unit_text.lower(), raw_key
    return None


def _location(s: _Survey, args: argparse.Namespace) -> tuple[float, float, str] | None:
    """(latitude, longitude [deg], where from) of the well, if known."""
    lat = args.latitude_deg
    lon = args.longitude_deg
    if lat is not None and lon is not None:
        return lat, lon, "options"
    hl = _header_value(s, "latitude")
    hn = _header_value(s, "longitude")
    if lat is None and hl is not None:
        lat = hl[0]
    if lon is None and hn is not None:
        lon = hn[0]
    if lat is not None and lon is not None:
        return lat, lon, "file header"
    h = s.header
    if h.crs and h.surface_x is not None and h.surface_y is not None:
        import pyproj

        try:
            crs = pyproj.CRS.from_user_input(h.crs)
            if crs.is_projected:
                from surveylab.calc.north import grid_convergence_and_scale

                g = grid_convergence_and_scale(crs, h.surface_x, h.surface_y)
                return g.latitude, g.longitude, f"file's surface location in {crs.name}"
            return h.surface_y, h.surface_x, f"file's surface location in {crs.name}"
        except (pyproj.exceptions.CRSError, ValueError) as exc:
            raise CliError(f"{s.path}: surface location in CRS {h.crs!r}: {exc}") from None
    return None


def _total_field_nt(value: float, unit_text: str, key: str, path: Path) -> float:
    if re.search(r"\bnt\b|nanotesla", unit_text):
        return value
    if re.search(r"µt|\but\b|microtesla", unit_text):
        return value * 1000.0
    if re.search(r"\bgauss\b|\bg\b", unit_text):
        return value * 1e5
    if 1e4 <= value <= 1e5:
        return value  # no unit: only nanotesla put Earth's field in this range
    raise CliError(
        f"{path}: header field {key!r}: total field {value:g} has no unit and is not in nT: "
        "give --btotal-nt"
    )


def _reference_field(s: _Survey, args: argparse.Namespace, magnetic: bool, gyro: bool):
    """The reference field and, for each value, where it came from."""
    from surveylab.calc.north import NorthReferenceError, magnetic_field
    from surveylab.calc.uncertainty import ReferenceField

    values: dict[str, float | None] = {
        "total_field": args.btotal_nt,
        "dip": args.dip_deg,
        "declination": args.declination_deg,
        "latitude": args.latitude_deg,
    }
    sources = {k: "option" for k, v in values.items() if v is not None}
    need = set()
    if magnetic:
        need |= {"total_field", "dip", "declination"}
    if gyro:
        need.add("latitude")
    if s.north is NorthReference.MAGNETIC:
        need.add("declination")
    for name in ("total_field", "dip"):
        if values[name] is None and name in need:
            hv = _header_value(s, name)
            if hv is not None:
                v = _total_field_nt(*hv, s.path) if name == "total_field" else hv[0]
                values[name] = v
                sources[name] = f"file header '{hv[2]}'"
    if values["declination"] is None and s.header.declination is not None:
        values["declination"] = float(s.header.declination)
        sources["declination"] = s.header.declination_source or "file header"
    location = _location(s, args)
    if values["latitude"] is None and location is not None:
        values["latitude"] = location[0]
        sources["latitude"] = location[2]
    missing = [k for k in ("total_field", "dip", "declination") if k in need and values[k] is None]
    if missing:
        if location is None:
            raise CliError(
                f"{s.path}: no {', '.join(missing)} in the options or the file's header, and "
                "no location for the geomagnetic model: give --btotal-nt, --dip-deg, "
                "--declination-deg, or --latitude-deg with --longitude-deg and --date"
            )
        date = args.date or s.header.survey_date
        if not date:
            raise CliError(
                f"{s.path}: the geomagnetic model needs the survey date: give --date YYYY-MM-DD"
            )
        try:
            mf = magnetic_field(location[0], location[1], date)
        except NorthReferenceError as exc:
            raise CliError(f"{s.path}: geomagnetic model: {exc}") from None
        igrf = {"total_field": mf.total_field, "dip": mf.dip, "declination": mf.declination}
        where = f"{mf.model} at {mf.latitude:.4f} N, {mf.longitude:.4f} E on {mf.date.isoformat()}"
        for k in missing:
            values[k] = igrf[k]
            sources[k] = where
    if "latitude" in need and values["latitude"] is None:
        raise CliError(
            f"{s.path}: a gyro tool needs the latitude: give --latitude-deg (or a file with "
            "its location)"
        )
    text = "; ".join(f"{k}: {v}" for k, v in sources.items())
    return (
        ReferenceField(
            total_field=values["total_field"],
            dip=values["dip"],
            declination=values["declination"],
            latitude=values["latitude"],
            source=text or "none needed",
        ),
        sources,
    )


# ----------------------------------------------------------------------------- computing


@dataclass
class _Result:
    survey: _Survey
    uncertainty: Any  # PositionUncertainty over the stations used (tie-on included)
    rows: np.ndarray  # indices of the file's stations in it
    inc: np.ndarray  # stations used [deg]
    azi: np.ndarray
    tvd: np.ndarray  # [file's unit]
    north: np.ndarray
    east: np.ndarray
    sources: dict[str, str]


def _compute(s: _Survey, args: argparse.Namespace) -> _Result:
    from surveylab.calc import SurveyInputError, minimum_curvature
    from surveylab.calc.uncertainty import DEFAULT_MODEL, position_uncertainty, tool_model

    try:
        model = tool_model(args.model or DEFAULT_MODEL)
    except SurveyInputError as exc:
        raise CliError(f"--model: {exc}") from None
    field_, sources = _reference_field(s, args, model.magnetic, not model.magnetic)
    md, inc, azi = s.md, s.inc, s.azi
    tie = s.tie
    if md.size == 0:
        raise CliError(f"{s.path}: no stations")
    if tie is None or tie.assumed:
        tie = TieOn()
        if md[0] > 0:
            s.assumptions.append(
                "vertical hole from MD 0 (TVD 0, N 0, E 0) down to the first station: "
                "the file gives no tie-on"
            )
    if tie.md > md[0]:
        raise CliError(f"{s.path}: tie-on MD {tie.md:g} is below the first station MD {md[0]:g}")
    rows = np.arange(md.size)
    if tie.md < md[0]:
        md = np.r_[tie.md, md]
        inc = np.r_[tie.inc, inc]
        azi = np.r_[tie.azi, azi]
        rows = rows + 1
    if md[0] > 0:
        s.assumptions.append(
            f"the tie-on at MD {md[0]:g} is taken as exact: the covariances are relative to it "
            "(no parent covariance)"
        )
    try:
        pos = minimum_curvature(md, inc, azi, tie_on=TieOn(md[0], inc[0], azi[0], tie.tvd,
                                                           tie.north, tie.east))  # fmt: skip
        unc = position_uncertainty(
            md,
            inc,
            azi,
            depth_unit=s.unit,
            north_reference=s.north,
            field=field_,
            tool=model,
            grid_convergence=s.convergence,
            tvd=pos.tvd,
        )
    except SurveyInputError as exc:
        raise CliError(f"{s.path}: {exc}") from None
    return _Result(s, unc, rows, inc, azi, pos.tvd, pos.north, pos.east, sources)


def _reference_doc(res: _Result) -> dict[str, Any]:
    doc = res.uncertainty.reference.to_dict()
    doc["sources"] = dict(res.sources)
    return doc


def handle_uncertainty(args: argparse.Namespace) -> int:
    """Run ``surveylab uncertainty``."""
    if not (math.isfinite(args.sigma) and args.sigma > 0):
        raise CliError(f"--sigma {args.sigma}: must be a positive number")
    if args.definitive or not Path(args.file).is_file():
        return _stored_uncertainty(args)
    if args.revision is not None:
        raise CliError(f"--revision: {args.file} is a file, not a stored run")
    s = _read(Path(args.file), args)
    res = _compute(s, args)
    from surveylab.services.uncertainty import station_documents

    unc = res.uncertainty
    ell = unc.ellipses(args.sigma)
    stations = station_documents(unc, res.rows, args.sigma)
    doc = {
        "file": str(s.path),
        "model": unc.model,
        "revision": unc.revision,
        "sigma": args.sigma,
        "covariance_sigma": unc.sigma,
        "depth_unit": unc.depth_unit.value,
        "north_reference": unc.north_reference.value,
        "plane": ell.label(),
        "reference": _reference_doc(res),
        "assumptions": s.assumptions + unc.assumptions,
        "stations": stations,
    }
    if args.json:
        json.dump(doc, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
        return 0

    _print_uncertainty(f"model {unc.model}", doc, unc)
    return 0


# ----------------------------------------------------------------------------- clearance


def _slot(s: _Survey) -> tuple[float, float, Any] | None:
    h = s.header
    if h.crs and h.surface_x is not None and h.surface_y is not None:
        return float(h.surface_x), float(h.surface_y), h.crs
    return None


def _paths(results: list[_Result], args: argparse.Namespace) -> list[Any]:
    """Every well as a WellPath in the reference's north, unit and origin."""
    from surveylab.calc.uncertainty import WellPath
    from surveylab.units import convert

    ref = results[0].survey
    to, unit = ref.north, ref.unit
    slots = [_slot(r.survey) for r in results]
    known = [x for x in slots if x is not None]
    use_slots = len(known) == len(slots) and len({str(x[2]) for x in known}) == 1
    if not use_slots:
        ref.assumptions.append(
            "the files do not all state a surface location in one CRS: every well's north "
            "and east are taken from one origin (each file's tie-on)"
        )
    elif to is NorthReference.MAGNETIC:
        raise CliError(f"{ref.path}: clearance needs grid or true azimuths (magnetic given)")
    elif to is NorthReference.TRUE and ref.convergence is None:
        raise CliError(
            f"{ref.path}: the surface locations are grid coordinates and the azimuths true: "
            "give --convergence-deg"
        )
    paths = []
    for r, slot in zip(results, slots, strict=True):
        s = r.survey
        shift = _north_shift(s, to)  # add to this file's azimuths to refer them to `to`
        rot = _rotation(shift)
        factor = float(convert(1.0, s.unit, unit))
        ne = rot[:2, :2] @ np.stack([r.north, r.east]) * factor
        if use_slots and slot is not None and known:
            import pyproj

            metres = pyproj.CRS.from_user_input(slot[2]).axis_info[0].unit_conversion_factor
            grid = np.array([slot[1] - known[0][1], slot[0] - known[0][0]]) * metres  # N, E
            if to is NorthReference.TRUE:  # grid axes turned into true ones
                grid = _rotation(float(ref.convergence))[:2, :2] @ grid  # type: ignore[arg-type]
            ne += (np.asarray(convert(grid, DepthUnit.M, unit)))[:, None]
        radius = args.reference_radius_m if r is results[0] else args.offset_radius_m
        cov = np.einsum("ij,njk,lk->nil", rot, r.uncertainty.covariance, rot) * factor**2
        paths.append(
            WellPath(
                s.path.name,
                r.uncertainty.md * factor,
                r.inc,
                np.mod(r.azi + shift, 360.0),
                r.tvd * factor,
                ne[0],
                ne[1],
                cov,
                float(convert(radius, DepthUnit.M, unit)),
            )
        )
    return paths


def _north_shift(s: _Survey, to: NorthReference) -> float:
    """Degrees to add to the file's azimuths to refer them to ``to`` north."""
    if s.north is to:
        return 0.0
    dec = s.header.declination
    to_true = {
        NorthReference.TRUE: 0.0,
        NorthReference.GRID: s.convergence,
        NorthReference.MAGNETIC: dec,
    }
    a, b = to_true[s.north], to_true[to]
    if a is None or b is None:
        raise CliError(
            f"{s.path}: its {s.north.value} azimuths cannot be referred to {to.value} north "
            "without the declination or grid convergence (give --convergence-deg)"
        )
    return float(a - b)


def _rotation(angle_deg: float) -> np.ndarray:
    """Components of a vector in a frame turned by -angle (its azimuth grows by angle)."""
    a = math.radians(angle_deg)
    return np.array([[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0], [0, 0, 1]])


def handle_clearance(args: argparse.Namespace) -> int:
    """Run ``surveylab clearance``."""
    from surveylab.calc import SurveyInputError
    from surveylab.calc.uncertainty import SeparationRule, clearance

    for opt in ("k", "sigma_pa_m", "surface_margin_m", "reference_radius_m", "offset_radius_m"):
        v = getattr(args, opt)
        if not math.isfinite(v) or v < 0 or (opt == "k" and v == 0):
            raise CliError(f"--{opt.replace('_', '-')} {v}: must be a non-negative number")
    if not Path(args.file).is_file():
        return _stored_clearance(args)
    if args.all_in_well or args.all:
        raise CliError(
            f"--all-in-well and --all name stored runs: {args.file} is a file (give --offsets)"
        )
    if args.revision is not None:
        raise CliError(f"--revision: {args.file} is a file, not a stored run")
    names = [x.strip() for x in args.offsets.split(",") if x.strip()]
    if not names:
        raise CliError("--offsets: give one or more survey files, comma-separated")
    ref = _read(Path(args.file), args)
    offsets = [_read(Path(n), args) for n in names]
    results = [_compute(s, args) for s in [ref, *offsets]]
    paths = _paths(results, args)
    try:
        rule = SeparationRule(
            k=args.k, sigma_pa=args.sigma_pa_m, surface_margin=args.surface_margin_m
        )
        res = clearance(paths[0], paths[1:], depth_unit=ref.unit, rule=rule)
    except SurveyInputError as exc:
        raise CliError(str(exc)) from None
    rows = results[0].rows
    doc = {
        "reference": str(ref.path),
        "model": results[0].uncertainty.model,
        "depth_unit": ref.unit.value,
        "north_reference": ref.north.value,
        "rule": rule.description,
        "assumptions": sorted({a for r in results for a in r.survey.assumptions}),
        "offsets": [],
    }
    for name, o in zip(names, res.offsets, strict=True):
        sf = o.separation_factor[rows]
        i = int(np.argmin(sf))
        doc["offsets"].append(
            {
                "offset": name,
                "min_sf": float(sf[i]),
                "md_at_min": float(o.reference_md[rows][i]),
                "ctc_at_min": float(o.distance[rows][i]),
            }
        )
    if args.json:
        json.dump(doc, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    from surveylab.units import unit_label

    u = unit_label(ref.unit)
    print(f"reference {ref.path}; {doc['model']}")
    print(doc["rule"])
    for a in doc["assumptions"]:
        print(f"assumed: {a}")
    print(f"{'offset':30} {'min SF':>8} {'MD at min [' + u + ']':>18} {'ctc [' + u + ']':>12}")
    for o in doc["offsets"]:
        print(f"{o['offset']:30} {o['min_sf']:8.2f} {o['md_at_min']:18.2f} {o['ctc_at_min']:12.2f}")
    return 0


# ----------------------------------------------------------------------------- stored runs
#: Options that only a survey file takes (a stored run's come from the database).
_FILE_ONLY = ("depth_unit", "azimuth_reference", "convergence_deg", "longitude_deg", "date")


def _stored_reference(args: argparse.Namespace) -> dict[str, float]:
    """The reference values given for a stored run; refuses the file-only options."""
    for opt in _FILE_ONLY:
        if getattr(args, opt, None) is not None:
            flag = "--" + opt.replace("_", "-")
            raise CliError(
                f"{flag} applies to survey files only: {args.file} is no file, so it names a "
                "stored run, whose header and well give it"
            )
    options = ("btotal_nt", "dip_deg", "declination_deg", "latitude_deg")
    return {k: getattr(args, k) for k in options if getattr(args, k) is not None}


def _session(args: argparse.Namespace) -> Any:
    """The user's session for a stored run; a missing file without a token is a missing file."""
    from surveylab.cli._common import session
    from surveylab.session import token_from_environment

    if not getattr(args, "definitive", False) and not token_from_environment():
        raise CliError(
            f"{args.file}: no such file (a stored run needs SURVEYLAB_TOKEN: see 'surveylab login')"
        )
    return session()


def _unknown(args: argparse.Namespace, exc: Exception) -> CliError:
    """A NotFound for the argument itself: neither a file nor a stored run."""
    if f"unknown run {args.file!r}" == str(exc) and not getattr(args, "definitive", False):
        return CliError(f"{args.file}: no such file, and no stored run of that number or id")
    return CliError(str(exc))


def _stored_uncertainty(args: argparse.Namespace) -> int:
    from surveylab.cli._common import print_json

    reference = _stored_reference(args)
    s = _session(args)
    from surveylab.services import NotFound

    try:
        if args.definitive:
            view = s.definitive_uncertainty(
                args.file, model=args.model, reference=reference or None
            )
        else:
            view = s.uncertainty(args.file, args.revision, model=args.model,
                                 reference=reference or None)  # fmt: skip
    except NotFound as exc:
        raise _unknown(args, exc) from None
    doc = view.to_dict(args.sigma)
    if args.json:
        print_json(doc)
        return 0
    _print_uncertainty(f"{doc['run']}: model {doc['model']} ({doc['revision']})", doc,
                       view.uncertainty)  # fmt: skip
    return 0


def _print_uncertainty(title: str, doc: dict[str, Any], unc: Any) -> None:
    """The text form of an uncertainty document: its title, units and plane, the reference
    field's source, the assumptions, one line per station."""
    from surveylab.units import unit_label

    u = unit_label(unc.depth_unit)
    print(title)
    print(f"covariances 1-sigma [{u}^2]; {doc['plane']} [{u}]")
    print(f"reference field: {unc.reference.source}")
    for a in doc["assumptions"]:
        print(f"assumed: {a}")
    _print_stations(doc["stations"], u)


def _print_stations(stations: list[dict[str, float]], u: str) -> None:
    print(
        f"{'MD [' + u + ']':>12} {'sd N':>9} {'sd E':>9} {'sd V':>9} {'major':>9} "
        f"{'minor':>9} {'az [deg]':>9} {'vert':>9}"
    )
    for r in stations:
        print(
            f"{r['md']:12.2f} {math.sqrt(r['nn']):9.3f} {math.sqrt(r['ee']):9.3f} "
            f"{math.sqrt(r['vv']):9.3f} {r['semi_major']:9.3f} {r['semi_minor']:9.3f} "
            f"{r['azimuth']:9.2f} {r['vertical']:9.3f}"
        )


def _stored_clearance(args: argparse.Namespace) -> int:
    from surveylab.calc import SurveyInputError
    from surveylab.calc.uncertainty import SeparationRule
    from surveylab.cli._common import print_json
    from surveylab.units import unit_label

    reference = _stored_reference(args)
    offsets = None
    scope = "well" if args.all_in_well else "all" if args.all else None
    if args.offsets is not None:
        offsets = [x.strip() for x in args.offsets.split(",") if x.strip()]
        if not offsets:
            raise CliError("--offsets: give one or more runs, comma-separated")
    try:
        rule = SeparationRule(
            k=args.k, sigma_pa=args.sigma_pa_m, surface_margin=args.surface_margin_m
        )
    except SurveyInputError as exc:
        raise CliError(str(exc)) from None
    from surveylab.services import NotFound

    try:
        view = _session(args).clearance(
            args.file, offsets=offsets, scope=scope, revision=args.revision, model=args.model,
            reference=reference or None, rule=rule, reference_radius_m=args.reference_radius_m,
            offset_radius_m=args.offset_radius_m,
        )  # fmt: skip
    except NotFound as exc:
        raise _unknown(args, exc) from None
    doc = view.to_dict()
    if args.json:
        print_json(doc)
        return 0
    u = unit_label(view.result.depth_unit)
    print(f"reference run {doc['reference']}; {doc['model']}")
    print(doc["rule"])
    for a in doc["assumptions"]:
        print(f"assumed: {a}")
    print(f"{'offset':30} {'min SF':>8} {'MD at min [' + u + ']':>18} {'ctc [' + u + ']':>12}")
    for o in doc["offsets"]:
        print(f"{o['offset']:30} {o['min_sf']:8.2f} {o['md_at_min']:18.2f} {o['ctc_at_min']:12.2f}")
    for o in doc["skipped"]:
        print(f"skipped {o['offset']}: {o['reason']}")
    return 0
