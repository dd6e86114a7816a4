#!/usr/bin/env python3
"""`smtpdoctor check` against servers that misbehave on purpose (issue 13): each scripted on
127.0.0.1, each run with `--timeout 3`. Every case must end within 4 s with exit 1, the right
diagnosis and a peak RSS under 64 MiB: a greeting followed by more before anything was asked,
a connection closed in the middle of a multi-line reply, an EHLO reply of 100,000 lines, a reply
whose code changes between lines, 8-bit and invalid UTF-8 bytes in replies (never raw on the
terminal), an AUTH exchange that never ends, a TLS alert instead of a ServerHello and a TLS
handshake that drips one byte per second, and a certificate chain of 100 certificates."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import environment, probe, validate  # noqa: E402
from serve_fixture import SMTPDOCTOR  # noqa: E402
from peers.certs import TestCertificates  # noqa: E402

SANITIZED = os.environ.get("SMTPDOCTOR_SANITIZED") == "1"
# The bounds are for the binary users run. Sanitizer builds (CI's) carry shadow memory and
# allocator redzones and run several times slower, so there they are only checked loosely.
WALL_LIMIT_S = 6.0 if SANITIZED else 4.0
RSS_LIMIT_KIB = (256 if SANITIZED else 64) * 1024

EHLO_OK = b"250-hostile.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"


class Script:
    """One scenario: `run(sock, lines)` talks to one client; `lines` yields the client's lines."""

    def __init__(self, run):
        self.run = run


def lines_of(sock):
    f = sock.makefile("rb")
    for line in f:
        yield line.rstrip(b"\r\n")


def answer_until(sock, lines, verb, on_verb):
    """Greets normally, answers EHLO with EHLO_OK and the rest with 250, until `verb`."""
    sock.sendall(b"220 hostile.test ESMTP\r\n")
    for line in lines:
        word = line.split(b" ", 1)[0].upper()
        if word == verb:
            on_verb(line)
            return
        if word == b"EHLO":
            sock.sendall(EHLO_OK)
        elif word == b"QUIT":
            sock.sendall(b"221 bye\r\n")
            return
        else:
            sock.sendall(b"250 ok\r\n")


class HostileServer:
    def __init__(self, handler):
        self.handler = handler
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.closing = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closing:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(sock,), daemon=True).start()

    def serve(self, sock):
        try:
            self.handler(sock, lines_of(sock))
        except OSError:
            pass  # the client gave up on us: that is the point of most scenarios
        finally:
            sock.close()

    def close(self):
        self.closing = True
        self.listener.close()


def run_check(port, *args, fmt="json"):
    """(exit code, stdout bytes, wall seconds, peak RSS KiB) of one `check --timeout 3`."""
    argv = [SMTPDOCTOR, "check", "127.0.0.1:%d" % port, "--offline", "--timeout", "3",
            "--helo", "client.example.test", "--format", fmt, *args]
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=environment(SMTP_PASSWORD="pw"))
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    drain = threading.Thread(target=proc.stderr.read, daemon=True)  # never a full pipe
    drain.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        if proc.poll() is None:
            proc.kill()
    wall = time.monotonic() - start
    reader.join(5)
    drain.join(5)
    proc.stdout.close()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out[0] if out else b"", wall, usage.ru_maxrss


class HostileServersTest(unittest.TestCase):
    def run_scenario(self, handler, *args, fmt="json"):
        server = HostileServer(handler)
        try:
            code, out, wall, rss = run_check(server.port, *args, fmt=fmt)
        finally:
            server.close()
        print("%s: %.2f s, %d KiB peak" % (self.id().rsplit(".", 1)[-1], wall, rss),
              file=sys.stderr)
        self.assertEqual(code, 1, out[-2000:])
        self.assertLess(wall, WALL_LIMIT_S, "check took %.2f s" % wall)
        self.assertLess(rss, RSS_LIMIT_KIB, "check peaked at %d KiB" % rss)
        if fmt == "json":
            text = out.decode("utf-8")
            validate(text)
            return json.loads(text)
        return out

    def assert_root(self, report, probe_id, category, words):
        root = report["root_cause"]
        self.assertIsNotNone(root, report)
        self.assertEqual(root["probe"], probe_id, root)
        self.assertEqual(root["category"], category, root)
        failed = probe(report, probe_id)
        self.assertEqual(failed["status"], "fail")
        self.assertIn(words, json.dumps(failed), failed)
        return failed

    def test_a_greeting_followed_by_more_is_a_server_talking_out_of_turn(self):
        def flood(sock, lines):
            sock.sendall(b"220 hostile.test ESMTP\r\n" + b"250-unasked for\r\n" * 500 +
                         b"250 still talking\r\n")
            for _ in lines:
                sock.sendall(b"250-more\r\n" * 100)

        report = self.run_scenario(flood)
        self.assert_root(report, "banner", "protocol_violation", "talked out of turn")
        self.assertNotIn("malformed reply line", json.dumps(report))

    def test_a_connection_closed_in_the_middle_of_a_multi_line_reply(self):
        def half_ehlo(sock, lines):
            answer_until(sock, lines, b"EHLO",
                         lambda _: sock.sendall(b"250-hostile.test\r\n250-PIPELINING\r\n250-SIZ"))

        report = self.run_scenario(half_ehlo)
        self.assert_root(report, "ehlo", "protocol_violation",
                         "closed the connection in the middle of a reply, after 2 lines")

    def test_an_ehlo_reply_of_100000_lines_is_cut_off_at_the_limit(self):
        def endless_ehlo(sock, lines):
            def reply(_):
                sock.sendall(b"".join(b"250-X-LINE-%06d\r\n" % i for i in range(100_000)) +
                             b"250 end\r\n")
            answer_until(sock, lines, b"EHLO", reply)

        report = self.run_scenario(endless_ehlo)
        self.assert_root(report, "ehlo", "protocol_violation", "exceeds 256 lines")

    def test_a_reply_whose_code_changes_between_lines(self):
        def changing(sock, lines):
            answer_until(sock, lines, b"EHLO",
                         lambda _: sock.sendall(b"250-hostile.test\r\n251-odd\r\n250 end\r\n"))

        report = self.run_scenario(changing)
        self.assert_root(report, "ehlo", "protocol_violation", "reply code changed from 250")

    def test_an_auth_exchange_that_never_ends(self):
        def endless_auth(sock, lines):
            def challenge(_):
                sock.sendall(b"334 \r\n")
                for _ in lines:  # whatever the client says, even "*", ask again
                    sock.sendall(b"334 \r\n")
            answer_until(sock, lines, b"AUTH", challenge)

        report = self.run_scenario(endless_auth, "--auth-user", "alice", "--password-env",
                                   "SMTP_PASSWORD", "--allow-plaintext-auth", "--auth", "LOGIN",
                                   "--only", "tcp,banner,ehlo,auth")
        self.assert_root(report, "auth", "protocol_violation", "another AUTH step")

    def test_8_bit_and_invalid_utf8_bytes_reach_the_terminal_escaped(self):
        def latin1(sock, lines):
            sock.sendall(b"554 caf\xe9 \xff\xfe r\xc3\xa9ponse \x1b[2J\xc2\x9b \xe2\x80\xae end\r\n")
            for _ in lines:
                sock.sendall(b"503 no\r\n")

        out = self.run_scenario(latin1, fmt="human")
        out.decode("utf-8")  # the report as a whole is valid UTF-8
        for raw in (b"\xe9 ", b"\xff", b"\x1b[2J", b"\xc2\x9b", b"\xe2\x80\xae"):
            self.assertNotIn(raw, out)
        self.assertIn(b"caf\\xe9 \\xff\\xfe r\xc3\xa9ponse", out)  # valid UTF-8 stays readable

    def test_a_tls_alert_instead_of_a_server_hello(self):
        def alert(sock, lines):
            def starttls(_):
                sock.sendall(b"220 go ahead\r\n")
                sock.recv(4096)  # the ClientHello
                sock.sendall(b"\x15\x03\x03\x00\x02\x02\x28")  # fatal handshake_failure
            answer_until(sock, lines, b"STARTTLS", starttls)

        report = self.run_scenario(alert, "--only", "tcp,banner,ehlo,tls")
        self.assert_root(report, "tls", "tls_failure", "handshake")

    def test_a_tls_handshake_that_drips_one_byte_per_second(self):
        def drip(sock, lines):
            def starttls(_):
                sock.sendall(b"220 go ahead\r\n")
                sock.recv(4096)
                for byte in b"\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03" * 10:
                    sock.sendall(bytes([byte]))
                    time.sleep(1)
            answer_until(sock, lines, b"STARTTLS", starttls)

        report = self.run_scenario(drip, "--only", "tcp,banner,ehlo,tls")
        self.assert_root(report, "tls", "tls_failure", "3 s")

    def test_a_chain_of_100_certificates_from_an_unknown_issuer(self):
        directory = tempfile.mkdtemp(prefix="smtpdoctor-chain-")
        self.addCleanup(shutil.rmtree, directory, True)
        certs = TestCertificates(directory)
        certs.create()
        chain = os.path.join(directory, "chain-of-100.crt")
        with open(chain, "w") as out, open(certs.cert_file) as leaf, open(certs.ca_file) as ca:
            out.write(leaf.read() + ca.read() * 99)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, certs.key_file)

        def long_chain(sock, lines):
            def starttls(_):
                sock.sendall(b"220 go ahead\r\n")
                with context.wrap_socket(sock, server_side=True) as tls:
                    tls.recv(1)  # the client gives up on the certificate
            answer_until(sock, lines, b"STARTTLS", starttls)

        report = self.run_scenario(long_chain, "--only", "tcp,banner,ehlo,tls")
        self.assert_root(report, "tls", "cert_invalid", "certificate")


if __name__ == "__main__":
    unittest.main()
