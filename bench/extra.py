#!/usr/bin/env python3
"""extra.py: mgmt's own benchmark figures beside the shared peer harness.

Standard library only.  Started by bench/run.sh; it imports the shared
harness (peerbench.py, given with --harness DIR) so that every figure here is
measured by the harness's own code: the same /usr/bin/time wrapper, the same
W1 -> W2 -> W3 sequence on a fresh directory per run, the same drift and the
same file checks.

Sub-commands:
  direct  the direct Rust baseline (bench/direct, `direct DIR N`) on W1-W3,
          appended as tool "direct" in the harness's JSON-lines format
  memory  mgmt one-shot (`run --converged-timeout 0`) at a large N: W1 and W2,
          peak RSS from GNU time's %M (appended as tool "mgmt", n=N)
  report  one markdown document: the machine, every workload's table with
          ratio columns against phys / phys-fsync / direct / cfengine / puppet,
          drift-repair latency, memory, and each target met or not met
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

BASELINES = ("phys", "phys-fsync", "direct", "cfengine", "puppet")
ORDER = ["phys", "phys-fsync", "direct", "mgmt", "mgmt-gen", "cfengine", "cfengine-bg",
         "puppet", "ansible", "ansible-async"]
WNAMES = {
    "w0": "W0 empty policy (fixed cost of one run)",
    "w1": "W1 create",
    "w2": "W2 no-op",
    "w3": "W3 drift repair (10 deleted + 10 modified)",
    "w4": "W4 exec chain (a->b->c, d independent; 4 x sleep 1)",
}
MIB = 1024.0


def load_harness(path):
    sys.dont_write_bytecode = True  # leave no __pycache__ in the shared folder
    sys.path.insert(0, os.path.abspath(path))
    import peerbench  # noqa: E402  (the shared harness, read-only)
    return peerbench


def harness_args(args, workloads):
    return argparse.Namespace(workloads=workloads, runs=args.runs, workdir=args.workdir,
                              out=args.out, tag="", mgmt_timeout=args.mgmt_timeout)


def cmd_direct(args):
    pb = load_harness(args.harness)
    setup = pb.files_setup

    def files_setup(tool, n, hargs):
        if tool != "direct":
            return setup(tool, n, hargs)
        base = os.path.join(hargs.workdir, tool, "n%d" % n)
        os.makedirs(base, exist_ok=True)
        fdir = os.path.join(base, "files")
        return [os.path.abspath(args.bin), fdir, str(n)], fdir, base

    # the harness's own bench_files loop, taught one more tool
    pb.files_setup = files_setup
    os.makedirs(args.workdir, exist_ok=True)
    for n in [int(x) for x in args.n.split(",")]:
        pb.bench_files("direct", n, harness_args(args, ["w1", "w2", "w3"]))


def cmd_memory(args):
    pb = load_harness(args.harness)
    os.makedirs(args.workdir, exist_ok=True)
    ok, why = pb.tool_available("mgmt", None)
    if not ok:
        sys.exit("memory: " + why)
    pb.bench_files("mgmt", args.n, harness_args(args, ["w1", "w2"]))


# ---------------------------------------------------------------- report

def read_jsonl(paths):
    recs = []
    for p in paths:
        if os.path.exists(p):
            with open(p) as f:
                recs += [json.loads(line) for line in f if line.strip()]
    return recs


def fmt_ratio(x):
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 0.1:
        return "%.2f" % x
    return "%.2g" % x


def groups_of(recs):
    groups = {}
    for r in recs:
        if r["tool"].startswith("_") or r["workload"] in ("skip", "meta"):
            continue
        groups.setdefault((r["workload"], r["tool"], r.get("n")), []).append(r)
    return groups


def median_wall(groups, key):
    rs = groups.get(key)
    return statistics.median(r["wall_s"] for r in rs) if rs else None


def notes_of(rs):
    notes = []
    bads = sorted(set(r.get("bad", 0) for r in rs))
    if "bad" in rs[0] and bads != [0]:
        notes.append("WRONG FILES AFTER RUN: %s" % bads)
    if "changed" in rs[0]:
        notes.append("files touched: %s" % "/".join(str(r["changed"]) for r in rs))
    rcs = sorted(set(r["rc"] for r in rs))
    if rcs != [0]:
        notes.append("exit codes %s" % rcs)
    if "sleeps_alive_after_exit" in rs[0]:
        alive = sorted(set(r["sleeps_alive_after_exit"] for r in rs))
        if alive != [0]:
            notes.append("sleeps still running at exit: %s" % alive)
    return "; ".join(notes)


def tables(groups, n_main):
    out = []
    for w in ("w0", "w1", "w2", "w3", "w4"):
        keys = [k for k in groups if k[0] == w and (w in ("w0", "w4") or k[2] == n_main)]
        if not keys:
            continue
        keys.sort(key=lambda k: (ORDER.index(k[1]) if k[1] in ORDER else 99, k[1]))
        out.append("#### %s\n" % WNAMES[w])
        out.append("| tool | N | median wall s | min-max s | runs | peak RSS MB (median) | "
                   + " | ".join("x %s" % b for b in BASELINES) + " | notes |")
        out.append("|---|---:|---:|---:|---:|---:|" + "---:|" * len(BASELINES) + "---|")
        for k in keys:
            rs = groups[k]
            walls = [r["wall_s"] for r in rs]
            med = statistics.median(walls)
            rss = [r["rss_kb"] / MIB for r in rs if r.get("rss_kb")]
            ratios = []
            for b in BASELINES:
                base = median_wall(groups, (w, b, k[2]))
                ratios.append("" if b == k[1] or not base else fmt_ratio(med / base))
            out.append("| %s | %s | %.3f | %.3f-%.3f | %d | %s | %s | %s |" % (
                k[1], k[2], med, min(walls), max(walls), len(rs),
                "%.1f" % statistics.median(rss) if rss else "?", " | ".join(ratios), notes_of(rs)))
        out.append("")
    return out


def machine(recs):
    meta = [r for r in recs if r["tool"] == "_meta"]
    v = meta[-1]["versions"] if meta else {}
    cpu = v.get("cpu")
    if not cpu:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    rows = [("nproc", str(os.cpu_count())), ("CPU", cpu),
            ("kernel", platform.release()),
            ("memory", next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo")
                             if l.startswith("MemTotal")), "?"))]
    for key in ("mgmt", "mgmt_sha256", "cfengine", "puppet", "ruby", "deb:time"):
        if key in v:
            rows.append((key, v[key]))
    return rows


def verdict(ok):
    return "**met**" if ok else "**NOT met**"


def cmd_report(args):
    recs = read_jsonl(args.results)
    groups = groups_of(recs)
    mem = groups_of(read_jsonl(args.memory or []))
    drifts = {}
    for p in args.drift or []:
        if os.path.exists(p):
            with open(p) as f:
                text = f.read().strip()
            if text:
                d = json.loads(text.splitlines()[-1])
                drifts[d["n"]] = d
    n = args.n
    out = []
    if not args.no_machine:
        out.append("### Machine\n")
        out.append("| | |\n|---|---|")
        out += ["| %s | %s |" % (a, b.replace("|", "/")) for a, b in machine(recs)]
        for extra in args.info or []:
            a, _, b = extra.rpartition("=")
            out.append("| %s | %s |" % (a, b.replace("|", "/")))
        out.append("")
    out.append("### Wall time (median of the runs; each ratio column is this row's median "
               "divided by that baseline's median in the same run)\n")
    out += tables(groups, n)
    skipped = sorted(set((r["tool"], r.get("why", "")) for r in recs if r["workload"] == "skip"))
    if skipped:
        out.append("Skipped by the harness: " + "; ".join("%s (%s)" % s for s in skipped) + "\n")

    targets = []
    w0 = median_wall(groups, ("w0", "mgmt", 0))
    if w0 is not None:
        targets.append(("W0 (empty program) < 20 ms", w0 < 0.020,
                        "median %.1f ms" % (w0 * 1000)))
    w2, d2 = median_wall(groups, ("w2", "mgmt", n)), median_wall(groups, ("w2", "direct", n))
    if w2 is not None and d2:
        targets.append(("W2 at N=%d within 3x the direct Rust program" % n, w2 <= 3 * d2,
                        "mgmt %.1f ms vs direct %.1f ms: %.1fx" % (w2 * 1000, d2 * 1000, w2 / d2)))
    if args.hyperfine and os.path.exists(args.hyperfine):
        with open(args.hyperfine) as f:
            hf = {r["command"]: r for r in json.load(f)["results"]}
        if "mgmt" in hf and "direct" in hf:
            m, d = hf["mgmt"], hf["direct"]
            out.append("W2 cross-check (hyperfine, %d runs each, mgmt and direct on the same "
                       "directory): mgmt median %.1f ms (mean %.1f ± %.1f), direct median %.1f ms "
                       "(mean %.1f ± %.1f): **%.2fx** (medians).\n" % (
                           len(m["times"]), m["median"] * 1e3, m["mean"] * 1e3, m["stddev"] * 1e3,
                           d["median"] * 1e3, d["mean"] * 1e3, d["stddev"] * 1e3,
                           m["median"] / d["median"]))
            if targets and targets[-1][0].startswith("W2"):
                name, ok, figure = targets[-1]
                ratio = m["median"] / d["median"]
                targets[-1] = (name, ok, figure + "; hyperfine cross-check %.2fx, %s" % (
                    ratio, "also within 3x" if ratio <= 3 else "NOT within 3x: borderline"))
    w4 = median_wall(groups, ("w4", "mgmt", 4))
    if w4 is not None:
        targets.append(("W4 within 5% of the 3 s critical path (<= 3.150 s)", w4 <= 3.15,
                        "median %.3f s (+%.1f%%)" % (w4, (w4 / 3.0 - 1) * 100)))

    if drifts:
        out.append("### Drift repair latency (watching `mgmt run`, no converged timeout)\n")
        out.append("From just before the drifting syscall until the file is correct again; "
                   "woken by inotify on the directory (1 ms poll fallback), then lstat + read. "
                   "Kinds in turn: delete, overwrite content, chmod 0600.\n")
        out.append("The floor: the same drifts, repaired by the probe itself with the syscalls of "
                   "mgmt's atomic write (temporary file, write, fchmod, fsync, rename, fsync of the "
                   "directory; chmod for a mode drift), with no detection and no scheduling.\n")
        out.append("| N files | repairs | p50 ms | p90 ms | max ms | delete p50/max | "
                   "overwrite p50/max | chmod p50/max | floor p50/max | x floor (p50) | not repaired | "
                   "time to first convergence s | SIGTERM to exit s |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for dn in sorted(drifts):
            d = drifts[dn]
            lat = d.get("latency") or {}

            def pm(s):
                return "%.2f / %.2f" % (s["p50_ms"], s["max_ms"]) if s else "-"
            fl = d.get("floor")
            out.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %.3f | %.3f%s |" % (
                dn, lat.get("count", 0),
                "%.2f" % lat["p50_ms"] if lat else "-", "%.2f" % lat["p90_ms"] if lat else "-",
                "%.2f" % lat["max_ms"] if lat else "-", pm(d.get("delete")),
                pm(d.get("overwrite")), pm(d.get("chmod")), pm(fl),
                fmt_ratio(lat["p50_ms"] / fl["p50_ms"]) if lat and fl else "-",
                d["not_repaired"], d["converged_s"], d["stop_s"],
                " (SIGKILLed)" if d.get("sigkilled") else ""))
        out.append("")
        dmin = min(drifts)
        d = drifts[dmin]
        if d.get("latency"):
            lat = d["latency"]
            targets.append(("drift repair p50 < 2 ms (N=%d)" % dmin, lat["p50_ms"] < 2 and not d["not_repaired"],
                            "p50 %.2f ms" % lat["p50_ms"]))
            targets.append(("drift repair max < 10 ms (N=%d)" % dmin, lat["max_ms"] < 10 and not d["not_repaired"],
                            "max %.2f ms%s" % (lat["max_ms"], ", %d not repaired" % d["not_repaired"]
                                               if d["not_repaired"] else "")))

    out.append("### Memory\n")
    out.append("| what | N | peak RSS MB: median (min-max) | runs | notes |")
    out.append("|---|---:|---:|---:|---|")
    for (w, tool, mn), rs in sorted(mem.items()):
        rss = [r["rss_kb"] / MIB for r in rs if r.get("rss_kb")]
        if not rss:
            continue
        label = {"w1": "one-shot `run --converged-timeout 0`, W1 create",
                 "w2": "one-shot `run --converged-timeout 0`, W2 no-op"}.get(w, w)
        out.append("| %s (GNU time %%M) | %s | %.1f (%.1f-%.1f) | %d | %s |" % (
            label, mn, statistics.median(rss), min(rss), max(rss), len(rss), notes_of(rs)))
        if w == "w1":
            m = statistics.median(rss)
            targets.append(("one-shot peak RSS at N=%s < 30 MB" % mn, m < 30, "median %.1f MB" % m))
    for dn in sorted(drifts):
        d = drifts[dn]
        out.append("| watching `mgmt run`: VmHWM after first convergence (/proc/PID/status) | %d | %.1f | 1 | "
                   "VmRSS %.1f MB, %d threads; VmHWM after %d drift repairs %.1f MB |" % (
                       dn, d["vmhwm_kb_converged"] / MIB, d["vmrss_kb_converged"] / MIB,
                       d["threads"], d["iterations"], d["vmhwm_kb_end"] / MIB))
    if drifts:
        dmax = max(drifts)
        hwm = drifts[dmax]["vmhwm_kb_converged"] / MIB
        targets.append(("watching agent VmHWM at N=%d < 30 MB" % dmax, hwm < 30, "%.1f MB" % hwm))
    out.append("\nMB = MiB (KiB / 1024), as in the harness's tables.\n")

    out.append("### Targets\n")
    for name, ok, figure in targets:
        out.append("- %s: %s (%s)" % (name, verdict(ok), figure))
    out.append("")
    text = "\n".join(out)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text + "\n")
    print(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="sub", required=True)
    for name, func in (("direct", cmd_direct), ("memory", cmd_memory)):
        p = sub.add_parser(name)
        p.add_argument("--harness", required=True, help="the shared bench/ folder")
        p.add_argument("--workdir", required=True)
        p.add_argument("--out", required=True)
        p.add_argument("--runs", type=int, default=5)
        p.add_argument("--mgmt-timeout", type=int, default=600)
        p.set_defaults(func=func)
        if name == "direct":
            p.add_argument("--bin", required=True, help="bench/direct's `direct` binary")
            p.add_argument("--n", default="1000")
        else:
            p.add_argument("--n", type=int, default=5000)
    r = sub.add_parser("report")
    r.add_argument("results", nargs="+", help="harness + direct JSON lines")
    r.add_argument("--memory", nargs="*")
    r.add_argument("--drift", nargs="*")
    r.add_argument("--n", type=int, default=1000)
    r.add_argument("--hyperfine", default="", help="hyperfine JSON of the W2 cross-check")
    r.add_argument("--info", nargs="*", help="extra machine rows, KEY=VALUE")
    r.add_argument("--no-machine", action="store_true")
    r.add_argument("--md", default="")
    r.set_defaults(func=cmd_report)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
