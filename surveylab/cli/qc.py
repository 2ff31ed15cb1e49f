"""``surveylab qc``, ``approve``, ``status`` and ``compare-runs``: survey QC and approval.

Acting as the user of SURVEYLAB_TOKEN (or SURVEYLAB_TOKEN_FILE).
"""

from __future__ import annotations

from surveylab.cli._common import add_json, print_json, session, table


def register(sub) -> None:
    q = sub.add_parser(
        "qc",
        help="raw-sensor and gyro QC of a run's revision (stored at import; --rerun to run it "
        "again)",
    )
    q.add_argument("run", help="run number or id")
    q.add_argument("--revision", type=int, help="survey revision (default: current)")
    q.add_argument(
        "--rerun",
        action="store_true",
        help="run QC again now and store it (survey work; the status follows while the "
        "revision is not approved)",
    )
    q.add_argument("--btotal-nt", type=float, metavar="X", help="reference total field [nT]")
    q.add_argument("--dip-deg", type=float, metavar="X", help="reference dip [deg]")
    q.add_argument("--gtotal-g", type=float, metavar="X", help="reference gravity [g]")
    add_json(q)
    q.set_defaults(func=_qc)

    a = sub.add_parser(
        "approve", help="approve a run's revision (Engineer or Admin, not the importer)"
    )
    a.add_argument("run", help="run number or id")
    a.add_argument("--revision", type=int, help="survey revision (default: current)")
    a.add_argument("--note", required=True, help="why it is approved (recorded)")
    a.add_argument(
        "--override-qc",
        action="store_true",
        help="approve a revision that failed QC (the note says why)",
    )
    add_json(a)
    a.set_defaults(func=_approve)

    s = sub.add_parser("status", help="status history of a run's revision")
    s.add_argument("run", help="run number or id")
    s.add_argument("--revision", type=int, help="survey revision (default: current)")
    add_json(s)
    s.set_defaults(func=_status)

    c = sub.add_parser(
        "compare-runs",
        help="run against run along MD: angle and position differences with pass or fail",
    )
    c.add_argument("run", help="the reference run (number or id)")
    c.add_argument("other", help="the run compared")
    c.add_argument("--revision", type=int, help="revision of RUN (default: current)")
    c.add_argument("--other-revision", type=int, help="revision of OTHER (default: current)")
    c.add_argument("--step", type=float, help="MD interval [RUN's depth unit]")
    c.add_argument(
        "--uncertainty",
        action="store_true",
        help="position tolerance from both runs' uncertainty (ISCWSA model, tool codes of the "
        "runs) instead of the fixed 1 unit + 0.5 %% of MD",
    )
    c.add_argument(
        "--sigma", type=float, default=2.0, help="sigma multiple with --uncertainty (default 2)"
    )
    add_json(c)
    c.set_defaults(func=_compare)


def _fmt(v, spec: str) -> str:
    return "" if v is None else format(v, spec)


def _qc(args) -> int:
    s = session()
    reference = {
        k: v
        for k, v in (
            ("btotal_nt", args.btotal_nt),
            ("dip_deg", args.dip_deg),
            ("gtotal_g", args.gtotal_g),
        )
        if v is not None
    }
    if args.rerun or reference:
        view = s.run_qc(args.run, args.revision, reference=reference or None)
    else:
        view = s.qc(args.run, args.revision)
    data = view.to_dict()
    if args.json:
        print_json(data)
        return 0
    ref = data["reference"]
    print(
        f"run {data['run']} revision {data['revision']}: {data['status']} (QC {data['qc_status']})"
    )
    if data.get("summary"):
        print(data["summary"])
    if ref.get("source") != "none":
        print(
            f"reference ({ref['source']}): Btotal {ref['btotal_nt']:.1f} nT, dip "
            f"{ref['dip_deg']:.3f} deg, Gtotal {ref['gtotal_g']:.5f} g"
        )
    if not data["stations"]:
        print(f"no stations checked: {data['reason']}")
        return 0
    rows = [
        {
            "md": _fmt(r["md"], "g"),
            "Gtotal [g]": _fmt(r["gtotal_g"], ".5f"),
            "Btotal [nT]": _fmt(r["btotal_nt"], ".1f"),
            "dip [deg]": _fmt(r["dip_deg"], ".3f"),
            "dG [g]": _fmt(r["d_gtotal_g"], "+.5f"),
            "dB [nT]": _fmt(r["d_btotal_nt"], "+.1f"),
            "ddip [deg]": _fmt(r["d_dip_deg"], "+.3f"),
            "pass": {True: "yes", False: "NO", None: ""}[r["pass"]],
        }
        for r in data["stations"]
    ]
    print(table(rows, list(rows[0])))
    return 0


def _approve(args) -> int:
    from surveylab.services.approval import status_summary

    s = session()
    survey = s.approve(
        args.run, revision=args.revision, note=args.note, override_qc=args.override_qc
    )
    run = s.run(args.run)
    out = {"run": run.run_number, "revision": survey.revision, **status_summary(survey)}
    if args.json:
        print_json(out)
    else:
        print(f"run {run.run_number} revision {survey.revision}: approved by {out['changed_by']}")
    return 0


def _status(args) -> int:
    changes = session().status_history(args.run, args.revision)
    rows = [
        {
            "at": c.changed_at.isoformat(),
            "from": c.from_status,
            "to": c.to_status,
            "by": c.changed_by_name,
            "override_qc": c.override_qc,
            "note": c.note,
        }
        for c in changes
    ]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["at", "from", "to", "by", "note"]))
    return 0


def _compare(args) -> int:
    sess = session()
    extra = {}
    if args.uncertainty:
        extra["max_distance"] = sess.combined_distance(
            args.run,
            args.other,
            revision=args.revision,
            other_revision=args.other_revision,
            sigma=args.sigma,
        )
    result = sess.compare_runs_qc(
        args.run,
        args.other,
        revision=args.revision,
        other_revision=args.other_revision,
        step=args.step,
        **extra,
    )
    data = result.to_dict()
    data["position_tolerance"] = (
        f"{args.sigma:g}-sigma of both runs' combined position uncertainty"
        if args.uncertainty
        else "1 depth unit + 0.5 % of MD (fixed)"
    )
    if args.json:
        print_json(data)
    else:
        print(
            f"run {data['other']} rev {data['other_revision']} against run {data['run']} rev "
            f"{data['revision']} [{data['depth_unit']}]: {data['summary']}"
        )
    return 0
