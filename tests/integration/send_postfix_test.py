#!/usr/bin/env python3
"""`smtpdoctor send` against real Postfix + Dovecot SASL (tests/peers) on loopback high ports:
a refused send is explained by the knowledge base the way `check` explains it — a "why … (category)"
and a "fix" line for people, a `diagnosis` object in --json (and one per refused recipient) — and
the JSON transcript has the same shape as the report's."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import HELO, run  # noqa: E402
from peers.dovecot import ALICE, BOB  # noqa: E402
from peers.postfix import FOREIGN, UNKNOWN_LOCAL, MailStack  # noqa: E402
from peers.testing import PeerTestCase, main, needs_system_daemons  # noqa: E402


@needs_system_daemons()
class SendExplainsRefusalsTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.mail = MailStack()
        cls.start_peer(cls.mail)
        cls.postfix = cls.mail.postfix

    def send(self, *args, json_output=False, password=None):
        argv = ["send", "-s", "127.0.0.1:%d" % self.postfix.submission_port, "--ca-file",
                self.mail.certs.ca_file, "--helo", HELO, "-f", ALICE.address, *args]
        env = None
        if password is not None:
            argv += ["--password-env", "SEND_PW"]
            env = {"SEND_PW": password}
        if json_output:
            argv.append("--json")
        code, out, err = run(argv, env=env)
        return code, (json.loads(out) if json_output else out), err

    def test_a_foreign_recipient_without_login_is_explained_as_relay_denied(self):
        code, out, err = self.send("-t", FOREIGN)
        self.assertEqual(code, 1, out + err)
        self.assertIn("recipient refused: " + FOREIGN, out)
        self.assertRegex(out, r"why  [^\n]*(\n       [^\n]*)*\(relay_denied\)")
        self.assertIn("fix  ", out)

        code, doc, err = self.send("-t", FOREIGN, json_output=True)
        self.assertEqual(code, 1)
        self.assertEqual(doc["diagnosis"]["category"], "relay_denied", doc["diagnosis"])
        self.assertEqual(doc["diagnosis"]["stage"], "rcpt")
        self.assertTrue(doc["diagnosis"]["fix"])
        refused = doc["envelope"]["recipients"][0]
        self.assertFalse(refused["accepted"])
        self.assertEqual(refused["diagnosis"]["category"], "relay_denied")

    def test_a_wrong_password_is_explained_as_auth_failed(self):
        code, out, err = self.send("-t", BOB.address, "--auth-user", ALICE.address,
                                   password="not-the-password")
        self.assertEqual(code, 1, out + err)
        self.assertIn("(auth_failed)", out)
        self.assertNotIn("not-the-password", out + err)
        code, doc, err = self.send("-t", BOB.address, "--auth-user", ALICE.address,
                                   password="not-the-password", json_output=True)
        self.assertEqual(doc["diagnosis"]["category"], "auth_failed", doc["diagnosis"])
        self.assertEqual(doc["error"]["kind"], "rejected")
        self.assertNotIn("not-the-password", json.dumps(doc))

    def test_one_unknown_recipient_among_good_ones_is_explained_and_the_message_goes(self):
        code, out, err = self.send("-t", UNKNOWN_LOCAL, "-t", BOB.address, "--auth-user",
                                   ALICE.address, password=ALICE.smtp_password)
        self.assertEqual(code, 0, out + err)
        self.assertIn("recipient refused: " + UNKNOWN_LOCAL, out)
        self.assertIn("(recipient_unknown)", out)
        self.assertIn("accepted: 250", out)

        code, doc, err = self.send("-t", UNKNOWN_LOCAL, "-t", BOB.address, "--auth-user",
                                   ALICE.address, password=ALICE.smtp_password, json_output=True)
        self.assertTrue(doc["accepted"])
        self.assertIsNone(doc["diagnosis"])  # the message went: nothing stopped the send
        by_address = {r["address"]: r for r in doc["envelope"]["recipients"]}
        self.assertEqual(by_address[UNKNOWN_LOCAL]["diagnosis"]["category"], "recipient_unknown")
        self.assertIsNone(by_address[BOB.address]["diagnosis"])

    def test_an_accepted_send_has_no_diagnosis_and_the_report_shaped_transcript(self):
        code, doc, err = self.send("-t", BOB.address, "--auth-user", ALICE.address,
                                   password=ALICE.smtp_password, json_output=True)
        self.assertEqual(code, 0, err)
        self.assertIsNone(doc["diagnosis"])
        lines = doc["transcript"]
        self.assertTrue(lines)
        for line in lines:
            self.assertEqual(set(line), {"at", "direction", "tls", "stage", "text"}, line)
            self.assertIn(line["direction"], ("sent", "received", "error", "info"))
        # The password never enters the transcript: the AUTH line is redacted.
        auth = [line["text"] for line in lines if line["text"].startswith("AUTH")]
        self.assertTrue(auth, lines)
        self.assertTrue(any(line["tls"] for line in lines), "STARTTLS was used")
        self.assertNotIn(ALICE.smtp_password, json.dumps(doc))


if __name__ == "__main__":
    main()
