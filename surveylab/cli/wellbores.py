"""``surveylab wellbores create|list`` and ``surveylab definitive compose|show|versions|export``.

Acting as the user of SURVEYLAB_TOKEN (or SURVEYLAB_TOKEN_FILE). ``WELL[/WELLBORE]`` names a
wellbore: the well's main wellbore without ``/WELLBORE`` (a well whose name holds ``/`` is
found by its whole name first).
"""

from __future__ import annotations

from pathlib import Path

from surveylab.cli._common import add_json, print_json, session, table


def register(sub) -> None:
    w = sub.add_parser("wellbores", help="create or list a well's wellbores (sidetracks)")
    ws = w.add_subparsers(dest="wellbores_command", metavar="ACTION", required=True)
    wc = ws.add_parser("create", help="create a wellbore; a sidetrack with --parent")
    wc.add_argument("well", help="well name or id")
    wc.add_argument("name", help="wellbore name")
    wc.add_argument("--parent", help="parent wellbore (a sidetrack)")
    wc.add_argument("--kickoff-md", type=float, metavar="MD", help="kick-off MD on the parent")
    wc.add_argument(
        "--depth-unit",
        choices=["m", "ft", "usft"],
        help="unit of --kickoff-md (default: the parent's definitive survey's)",
    )
    add_json(wc)
    wc.set_defaults(func=_create)
    wl = ws.add_parser("list", help="list a well's wellbores")
    wl.add_argument("well", help="well name or id")
    add_json(wl)
    wl.set_defaults(func=_list)

    d = sub.add_parser("definitive", help="a wellbore's definitive survey: compose, show, export")
    ds = d.add_subparsers(dest="definitive_command", metavar="ACTION", required=True)
    dc = ds.add_parser(
        "compose", help="compose the next definitive survey from intervals of approved runs"
    )
    dc.add_argument("wellbore", metavar="WELL[/WELLBORE]")
    dc.add_argument(
        "--interval",
        action="append",
        required=True,
        metavar="RUN:MD_FROM:MD_TO",
        help="one interval of the tool program, in MD order (MD_TO may be TD; a fourth field "
        "picks the revision); repeat for each run",
    )
    dc.add_argument("--note", required=True, help="why (recorded with the version)")
    add_json(dc)
    dc.set_defaults(func=_compose)
    dsh = ds.add_parser("show", help="the definitive survey: tool program and stations")
    dsh.add_argument("wellbore", metavar="WELL[/WELLBORE]")
    dsh.add_argument("--version", type=int, help="a version (default: the current one)")
    add_json(dsh)
    dsh.set_defaults(func=_show)
    dv = ds.add_parser("versions", help="every version of a wellbore's definitive survey")
    dv.add_argument("wellbore", metavar="WELL[/WELLBORE]")
    add_json(dv)
    dv.set_defaults(func=_versions)
    de = ds.add_parser("export", help="write the definitive survey to a file, marked definitive")
    de.add_argument("wellbore", metavar="WELL[/WELLBORE]")
    de.add_argument("--to", required=True, choices=["csv", "xlsx", "las", "witsml", "witsml20"])
    de.add_argument("-o", "--output", required=True, help="output file")
    de.add_argument("--version", type=int, help="a version (default: the current one)")
    add_json(de)
    de.set_defaults(func=_export)


def _bore_dict(b) -> dict:
    from surveylab.services.wellbores import wellbore_dict

    return wellbore_dict(b)


def _create(args) -> int:
    b = session().create_wellbore(
        args.well,
        args.name,
        parent=args.parent,
        kickoff_md=args.kickoff_md,
        depth_unit=args.depth_unit,
    )
    if args.json:
        print_json(_bore_dict(b))
    elif b.parent_name:
        print(
            f"created sidetrack {b.well_name}/{b.name} of {b.parent_name} at MD "
            f"{b.kickoff_md:g} {b.depth_unit}"
        )
    else:
        print(f"created wellbore {b.well_name}/{b.name}")
    return 0


def _list(args) -> int:
    rows = [_bore_dict(b) for b in session().wellbores(args.well)]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["name", "parent", "kickoff_md", "depth_unit", "definitive"]))
    return 0


def _print_view(view) -> None:
    data = view.to_dict()
    print(
        f"definitive survey of {data['well']}/{data['wellbore']}, version {data['version']}"
        f"{'' if data['current'] else ' (replaced)'}, composed by {data['composed_by']} at "
        f"{data['composed_at']}: {data['note']}"
    )
    print(f"lengths in {data['depth_unit']}, azimuths from {data['azimuth_reference']} north")
    print("tool program:")
    print(table(data["intervals"], ["run", "revision", "tool", "md_from", "md_to", "status"]))
    last = data["stations"][-1]
    print(
        f"{len(data['stations'])} stations; last: MD {last['md']:.2f}, TVD {last['tvd']:.2f}, "
        f"N {last['north']:.2f}, E {last['east']:.2f}"
    )


def _compose(args) -> int:
    view = session().compose_definitive(args.wellbore, intervals=args.interval, note=args.note)
    if args.json:
        print_json(view.to_dict())
    else:
        _print_view(view)
    return 0


def _show(args) -> int:
    view = session().definitive(args.wellbore, version=args.version)
    if args.json:
        print_json(view.to_dict())
    else:
        _print_view(view)
    return 0


def _versions(args) -> int:
    rows = [
        {
            "version": r.version,
            "current": r.is_current,
            "composed_by": r.created_by_name,
            "composed_at": r.created_at.isoformat(),
            "intervals": len(r.intervals),
            "note": r.note,
        }
        for r in session().definitive_versions(args.wellbore)
    ]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["version", "current", "composed_by", "composed_at", "note"]))
    return 0


def _export(args) -> int:
    name, data = session().export_definitive(args.wellbore, fmt=args.to, version=args.version)
    out = Path(args.output)
    out.write_bytes(data)
    if args.json:
        print_json({"file": str(out), "bytes": len(data), "name": name})
    else:
        print(out)
    return 0
