#!/usr/bin/env python3
"""`smtpdoctor serve` as a process: SIGTERM and SIGINT stop it with exit 0 (a transaction in
flight still completes), bad flags exit 2 with one clear line, and a port already taken exits 3."""

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_fixture import SMTPDOCTOR, Serve  # noqa: E402


class ServeAsAProcess(unittest.TestCase):
    def test_sigterm_and_sigint_exit_0(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig.name):
                server = Serve(store=False)
                with server:
                    with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
                        client.noop()
                    self.assertEqual(server.stop(sig), 0)

    def test_sigterm_lets_the_message_in_flight_finish(self):
        with Serve("--grace", "5s") as server:
            client = smtplib.SMTP("127.0.0.1", server.port, timeout=10)
            client.ehlo("client.test")
            self.assertEqual(client.mail("a@client.test")[0], 250)
            self.assertEqual(client.rcpt("b@localhost")[0], 250)
            server.proc.send_signal(signal.SIGTERM)
            # Still in the transaction: DATA goes through and is stored.
            code, _ = client.data(b"Subject: in flight\r\n\r\nstill here\r\n")
            self.assertEqual(code, 250)
            client.close()
            self.assertEqual(server.proc.wait(10), 0)
            self.assertEqual(len(server.stored_messages()), 1)

    def test_a_bad_fault_spec_is_a_usage_error(self):
        run = subprocess.run([SMTPDOCTOR, "serve", "--port", "0", "--fault", "explode"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 2)
        self.assertIn("unknown fault", run.stderr)
        self.assertEqual(run.stdout, "")

    def test_a_port_in_use_cannot_run(self):
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        try:
            run = subprocess.run(
                [SMTPDOCTOR, "serve", "--port", str(taken.getsockname()[1])],
                capture_output=True, text=True, timeout=30)
        finally:
            taken.close()
        self.assertEqual(run.returncode, 3)
        self.assertIn("cannot listen on 127.0.0.1:", run.stderr)

    def test_a_port_in_use_cannot_run_in_json_with_tool_and_version(self):
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        try:
            run = subprocess.run(
                [SMTPDOCTOR, "serve", "--json", "--port", str(taken.getsockname()[1])],
                capture_output=True, text=True, timeout=30)
        finally:
            taken.close()
        self.assertEqual(run.returncode, 3)
        lines = run.stdout.splitlines()
        self.assertEqual(len(lines), 1, run.stdout)  # one JSON document per line, as serve's events
        error = json.loads(lines[0])
        self.assertEqual(error["schema"], "smtpdoctor.error/1")
        self.assertEqual(error["tool"], "smtpdoctor")
        self.assertTrue(error["version"])
        self.assertEqual(error["error"], "cannot_run")
        self.assertIn("cannot listen on 127.0.0.1:", error["message"])
        self.assertEqual(error["exit_code"], 3)

    def test_faults_from_the_command_line_reach_clients(self):
        with Serve("--fault", "greylist=rcpt", "--fault", "tarpit=50ms", store=False) as server:
            with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
                client.ehlo("client.test")
                client.mail("a@client.test")
                code, text = client.rcpt("b@localhost")
                self.assertEqual(code, 451)
                self.assertIn(b"4.7.1", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
