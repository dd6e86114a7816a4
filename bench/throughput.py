#!/usr/bin/env python3
"""Server throughput: `smtpdoctor serve` beside Postfix's smtp-sink, both driven by Postfix's
smtp-source, in the same run. Not a test: it prints figures.

Each figure is messages per second for MESSAGES messages of 2 KiB (`smtp-source -l 2048`) over
1, 20 and 100 parallel sessions (`-s`), each session sending its messages over one connection
(`-d`), to 127.0.0.1 high ports; the median of RUNS runs, the two servers taking turns so a
noisy neighbour hurts both alike. smtp-source speaks no PIPELINING (one command, one reply), so
the figure is bound by each server's work per command and by loopback latency.

The client's own CPU time is measured too (user + sys over wall, of every smtp-source process
together): near 100 % of a core means smtp-source, not the server, is the limit, and the figures
say so; with --sources N the messages and sessions are split across N smtp-source processes
running at once.

With --store, `serve --store DIR` is measured as well: every message fsync'd before its own 250
(`--store-sync each`) and with group commit (the default, `--store-sync group`: the messages
that complete while a commit is in flight are fsync'd together, each 250 still sent only after
its message is durable), with --store-messages messages (default 1,000: one fsync'd message
at a time is slow). smtp-sink stores nothing, so those figures are ratios to serve without a
store.

Usage: bench/throughput.py [BINARY] [--runs N] [--messages N] [--sessions 1,20,100]
                           [--sources N] [--store] [--store-messages N]"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = [a for i, a in enumerate(sys.argv[1:], 1)
        if not a.startswith("--") and not sys.argv[i - 1] in (
            "--runs", "--messages", "--sessions", "--sources", "--store-messages")]


def option(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


RUNS = int(option("--runs", "3"))
MESSAGES = int(option("--messages", "10000"))
SESSIONS = [int(s) for s in option("--sessions", "1,20,100").split(",")]
SOURCES = int(option("--sources", "1"))
STORE_MESSAGES = int(option("--store-messages", "1000"))
SIZE = 2048


def find(program):
    for directory in ("/usr/sbin", "/usr/lib/postfix/sbin"):
        path = os.path.join(directory, program)
        if os.access(path, os.X_OK):
            return path
    return shutil.which(program)


SMTP_SINK, SMTP_SOURCE = find("smtp-sink"), find("smtp-source")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(argv, port, what):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(what + " exited: " + proc.stderr.read().decode(errors="replace"))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not listen on 127.0.0.1:%d" % (what, port))


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid):
    """User + system CPU seconds a live process has used so far (from /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(port, sessions, messages):
    """One run: `messages` messages over `sessions` sessions. (messages/s, client CPU share of
    one core, server CPU seconds) or None when smtp-source failed."""
    sources = max(1, min(SOURCES, sessions))
    argv = [SMTP_SOURCE, "-d", "-l", str(SIZE), "-f", "bench@example.test",
            "-t", "sink@example.test", "-M", "client.example.test"]
    procs = []
    before = os.times()
    began = time.monotonic()
    for i in range(sources):
        share_m = messages // sources + (1 if i < messages % sources else 0)
        share_s = sessions // sources + (1 if i < sessions % sources else 0)
        procs.append(subprocess.Popen(argv + ["-m", str(share_m), "-s", str(share_s),
                                              "127.0.0.1:%d" % port],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    failed = False
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            sys.stderr.write("bench: smtp-source exited %d: %s\n" % (proc.returncode,
                                                                     err.decode()[-300:]))
            failed = True
    wall = time.monotonic() - began
    after = os.times()
    client_cpu = (after.children_user - before.children_user +
                  after.children_system - before.children_system)
    return None if failed else (messages / wall, client_cpu / wall)


class Server:
    def __init__(self, name, argv_for_port, messages=MESSAGES):
        self.name, self.argv_for_port, self.messages = name, argv_for_port, messages
        self.rates = {}  # sessions -> [messages/s]
        self.client_cpu = {}  # sessions -> [share of a core]
        self.server_cpu = {}  # sessions -> [share of a core]

    def run(self, sessions):
        port = free_port()
        proc = start(self.argv_for_port(port), port, self.name)
        try:
            cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
            result = drive(port, sessions, self.messages)
            server_cpu = (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - t0)
        finally:
            stop(proc)
        if result:
            self.rates.setdefault(sessions, []).append(result[0])
            self.client_cpu.setdefault(sessions, []).append(result[1])
            self.server_cpu.setdefault(sessions, []).append(server_cpu)

    def median(self, sessions):
        rates = self.rates.get(sessions)
        return statistics.median(rates) if rates else None


def main():
    binary = ARGS[0] if ARGS else os.path.join(HERE, "..", "build", "smtpdoctor")
    if not SMTP_SINK or not SMTP_SOURCE:
        print("(smtp-sink or smtp-source missing: apt-get install postfix)")
        return
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    directory = tempfile.mkdtemp(prefix="smtpdoctor-bench-thr-")
    sink = Server("smtp-sink", lambda port: [SMTP_SINK, *user, "127.0.0.1:%d" % port, "1024"])
    serve_argv = [binary, "serve", "--max-connections", "1000"]
    serve = Server("serve", lambda port: serve_argv + ["--port", str(port)])
    servers = [sink, serve]
    stored = []
    if "--store" in sys.argv:
        for mode in ("each", "group"):
            store = os.path.join(directory, mode)

            def argv(port, store=store, mode=mode):
                shutil.rmtree(store, ignore_errors=True)
                return serve_argv + ["--port", str(port), "--store", store, "--store-sync", mode]

            stored.append(Server("serve --store-sync %s" % mode, argv, STORE_MESSAGES))
        servers += stored
    try:
        for sessions in SESSIONS:
            for _ in range(RUNS):
                for server in servers:
                    server.run(sessions)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    def cell(value, fmt="%.0f"):
        return fmt % value if value is not None else "-"

    print("server throughput: %d messages of %d octets, smtp-source -d (no PIPELINING), "
          "%d source process(es), median of %d runs; ratio = serve / smtp-sink"
          % (MESSAGES, SIZE, SOURCES, RUNS))
    print("%8s %12s %12s %6s   %-23s %-23s %s" % (
        "sessions", "smtp-sink/s", "serve/s", "ratio", "CPU sink: server/client",
        "CPU serve: server/client", "per server CPU-s"))
    saturated = []

    def share(values, sessions):
        return statistics.median(values[sessions]) if values.get(sessions) else None

    def cpu(server, sessions):
        return "%s / %s" % (cell(share(server.server_cpu, sessions), "%.2f"),
                            cell(share(server.client_cpu, sessions), "%.2f"))

    def efficiency(server, sessions):
        """Messages per second of the server's own CPU, median over the runs."""
        pairs = zip(server.rates.get(sessions, []), server.server_cpu.get(sessions, []))
        values = [rate / cpu for rate, cpu in pairs if cpu > 0]
        return statistics.median(values) if values else None

    for sessions in SESSIONS:
        ours, theirs = serve.median(sessions), sink.median(sessions)
        for s in (sink, serve):
            c = share(s.client_cpu, sessions)
            if c is not None and c >= 0.9 * max(1, min(SOURCES, sessions)):
                saturated.append(sessions)
        print("%8d %12s %12s %6s   %-23s %-23s %s" % (
            sessions, cell(theirs), cell(ours),
            cell(ours / theirs if ours and theirs else None, "%.2f"),
            cpu(sink, sessions), cpu(serve, sessions),
            cell(efficiency(serve, sessions) / efficiency(sink, sessions)
                 if efficiency(serve, sessions) and efficiency(sink, sessions) else None,
                 "%.2f")))
    print("(CPU: cores used over the wall by the server and by all smtp-source processes; "
          "1.00 = one core. per server CPU-s: messages per CPU-second of the server, serve / "
          "smtp-sink: the servers' own cost, which a machine whose cores the client shares "
          "cannot turn into wall-clock throughput in full)")
    if saturated:
        print("note: smtp-source used a whole core per process at %s sessions: there the client "
              "is the limit; try --sources 2" % ",".join(map(str, sorted(set(saturated)))))
    if stored:
        print("with --store, %d messages (smtp-sink stores nothing; ratio = this / serve without "
              "a store)" % STORE_MESSAGES)
        print("%8s %28s %12s %6s" % ("sessions", "mode", "messages/s", "ratio"))
        for sessions in SESSIONS:
            for server in stored:
                rate, plain = server.median(sessions), serve.median(sessions)
                print("%8d %28s %12s %6s" % (sessions, server.name, cell(rate),
                                             cell(rate / plain if rate and plain else None,
                                                  "%.2f")))


if __name__ == "__main__":
    main()
