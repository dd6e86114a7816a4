#!/usr/bin/env python3
"""`smtpdoctor check` against a real Exim 4 (tests/peers/exim.py) on a loopback high port: what a
user of an Exim server meets — relaying refused without login, a wrong password, an unknown local
user — comes out as the one root cause with the fix to apply, in Exim's own words; and a healthy
server with a working login is OK in every output format."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import HELO, categories, check, probe, run  # noqa: E402
from peers.exim import ALICE, FOREIGN, UNKNOWN_LOCAL, Exim, why_unavailable  # noqa: E402
from peers.testing import PeerTestCase, main  # noqa: E402

PASSWORD_VARIABLE = "CHECK_PW"


def section(report, first_line_pattern):
    """The lines of a human report from the one matching `first_line_pattern` up to the next
    line indented as little or less (the next block or probe)."""
    lines = report.splitlines()
    for start, line in enumerate(lines):
        if re.search(first_line_pattern, line):
            indent = len(line) - len(line.lstrip())
            block = [line]
            for following in lines[start + 1:]:
                if following.strip() and len(following) - len(following.lstrip()) <= indent:
                    break
                block.append(following)
            return "\n".join(block)
    raise AssertionError("no line matching %r in:\n%s" % (first_line_pattern, report))


@unittest.skipIf(why_unavailable() is not None, why_unavailable() or "")
class CheckAgainstEximTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exim = cls.start_peer(Exim())
        cls.target = "127.0.0.1:%d" % cls.exim.submission_port

    def login(self, password):
        return (["--auth-user", ALICE.address, "--password-env", PASSWORD_VARIABLE],
                {PASSWORD_VARIABLE: password})

    def check_json(self, *args, password=None):
        login, env = self.login(password) if password is not None else ([], None)
        return check(self.target, "--ca-file", self.exim.certs.ca_file, *args, *login, env=env)

    def check_format(self, output_format, *args, password=None):
        login, env = self.login(password) if password is not None else ([], None)
        return run(["check", self.target, "--offline", "--helo", HELO, "--ca-file",
                    self.exim.certs.ca_file, "--format", output_format, *args, *login], env=env)

    def test_a_foreign_recipient_without_login_says_to_log_in(self):
        code, report = self.check_json("--to", FOREIGN)
        self.assertEqual(code, 1)
        self.assertEqual(report["verdict"], "fail")
        root = report["root_cause"]
        self.assertEqual(root["probe"], "envelope")
        self.assertIn(root["category"], ("relay_denied", "auth_required"))
        self.assertIn("Log in", root["fix"])
        self.assertIn("550 relay not permitted", root["summary"])
        self.assertNotIn("recipient_unknown", categories(probe(report, "envelope")))

        code, human, err = self.check_format("human", "--to", FOREIGN)
        root_block = section(human, r"^Root cause")
        self.assertIn("550 relay not permitted", root_block)
        self.assertIn("(%s)" % root["category"], root_block)
        self.assertIn("fix  Log in", root_block)

    def test_a_wrong_password_is_the_root_cause_and_the_envelope_follows_from_it(self):
        code, report = self.check_json("--to", FOREIGN, password="not-the-password")
        self.assertEqual(code, 1)
        self.assertEqual(report["root_cause"]["probe"], "auth")
        self.assertEqual(report["root_cause"]["category"], "auth_failed")
        auth = probe(report, "auth")
        self.assertIn("535 Incorrect authentication data", auth["summary"])
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "fail")
        self.assertEqual(envelope["consequence_of"], "auth")

        code, human, err = self.check_format("human", "--to", FOREIGN,
                                             password="not-the-password")
        self.assertIn("auth_failed", section(human, r"^Root cause"))
        envelope_block = section(human, r"^\s+✗ envelope")
        self.assertIn("follows from auth", envelope_block)
        self.assertNotRegex(envelope_block, r"(?m)^\s+fix\s")
        self.assertNotIn("not-the-password", human + str(report))

    def test_the_right_password_lets_a_foreign_recipient_through_the_dry_run(self):
        code, report = self.check_json("--to", FOREIGN, password=ALICE.password)
        self.assertEqual(code, 0, report["root_cause"])
        self.assertEqual(report["verdict"], "ok")
        self.assertIn("logged in as " + ALICE.address, probe(report, "auth")["summary"])
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "ok")
        self.assertEqual([(r["address"], r["accepted"]) for r in envelope["details"]["recipients"]],
                         [(FOREIGN, True)])

    def test_an_unknown_local_user_is_recipient_unknown_even_after_login(self):
        code, report = self.check_json("--to", UNKNOWN_LOCAL, password=ALICE.password)
        self.assertEqual(code, 1)
        self.assertEqual(probe(report, "auth")["status"], "ok")
        self.assertEqual(report["root_cause"]["category"], "recipient_unknown")
        self.assertIn("550 Unrouteable address", report["root_cause"]["summary"])

    def test_a_sender_exim_cannot_verify_is_sender_rejected_though_refused_at_rcpt(self):
        # Exim verifies the sender during RCPT, and its reply holds "Unrouteable address" too.
        code, report = self.check_json("--from", UNKNOWN_LOCAL, "--to", ALICE.address)
        self.assertEqual(code, 1)
        self.assertEqual(report["root_cause"]["category"], "sender_rejected")
        self.assertIn("Sender verify failed", report["root_cause"]["summary"])
        self.assertNotIn("recipient_unknown", categories(probe(report, "envelope")))

    def test_both_authenticators_work(self):
        code, report = self.check_json("--auth-all", password=ALICE.password)
        tried = probe(report, "auth")["details"]["mechanisms_tried"]
        self.assertEqual(tried.get("PLAIN"), "works", tried)
        self.assertEqual(tried.get("LOGIN"), "works", tried)

    def test_pipeconnect_is_explained_in_plain_words(self):
        code, report = self.check_json()
        capabilities = probe(report, "ehlo")["details"]
        if "PIPECONNECT" not in str(capabilities):
            self.skipTest("this Exim does not advertise PIPECONNECT")
        code, human, err = self.check_format("human")
        meaning = section(human, r"^\s+PIPECONNECT\s")
        self.assertNotIn("unknown", meaning.lower())
        self.assertIn("EHLO", meaning)

    def test_a_healthy_server_with_a_working_login_is_ok_in_every_format(self):
        login = ("--to", FOREIGN)
        code, human, err = self.check_format("human", *login, password=ALICE.password)
        self.assertEqual(code, 0, human + err)
        self.assertRegex(human, r"(?m)^Result: ok\b")
        code, report = self.check_json(*login, password=ALICE.password)
        self.assertEqual((code, report["verdict"], report["root_cause"]), (0, "ok", None))
        code, nagios, err = self.check_format("nagios", *login, password=ALICE.password)
        self.assertEqual(code, 0, nagios + err)
        self.assertTrue(nagios.startswith("SMTP OK"), nagios)
        code, metrics, err = self.check_format("openmetrics", *login, password=ALICE.password)
        self.assertEqual(code, 0, metrics + err)
        self.assertIn('smtpdoctor_check_success{target="%s"} 1' % self.target, metrics)
        # 0 ok or 3 skipped (internet and dns, --offline and an IP target): nothing warned.
        statuses = re.findall(r'(?m)^smtpdoctor_probe_status\{.*probe="(\w+)"\} (\d)$', metrics)
        self.assertEqual({probe_id for probe_id, status in statuses if status not in "03"},
                         set(), metrics)
        self.assertIn(("envelope", "0"), statuses)
        self.assertTrue(metrics.endswith("# EOF\n"), metrics[-200:])


if __name__ == "__main__":
    main()
