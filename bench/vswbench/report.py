# SPDX-License-Identifier: BSD-3-Clause
"""Summaries of the runs: the terminal table, the JSON file and the chart."""

import json
import os
import shutil
import statistics
import subprocess


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def fmt_range(s, unit_fmt="%.2f"):
    if s is None:
        return "-"
    return (unit_fmt + " (" + unit_fmt + "-" + unit_fmt + ")") % (s["median"], s["min"], s["max"])


def scenario_label(sc):
    macs = sc["macs"]
    text = "%dM" % (macs >> 20) if macs >= 1 << 20 and macs % (1 << 20) == 0 else \
        "%dK" % (macs >> 10) if macs >= 1024 and macs % 1024 == 0 else str(macs)
    kind = sc.get("kind", "l2")
    if "label" in sc:
        return sc["label"]
    if kind.startswith("routed-"):
        return "routed %s %s CAs %dB" % (kind.split("-")[1], text, sc["frame_size"])
    if kind != "l2":
        return "NVGRE %s %s CAs %dB" % (kind.split("-")[1], text, sc["frame_size"])
    variant = {"l2-ipv6": " IPv6", "l2-vlan": " VLAN"}.get(sc.get("trace_mode"), "")
    return "%s MACs %dB%s" % (text, sc["frame_size"], variant)


def print_table(results, out):
    rows = [("scenario", "vsw Mpps med (min-max)", "ceiling Mpps med (min-max)", "% ceil",
             "target", "cyc/pkt", "unicast", "nvgre ok", "flood_unk")]
    for sc in results["scenarios"]:
        v, c = sc.get("vsw", {}), sc.get("ceiling", {})
        frac = sc.get("fraction_of_ceiling")
        tgt = sc.get("target_fraction")
        rows.append((scenario_label(sc), fmt_range(v.get("mpps")), fmt_range(c.get("mpps")),
                     "%.1f%%" % (100 * frac) if frac is not None else
                     "ERROR" if sc.get("error") else "-",
                     ("%s %d%%" % ("ok  " if sc.get("target_met") else "MISS", 100 * tgt))
                     if tgt is not None else "",
                     "%.0f" % v["cycles_per_packet"]["median"] if v.get("cycles_per_packet") else "-",
                     "%.2f%%" % (100 * v["unicast_fraction"]["median"]) if v.get("unicast_fraction") else "-",
                     "%.2f%%" % (100 * v["ok_fraction"]["median"]) if v.get("ok_fraction") else "-",
                     str(v.get("flood_unknown_in_windows", "-"))))
    peer = any("ovs" in sc for sc in results["scenarios"])
    if peer:
        # OVS beside them (--peer ovs): rate, share of the same ceiling, cycles, unicast.
        rows[0] += ("ovs Mpps med (min-max)", "ovs % ceil", "ovs cyc/pkt", "ovs unicast")
        for i, sc in enumerate(results["scenarios"], 1):
            o = sc.get("ovs", {})
            rows[i] += (fmt_range(o.get("mpps")) if o.get("mpps") else
                        "ERROR" if o.get("error") else "skipped" if o.get("skipped") else "-",
                        "%.1f%%" % (100 * o["fraction_of_ceiling"]) if o.get("fraction_of_ceiling")
                        else "-",
                        "%.0f" % o["cycles_per_packet"]["median"] if o.get("cycles_per_packet") else "-",
                        "%.2f%%" % (100 * o["unicast_fraction"]["median"])
                        if o.get("unicast_fraction") else "-")
    if any("io_floor" in sc for sc in results["scenarios"]):
        # vswd built without switching (--io-floor), and what vsw spends on top of it.
        rows[0] += ("io-fwd Mpps med (min-max)", "io % ceil", "io cyc/pkt", "switching cyc/pkt")
        for i, sc in enumerate(results["scenarios"], 1):
            f = sc.get("io_floor", {})
            rows[i] += (fmt_range(f.get("mpps")),
                        "%.1f%%" % (100 * f["fraction_of_ceiling"]) if f.get("fraction_of_ceiling")
                        else "-",
                        "%.0f" % f["cycles_per_packet"]["median"] if f.get("cycles_per_packet") else "-",
                        "%.0f" % f["switching_cycles_per_packet"]
                        if f.get("switching_cycles_per_packet") is not None else "-")
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("  ".join(x.ljust(w) for x, w in zip(r, widths)).rstrip() + "\n")
    for sc in results["scenarios"]:
        if sc.get("error"):
            out.write("%s: %s\n" % (scenario_label(sc), sc["error"].splitlines()[-1]))
        if sc.get("io_floor_error"):
            out.write("%s, io floor: %s\n" % (scenario_label(sc), sc["io_floor_error"].splitlines()[-1]))
        o = sc.get("ovs", {})
        if o.get("error") or o.get("skipped"):
            out.write("%s, ovs: %s\n" % (scenario_label(sc),
                                          (o.get("error") or o["skipped"]).splitlines()[-1]))
    for sc in results["scenarios"]:
        cnt = sc.get("vsw", {}).get("counters_in_windows")
        if cnt:
            out.write("%s, counters over the windows: %s\n" % (
                scenario_label(sc), ", ".join("%s %d" % (k, v) for k, v in sorted(cnt.items()) if v)
                or "all zero"))


def print_extras(results, out):
    lr = results.get("learning")
    if lr:
        if "error" in lr:
            out.write("learning: %s\n" % lr["error"])
        else:
            out.write("learning: %s MACs/s (5-95%% of fill, %.3f s), %d of %d entries (%.1f%%), "
                      "%.0f cycles/frame while learning\n"
                      % ("%.2fM" % (lr["learn_per_s"] / 1e6) if lr.get("learn_per_s") else "?",
                         lr.get("window_s", 0), lr["entries"], lr["capacity"], lr["fill_pct"],
                         lr.get("cycles_per_frame_while_learning") or 0))
            if lr.get("fdb_memory_mb") is not None:
                out.write("FDB memory: %.0f MB for %d entries (DPDK hugepage heap, vswd with a "
                          "1K-entry table as baseline); target <= 128 MB: %s\n"
                          % (lr["fdb_memory_mb"], lr["capacity"],
                             "ok" if lr["fdb_memory_mb"] <= 128 else "MISS"))
            else:
                out.write("FDB memory: not measured (no hugepages: --no-huge preallocates all memory)\n")
    mg = results.get("migration")
    if mg:
        if "error" in mg:
            out.write("migration: %s\n" % mg["error"])
        else:
            out.write("migration: %d frames to M on the old port before its GARP, %d after "
                      "(misdelivered), %d on the new port; fdb_moves %d; sequence gap across "
                      "the move %s\n"
                      % (mg["to_m_on_old_before_garp"], mg["misdelivered_after_garp"],
                         mg["to_m_on_new"], mg["moves"], mg.get("seq_gap", "?")))


def write_json(results, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def write_chart(results, png, workdir):
    """Mpps by scenario: vsw and the testpmd ceiling, median with min-max bars."""
    if shutil.which("gnuplot") is None:
        return "gnuplot not found (apt-get install gnuplot-nox): no chart"
    data = os.path.join(workdir, "chart.dat")
    with open(data, "w") as f:
        for sc in results["scenarios"]:
            v, c = sc.get("vsw", {}).get("mpps"), sc.get("ceiling", {}).get("mpps")
            o = sc.get("ovs", {}).get("mpps")
            io = sc.get("io_floor", {}).get("mpps")
            z = {"median": 0, "min": 0, "max": 0}
            v, c, o, io = v or z, c or z, o or z, io or z
            f.write('"%s" %f %f %f %f %f %f %f %f %f %f %f %f\n' % (
                scenario_label(sc).replace(" MACs", "").replace(" CAs", ""),
                v["median"], v["min"], v["max"], c["median"], c["min"], c["max"],
                o["median"], o["min"], o["max"], io["median"], io["min"], io["max"]))
    peer = any("ovs" in sc for sc in results["scenarios"])
    floor = any("io_floor" in sc for sc in results["scenarios"])
    meta = results["meta"]
    script = """
set terminal pngcairo size 1000,560 font ",10"
set output '%s'
set title "vsw forwarding vs testpmd io ceiling%s (1 worker core, pcap replay; median, min-max of %d)\\n%s"
set ylabel "Mpps (L2: both directions)"
set xlabel "MACs (NVGRE: CAs) per side, frame size"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key top right
plot '%s' using 2:3:4:xtic(1) title 'vsw' lc rgb '#3070b0', \\
     '' using 5:6:7 title 'testpmd io (ceiling)' lc rgb '#b0b0b0'%s%s
""" % (png, " and OVS-DPDK NORMAL" if peer else "", meta.get("repetitions", 3), meta.get("cpu", ""),
       data, ", \\\n     '' using 8:9:10 title 'OVS-DPDK (NORMAL)' lc rgb '#d08030'" if peer else "",
       ", \\\n     '' using 11:12:13 title 'vswd io-forward build (floor)' lc rgb '#70a070'"
       if floor else "")
    sp = os.path.join(workdir, "chart.gp")
    with open(sp, "w") as f:
        f.write(script)
    r = subprocess.run(["gnuplot", sp], capture_output=True, text=True)
    if r.returncode != 0:
        return "gnuplot failed: " + r.stderr.strip()
    return None
