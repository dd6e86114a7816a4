"""--deadline and Ctrl-C reach every step of `check`, not only the SMTP sessions: here the run is
stuck in the POP3 credential comparison, against a POP3 server that drips its greeting one byte
a second, after an SMTP server refused the login. The run must still end on time, with a report
of what finished. Everything listens on 127.0.0.1 high ports."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from check_common import SMTPDOCTOR, environment, HELO  # noqa: E402


class Peer:
    """A listening socket whose every connection is served by `talk(conn)` on a thread."""

    def __init__(self, talk):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.talk = talk
        self.stopped = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        try:
            self.talk(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stopped = True
        self.sock.close()


def smtp_refusing_login(conn):
    f = conn.makefile("rb")
    conn.sendall(b"220 mx.example.test ESMTP\r\n")
    for line in f:
        verb = line.split(b" ")[0].strip().upper()
        if verb == b"EHLO":
            conn.sendall(b"250-mx.example.test\r\n250 AUTH PLAIN LOGIN\r\n")
        elif verb == b"AUTH":
            conn.sendall(b"535 5.7.8 Authentication credentials invalid\r\n")
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"250 ok\r\n")


def pop3_dripping(conn):
    for byte in b"+OK POP3 ready, slowly\r\n":
        conn.sendall(bytes([byte]))
        time.sleep(1)


class CheckStops(unittest.TestCase):
    def setUp(self):
        self.smtp = Peer(smtp_refusing_login)
        self.pop = Peer(pop3_dripping)

    def tearDown(self):
        self.smtp.close()
        self.pop.close()

    def start(self, *extra):
        argv = [SMTPDOCTOR, "check", "127.0.0.1", "--port", str(self.smtp.port), "--offline",
                "--helo", HELO, "--auth-user", "alice", "--password-env", "PW",
                "--allow-plaintext-auth", "--pop", "pop3://127.0.0.1:%d" % self.pop.port,
                "--timeout", "30s", "--json", *extra]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=environment(PW="wrong"))

    def assert_report_of_what_finished(self, out):
        report = json.loads(out)
        auth = [p for p in report["probes"] if p["id"] == "auth"]
        self.assertTrue(auth, out[:2000])
        self.assertEqual(auth[0]["status"], "fail")  # the SMTP login, finished before the stop
        return report

    def test_deadline_ends_a_pop3_login_that_drips(self):
        started = time.monotonic()
        proc = self.start("--deadline", "3s")
        out, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - started
        # 3 s, the grace for steps to wind down, and process start-up on a busy machine.
        self.assertLess(elapsed, 4.0, err)
        self.assertGreater(elapsed, 2.5, err)
        self.assert_report_of_what_finished(out)

    def test_ctrl_c_ends_a_pop3_login_that_drips_with_exit_130(self):
        proc = self.start()
        time.sleep(2.0)  # the SMTP login is refused at once; the POP3 greeting is dripping
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertLess(time.monotonic() - sent, 1.0, err)
        self.assertEqual(proc.returncode, 130, err)
        report = self.assert_report_of_what_finished(out)
        self.assertEqual(report["verdict"]["status"] if isinstance(report["verdict"], dict)
                         else report["verdict"], "error")


if __name__ == "__main__":
    unittest.main()
