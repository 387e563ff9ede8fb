#!/usr/bin/env python3
"""prom_check.py METRICS-FILE STATS-JSON PMD-JSON BD-JSON

Checks a scrape of vswd --metrics against the Prometheus text exposition
format (0.0.4) strictly, and its values against `vswctl --json stats`,
`stats pmd` and `bd list` read right after it.  Prints what is wrong and
exits 1; exits 0 with a one-line summary when all holds.
"""
import json
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s)(?:,%s)*\})? (\S+)$" % (NAME, LABEL, LABEL))
errors = []


def err(msg):
    errors.append(msg)


def parse(text):
    if not text.endswith("\n"):
        err("the body does not end with a newline")
    types, helps, samples, order = {}, {}, {}, []
    for no, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                err("line %d: malformed HELP: %r" % (no, line))
            elif parts[2] in helps:
                err("line %d: second HELP for %s" % (no, parts[2]))
            else:
                helps[parts[2]] = parts[3]
        elif line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in ("counter", "gauge", "untyped", "summary", "histogram"):
                err("line %d: malformed TYPE: %r" % (no, line))
            elif parts[2] in types:
                err("line %d: second TYPE for %s (families must not repeat)" % (no, parts[2]))
            else:
                types[parts[2]] = parts[3]
                order.append(parts[2])
        elif line.startswith("#") or line == "":
            err("line %d: unexpected line %r" % (no, line))
        else:
            m = SAMPLE.match(line)
            if not m:
                err("line %d: not a sample: %r" % (no, line))
                continue
            name, labels, value = m.group(1), m.group(2) or "", m.group(3)
            if name not in types:
                err("line %d: sample of %s before its TYPE" % (no, name))
            elif order[-1] != name:
                err("line %d: sample of %s outside its family's block" % (no, name))
            try:
                v = float(value)
            except ValueError:
                err("line %d: value %r is not a number" % (no, value))
                continue
            key = (name, labels)
            if key in samples:
                err("line %d: duplicate sample %s%s" % (no, name, labels))
            samples[key] = v
    for name, t in types.items():
        if t == "counter" and not name.endswith("_total"):
            err("counter %s does not end in _total" % name)
        if t != "counter" and name.endswith("_total"):
            err("%s %s ends in _total" % (t, name))
        if name not in helps:
            err("%s has no HELP" % name)
    return types, samples


def want(samples, name, labels, value):
    got = samples.get((name, labels))
    if got is None:
        err("missing %s%s" % (name, labels))
    elif got != value:
        err("%s%s = %s, vswctl says %s" % (name, labels, got, value))


def main():
    text = open(sys.argv[1]).read()
    stats = json.load(open(sys.argv[2]))
    pmd = json.load(open(sys.argv[3]))
    bds = json.load(open(sys.argv[4]))
    types, samples = parse(text)
    nb_checked = 0
    for p in stats["ports"]:
        for k in ("rx_packets", "rx_bytes", "rx_dropped", "tx_packets", "tx_bytes", "tx_dropped"):
            want(samples, "vsw_port_%s_total" % k, '{port="%s"}' % p["name"], p[k])
            nb_checked += 1
    for name, value in stats["counters"].items():
        metric = "vsw_" + name + ("" if name == "fdb_entries" else "_total")
        want(samples, metric, "", value)
        nb_checked += 1
    for w in pmd:
        lab = '{lcore="%d"}' % w["lcore"]
        for k in ("packets", "bursts", "busy_cycles", "idle_cycles"):
            if ("vsw_worker_%s_total" % k, lab) not in samples:
                err("missing vsw_worker_%s_total%s" % (k, lab))
        # Cycles move between the scrape and stats pmd; frames do not once the replay is over.
        want(samples, "vsw_worker_packets_total", lab, w["packets"])
        nb_checked += 1
    for b in bds:
        want(samples, "vsw_bd_macs", '{bd="%s"}' % b["name"], b["macs"])
        nb_checked += 1
    if errors:
        print("\n".join(errors[:40]))
        if len(errors) > 40:
            print("... and %d more" % (len(errors) - 40))
        sys.exit(1)
    print("%d families, %d samples, %d values equal to vswctl's" % (len(types), len(samples), nb_checked))


main()
