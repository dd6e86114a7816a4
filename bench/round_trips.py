#!/usr/bin/env python3
"""Round trips on a slow link: how many round trips `smtpdoctor check` needs for a conversation,
beside swaks (`--quit-after RCPT`, with and without `--pipeline`) on the same path, in the same
run. Not a test: it prints figures.

The link is a delaying TCP proxy on loopback (the kernel here has no netem): every chunk is
forwarded in order DELAY (25 ms) after it arrived, each way, so a round trip costs 50 ms. The
proxy logs when it accepted each connection and when the client closed it; a run's figure is

    RTT = 1 + (last client close - first accept) / 50 ms

The 1 is the TCP handshake (SYN, SYN-ACK), which the kernel completes on loopback before the
proxy sees the connection; the proxy does delay the third leg (it connects upstream 25 ms after
accepting, so the server greets 1 RTT after the client connected, as on a real link). Several
connections of one run (the STARTTLS-enforcement one) overlap: the span covers all of them. The
proxy's log also gives a count that CPU noise cannot touch: the direction changes ("flights") of
the longest connection, 1.5 + flights / 2 RTT (banner, EHLO, its reply ... the last reply).

Servers, all on 127.0.0.1 high ports started here: Postfix's smtp-sink (PIPELINING, plain),
`smtpdoctor serve` (PIPELINING, STARTTLS, AUTH), and aiosmtpd (no PIPELINING, STARTTLS, AUTH;
installed from Debian's python3-aiosmtpd when missing). The physical limits (issue 12): plain 4
(connect+banner 2, EHLO 1, envelope 1), STARTTLS+AUTH+envelope 8 with PIPELINING (+ STARTTLS 1,
TLS 1.3 handshake 1, EHLO 1, AUTH 1), 11 without (MAIL, RCPT, RSET and QUIT each 1).

Usage: bench/round_trips.py [BINARY] [--runs N]"""

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
DELAY = 0.025  # one way; a round trip is 2 * DELAY
RTT = 2 * DELAY
USER, PASSWORD = "bench", "bench-secret"
HELO, FROM, TO = "client.example.test", "sender@example.test", "rcpt@example.test"
SMTP_SINK = "/usr/sbin/smtp-sink"


# ---- the delaying proxy ------------------------------------------------------------------------

class Connection:
    def __init__(self, accepted):
        self.accepted = accepted
        self.closed = None  # when the client closed its side
        self.chunks = []  # (arrival time, "c2s" | "s2c", bytes)

    def flights(self):
        count, last = 0, None
        for _, direction, _ in self.chunks:
            if direction != last:
                count, last = count + 1, direction
        return count


class DelayProxy:
    """127.0.0.1:<port> -> 127.0.0.1:<upstream>, DELAY each way, bytes in order."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.connections = []
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    def reset(self):
        self.connections = []

    async def _pump(self, reader, writer, connection, direction):
        queue = asyncio.Queue()

        async def forward():
            while True:
                at, data = await queue.get()
                await asyncio.sleep(max(0.0, at + DELAY - time.monotonic()))
                if data is None:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        forwarder = asyncio.ensure_future(forward())
        try:
            while True:
                data = await reader.read(65536)
                now = time.monotonic()
                if not data:
                    if direction == "c2s":
                        connection.closed = now
                    queue.put_nowait((now, None))
                    break
                connection.chunks.append((now, direction, data))
                queue.put_nowait((now, data))
            await forwarder
        except (ConnectionError, OSError):
            if direction == "c2s" and connection.closed is None:
                connection.closed = time.monotonic()
            forwarder.cancel()

    async def _session(self, client_reader, client_writer):
        connection = Connection(time.monotonic())
        self.connections.append(connection)
        client_writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.sleep(DELAY)  # the handshake's last leg reaches the server
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1",
                                                                         self.upstream)
        except OSError:
            client_writer.close()
            return
        server_writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(
            self._pump(client_reader, server_writer, connection, "c2s"),
            self._pump(server_reader, client_writer, connection, "s2c"))
        for writer in (client_writer, server_writer):
            writer.close()

    def measure(self):
        """(RTT by the wall, RTT by the flights of the longest connection) of the last run."""
        connections = [c for c in self.connections if c.closed is not None]
        if not connections:
            return None, None
        span = max(c.closed for c in connections) - min(c.accepted for c in connections)
        longest = max(connections, key=lambda c: c.closed - c.accepted)
        return 1 + span / RTT, 1.5 + longest.flights() / 2


# ---- the servers -------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, what):
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(what + " exited: " + proc.stderr.read().decode(errors="replace"))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(what + " did not listen on 127.0.0.1:%d" % port)


def start(argv, port, what):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_listening(port, proc, what)
    return proc


def make_certificate(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def aiosmtpd_peer(port, cert, key):
    """Run in a child process: aiosmtpd with STARTTLS and AUTH PLAIN/LOGIN, no PIPELINING."""
    import ssl
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=authenticator,
                            auth_require_tls=True, server_hostname="aiosmtpd.example.test")
    controller.start()
    threading.Event().wait()


# Debian's python3-aiosmtpd is importable by Debian's own interpreter, which need not be the one
# on PATH (a pyenv shim, a venv).
PEER_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def ensure_aiosmtpd():
    if subprocess.run([PEER_PYTHON, "-c", "import aiosmtpd"]).returncode == 0:
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "python3-aiosmtpd"],
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.run([PEER_PYTHON, "-c", "import aiosmtpd"]).returncode == 0


# ---- the clients -------------------------------------------------------------------------------

def smtpdoctor(binary, port, tls, cert):
    argv = [binary, "check", "127.0.0.1", "--port", "%d/%s" % (port, "submission" if tls else "mx"),
            "--offline", "--only", "tcp,banner,ehlo,tls,auth,envelope", "--helo", HELO,
            "--from", FROM, "--to", TO, "--json"]
    if tls:
        argv += ["--auth-user", USER, "--password-env", "BENCH_PASSWORD", "--ca-file", cert]
    return argv


def swaks(port, tls, pipeline):
    argv = ["swaks", "--server", "127.0.0.1", "--port", str(port), "--helo", HELO,
            "--from", FROM, "--to", TO, "--quit-after", "RCPT"]
    if tls:
        argv += ["--tls", "--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD]
    if pipeline:
        argv += ["--pipeline"]
    return argv


def measure(proxy, argv, runs):
    walls, flights = [], []
    env = dict(os.environ, BENCH_PASSWORD=PASSWORD)
    for _ in range(runs):
        proxy.reset()
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              timeout=60)
        time.sleep(0.1)  # the proxy sees the last close
        wall, flight = proxy.measure()
        if done.returncode not in (0, 1) or wall is None:
            sys.stderr.write("bench: %s exited %d: %s\n" % (argv[0], done.returncode,
                                                            done.stderr.decode()[-400:]))
            return None, None
        walls.append(wall)
        flights.append(flight)
    return statistics.median(walls), statistics.median(flights)


def main():
    binary = ARGS[0] if ARGS else os.path.join(HERE, "..", "build", "smtpdoctor")
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    directory = tempfile.mkdtemp(prefix="smtpdoctor-bench-rtt-")
    cert, key = make_certificate(directory)
    procs, paths = [], []
    try:
        if os.path.exists(SMTP_SINK):
            port = free_port()
            user = ["-u", "nobody"] if os.geteuid() == 0 else []
            procs.append(start([SMTP_SINK, *user, "127.0.0.1:%d" % port, "100"], port,
                               "smtp-sink"))
            paths.append(("plain dry run, smtp-sink (PIPELINING)", port, False, 4))
        else:
            print("(smtp-sink missing: apt-get install postfix)")
        port = free_port()
        procs.append(start([binary, "serve", "--port", str(port), "--cert", cert, "--key", key,
                            "--user", "%s:%s" % (USER, PASSWORD)], port, "smtpdoctor serve"))
        paths.append(("STARTTLS+AUTH+envelope, smtpdoctor serve (PIPELINING)", port, True, 8))
        if ensure_aiosmtpd():
            port = free_port()
            procs.append(start([PEER_PYTHON, os.path.abspath(__file__), "--aiosmtpd-peer",
                                str(port), cert, key], port, "aiosmtpd"))
            paths.append(("STARTTLS+AUTH+envelope, aiosmtpd (no PIPELINING)", port, True, 11))
        else:
            print("(aiosmtpd missing: apt-get install python3-aiosmtpd)")

        print("round trips on a 50 ms RTT link (delaying proxy on loopback, 25 ms each way), "
              "median of %d runs; ratio = smtpdoctor / swaks (below 1: fewer round trips)" % runs)
        print("%-56s %5s %11s %8s %6s %17s %6s" % ("path", "limit", "smtpdoctor", "swaks",
                                                    "ratio", "swaks --pipeline", "ratio"))
        for name, port, tls, limit in paths:
            proxy = DelayProxy(port)
            ours, ours_flights = measure(proxy, smtpdoctor(binary, proxy.port, tls, cert), runs)
            plain, _ = measure(proxy, swaks(proxy.port, tls, False), runs)
            piped, _ = measure(proxy, swaks(proxy.port, tls, True), runs)

            def cell(value):
                return "%.1f" % value if value is not None else "-"

            def ratio(other):
                return "%.2f" % (ours / other) if ours and other else "-"

            print("%-56s %5d %11s %8s %6s %17s %6s" % (
                name, limit, cell(ours) + (" (%g)" % ours_flights if ours_flights else ""),
                cell(plain), ratio(plain), cell(piped), ratio(piped)))
        print("(smtpdoctor: RTT by the wall, in brackets by the flights of its longest "
              "connection)")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=5)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    if "--aiosmtpd-peer" in sys.argv:
        at = sys.argv.index("--aiosmtpd-peer")
        aiosmtpd_peer(int(sys.argv[at + 1]), sys.argv[at + 2], sys.argv[at + 3])
    else:
        main()
