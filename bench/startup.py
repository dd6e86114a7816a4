#!/usr/bin/env python3
"""Start-up: wall time and peak RSS of the shortest runs a script or a help-desk person makes —
`smtpdoctor --version` and `smtpdoctor explain TEXT` (the knowledge base loaded, one reply
explained) — beside `swaks --version` (Perl, with its TLS modules) measured in the same run.
Median of RUNS (default 20) runs each; nothing touches the network. Not a test: it prints
figures. Usage: bench/startup.py [BINARY] [--runs N]"""

import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
BINARY = ARGS[0] if ARGS else os.path.join(HERE, "..", "build", "smtpdoctor")
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 20
REPLY = "550 5.7.1 <bob@example.test>: Relay access denied"


def measure(argv):
    """(median wall ms, peak RSS MiB) of `argv` over RUNS runs."""
    walls, peak = [], 0
    for _ in range(RUNS):
        started = time.monotonic()
        done = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        walls.append((time.monotonic() - started) * 1000)
        peak = max(peak, int(done.stderr.strip().splitlines()[-1]))
    return statistics.median(walls), peak / 1024


def main():
    rows = [("smtpdoctor --version", [BINARY, "--version"]),
            ("smtpdoctor explain '%s...'" % REPLY[:24], [BINARY, "explain", REPLY])]
    peer = ("swaks --version", ["swaks", "--version"]) if shutil.which("swaks") else None
    print("start-up (median of %d runs; /usr/bin/time for peak RSS)" % RUNS)
    print("%-48s %10s %14s %s" % ("command", "wall ms", "peak RSS MiB", "vs swaks --version"))
    peer_wall = None
    if peer:
        peer_wall, peer_rss = measure(peer[1])
    for label, argv in rows:
        wall, rss = measure(argv)
        ratio = "%.1fx faster" % (peer_wall / wall) if peer_wall else "-"
        print("%-48s %10.1f %14.1f %s" % (label, wall, rss, ratio))
    if peer:
        print("%-48s %10.1f %14.1f %s" % (peer[0], peer_wall, peer_rss, "(the peer)"))


if __name__ == "__main__":
    main()
