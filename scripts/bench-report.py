#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py RAW.json OUTDIR: Google Benchmark's JSON from one VM boot
into results.json (every figure, every ratio against its peer, each target
met or not), results.txt (the same as a table) and propagation.png/.svg."""
import json
import subprocess
import sys

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path):
    with open(path) as f:
        data = json.load(f)
    runs = {}
    # Cases run several times (repetitions) are represented by their median.
    for kind in ("iteration", "median"):
        for b in data.get("benchmarks", []):
            if b.get("run_type", "iteration") == "iteration":
                if kind != "iteration":
                    continue
            elif b.get("aggregate_name") != kind:
                continue
            # Drop the suffixes Google Benchmark adds for fixed iterations and repetitions.
            name = "/".join(p for p in b.get("run_name", b["name"]).split("/")
                            if not p.startswith(("iterations:", "repeats:")) and p not in ("manual_time", "real_time"))
            runs[name] = b
    return data.get("context", {}), runs


def ns(runs, name):
    """Real time per iteration in ns, or None (missing, or errored)."""
    b = runs.get(name)
    if not b or b.get("error_occurred"):
        return None
    return b["real_time"] * UNIT_NS[b.get("time_unit", "ns")]


def counter(runs, name, key):
    b = runs.get(name)
    if not b or b.get("error_occurred") or key not in b:
        return None
    return b[key]


def error(runs, name):
    b = runs.get(name)
    if not b:
        return "not run"
    return b.get("error_message") if b.get("error_occurred") else None


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    context, runs = load(raw)
    rows = []   # (section, what, value, unit, peer, peer value, ratio, target, met)

    def row(section, what, value, unit, peer=None, peer_value=None, target=None):
        ratio = value / peer_value if value is not None and peer_value else None
        met = None if target is None or ratio is None else ratio <= target
        rows.append({"section": section, "what": what, "value": value, "unit": unit,
                     "peer": peer, "peer_value": peer_value, "ratio": ratio,
                     "target": target, "met": met})

    def per_probe(name):
        v = counter(runs, name, "ns_per_probe")
        return v * 1e9 if v is not None else None   # stored as seconds

    floor = per_probe("disabled/floor")
    for name, label in (("uevt", "UEVT_EMIT"), ("uevt_string", "UEVT_EMIT, string field")):
        row("1 disabled probe", label, per_probe("disabled/" + name), "ns/probe",
            "volatile load + branch", floor, 1.05)
    for peer in ("lttng_ust", "usdt"):
        row("1 disabled probe", "UEVT_EMIT", per_probe("disabled/uevt"), "ns/probe",
            peer, per_probe("disabled/" + peer))

    for p in ("small", "string64"):
        u = ns(runs, "emit/%s/user_events:0" % p)
        row("2 enabled emit", "uevt " + p, u, "ns", "built-in user_events",
            ns(runs, "emit/%s/user_events:1" % p), 1.0)
        row("2 enabled emit", "uevt " + p, u, "ns", "write() to /dev/null",
            ns(runs, "emit/write_devnull/" + p), 1.5)
        row("2 enabled emit", "uevt " + p, u, "ns", "USDT via uprobe",
            ns(runs, "emit/usdt_uprobe"))

    curves = {}
    for forked in (0, 1):
        for n in (1, 10, 100, 1000):
            u = ns(runs, "propagation/user_events:0/procs:%d/forked:%d" % (n, forked))
            b = ns(runs, "propagation/user_events:1/procs:%d/forked:%d" % (n, forked))
            what = "%d process%s%s" % (n, "" if n == 1 else "es", ", forked" if forked else "")
            if u is None and b is None:
                continue
            row("3 propagation", what, u / 1e3 if u else None, "us",
                "built-in user_events", b / 1e3 if b else None, 1.0)
            curves.setdefault(forked, []).append((n, u, b))

    for be, label in ((0, "uevt"), (1, "built-in user_events")):
        others = [int(k.split("others:")[1]) for k in runs
                  if k.startswith("isolation/user_events:%d/" % be)]
        big = max(others) if others else None
        if big:
            row("4 isolation", "%s: toggle with %d other bits" % (label, big),
                ns(runs, "isolation/user_events:%d/others:%d" % (be, big)), "ns",
                "%s with none" % label, ns(runs, "isolation/user_events:%d/others:0" % be),
                1.1 if be == 0 else None)

    for be, label in ((0, "uevt"), (1, "built-in user_events")):
        base = ns(runs, "fork/user_events:%d/held:0" % be)
        for k in (100, 1000):
            row("5 fork+exit+wait", "%s holding %d" % (label, k),
                ns(runs, "fork/user_events:%d/held:%d" % (be, k)), "ns",
                "%s holding 0" % label, base, 1.1 if be == 0 else None)
    row("5 fork+exit+wait", "uevt holding 1000", ns(runs, "fork/user_events:0/held:1000"), "ns",
        "built-in holding 1000", ns(runs, "fork/user_events:1/held:1000"))

    mem = {}
    for be in (0, 1):
        for k in runs:
            if k.startswith("memory/user_events:%d/" % be):
                mem[be] = (counter(runs, k, "slab_bytes_per_registration"),
                           counter(runs, k, "slab_bytes_per_child_for_the_bits"), k.split("held:")[1])
    if 0 in mem:
        row("6 memory", "uevt, slab per registration", mem[0][0], "bytes",
            "built-in user_events", mem.get(1, (None,))[0])
        row("6 memory", "uevt, slab per forked child holding %s" % mem[0][2], mem[0][1], "bytes",
            "built-in user_events", mem.get(1, (None, None))[1])

    row("7 registration", "uevt, one register ioctl", ns(runs, "register/one/user_events:0"), "ns",
        "built-in user_events", ns(runs, "register/one/user_events:1"))
    for k in runs:
        if k.startswith("register/events/user_events:0/"):
            n = k.split("n:")[1]
            row("7 registration", "uevt, %s new events" % n, ns(runs, k), "ns",
                "built-in user_events", ns(runs, k.replace("user_events:0", "user_events:1")))

    errors = {k: error(runs, k) for k in runs if error(runs, k)}
    with open(outdir + "/results.json", "w") as f:
        json.dump({"context": context, "rows": rows, "errors": errors,
                   "raw": {k: runs[k] for k in sorted(runs)}}, f, indent=1)

    def fmt(v):
        if v is None:
            return "-"
        return "%.3g" % v if v < 100 else "%.0f" % v

    lines = ["uevt benchmarks, one VM boot: %s, %s CPUs" %
             (context.get("host_name", "?"), context.get("num_cpus", "?")), ""]
    lines.append("%-18s %-44s %10s %-8s %-26s %10s %7s %7s %s" %
                 ("section", "case", "value", "unit", "peer", "peer", "ratio", "target", ""))
    for r in rows:
        verdict = "" if r["met"] is None else ("ok" if r["met"] else "MISSED")
        lines.append("%-18s %-44s %10s %-8s %-26s %10s %7s %7s %s" % (
            r["section"], r["what"], fmt(r["value"]), r["unit"], r["peer"] or "",
            fmt(r["peer_value"]), fmt(r["ratio"]), fmt(r["target"]), verdict))
    if errors:
        lines += ["", "cases that could not run:"]
        lines += ["  %s: %s" % (k, v) for k, v in sorted(errors.items())]
    with open(outdir + "/results.txt", "w") as f:
        f.write("\n".join(lines) + "\n")

    # Scaling curves: propagation time against the number of processes.
    with open(outdir + "/propagation.dat", "w") as f:
        for forked in sorted(curves):
            f.write("# forked=%d: procs uevt_us user_events_us\n" % forked)
            for n, u, b in curves[forked]:
                f.write("%d %s %s\n" % (n, u / 1e3 if u else "NaN", b / 1e3 if b else "NaN"))
            f.write("\n\n")
    if curves:
        plot = ("set logscale xy; set xlabel 'processes, one enable bit each'; "
                "set ylabel 'enable written -> every bit seen (us)'; set key left top; "
                "set title 'uevt vs built-in user_events: propagation'; ")
        series = []
        for i, forked in enumerate(sorted(curves)):
            tag = "forked from one parent" if forked else "each registered"
            series.append("'%s/propagation.dat' index %d using 1:2 with linespoints title 'uevt, %s'"
                          % (outdir, i, tag))
            series.append("'%s/propagation.dat' index %d using 1:3 with linespoints title "
                          "'user_events, %s'" % (outdir, i, tag))
        for term, ext in (("pngcairo size 900,600", "png"), ("svg size 900,600", "svg")):
            subprocess.run(["gnuplot", "-e", "set terminal %s; set output '%s/propagation.%s'; %s plot %s"
                            % (term, outdir, ext, plot, ", ".join(series))], check=False)


if __name__ == "__main__":
    main()
