# SPDX-License-Identifier: BSD-3-Clause
"""The Open vSwitch peer (bench/run --peer ovs): Debian's OVS-DPDK 3.1 with the
NORMAL action on the same net_pcap replay ports and traces as vswd and the
testpmd ceiling, one PMD thread on the worker core.

Each run is a private OVS: its own ovsdb-server and database and its own
ovs-vswitchd (the DPDK build, run by path; the system's alternative and its
service are left alone), all state under the run's directory (OVS_RUNDIR,
OVS_DBDIR, OVS_LOGDIR, OVS_SYSCONFDIR), ovs-vswitchd inside a network
namespace of its own so that its internal (tap) ports and the tunnel
endpoint's address never touch the host's network.  Both daemons are
registered with procs, so every exit path stops them; the namespace and the
directory go in Ovs.stop() and cleanup_all().

See docs/bench.md, "Open vSwitch (--peer ovs)".
"""

import json
import os
import re
import shutil
import socket
import subprocess
import time

from . import procs
from .procs import BenchError, proc_status_kb

PACKAGE = "openvswitch-switch-dpdk"
VSWITCHD_DPDK = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
TOOLS = ("ovsdb-tool", "ovsdb-server", "ovs-vsctl")
# OVS 3.1 (lib/netdev-dpdk.c): every port of one MTU shares one mempool of at most
# MAX_NB_MBUF mbufs, halved while hugepages are short.  net_pcap's infinite_rx keeps
# every frame of its trace in an mbuf of that pool.
MAX_NB_MBUF = 4096 * 64
MBUF_BYTES = 3072       # an OVS mbuf at MTU 1500: dp_packet + headroom + 2 KiB data, rounded
RX_DESC = 2048          # OVS's default rx/tx descriptors per queue
LCORE_MASK = "0x1"      # DPDK lcore threads (the main lcore): CPU 0, vswd's control thread
PMD_MASK = "0x2"        # the one PMD thread: CPU 1, vswd's worker lcore
# NVGRE, as vsw-tracegen writes it (runs.NVGRE_*): VSID 5001 in the upper 24 bits of
# the GRE key, FlowID 0 on what OVS sends; any FlowID accepted on receive (in_key=flow).
GRE_OUT_KEY = 5001 << 8
LOCAL_PA_MAC = "02:0a:00:00:00:01"   # the outer destination MAC of the encap trace

_live = []  # Ovs instances not yet stopped


def log(msg):
    print(msg, flush=True)


def vswitchd_path():
    """The DPDK-enabled ovs-vswitchd among Debian's alternatives (or its usual path)."""
    try:
        out = subprocess.run(["update-alternatives", "--list", "ovs-vswitchd"],
                             capture_output=True, text=True).stdout.split()
    except OSError:
        out = []
    for path in out + [VSWITCHD_DPDK]:
        if "dpdk" in os.path.basename(path) and os.access(path, os.X_OK):
            return path
    return None


def installed():
    return vswitchd_path() is not None and all(shutil.which(t) for t in TOOLS) \
        and os.path.exists(SCHEMA)


def _service_units():
    return ["openvswitch-switch.service", "ovsdb-server.service", "ovs-vswitchd.service"]


def ensure_installed():
    """Install openvswitch-switch-dpdk when it is missing (root, Debian), without
    starting or enabling the system's OVS service.  Raises BenchError otherwise."""
    if installed():
        return vswitchd_path()
    if os.geteuid() != 0:
        raise BenchError("--peer ovs needs %s, which is not installed; install it as root "
                         "(apt-get update && apt-get install %s) or run bench/run as root"
                         % (PACKAGE, PACKAGE))
    if shutil.which("apt-get") is None:
        raise BenchError("--peer ovs needs %s and this is not a Debian system (no apt-get); "
                         "install Open vSwitch with DPDK yourself" % PACKAGE)
    log("--peer ovs: installing %s (apt-get update, apt-get install; the OVS service is "
        "neither started nor left enabled)" % PACKAGE)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # policy-rc.d exit 101 = "do not start services": keeps the package's postinst from
    # starting the system's ovsdb-server/ovs-vswitchd.  Only ours if there was none.
    policy = "/usr/sbin/policy-rc.d"
    own_policy = not os.path.exists(policy)
    if own_policy:
        with open(policy, "w") as f:
            f.write("#!/bin/sh\n# written by vsw bench/run while installing %s\nexit 101\n"
                    % PACKAGE)
        os.chmod(policy, 0o755)
    try:
        for argv in (["apt-get", "update", "-q"],
                     ["apt-get", "install", "-y", "-q", "--no-install-recommends", PACKAGE]):
            r = subprocess.run(argv, env=env, capture_output=True, text=True)
            if r.returncode != 0:
                raise BenchError("'%s' failed (status %d); run it by hand to see why:\n%s"
                                 % (" ".join(argv), r.returncode, (r.stdout + r.stderr)[-1500:]))
    finally:
        if own_policy:
            os.unlink(policy)
    # The package enables the service for the next boot: this benchmark runs its own.
    if shutil.which("systemctl"):
        subprocess.run(["systemctl", "disable"] + _service_units(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not installed():
        raise BenchError("%s installed, but %s or the OVS tools are missing; check "
                         "'dpkg -L %s'" % (PACKAGE, VSWITCHD_DPDK, PACKAGE))
    return vswitchd_path()


def prepare(no_huge):
    """bench/run's start: refuse --no-huge, install when missing; the ovs-vswitchd to run."""
    if no_huge:
        raise BenchError("--peer ovs cannot run with --no-huge: OVS-DPDK 3.1 adds --in-memory "
                         "to DPDK's arguments, which DPDK refuses without hugepages; drop "
                         "--no-huge (bench/run reserves the hugepages as root)")
    return ensure_installed()


def version():
    try:
        out = subprocess.run([vswitchd_path() or VSWITCHD_DPDK, "--version"],
                             capture_output=True, text=True).stdout
        return " ".join(out.split("\n")[0].split()[-1:]) + " (" + \
            " ".join(l.strip() for l in out.split("\n")[1:] if l.strip()) + ")"
    except OSError:
        return "unknown"


def pool_fits(frames):
    """Can OVS's one shared mempool hold 'frames' replayed frames (net_pcap infinite_rx)
    plus the rx descriptors and bursts in flight?  Returns None, or why not."""
    need = frames + 2 * RX_DESC + 4096
    if need <= MAX_NB_MBUF:
        return None
    return ("not run: net_pcap's infinite_rx keeps every frame of its trace in an mbuf "
            "(%d frames, %d mbufs with the descriptors), but OVS 3.1 gives all ports of one MTU "
            "one mempool of at most %d mbufs (MAX_NB_MBUF in lib/netdev-dpdk.c, a "
            "compile-time constant)" % (frames, need, MAX_NB_MBUF))


def mem_mb():
    """Hugepage memory OVS needs: its full-size mempool, plus rings and the rest."""
    return MAX_NB_MBUF * MBUF_BYTES // 2**20 + 256


class UnixCtl:
    """OVS's unixctl protocol (what ovs-appctl speaks): JSON-RPC 1.0 over a Unix stream
    socket, params all strings.  One connection; one call at a time."""

    def __init__(self, path, timeout=60.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = ""
        self.next_id = 0
        self.dec = json.JSONDecoder()

    def call(self, method, *params):
        self.next_id += 1
        req = {"id": self.next_id, "method": method, "params": [str(p) for p in params]}
        self.sock.sendall(json.dumps(req).encode())
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    reply, end = self.dec.raw_decode(text)
                    self.buf = text[end:]
                    break
                except ValueError:
                    pass
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise BenchError("ovs-vswitchd closed its control socket during '%s'" % method)
            self.buf += chunk.decode(errors="replace")
        if reply.get("error") is not None:
            raise BenchError("ovs-vswitchd refused '%s %s': %s"
                             % (method, " ".join(map(str, params)), str(reply["error"]).strip()))
        return reply.get("result") or ""

    def close(self):
        self.sock.close()


_PORT_RE = re.compile(r"^\s*port (\d+): (\S+)")
_RXTX_RE = re.compile(r"^\s*(RX|TX) packets:(\d+) errors:\S+ dropped:(\S+)")


def parse_dpctl_show(text):
    """'dpctl/show -s' -> {port name: {rx_packets, rx_dropped, tx_packets, tx_dropped}}."""
    ports, cur = {}, None
    for line in text.splitlines():
        m = _PORT_RE.match(line)
        if m:
            cur = ports.setdefault(m.group(2), {"odp_port": int(m.group(1))})
            continue
        m = _RXTX_RE.match(line)
        if m and cur is not None:
            d = m.group(1).lower()
            cur[d + "_packets"] = int(m.group(2))
            cur[d + "_dropped"] = int(m.group(3)) if m.group(3).isdigit() else 0
    return ports


_PMD_KEYS = {"packets received": "packets", "packet recirculations": "recirculations",
             "emc hits": "emc_hits", "smc hits": "smc_hits", "megaflow hits": "megaflow_hits",
             "miss with success upcall": "upcalls_ok", "miss with failed upcall": "upcalls_failed",
             "idle cycles": "idle_cycles", "processing cycles": "busy_cycles",
             "simple match hits": "simple_match_hits"}


def parse_pmd_stats(text, core):
    """The block of the PMD thread on 'core' in 'dpif-netdev/pmd-stats-show'."""
    out, inside = {}, False
    for line in text.splitlines():
        if not line.startswith(" "):
            inside = line.startswith("pmd thread") and ("core_id %d:" % core) in line
            continue
        if inside and ":" in line:
            key, val = line.strip().split(":", 1)
            if key in _PMD_KEYS:
                out[_PMD_KEYS[key]] = int(val.split()[0])
    return out


def _ip_netns(*args, check=True):
    r = subprocess.run(["ip", "netns"] + list(args), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise BenchError("'ip netns %s' failed: %s" % (" ".join(args), r.stderr.strip()))
    return r


class Ovs:
    """A private ovsdb-server + ovs-vswitchd (DPDK, netdev datapath) for one run."""

    def __init__(self, workdir, dpdk_extra, socket_mem, tag="ovs"):
        self.dir = os.path.join(workdir, tag)
        self.ns = "vswbench-ovs-%d" % os.getpid()
        self.db = os.path.join(self.dir, "conf.db")
        self.db_sock = os.path.join(self.dir, "db.sock")
        self.ctl_path = os.path.join(self.dir, "ovs-vswitchd.ctl")
        self.log = os.path.join(self.dir, "ovs-vswitchd.log")
        self.dpdk_extra = dpdk_extra
        self.socket_mem = socket_mem
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir,
                        OVS_LOGDIR=self.dir, OVS_SYSCONFDIR=self.dir)
        self.dbproc = self.proc = self.ctl = None
        self.ns_made = False

    # ---- set-up
    def vsctl(self, *args, wait=True):
        argv = ["ovs-vsctl", "--db=unix:" + self.db_sock, "--timeout=120"]
        if not wait:
            argv.append("--no-wait")
        r = subprocess.run(argv + list(args), env=self.env, capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("ovs-vsctl %s failed: %s%s" % (" ".join(args), r.stderr.strip(),
                                                            "\n" + self.log_tail() if wait else ""))
        return r.stdout

    def netns_run(self, *argv):
        r = subprocess.run(["ip", "netns", "exec", self.ns] + list(argv),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("'%s' in namespace %s failed: %s"
                             % (" ".join(argv), self.ns, r.stderr.strip()))

    def start_db(self):
        """ovsdb-server with a fresh database, and DPDK's settings in it."""
        _live.append(self)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        r = subprocess.run(["ovsdb-tool", "create", self.db, SCHEMA], env=self.env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("ovsdb-tool create %s failed: %s" % (self.db, r.stderr.strip()))
        with open(os.path.join(self.dir, "ovsdb-server.out"), "w") as out:
            self.dbproc = procs._register(subprocess.Popen(
                ["ovsdb-server", self.db, "--remote=punix:" + self.db_sock,
                 "--unixctl=" + os.path.join(self.dir, "ovsdb-server.ctl"),
                 "--log-file=" + os.path.join(self.dir, "ovsdb-server.log"), "-vconsole:off"],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True))
        deadline = time.monotonic() + 30
        while not os.path.exists(self.db_sock):
            if self.dbproc.poll() is not None or time.monotonic() > deadline:
                raise BenchError("ovsdb-server did not start (see %s/ovsdb-server.log)" % self.dir)
            time.sleep(0.05)
        self.vsctl("init", wait=False)
        cfg = ["other_config:dpdk-init=true", "other_config:dpdk-lcore-mask=" + LCORE_MASK,
               "other_config:pmd-cpu-mask=" + PMD_MASK,
               "other_config:dpdk-extra=" + " ".join(self.dpdk_extra)]
        if self.socket_mem:
            cfg.append("other_config:dpdk-socket-mem=%d" % self.socket_mem)
        self.vsctl("set", "Open_vSwitch", ".", *cfg, wait=False)

    def start(self, timeout=120.0):
        """ovs-vswitchd (DPDK build) in a new network namespace, its threads on CPU 0
        except the PMD thread, which OVS pins to CPU 1 (pmd-cpu-mask)."""
        _ip_netns("del", self.ns, check=False)  # a leftover of a killed run of this pid
        _ip_netns("add", self.ns)
        self.ns_made = True
        # No IPv6 (router solicitations would be flooded out of the bridges' ports).
        self.netns_run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                       "net.ipv6.conf.default.disable_ipv6=1")
        argv = ["ip", "netns", "exec", self.ns, "taskset", "-c", "0", vswitchd_path(),
                "unix:" + self.db_sock, "--unixctl=" + self.ctl_path,
                "--log-file=" + self.log, "-vconsole:off"]
        with open(os.path.join(self.dir, "ovs-vswitchd.out"), "w") as out:
            # 'ip netns exec' and taskset exec: the pid is ovs-vswitchd's own.
            self.proc = procs._register(subprocess.Popen(
                argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True))
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise BenchError("ovs-vswitchd exited during start-up (status %d):\n%s"
                                 % (self.proc.returncode, self.log_tail()))
            if os.path.exists(self.ctl_path):
                try:
                    self.ctl = UnixCtl(self.ctl_path)
                    self.ctl.call("version")
                    break
                except (OSError, BenchError):
                    self.ctl = None
            if time.monotonic() > deadline:
                raise BenchError("ovs-vswitchd did not answer on %s within %.0f s:\n%s"
                                 % (self.ctl_path, timeout, self.log_tail()))
            time.sleep(0.1)
        return self

    def check_pmd(self):
        """Once a DPDK port exists: exactly one PMD thread, on core 1, polls them all."""
        text = self.ctl.call("dpif-netdev/pmd-rxq-show")
        cores = re.findall(r"pmd thread numa_id \d+ core_id (\d+):", text)
        if cores != ["1"]:
            raise BenchError("OVS should poll its ports with one PMD thread on core 1 "
                             "(pmd-cpu-mask=%s); dpif-netdev/pmd-rxq-show says:\n%s"
                             % (PMD_MASK, text))

    def add_bridge(self, name, *settings, wait=True):
        self.vsctl("add-br", name, "--", "set", "Bridge", name, "datapath_type=netdev",
                   *settings, wait=wait)

    def add_dpdk_port(self, bridge, name, devargs, wait=True):
        self.vsctl("add-port", bridge, name, "--", "set", "Interface", name, "type=dpdk",
                   "options:dpdk-devargs=" + devargs, wait=wait)
        if wait:
            err = self.vsctl("get", "Interface", name, "error").strip()
            if err not in ("[]", ""):
                raise BenchError("OVS could not open port %s (%s): %s\n%s"
                                 % (name, devargs, err, self.log_tail()))

    # ---- measurement
    def log_tail(self, n=15):
        try:
            with open(self.log, errors="replace") as f:
                lines = [l for l in f.readlines() if "|INFO|" not in l]
            return "".join(lines[-n:])
        except OSError:
            return ""

    def port_stats(self):
        return parse_dpctl_show(self.ctl.call("dpctl/show", "-s", "netdev@ovs-netdev"))

    def snapshot(self):
        t0 = time.monotonic()
        ports = self.port_stats()
        pmd = parse_pmd_stats(self.ctl.call("dpif-netdev/pmd-stats-show"), 1)
        t1 = time.monotonic()
        return {"t": (t0 + t1) / 2, "ports": ports, "pmd": pmd}

    def fdb_entries(self, bridge):
        text = self.ctl.call("fdb/stats-show", bridge)
        m = re.search(r"Current/maximum MAC entries in the table:\s*(\d+)", text)
        return int(m.group(1)) if m else 0

    def settle_upcalls(self, max_s=60.0):
        """Wait until the PMD thread stops missing its flow cache (upcalls, i.e. the
        megaflows for the traffic are installed): no miss in 0.5 s, or 'max_s' passed."""
        t0 = time.monotonic()
        prev = parse_pmd_stats(self.ctl.call("dpif-netdev/pmd-stats-show"), 1)
        while time.monotonic() - t0 < max_s:
            time.sleep(0.5)
            cur = parse_pmd_stats(self.ctl.call("dpif-netdev/pmd-stats-show"), 1)
            misses = sum(cur.get(k, 0) - prev.get(k, 0) for k in ("upcalls_ok", "upcalls_failed"))
            if misses == 0:
                return time.monotonic() - t0, True
            prev = cur
        log("        ovs: the PMD thread still misses its flow cache after %.0f s "
            "(upcalls go on); measuring anyway" % max_s)
        return time.monotonic() - t0, False

    def flows(self):
        return self.ctl.call("dpctl/dump-flows", "netdev@ovs-netdev")

    # ---- tear-down
    def stop(self):
        if self.ctl is not None:
            try:
                self.ctl.close()
            except OSError:
                pass
            self.ctl = None
        for attr in ("proc", "dbproc"):
            p = getattr(self, attr)
            if p is not None:
                procs.stop_proc(p, timeout=20)
                setattr(self, attr, None)
        if self.ns_made:
            _ip_netns("del", self.ns, check=False)
            self.ns_made = False
        if self in _live:
            _live.remove(self)


def cleanup_all():
    """Stop every OVS this process started (Ctrl-C, errors): daemons, namespaces."""
    for o in list(_live):
        try:
            o.stop()
        except Exception:  # best effort on the way out
            pass


# ---------------------------------------------------------------- runs

def _dpdk_config(ctx):
    """dpdk-extra and dpdk-socket-mem.  OVS needs hugepages: 3.1 appends --in-memory to the
    EAL arguments itself, which DPDK refuses together with --no-huge (legacy memory)."""
    mem = mem_mb()
    hugetlbfs = any(" hugetlbfs " in l for l in open("/proc/mounts"))
    free_mb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                free_mb = int(line.split()[1]) * 2
    if ctx.force_nohuge or not hugetlbfs or free_mb < mem:
        raise BenchError("OVS-DPDK needs %d MB of free 2 MiB hugepages (has %d MB%s%s): it "
                         "cannot run with --no-huge (OVS 3.1 adds --in-memory, which DPDK "
                         "refuses with it). Run bench/run as root without --no-huge (it "
                         "reserves them), or: echo %d > /proc/sys/vm/nr_hugepages"
                         % (mem, free_mb, "" if hugetlbfs else ", no hugetlbfs mounted",
                            ", --no-huge given" if ctx.force_nohuge else "",
                            mem // 2 + 256))
    ctx.memory_modes.add("hugepages")
    return ["--in-memory", "--no-pci"], mem


def _port_delta(a, b, name, key):
    pa, pb = a["ports"].get(name, {}), b["ports"].get(name, {})
    return pb.get(key, 0) - pa.get(key, 0)


def _window(ctx, o, rx_ports, tx_ports, local_ports):
    """Warm-up, then the window: port and PMD counter deltas."""
    time.sleep(ctx.warmup)
    a = o.snapshot()
    time.sleep(ctx.window)
    b = o.snapshot()
    dt = b["t"] - a["t"]
    rx = sum(_port_delta(a, b, p, "rx_packets") for p in rx_ports)
    tx = sum(_port_delta(a, b, p, "tx_packets") for p in tx_ports)
    tx_drop = sum(_port_delta(a, b, p, "tx_dropped") for p in tx_ports)
    # Every frame NORMAL floods also goes to the bridge's own (LOCAL, tap) port, down or
    # up: its tx + tx_dropped count the floods exactly.
    flood = sum(_port_delta(a, b, p, "tx_packets") + _port_delta(a, b, p, "tx_dropped")
                for p in local_ports)
    pd = {k: b["pmd"].get(k, 0) - a["pmd"].get(k, 0) for k in _PMD_KEYS.values()}
    busy, idle, pkts = pd["busy_cycles"], pd["idle_cycles"], pd["packets"]
    if rx == 0 or pkts == 0:
        raise BenchError("OVS's PMD thread made no progress in the window (pmd %s -> %s):\n%s"
                         % (a["pmd"], b["pmd"], o.log_tail()))
    r = procs.window_rates(dt, rx, tx, busy, idle, pkts)
    r.update({
        "tx_dropped": tx_drop,
        "flood_copies": flood,
        "unicast_fraction": 1.0 - flood / rx,
        "delivered_fraction": tx / rx,
        "pmd": pd,
        "upcall_fraction": (pd["upcalls_ok"] + pd["upcalls_failed"]) / pkts,
        "ports": {n: {k: b["ports"][n].get(k, 0) - a["ports"].get(n, {}).get(k, 0)
                      for k in ("rx_packets", "tx_packets", "tx_dropped")}
                  for n in b["ports"]},
    })
    return r


def _wait_fdb(o, bridge, want, what):
    deadline = time.monotonic() + 120
    while True:
        n = o.fdb_entries(bridge)
        if n >= want:
            return n
        if time.monotonic() > deadline:
            raise BenchError("OVS: only %d of %d MAC entries in %s after 120 s (%s):\n%s"
                             % (n, want, bridge, what, o.log_tail()))
        time.sleep(0.05)


def _finish(o, r, ctx):
    r["hugetlb_kb"] = proc_status_kb(o.proc.pid, "HugetlbPages")
    r["rss_kb"] = proc_status_kb(o.proc.pid, "VmRSS")
    flows = [l for l in o.flows().splitlines() if "actions:" in l]
    r["datapath_flows"] = len(flows)
    # Flows that send a frame to more than one place (a flood): count them.
    r["multi_output_flows"] = sum(1 for l in flows if _outputs(l) > 1)
    r["sample_flows"] = flows[:2]
    # The revalidators' view: datapath flows, the (dynamic) flow limit, dump duration.
    r["upcall_show"] = [l.strip() for l in o.ctl.call("upcall/show").splitlines()[:4]]
    return r


def _outputs(flow):
    acts = flow.split("actions:", 1)[-1]
    # Top-level comma-separated actions outside parentheses; plain port numbers are outputs.
    depth, cur, parts = 0, "", []
    for ch in acts:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return sum(1 for p in parts if p.strip().isdigit())


def run_ovs_l2(ctx, sc, fwd, rev):
    """OVS: bridge br0 (NORMAL) with dpdk ports pa (replays fwd) and pb (replays rev)."""
    extra, mem = _dpdk_config(ctx)
    o = Ovs(ctx.workdir, extra, mem)
    try:
        o.start_db()
        o.add_bridge("br0", "other_config:mac-table-size=%d" % sc["fdb_size"], wait=False)
        o.start()
        o.add_dpdk_port("br0", "pa", "net_pcap0,rx_pcap=%s,infinite_rx=1" % fwd)
        o.add_dpdk_port("br0", "pb", "net_pcap1,rx_pcap=%s,infinite_rx=1" % rev)
        o.check_pmd()
        n = _wait_fdb(o, "br0", 2 * sc["macs"], "learning from the replay")
        settle_s, settled = o.settle_upcalls()
        r = _window(ctx, o, ["pa", "pb"], ["pa", "pb"], ["br0"])
        r.update(fdb_entries=n, settle_s=settle_s, upcalls_settled=settled)
        return _finish(o, r, ctx)
    finally:
        o.stop()


def run_ovs_nvgre(ctx, sc, trace):
    """OVS with userspace GRE: br-int (NORMAL) holds 'vm' and the GRE port gre0
    (remote 192.0.2.1, local 198.51.100.1, out_key VSID << 8, in_key=flow); br-phy
    (NORMAL) owns the uplink 'up' and the local PA 198.51.100.1/24 on its internal port
    (in OVS's namespace), MAC 02:0a:00:00:00:01 as the trace's outer destination.
    Route 0.0.0.0/0 via 198.51.100.254, whose MAC is a static tunnel neighbour.

    nvgre-encap: 'vm' replays the tenant stream, 'up' is net_null (no-rx); the N remote CA
    MACs are static FDB entries on gre0 (what vswd's lookup records give it).
    nvgre-decap: 'up' replays the encap stream, 'vm' is net_null (no-rx) with the N local
    CAs as static FDB entries; the inner sources are learned on gre0."""
    from .runs import (CA_SET_LOCAL, CA_SET_REMOTE, NVGRE_GATEWAY, NVGRE_GATEWAY_MAC,
                       NVGRE_LOCAL_PA, NVGRE_REMOTE_PA, ca_mac)
    n = sc["macs"]
    encap = sc["kind"] == "nvgre-encap"
    extra, mem = _dpdk_config(ctx)
    o = Ovs(ctx.workdir, extra, mem)
    replay = "net_pcap0,rx_pcap=%s,infinite_rx=1" % trace
    null = "net_null0,no-rx=1"
    try:
        o.start_db()
        o.add_bridge("br-int", "other_config:mac-table-size=%d" % sc["fdb_size"], wait=False)
        o.add_bridge("br-phy", "other_config:hwaddr=" + LOCAL_PA_MAC, wait=False)
        o.vsctl("add-port", "br-int", "gre0", "--", "set", "Interface", "gre0", "type=gre",
                "options:remote_ip=" + NVGRE_REMOTE_PA,
                "options:local_ip=" + NVGRE_LOCAL_PA.split("/")[0],
                "options:out_key=%d" % GRE_OUT_KEY, "options:in_key=flow", wait=False)
        if encap:
            o.add_dpdk_port("br-phy", "up", null, wait=False)
        else:
            o.add_dpdk_port("br-int", "vm", null, wait=False)
        o.start()
        o.netns_run("ip", "addr", "add", NVGRE_LOCAL_PA, "dev", "br-phy")
        o.netns_run("ip", "link", "set", "br-phy", "up")
        o.ctl.call("ovs/route/add", "0.0.0.0/0", "br-phy", NVGRE_GATEWAY)
        o.ctl.call("tnl/neigh/set", "br-phy", NVGRE_GATEWAY, NVGRE_GATEWAY_MAC)
        if encap:
            # The null uplink never receives, so br-phy would never learn where the
            # gateway is (decap: learned from the replayed frames' outer source).
            o.ctl.call("fdb/add", "br-phy", "up", "0", NVGRE_GATEWAY_MAC)
            for i in range(n):
                o.ctl.call("fdb/add", "br-int", "gre0", "0", ca_mac(CA_SET_REMOTE, i))
            o.add_dpdk_port("br-int", "vm", replay)
            rx_port, tx_port = "vm", "up"
        else:
            for i in range(n):
                o.ctl.call("fdb/add", "br-int", "vm", "0", ca_mac(CA_SET_LOCAL, i))
            o.add_dpdk_port("br-phy", "up", replay)
            rx_port, tx_port = "up", "vm"
        o.check_pmd()
        got = _wait_fdb(o, "br-int", 2 * n, "N static + N learned CAs")
        settle_s, settled = o.settle_upcalls()
        r = _window(ctx, o, [rx_port], [tx_port], ["br-int"])
        r.update(fdb_entries=got, settle_s=settle_s, upcalls_settled=settled)
        # encap: every frame received from 'vm' left 'up' inside GRE; decap: every frame
        # received on 'up' was decapsulated and left 'vm'.
        r["ok_counter"] = "%s tx / %s rx" % (tx_port, rx_port)
        r["ok_fraction"] = r["delivered_fraction"]
        r["route"] = o.ctl.call("ovs/route/show").strip().splitlines()[-3:]
        return _finish(o, r, ctx)
    finally:
        o.stop()


# ---------------------------------------------------------------- bench/run's hooks

def runner(ctx, sc, traces):
    """The OVS run for a scenario, or None (and sc['ovs_skipped'] says why)."""
    if sc["kind"] == "l2" and sc.get("trace_mode", "l2") != "l2":
        why = "not run: the OVS peer replays the IPv4 l2 traces only"
    elif sc["kind"] == "l2":
        why = pool_fits(2 * (sc.get("trace_frames_per_port") or 0))
        run = lambda: run_ovs_l2(ctx, sc, *traces)
    elif sc["kind"] in ("nvgre-encap", "nvgre-decap"):
        why = pool_fits(sc.get("trace_frames_per_port") or 0)
        run = lambda: run_ovs_nvgre(ctx, sc, traces[0])
    else:
        why = "not run: the OVS peer covers the pcap replay scenarios (L2 and NVGRE) only"
    if why:
        sc["ovs_skipped"] = why
        return None
    return run


def progress(r):
    """The progress line's text for one OVS run."""
    ok = ""
    if "ok_counter" in r:
        ok = "%s %.2f%%  " % (r["ok_counter"], 100 * r["ok_fraction"])
    return ("ovs         %7.2f Mpps  %4.0f cyc/pkt  unicast %.2f%%  %sflood %d  upcalls %d"
            % (r["mpps"], r["cycles_per_packet"], 100 * r["unicast_fraction"], ok,
               r["flood_copies"], r["pmd"]["upcalls_ok"] + r["pmd"]["upcalls_failed"]))


def aggregate(sc, runs_, summary):
    """sc['ovs']: the runs, their medians and ranges, the share of the ceiling."""
    out = {"runs": runs_}
    for key in ("mpps", "tx_mpps", "cycles_per_packet", "unicast_fraction", "busy_pct",
                "ok_fraction", "upcall_fraction"):
        out[key] = summary([r.get(key) for r in runs_])
    out["flood_copies_in_windows"] = sum(r["flood_copies"] for r in runs_)
    out["upcalls_in_windows"] = sum(r["pmd"]["upcalls_ok"] + r["pmd"]["upcalls_failed"]
                                    for r in runs_)
    for k in ("ovs_skipped", "ovs_error"):
        if k in sc:
            out[k.split("_")[1]] = sc.pop(k)
    c = sc.get("ceiling", {}).get("mpps")
    if out["mpps"] and c:
        out["fraction_of_ceiling"] = out["mpps"]["median"] / c["median"]
    if out["mpps"] and sc.get("vsw", {}).get("mpps"):
        out["vsw_over_ovs"] = sc["vsw"]["mpps"]["median"] / out["mpps"]["median"]
    sc["ovs"] = out


def meta():
    return {"version": version(), "vswitchd": vswitchd_path(),
            "config": "netdev datapath, NORMAL action (default flow), dpdk-lcore-mask=%s, "
                      "pmd-cpu-mask=%s (1 PMD thread), dpdk-extra '--in-memory --no-pci', "
                      "dpdk-socket-mem=%d, EMC/SMC defaults, mac-table-size = vswd's --fdb-size; "
                      "NVGRE: gre port out_key=%d in_key=flow, br-phy with the local PA"
                      % (LCORE_MASK, PMD_MASK, mem_mb(), GRE_OUT_KEY)}
