"""``surveylab wells|runs|import|history``: acting as the user of SURVEYLAB_TOKEN."""

from __future__ import annotations

import os
from pathlib import Path

from surveylab.cli._common import add_json, print_json, session, table
from surveylab.models import RunType, WellType


def register(sub) -> None:
    w = sub.add_parser("wells", help="list or create wells")
    ws = w.add_subparsers(dest="wells_command", metavar="ACTION", required=True)
    wl = ws.add_parser("list", help="list wells")
    add_json(wl)
    wl.set_defaults(func=_wells_list)
    wc = ws.add_parser("create", help="create a well")
    wc.add_argument("name")
    wc.add_argument("--type", default="Oil", choices=[t.value for t in WellType])
    add_json(wc)
    wc.set_defaults(func=_wells_create)

    r = sub.add_parser("runs", help="list, create, show or delete runs")
    rs = r.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    rl = rs.add_parser("list", help="list runs")
    rl.add_argument("--mine", action="store_true", help="only the runs I own")
    rl.add_argument("--well")
    rl.add_argument("--type", choices=[t.value for t in RunType])
    add_json(rl)
    rl.set_defaults(func=_runs_list)
    rc = rs.add_parser("create", help="create a run")
    rc.add_argument("--number", required=True)
    rc.add_argument("--name", required=True)
    rc.add_argument("--type", default="Unknown", choices=[t.value for t in RunType])
    rc.add_argument("--well")
    rc.add_argument("--wellbore", help="the well's wellbore (default: its main wellbore)")
    rc.add_argument(
        "--tool-code",
        metavar="CODE",
        help="OWSG tool code of the position-uncertainty model (default: from the run type)",
    )
    add_json(rc)
    rc.set_defaults(func=_runs_create)
    rt = rs.add_parser(
        "set-tool",
        help="set the OWSG tool code a run's position uncertainty uses (owner or Admin)",
    )
    rt.add_argument("run", help="run number or id")
    rt.add_argument(
        "code", help="OWSG tool code (e.g. MWD, MWD+IFR1, GYRO-NS); 'none': from the run type"
    )
    add_json(rt)
    rt.set_defaults(func=_runs_set_tool)
    rsh = rs.add_parser("show", help="show a run (number or id)")
    rsh.add_argument("run")
    add_json(rsh)
    rsh.set_defaults(func=_runs_show)
    rd = rs.add_parser("delete", help="delete a run (owner or Admin)")
    rd.add_argument("run")
    add_json(rd)
    rd.set_defaults(func=_runs_delete)

    im = sub.add_parser(
        "import", help="import survey files into a run (each file a new revision, in order)"
    )
    im.add_argument("file", nargs="+")
    im.add_argument("--run", required=True, help="run number or id")
    im.add_argument("--depth-unit", choices=["m", "ft", "usft"], help="when the file says none")
    im.add_argument(
        "--azimuth-reference", choices=["true", "grid", "magnetic"], help="when the file says none"
    )
    add_json(im)
    im.set_defaults(func=_import)

    h = sub.add_parser("history", help="revisions of a run's survey")
    h.add_argument("run")
    add_json(h)
    h.set_defaults(func=_history)


def run_dict(r) -> dict:
    return {
        "id": str(r.id),
        "run_number": r.run_number,
        "run_name": r.run_name,
        "run_type": r.run_type,
        "well": r.well_name,
        "owner": r.owner_name,
        "current_revision": r.current_revision,
        "stations": r.station_count,
        "worst_finding": r.worst_severity,
        "wellbore": r.wellbore_name,
        "status": r.current_status,
        "tool_code": r.tool_code,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def _wells_list(args) -> int:
    rows = [
        {"id": str(w.id), "well_name": w.well_name, "well_type": w.well_type, "crs": w.crs}
        for w in session().wells()
    ]
    print_json(rows) if args.json else print(table(rows, ["well_name", "well_type", "crs"]))
    return 0


def _wells_create(args) -> int:
    w = session().create_well(args.name, args.type)
    out = {"id": str(w.id), "well_name": w.well_name, "well_type": w.well_type}
    print_json(out) if args.json else print(f"created well {w.well_name}")
    return 0


def _runs_list(args) -> int:
    rows = [run_dict(r) for r in session().runs(mine=args.mine, well=args.well, run_type=args.type)]
    cols = ["run_number", "run_name", "run_type", "well", "owner", "current_revision"]
    print_json(rows) if args.json else print(table(rows, cols))
    return 0


def _runs_create(args) -> int:
    s = session()
    if args.tool_code:  # checked before the run exists: a bad code leaves no run behind
        from surveylab.cli import CliError
        from surveylab.services import ServiceError
        from surveylab.services.uncertainty import canonical_tool_code

        try:
            canonical_tool_code(args.tool_code)
        except ServiceError as exc:
            raise CliError(f"--tool-code: {exc}") from None
    r = s.create_run(args.number, args.name, args.type, well=args.well, wellbore=args.wellbore)
    if args.tool_code:
        r = s.set_tool_code(r.id, args.tool_code)
    print_json(run_dict(r)) if args.json else print(f"created run {r.run_number}")
    return 0


def _runs_set_tool(args) -> int:
    code = None if args.code.strip().lower() in ("none", "") else args.code
    r = session().set_tool_code(args.run, code)
    if args.json:
        print_json(run_dict(r))
    else:
        print(f"run {r.run_number}: tool code {r.tool_code or 'from the run type ' + r.run_type}")
    return 0


def _runs_show(args) -> int:
    s = session()
    r = s.run(args.run)
    data = run_dict(r)
    data["files"] = []
    print_json(data) if args.json else print(
        "\n".join(f"{k}: {'' if v is None else v}" for k, v in data.items() if k != "files")
    )
    return 0


def _runs_delete(args) -> int:
    s = session()
    r = s.run(args.run)
    s.delete_run(r.id)
    print_json({"deleted": r.run_number}) if args.json else print(f"deleted run {r.run_number}")
    return 0


def _import(args) -> int:
    from surveylab.cli import CliError
    from surveylab.cli._common import upload_limit
    from surveylab.parsers import check_size
    from surveylab.services.surveys import survey_summary

    paths = [Path(f) for f in args.file]
    limit = upload_limit()
    for path in paths:
        if not path.is_file():
            raise CliError(f"{path}: no such file")
        check_size(path, limit)  # before any file is read
    overrides = {}
    if args.depth_unit:
        overrides["depth_unit"] = args.depth_unit
    if args.azimuth_reference:
        overrides["azimuth_reference"] = args.azimuth_reference
    s = session()
    if len(paths) == 1:
        results = [s.import_file(paths[0], args.run, overrides=overrides or None)]
    else:
        files: list[str | os.PathLike[str]] = list(paths)
        results = s.import_files(files, args.run, overrides=overrides or None)
    out = []
    for path, result in zip(paths, results, strict=True):
        data = {
            "file": path.name,
            "run": result.run.run_number,
            "duplicate": result.duplicate,
            **survey_summary(result.survey),
        }
        out.append(data)
        if not args.json:
            verb = "already imported as" if result.duplicate else "imported as"
            print(f"{path.name}: {verb} revision {result.survey.revision} of run {data['run']}")
            print(f"status: {result.survey.status}")
            print(f"{result.survey.station_count} stations, depth unit {result.survey.depth_unit}")
            for f in result.survey.findings:
                where = f" (station {f.station + 1})" if f.station is not None else ""
                print(f"  {f.severity}: {f.code}: {f.message}{where}")
    if args.json:
        print_json(out[0] if len(out) == 1 else out)
    return 0


def _history(args) -> int:
    from surveylab.services.surveys import survey_summary

    revs = session().history(args.run)
    rows = [survey_summary(s) for s in revs]
    if args.json:
        print_json(rows)
    else:
        cols = ["revision", "file_name", "station_count", "worst_severity", "imported_by", "status"]
        print(table(rows, cols))
    return 0
