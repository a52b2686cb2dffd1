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
    """Every repetition of every case: {name: [run, ...]}.  Repetitions are
    interleaved (--benchmark_enable_random_interleaving), so their spread
    includes the drift within the boot, not only the noise of one stretch."""
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration":
            continue   # aggregates are recomputed here from the repetitions
        # Drop the suffixes Google Benchmark adds for fixed iterations and repetitions.
        name = "/".join(p for p in b.get("run_name", b["name"]).split("/")
                        if not p.startswith(("iterations:", "repeats:")) and p not in ("manual_time", "real_time"))
        runs.setdefault(name, []).append(b)
    return data.get("context", {}), runs


class Stat:
    """The median of a case's repetitions, with their minimum and maximum."""

    def __init__(self, values):
        v = sorted(values)
        self.n = len(v)
        self.lo, self.hi = v[0], v[-1]
        mid = len(v) // 2
        self.med = v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2

    def scale(self, k):
        return Stat([self.lo * k, self.med * k, self.hi * k]) if self.n else self


def stat(values):
    values = [v for v in values if v is not None]
    return Stat(values) if values else None


def ns(runs, name):
    """Real time per iteration in ns over the repetitions, or None (missing, or errored)."""
    bs = runs.get(name)
    if not bs or any(b.get("error_occurred") for b in bs):
        return None
    return stat([b["real_time"] * UNIT_NS[b.get("time_unit", "ns")] for b in bs])


def counter(runs, name, key):
    bs = runs.get(name)
    if not bs or any(b.get("error_occurred") or key not in b for b in bs):
        return None
    return stat([b[key] for b in bs])


def error(runs, name):
    bs = runs.get(name)
    if not bs:
        return "not run"
    for b in bs:
        if b.get("error_occurred"):
            return b.get("error_message")
    return None


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    context, runs = load(raw)
    rows = []   # (section, what, value, unit, peer, peer value, ratio, target, verdict)

    def row(section, what, value, unit, peer=None, peer_value=None, target=None, paired=None):
        """paired: the ratio measured within each repetition (its Stat over
        repetitions), for cases that time both sides in one stretch."""
        ratio = None
        if paired is not None and value is not None and peer_value is not None:
            ratio = {"med": paired.med, "min": paired.lo, "max": paired.hi, "paired": True}
        elif value is not None and peer_value is not None and peer_value.med > 0 and value.med >= 0:
            # The widest ratio the repetitions allow: slowest against fastest.
            ratio = {"med": value.med / peer_value.med,
                     "min": value.lo / peer_value.hi if peer_value.hi > 0 else None,
                     "max": value.hi / peer_value.lo if peer_value.lo > 0 else None}
            if ratio["min"] is None or ratio["max"] is None or value.lo < 0:
                ratio["min"] = ratio["max"] = None
        verdict = None
        if ratio is not None:
            lo, hi = ratio["min"], ratio["max"]
            single = value.n < 2 or peer_value.n < 2
            if target is not None:
                if lo is None or single:
                    verdict = ("ok" if ratio["med"] <= target else "MISSED") + " (one run: no spread)"
                elif hi <= target:
                    verdict = "ok"
                elif lo > target:
                    verdict = "MISSED"
                else:
                    verdict = "no verdict: spread %.3g-%.3g spans the target" % (lo, hi)
            elif lo is not None and not single and lo <= 1.0 <= hi:
                verdict = "level: spread spans 1"
        rows.append({"section": section, "what": what,
                     "value": value.__dict__ if value else None, "unit": unit,
                     "peer": peer, "peer_value": peer_value.__dict__ if peer_value else None,
                     "ratio": ratio, "target": target,
                     "met": None if target is None or ratio is None else verdict == "ok",
                     "verdict": verdict})

    def per_probe(name):
        v = counter(runs, name, "ns_per_probe")
        return v.scale(1e9) if v is not None else None   # stored as seconds

    floor = per_probe("disabled/floor")
    for name, label in (("uevt", "UEVT_EMIT"), ("uevt_string", "UEVT_EMIT, string field")):
        row("1 disabled probe", label, per_probe("disabled/" + name), "ns/probe",
            "volatile load + branch", floor, 1.05)
    for peer in ("lttng_ust", "usdt"):
        row("1 disabled probe", "UEVT_EMIT", per_probe("disabled/uevt"), "ns/probe",
            peer, per_probe("disabled/" + peer))

    for p in ("small", "string64"):
        u = counter(runs, "emit/" + p, "uevt_ns")
        row("2 enabled emit", "uevt " + p, u, "ns", "built-in user_events (paired)",
            counter(runs, "emit/" + p, "builtin_ns"), 0.75,
            paired=counter(runs, "emit/" + p, "ratio"))
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
            row("3 propagation", what, u.scale(1e-3) if u else None, "us",
                "built-in user_events", b.scale(1e-3) if b else None, 1.0)
            curves.setdefault(forked, []).append((n, u, b))

    # The backend's own part: tracepoint registered -> every bit seen.
    for n in (1, 10, 100, 1000):
        u = ns(runs, "propagation_own/user_events:0/procs:%d" % n)
        b = ns(runs, "propagation_own/user_events:1/procs:%d" % n)
        if u is None and b is None:
            continue
        row("3 propagation", "%d process%s, own part" % (n, "" if n == 1 else "es"),
            u.scale(1e-3) if u else None, "us", "built-in user_events",
            b.scale(1e-3) if b else None, 0.5 if n == 1000 else None)

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
            "built-in user_events", mem.get(1, (None,))[0], 0.6)
        row("6 memory", "uevt, slab per forked child holding %s" % mem[0][2], mem[0][1], "bytes",
            "built-in user_events", mem.get(1, (None, None))[1])

    row("7 registration", "uevt, one register ioctl", ns(runs, "register/one/user_events:0"), "ns",
        "built-in user_events", ns(runs, "register/one/user_events:1"))
    for k in runs:
        if k.startswith("register/events/user_events:0/"):
            n = k.split("n:")[1]
            row("7 registration", "uevt, %s new events" % n, ns(runs, k), "ns",
                "built-in user_events", ns(runs, k.replace("user_events:0", "user_events:1")))
    row("7 registration", "uevt, per new event", counter(runs, "register/pair", "uevt_ns"), "ns",
        "built-in user_events (paired)", counter(runs, "register/pair", "builtin_ns"), 1.0,
        paired=counter(runs, "register/pair", "ratio"))

    def crowd_row(source, where, target):
        """Creation among a crowd of events against among few, paired: the
        part of a kernel's event count that creation pays, in one boot."""
        c = counter(source, "register/crowd", "crowd")
        row("7 registration", "uevt, per new event among %s more events%s" %
            ("%d" % c.med if c else "?", where),
            counter(source, "register/crowd", "crowded_ns"), "ns", "among few (paired)",
            counter(source, "register/crowd", "bare_ns"), target,
            paired=counter(source, "register/crowd", "ratio"))

    crowd_row(runs, "", None)
    # The same creation case on Debian's kernel, uevt alone (bench.sh's second boot).
    if len(sys.argv) > 3:
        _, stock = load(sys.argv[3])
        crowd_row(stock, ", Debian's kernel", 1.5)
        for k in stock:
            if k.startswith("register/events/user_events:0/") and k in runs:
                n = int(k.split("n:")[1])
                s, p = ns(stock, k), ns(runs, k)
                row("7 registration", "uevt, per new event, Debian's kernel",
                    s.scale(1.0 / n) if s else None, "ns", "uevt on the perf kernel",
                    p.scale(1.0 / n) if p else None, 1.5)
        for k in stock:
            if error(stock, k):
                runs.setdefault("stock:" + k, stock[k])

    errors = {k: error(runs, k) for k in runs if error(runs, k)}
    with open(outdir + "/results.json", "w") as f:
        json.dump({"context": context, "rows": rows, "errors": errors,
                   "raw": {k: runs[k] for k in sorted(runs)}}, f, indent=1)

    def fmt(v):
        if v is None:
            return "-"
        return "%.3g" % v if abs(v) < 100 else "%.0f" % v

    def spread(v):
        if v is None:
            return "-"
        if isinstance(v, dict):
            med, lo, hi = v["med"], v.get("lo", v.get("min")), v.get("hi", v.get("max"))
        else:
            med, lo, hi = v.med, v.lo, v.hi
        if lo is None or hi is None or lo == hi:
            return fmt(med)
        return "%s [%s..%s]" % (fmt(med), fmt(lo), fmt(hi))

    lines = ["uevt benchmarks, one VM boot: %s, %s CPUs" %
             (context.get("host_name", "?"), context.get("num_cpus", "?")),
             "Each figure is the median of interleaved repetitions [their min..max]; a ratio's",
             "[min..max] sets the slowest repetition against the fastest of the peer and back;",
             "a peer marked (paired) is timed in the same repetition, batches interleaved, and",
             "the ratio's [min..max] is that of the per-repetition ratios.",
             "A ratio whose spread reaches its target gets no verdict.",
             "Propagation's own part runs from the return of tracepoint_probe_register() (the",
             "tracing core's part, the same for both) to every bit seen, words in one shared page.", ""]
    lines.append("%-18s %-44s %-30s %-8s %-30s %-30s %-22s %6s %s" %
                 ("section", "case", "value [min..max]", "unit", "peer", "peer [min..max]",
                  "ratio [min..max]", "target", ""))
    for r in rows:
        lines.append("%-18s %-44s %-30s %-8s %-30s %-30s %-22s %6s %s" % (
            r["section"], r["what"], spread(r["value"]), r["unit"], r["peer"] or "",
            spread(r["peer_value"]), spread(r["ratio"]), fmt(r["target"]), r["verdict"] or ""))
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
                f.write("%d %s %s\n" % (n, u.med / 1e3 if u else "NaN", b.med / 1e3 if b else "NaN"))
            f.write("\n\n")
    if curves:
        # noenhanced: "user_events" is a name, not "user" with a subscript.
        plot = ("set termoption noenhanced; set logscale xy; set xlabel 'processes, one enable bit each'; "
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
            subprocess.run(["gnuplot", "-e", "set terminal %s noenhanced; set output '%s/propagation.%s'; %s plot %s"
                            % (term, outdir, ext, plot, ", ".join(series))], check=False)


if __name__ == "__main__":
    main()
