#!/usr/bin/env python3
"""`smtpdoctor serve` as a process: SIGTERM and SIGINT stop it with exit 0 (a transaction in
flight still completes), bad flags exit 2 with one clear line, and a port already taken exits 3;
under SIGKILL amid concurrent sessions every message acknowledged with 250 is on disk, with both
store modes (group commit and one fsync per message)."""

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
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

    def test_every_acknowledged_message_survives_kill_9_under_concurrent_sessions(self):
        for mode in ("group", "each"):
            with self.subTest(store_sync=mode):
                server = Serve("--store-sync", mode)
                with server:
                    acknowledged = {}  # message id -> the body's marker
                    lock = threading.Lock()
                    errors = []

                    def sender(worker):
                        try:
                            client = smtplib.SMTP("127.0.0.1", server.port, timeout=10)
                            client.ehlo("client.test")
                            for n in range(10000):
                                marker = "worker %d message %d" % (worker, n)
                                body = ("Subject: %s\r\n\r\n%s\r\n" % (marker, marker * 40))
                                # Raises unless the 250 came; data() below records its id.
                                client.sendmail("a@client.test", ["b@localhost"], body)
                        except (smtplib.SMTPException, OSError):
                            return  # the kill: the message in flight was never acknowledged
                        errors.append("worker %d sent all its messages before the kill" % worker)

                    threads = []
                    # smtplib's sendmail hides the 250's text: wrap data() to record each id.
                    original_data = smtplib.SMTP.data

                    def data(client, msg):
                        code, text = original_data(client, msg)
                        if code == 250:
                            message_id = text.decode().rsplit(" ", 1)[-1]
                            marker = msg.split(b"\r\n", 1)[0].decode()[len("Subject: "):]
                            with lock:
                                acknowledged[message_id] = marker
                        return code, text

                    smtplib.SMTP.data = data
                    try:
                        for worker in range(8):
                            threads.append(threading.Thread(target=sender, args=(worker,)))
                            threads[-1].start()
                        deadline = time.monotonic() + 20
                        while len(acknowledged) < 40 and time.monotonic() < deadline:
                            time.sleep(0.01)
                        server.proc.send_signal(signal.SIGKILL)
                        server.proc.wait(10)
                        for t in threads:
                            t.join(20)
                    finally:
                        smtplib.SMTP.data = original_data
                    self.assertEqual(errors, [])
                    self.assertGreaterEqual(len(acknowledged), 40)
                    for message_id, marker in acknowledged.items():
                        eml = os.path.join(server.store, message_id + ".eml")
                        with open(eml, "rb") as f:
                            content = f.read()
                        self.assertIn(("Subject: %s\r\n" % marker).encode(), content, eml)
                        self.assertTrue(content.endswith((marker * 40 + "\r\n").encode()), eml)
                        with open(os.path.join(server.store, message_id + ".json")) as f:
                            self.assertEqual(json.load(f)["id"], message_id)

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
