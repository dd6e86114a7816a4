#!/usr/bin/env python3
"""The POP3/IMAP login client (core/mail_login_client) and the credential comparison
(probes/credentials_probe) through tests/tools/mxpath_tool against the Dovecot + Postfix fixtures:
Alice (one password everywhere) logs in over STLS/STARTTLS and implicit TLS with the test CA
verified; wrong passwords are refused with the server's words; Bob's mailbox password is not his
SMTP password, which the comparison names credentials_differ_from_pop after a real SMTP AUTH
against Postfix; secrets never reach the transcript.
Usage: mxpath_login_test.py PATH/TO/mxpath_tool (ctest passes it)."""

import os
import socket
import threading
import time
import unittest

import mxpath_common as common
from mxpath_common import categories, run_tool
from peers.dovecot import ALICE, BOB  # noqa: E402
from peers.postfix import MailStack  # noqa: E402
from peers.testing import PeerTestCase, needs_system_daemons  # noqa: E402

PASSWORD_VAR = "MXPATH_TEST_PASSWORD"


def env_with(password):
    env = dict(os.environ)
    env[PASSWORD_VAR] = password
    return env


@needs_system_daemons()
class MailLoginTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.mail = MailStack()
        cls.start_peer(cls.mail)
        cls.dovecot = cls.mail.dovecot
        cls.ca = cls.mail.certs.ca_file

    def login(self, protocol, port, user, password, *extra):
        return run_tool("login", protocol, "--host", "127.0.0.1", "--port", port, "--ca-file",
                        self.ca, "--user", user.address if hasattr(user, "address") else user,
                        "--password-env", PASSWORD_VAR, *extra, env=env_with(password))

    def test_alice_logs_in_over_stls_starttls_and_implicit_tls_with_a_verified_certificate(self):
        d = self.dovecot
        for protocol, port, mode, method in (
                ("pop3", d.pop3_port, "starttls", "AUTH PLAIN"),
                ("pop3", d.pop3s_port, "implicit", "AUTH PLAIN"),
                ("imap", d.imap_port, "starttls", "LOGIN"),
                ("imap", d.imaps_port, "implicit", "LOGIN")):
            with self.subTest(protocol=protocol, mode=mode):
                out = self.login(protocol, port, ALICE, ALICE.password, "--tls", mode)
                self.assertEqual(out["outcome"], "ok", out)
                self.assertEqual(out["method"], method)
                self.assertTrue(out["tls"].startswith("TLSv1."))
                self.assertTrue(out["tls_verified"])
                self.assertNotIn(ALICE.password, out["transcript"])
                self.assertIn("********", out["transcript"])

    def test_a_wrong_password_is_rejected_with_the_servers_words_at_once(self):
        for protocol, port in (("pop3", self.dovecot.pop3_port), ("imap", self.dovecot.imap_port)):
            with self.subTest(protocol=protocol):
                started = time.monotonic()
                out = self.login(protocol, port, ALICE, "not-the-password")
                self.assertLess(time.monotonic() - started, 5)
                self.assertEqual(out["outcome"], "rejected")
                self.assertIn("Authentication failed", out["server_text"])
                self.assertIn(out["response_code"], ("AUTH", "AUTHENTICATIONFAILED"))
                self.assertFalse(out["temporary"])
                self.assertNotIn("not-the-password", out["transcript"])

    def test_imap_quotes_what_it_can_and_uses_authenticate_plain_for_the_rest(self):
        port = self.dovecot.imap_port
        quoted = self.login("imap", port, ALICE, 'wrong "quoted" \\ password')
        self.assertEqual((quoted["outcome"], quoted["method"]), ("rejected", "LOGIN"), quoted)
        # 8-bit octets would need an IMAP literal, which we never send: AUTHENTICATE PLAIN then.
        eight_bit = self.login("imap", port, ALICE, "wr\u00f6ng")
        self.assertEqual((eight_bit["outcome"], eight_bit["method"]),
                         ("rejected", "AUTHENTICATE PLAIN"), eight_bit)
        self.assertNotIn("wr\u00f6ng", eight_bit["transcript"])

    def test_bobs_mailbox_accepts_his_pop_password_and_refuses_his_smtp_password(self):
        for protocol, port in (("pop3", self.dovecot.pop3_port), ("imap", self.dovecot.imap_port)):
            with self.subTest(protocol=protocol):
                self.assertEqual(self.login(protocol, port, BOB, BOB.password)["outcome"], "ok")
                self.assertEqual(self.login(protocol, port, BOB, BOB.smtp_password)["outcome"],
                                 "rejected")

    def test_an_untrusted_certificate_is_an_error_not_a_rejection(self):
        out = run_tool("login", "pop3", "--host", "127.0.0.1", "--port", self.dovecot.pop3s_port,
                       "--tls", "implicit", "--user", ALICE.address, "--password-env", PASSWORD_VAR,
                       env=env_with(ALICE.password))
        self.assertEqual(out["outcome"], "error")
        self.assertEqual(out["error_kind"], "tls")
        self.assertNotIn(ALICE.password, out["transcript"])

    def test_smtp_refusing_what_pop_and_imap_accept_is_credentials_differ_from_pop(self):
        # Bob's POP/IMAP password, tried first with a real SMTP AUTH on Postfix (which refuses
        # it: his SMTP password is another one), then on POP3 and IMAP at once.
        out = run_tool("compare", "--smtp-server",
                       "127.0.0.1:%d" % self.mail.postfix.submission_port,
                       "--pop", "pop3s://127.0.0.1:%d" % self.dovecot.pop3s_port,
                       "--imap", "127.0.0.1:%d" % self.dovecot.imap_port, "--ca-file", self.ca,
                       "--user", BOB.address, "--password-env", PASSWORD_VAR,
                       env=env_with(BOB.password))
        self.assertNotEqual(out["smtp"], "ok")
        (result,) = out["results"]
        self.assertEqual(result["status"], "fail")
        self.assertEqual(categories(result), ["credentials_differ_from_pop"])
        self.assertEqual(result["summary"],
                         "SMTP AUTH refused the credentials that POP3 and IMAP accepted")
        self.assertEqual([login["outcome"] for login in result["details"]["mailbox_logins"]],
                         ["ok", "ok"])

    def test_a_password_everyone_refuses_is_auth_failed(self):
        out = run_tool("compare", "--smtp-server",
                       "127.0.0.1:%d" % self.mail.postfix.submission_port,
                       "--pop", "pop3s://127.0.0.1:%d" % self.dovecot.pop3s_port, "--ca-file", self.ca,
                       "--user", ALICE.address, "--password-env", PASSWORD_VAR,
                       env=env_with("wrong-everywhere"))
        (result,) = out["results"]
        self.assertEqual(categories(result), ["auth_failed"])
        self.assertIn("full e-mail address", result["diagnoses"][0]["fix"])

    def test_a_password_smtp_accepts_needs_no_comparison(self):
        out = run_tool("compare", "--smtp-server",
                       "127.0.0.1:%d" % self.mail.postfix.submission_port,
                       "--pop", "pop3s://127.0.0.1:%d" % self.dovecot.pop3s_port, "--ca-file", self.ca,
                       "--user", ALICE.address, "--password-env", PASSWORD_VAR,
                       env=env_with(ALICE.password))
        self.assertEqual(out["smtp"], "ok")
        (result,) = out["results"]
        self.assertEqual((result["status"], result["diagnoses"]), ("ok", []))

    def test_postfix_does_not_use_pop_before_smtp(self):
        out = run_tool("pop-before-smtp", "--smtp-server",
                       "127.0.0.1:%d" % self.mail.postfix.submission_port,
                       "--pop", "pop3s://127.0.0.1:%d" % self.dovecot.pop3s_port, "--ca-file", self.ca,
                       "--from", ALICE.address, "--to", "someone@relay-test.invalid",
                       "--user", ALICE.address, "--password-env", PASSWORD_VAR,
                       env=env_with(ALICE.password))
        self.assertEqual((out["refused_before"], out["accepted_after"]), (True, False), out)
        self.assertFalse(out["pop_before_smtp"])


class HostilePeerTest(unittest.TestCase):
    """Bad peers get a bounded answer: a server that never greets, one that sends an endless
    line, one that is not POP3 at all."""

    def serve(self, behaviour):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        self.addCleanup(listener.close)

        def run():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                behaviour(conn)
        threading.Thread(target=run, daemon=True).start()
        return listener.getsockname()[1]

    def login(self, port, protocol="pop3"):
        return run_tool("login", protocol, "--host", "127.0.0.1", "--port", port, "--tls",
                        "starttls", "--timeout-ms", "700", "--user", "u", "--password-env",
                        PASSWORD_VAR, env=env_with("secret-xyz"))

    def test_a_server_that_never_greets_times_out(self):
        port = self.serve(lambda conn: time.sleep(3))
        started = time.monotonic()
        out = self.login(port)
        self.assertLess(time.monotonic() - started, 2.5)
        self.assertEqual((out["outcome"], out["error_kind"]), ("error", "timeout"))

    def test_an_endless_line_is_a_protocol_error(self):
        def flood(conn):
            try:
                for _ in range(100):
                    conn.sendall(b"+OK " + b"x" * 4096)
            except OSError:
                pass
        out = self.login(self.serve(flood))
        self.assertEqual((out["outcome"], out["error_kind"]), ("error", "protocol"))

    def test_a_server_without_stls_does_not_get_the_password_in_clear(self):
        received = []

        def no_tls(conn):
            conn.sendall(b"+OK ready\r\n")
            conn.settimeout(2)
            try:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        return
                    received.append(data)
                    if data.startswith(b"CAPA"):
                        conn.sendall(b"+OK\r\nUSER\r\n.\r\n")
            except OSError:
                pass
        out = self.login(self.serve(no_tls))
        self.assertEqual((out["outcome"], out["error_kind"]), ("error", "unsupported"))
        self.assertNotIn(b"secret-xyz", b"".join(received))

    def test_an_imap_server_speaking_nonsense_is_a_protocol_error(self):
        port = self.serve(lambda conn: conn.sendall(b"220 this is SMTP\r\n") or time.sleep(1))
        out = self.login(port, "imap")
        self.assertEqual(out["outcome"], "error")
        self.assertIn("refused the session", out["error"])


if __name__ == "__main__":
    common.take_tool_from_argv()
    unittest.main(verbosity=2)
