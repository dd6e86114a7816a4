#!/usr/bin/env python3
"""Many targets at once: wall time and peak RSS of `smtpdoctor check --targets` for 10, 100 and
1,000 loopback targets, against a responder written for the bench that listens on that many
127.0.0.1 ports and answers like a small SMTP server (220, EHLO, QUIT). Not a test: it prints
figures. The target (issue 10): 1,000 targets in under 10 s and under 200 MiB, growing
linearly.

Its peer, measured in the same run on the same responder: what a script does today without
smtpdoctor, one `swaks --quit-after EHLO` per target in a loop (10 and 100 targets; 1,000 would
only take a hundred times the 10). Usage: bench/many_targets.py [BINARY] [--sizes 10,100,1000]"""

import asyncio
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = next((a for a in sys.argv[1:] if not a.startswith("--") and "," not in a),
              os.path.join(HERE, "..", "build", "smtpdoctor"))
SIZES = [10, 100, 1000]
if "--sizes" in sys.argv:
    SIZES = [int(s) for s in sys.argv[sys.argv.index("--sizes") + 1].split(",")]
SWAKS_MAX = 100  # targets the swaks loop is run for


async def session(reader, writer):
    writer.write(b"220 bench.example.test ESMTP\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250-bench.example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


def responder(count, ready, ports):
    async def main():
        servers = [await asyncio.start_server(session, "127.0.0.1", 0) for _ in range(count)]
        ports.extend(s.sockets[0].getsockname()[1] for s in servers)
        ready.set()
        await asyncio.Event().wait()
    asyncio.run(main())


def swaks_loop(ports):
    """One swaks per target, one after the other: (wall seconds, peak RSS of one run in KiB), or
    None without swaks."""
    if not shutil.which("swaks"):
        return None
    peak = 0
    started = time.monotonic()
    for port in ports:
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "swaks", "--server",
                               "127.0.0.1:%d" % port, "--quit-after", "EHLO", "--helo",
                               "client.example.test", "--silent", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak = max(peak, int(done.stderr.strip().splitlines()[-1]))
    return time.monotonic() - started, peak


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    ready, ports = threading.Event(), []
    threading.Thread(target=responder, args=(max(SIZES), ready, ports), daemon=True).start()
    ready.wait()
    print("many targets: smtpdoctor check --targets FILE --only tcp,banner,ehlo (loopback)")
    print("%8s %10s %12s %14s %14s %12s" % ("targets", "wall s", "peak RSS MiB", "ms per target",
                                           "swaks loop s", "ratio"))
    for size in SIZES:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            for port in ports[:size]:
                f.write("127.0.0.1 %d\n" % port)
            path = f.name
        argv = ["/usr/bin/time", "-f", "%M", BINARY, "check", "--targets", path, "--offline",
                "--only", "tcp,banner,ehlo", "--helo", "client.example.test", "--json"]
        started = time.monotonic()
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wall = time.monotonic() - started
        os.unlink(path)
        rss_kib = int(done.stderr.strip().splitlines()[-1])
        reports = len(done.stdout.splitlines())
        if reports != size:
            print("  %d targets: %d reports (exit %d): %s" % (size, reports, done.returncode,
                                                              done.stderr[-500:]))
        peer = swaks_loop(ports[:size]) if size <= SWAKS_MAX else None
        print("%8d %10.2f %12.1f %14.2f %14s %12s" % (
            size, wall, rss_kib / 1024, wall * 1000 / size,
            "%.2f" % peer[0] if peer else "-",
            "%.0fx faster" % (peer[0] / wall) if peer else "-"))


if __name__ == "__main__":
    main()
