#!/usr/bin/env python3
"""Real mail clients against `smtpdoctor serve` on loopback: swaks (STARTTLS + AUTH + DATA),
curl (smtp:// with --ssl-reqd) and Python's smtplib (starttls + login + sendmail). Each time the
stored .eml, minus the Received: header the server adds, must equal what the client sent, and the
JSON sidecar must name the envelope."""

import os
import shutil
import smtplib
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_fixture import Serve, strip_received  # noqa: E402

# Lines that need dot-stuffing, a long-ish line, and 8-bit text.
BODY = (b"From: Sender <sender@client.test>\r\n"
        b"To: rcpt@example.test\r\n"
        b"Subject: smtpdoctor serve round trip\r\n"
        b"\r\n"
        b"First line.\r\n"
        b".\r\n"
        b"..two dots\r\n"
        b".leading dot\r\n"
        + b"x" * 900 + b"\r\n"
        b"caf\xc3\xa9\r\n")


class ServeWithRealClients(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="smtpdoctor-clients-")
        self.body_file = os.path.join(self.tmp, "message.eml")
        with open(self.body_file, "wb") as f:
            f.write(BODY)
        # swaks sends its --data followed by CRLF "." CRLF, so it gets the body without the last
        # line break (with it, swaks would send, and the server store, one more empty line).
        self.swaks_file = os.path.join(self.tmp, "swaks.eml")
        with open(self.swaks_file, "wb") as f:
            f.write(BODY[:-2])

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check_one_message(self, server, rcpt="rcpt@example.test", auth_user="alice"):
        server.wait_for_line(r"^smtpdoctor serve: message ")
        messages = server.stored_messages()
        self.assertEqual(len(messages), 1)
        eml, envelope = messages[0]
        self.assertEqual(strip_received(eml), BODY)
        self.assertEqual(envelope["from"], "sender@client.test")
        self.assertEqual(envelope["rcpts"], [rcpt])
        self.assertEqual(envelope["auth_user"], auth_user)
        self.assertTrue(envelope["tls"])
        self.assertEqual(envelope["size"], len(BODY))
        self.assertTrue(envelope["client"].startswith("127.0.0.1:"))

    def test_swaks_with_starttls_and_auth_stores_what_it_sent(self):
        if not shutil.which("swaks"):
            self.skipTest("swaks is not installed")
        with Serve("--user", "alice:s3cret", "--require-tls") as server:
            for mechanism in ("PLAIN", "LOGIN", "CRAM-MD5"):
                with self.subTest(mechanism=mechanism):
                    for name in os.listdir(server.store):
                        os.unlink(os.path.join(server.store, name))
                    server.lines[:] = server.lines[:1]
                    run = subprocess.run(
                        ["swaks", "--server", "127.0.0.1", "--port", str(server.port), "--tls",
                         "--auth", mechanism, "--auth-user", "alice", "--auth-password", "s3cret",
                         "--from", "sender@client.test", "--to", "rcpt@example.test",
                         "--helo", "swaks.test", "--data", self.swaks_file],
                        capture_output=True, text=True, timeout=60)
                    self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
                    self.assertIn("235 2.7.0", run.stdout)
                    self.check_one_message(server)

    def test_swaks_without_auth_is_refused_relaying(self):
        if not shutil.which("swaks"):
            self.skipTest("swaks is not installed")
        with Serve("--user", "alice:s3cret") as server:
            run = subprocess.run(
                ["swaks", "--server", "127.0.0.1", "--port", str(server.port), "--tls",
                 "--from", "sender@client.test", "--to", "someone@elsewhere.invalid",
                 "--data", self.body_file],
                capture_output=True, text=True, timeout=60)
            self.assertNotEqual(run.returncode, 0)
            self.assertIn("554 5.7.1", run.stdout)
            self.assertEqual(server.stored_messages(), [])

    def test_curl_smtp_with_ssl_reqd_stores_what_it_uploaded(self):
        if not shutil.which("curl"):
            self.skipTest("curl is not installed")
        with Serve("--user", "alice:s3cret") as server:
            run = subprocess.run(
                ["curl", "--silent", "--show-error", "--ssl-reqd", "-k",
                 "smtp://127.0.0.1:%d" % server.port, "--mail-from", "sender@client.test",
                 "--mail-rcpt", "rcpt@example.test", "--upload-file", self.body_file,
                 "--user", "alice:s3cret"],
                capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.check_one_message(server)

    def test_python_smtplib_starttls_login_sendmail(self):
        with Serve("--user", "alice:s3cret") as server:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the server's certificate is self-signed
            with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
                client.starttls(context=context)
                client.login("alice", "s3cret")
                refused = client.sendmail("sender@client.test", ["rcpt@example.test"], BODY)
                self.assertEqual(refused, {})
            self.check_one_message(server)

    def test_the_self_signed_certificate_names_localhost(self):
        with Serve(store=False) as server:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
                client.starttls(context=context)
                der = client.sock.getpeercert(binary_form=True)
            pem = ssl.DER_cert_to_PEM_cert(der)
            text = subprocess.run(["openssl", "x509", "-noout", "-text"], input=pem,
                                  capture_output=True, text=True).stdout
            self.assertIn("DNS:localhost", text)
            self.assertIn("IP Address:127.0.0.1", text)

    def test_cert_and_key_files_replace_the_self_signed_certificate(self):
        cert = os.path.join(self.tmp, "cert.pem")
        key = os.path.join(self.tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                        "/CN=given.example.test", "-keyout", key, "-out", cert],
                       check=True, capture_output=True, timeout=60)
        with Serve("--cert", cert, "--key", key, store=False) as server:
            context = ssl.create_default_context(cafile=cert)
            context.check_hostname = False  # the name is checked below, from the certificate
            with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
                client.starttls(context=context)  # verified against the given certificate
                subject = dict(x[0] for x in client.sock.getpeercert()["subject"])
            self.assertEqual(subject["commonName"], "given.example.test")

    def test_users_file_logins_work_and_wrong_passwords_do_not(self):
        users = os.path.join(self.tmp, "users")
        with open(users, "w") as f:
            f.write("# test accounts\nbob:b0b:pass\n")
        with Serve("--users-file", users, store=False) as server:
            context = ssl._create_unverified_context()
            with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
                client.starttls(context=context)
                with self.assertRaises(smtplib.SMTPAuthenticationError) as refused:
                    client.login("bob", "wrong")
                self.assertEqual(refused.exception.smtp_code, 535)
                self.assertEqual(client.login("bob", "b0b:pass")[0], 235)

    def test_json_events_name_each_stage_and_never_the_password(self):
        with Serve("--user", "alice:s3cret", json_events=True) as server:
            context = ssl._create_unverified_context()
            with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
                client.starttls(context=context)
                client.login("alice", "s3cret")
                client.sendmail("sender@client.test", ["rcpt@example.test"], BODY)
            server.wait_for_line(r'"event":"disconnect"')
            import json
            events = [json.loads(line) for line in server.lines]
            kinds = [e["event"] for e in events]
            self.assertEqual(kinds, ["listening", "connect", "auth", "message", "disconnect"])
            self.assertTrue(events[2]["ok"])
            self.assertEqual(events[3]["rcpts"], ["rcpt@example.test"])
            self.assertNotIn("s3cret", "\n".join(server.lines))


if __name__ == "__main__":
    unittest.main(verbosity=2)
