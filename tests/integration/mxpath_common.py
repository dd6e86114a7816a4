"""Shared by the mxpath_* integration tests: where tests/peers lives, and how to run
tests/tools/mxpath_tool (its path comes from argv, as ctest passes it) and read its JSON."""

import json
import os
import subprocess
import sys

SOURCE_DIR = os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

TOOL = None


def take_tool_from_argv():
    global TOOL
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit("usage: %s PATH/TO/mxpath_tool" % os.path.basename(sys.argv[0]))
    TOOL = sys.argv.pop(1)


def run_tool(*args, env=None, timeout=60, prefix=()):
    """Runs mxpath_tool with `args` (optionally under `prefix`, e.g. ip netns exec) and returns
    its JSON output; fails the calling test with stderr when it does not exit 0."""
    done = subprocess.run(list(prefix) + [TOOL] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        raise AssertionError("mxpath_tool %s exited %d: %s" % (" ".join(map(str, args)),
                                                               done.returncode, done.stderr))
    return json.loads(done.stdout)


def categories(result):
    return [d["category"] for d in result["diagnoses"]]


def rules(result):
    return [d["rule"] for d in result["diagnoses"]]


# ---- a network namespace that silently drops chosen ports -----------------------------------

import shutil  # noqa: E402
import time  # noqa: E402

# Listens on 127.0.0.1 at every port given in argv and accepts (then closes) connections until
# killed; prints "ready" once all are bound. Runs inside the namespace.
_LISTENER = r"""
import socket, sys, threading
socks = []
for port in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(port))); s.listen(16); socks.append(s)
def serve(s):
    while True:
        c, _ = s.accept(); c.close()
for s in socks:
    threading.Thread(target=serve, args=(s,), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
"""

# A DNS server that answers every query with one A record, 127.0.0.1 (enough for the internet
# probe's well-known name). argv[1] is the UDP port. Runs inside the namespace.
_ANSWERER = r"""
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12: continue
    end = 12
    while q[end] != 0: end += q[end] + 1
    question = q[12:end + 5]
    qtype = struct.unpack(">H", q[end + 1:end + 3])[0]
    header = struct.pack(">HHHHHH", struct.unpack(">H", q[:2])[0], 0x8580, 1,
                         1 if qtype == 1 else 0, 0, 0)
    answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([127, 0, 0, 1])
    s.sendto(header + question + (answer if qtype == 1 else b""), peer)
"""


def namespaces_available():
    """Root, `ip netns` and `nft`: what DropNamespace needs."""
    return os.geteuid() == 0 and shutil.which("ip") and shutil.which("nft")


class DropNamespace:
    """A private network namespace with only loopback up, where an nft rule drops TCP to
    `tcp_ports` and UDP to `udp_ports` without answering: a firewall that filters, as ISPs do with
    outbound port 25. Nothing in it can reach anything but its own loopback. Run commands in it
    with `prefix`; start helpers with listener() / dns_answerer()."""

    def __init__(self, tcp_ports=(), udp_ports=()):
        self.name = "smtpdoctor-mxpath-%d-%d" % (os.getpid(), int(time.monotonic() * 1000))
        self.tcp_ports = list(tcp_ports)
        self.udp_ports = list(udp_ports)
        self.helpers = []

    @property
    def prefix(self):
        return ["ip", "netns", "exec", self.name]

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        try:
            subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True)
            rules = ["table inet mxpath {", " chain input {",
                     "  type filter hook input priority 0; policy accept;"]
            for port in self.tcp_ports:
                rules.append("  tcp dport %d drop" % port)
            for port in self.udp_ports:
                rules.append("  udp dport %d drop" % port)
            rules += [" }", "}"]
            subprocess.run(self.prefix + ["nft", "-f", "-"], input="\n".join(rules) + "\n",
                           text=True, check=True)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _helper(self, script, *args):
        proc = subprocess.Popen(self.prefix + [sys.executable, "-c", script] +
                                [str(a) for a in args], stdout=subprocess.PIPE, text=True)
        self.helpers.append(proc)
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("helper in namespace %s did not start" % self.name)
        return proc

    def listener(self, *ports):
        return self._helper(_LISTENER, *ports)

    def dns_answerer(self, port):
        return self._helper(_ANSWERER, port)

    def __exit__(self, *exc):
        for proc in self.helpers:
            proc.kill()
            proc.wait()
            proc.stdout.close()
        subprocess.run(["ip", "netns", "del", self.name], check=False)
        return False
