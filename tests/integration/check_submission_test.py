#!/usr/bin/env python3
"""`check --submission user@domain` (issue 15): the outgoing server found from RFC 6186 SRV
records, or from the usual names when there are none (and the report says so), then checked,
and the "Settings for your mail program" block from what actually worked.

dnsmasq (tests/peers/dns.py) serves the zone with records of this test's own; `smtpdoctor serve`
plays the provider's server on two loopback high ports, STARTTLS and implicit TLS, with a
certificate for the names found. Only 127.0.0.1."""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import check, probe, run  # noqa: E402
from peers import ports  # noqa: E402
from peers.certs import TestCertificates  # noqa: E402
from peers.dns import DnsServer  # noqa: E402
from serve_fixture import Serve  # noqa: E402

SRV_DOMAIN = "srv-submission.test"          # both SRV records, priority 0, on smtp.<domain>
SRV_HOST = "smtp." + SRV_DOMAIN
BACKUP_DOMAIN = "srv-backup.test"           # STARTTLS at priority 0, implicit TLS at 10
BACKUP_HOST = "out." + BACKUP_DOMAIN
USUAL_DOMAIN = "usual-names.test"           # no SRV; only mail.<domain> exists
USUAL_HOST = "mail." + USUAL_DOMAIN
NOT_OFFERED_DOMAIN = "srv-none.test"        # SRV target "." for both services
NOTHING_DOMAIN = "nothing-here.test"        # no SRV, no usual name
PASSWORD = "s3cret-submission"


class SubmissionDiscoveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="smtpdoctor-submission-")
        cls.certs = TestCertificates(cls.dir, names=(SRV_HOST, BACKUP_HOST, USUAL_HOST)).create()
        cls.tls_port = ports.free_port()
        cls.server = Serve("--cert", cls.certs.cert_file, "--key", cls.certs.key_file,
                           "--tls-listen", str(cls.tls_port), "--user", "alice@%s:%s" %
                           (SRV_DOMAIN, PASSWORD), "--require-tls", store=False)
        cls.starttls_port = cls.server.port
        records = [
            "--srv-host=_submissions._tcp.%s,%s,%d,0,1" % (SRV_DOMAIN, SRV_HOST, cls.tls_port),
            "--srv-host=_submission._tcp.%s,%s,%d,0,1" % (SRV_DOMAIN, SRV_HOST,
                                                          cls.starttls_port),
            "--host-record=%s,127.0.0.1" % SRV_HOST,
            "--srv-host=_submission._tcp.%s,%s,%d,0,1" % (BACKUP_DOMAIN, BACKUP_HOST,
                                                          cls.starttls_port),
            "--srv-host=_submissions._tcp.%s,%s,%d,10,1" % (BACKUP_DOMAIN, BACKUP_HOST,
                                                            cls.tls_port),
            "--host-record=%s,127.0.0.1" % BACKUP_HOST,
            "--host-record=%s,127.0.0.1" % USUAL_HOST,
            "--srv-host=_submissions._tcp.%s" % NOT_OFFERED_DOMAIN,
            "--srv-host=_submission._tcp.%s" % NOT_OFFERED_DOMAIN,
        ]
        cls.dns = DnsServer(extra_options=records)
        cls.dns.start()

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()
        cls.server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def check(self, target, *args, env=None):
        return check("--submission", target, "--dns-server", self.dns.address, "--ca-file",
                     self.certs.ca_file, *args, env=env)

    def login(self):
        return ("--auth-user", "alice@" + SRV_DOMAIN, "--password-env", "SUBMIT_PW")

    def test_srv_records_find_both_servers_implicit_tls_first_and_the_login_works(self):
        code, report = self.check("alice@" + SRV_DOMAIN, *self.login(),
                                  env={"SUBMIT_PW": PASSWORD})
        self.assertEqual(code, 0, report)
        dns = [p for p in report["probes"] if p["id"] == "dns"][0]
        self.assertIn("from SRV records", dns["summary"])
        found = dns["details"]["submission_servers"]
        self.assertEqual([(f["port"], f["security"]) for f in found],
                         [(self.tls_port, "SSL/TLS"), (self.starttls_port, "STARTTLS")])
        # Both servers were checked, each on its own port only: no 25, 465 or 587.
        checked = sorted({p["port"] for p in report["probes"] if p["id"] == "tcp"})
        self.assertEqual(checked, sorted([self.tls_port, self.starttls_port]))
        settings = report["mail_program_settings"]
        self.assertTrue(settings["found"], settings)
        self.assertEqual((settings["server"], settings["port"], settings["security"]),
                         (SRV_HOST, self.tls_port, "SSL/TLS"))
        self.assertTrue(settings["login_tested"])
        self.assertEqual(settings["user_name"], "alice@" + SRV_DOMAIN)
        self.assertEqual(settings["found_by"], "SRV record _submissions._tcp." + SRV_DOMAIN)

    def test_the_human_report_ends_with_the_settings_block(self):
        code, out, err = run(["check", "--submission", "alice@" + SRV_DOMAIN, "--offline",
                              "--dns-server", self.dns.address, "--ca-file", self.certs.ca_file,
                              *self.login()], env={"SUBMIT_PW": PASSWORD})
        self.assertEqual(code, 0, out + err)
        block = out[out.index("Settings for your mail program"):]
        self.assertRegex(block, r"server\s+%s\n" % SRV_HOST)
        self.assertRegex(block, r"port\s+%d\n" % self.tls_port)
        self.assertRegex(block, r"security\s+SSL/TLS\n")
        self.assertRegex(block, r"user name\s+alice@%s \(logged in\)" % SRV_DOMAIN)
        self.assertNotIn(PASSWORD, out + err)

    def test_priority_wins_over_implicit_tls_and_a_wrong_password_is_not_recommended(self):
        code, report = self.check("bob@" + BACKUP_DOMAIN)
        dns = [p for p in report["probes"] if p["id"] == "dns"][0]
        found = dns["details"]["submission_servers"]
        self.assertEqual([f["security"] for f in found], ["STARTTLS", "SSL/TLS"])
        settings = report["mail_program_settings"]
        self.assertEqual((settings["port"], settings["security"]),
                         (self.starttls_port, "STARTTLS"))
        self.assertFalse(settings["login_tested"])
        self.assertIn("not tested", settings["note"])

        # A login refused everywhere: nothing is recommended, and the root cause is the password.
        code, report = self.check("alice@" + BACKUP_DOMAIN, "--auth-user", "alice@" + SRV_DOMAIN,
                                  "--password-env", "SUBMIT_PW", env={"SUBMIT_PW": "wrong"})
        self.assertEqual(code, 1)
        self.assertFalse(report["mail_program_settings"]["found"])
        self.assertEqual(report["root_cause"]["category"], "auth_failed", report["root_cause"])

    def test_without_srv_the_usual_names_are_tried_and_the_report_says_so(self):
        code, report = self.check("carol@" + USUAL_DOMAIN, "--ports",
                                  "%d/submissions,%d/submission" % (self.tls_port,
                                                                    self.starttls_port))
        self.assertEqual(code, 0, report)
        dns = [p for p in report["probes"] if p["id"] == "dns"][0]
        self.assertIn("no SRV records", dns["summary"])
        self.assertIn("usual names", dns["summary"])
        hosts = {f["host"] for f in dns["details"]["submission_servers"]}
        self.assertEqual(hosts, {USUAL_HOST})  # smtp.<domain> does not exist: not tried
        self.assertTrue(any("RFC 6186" in n for n in dns["details"]["notes"]))
        settings = report["mail_program_settings"]
        self.assertEqual((settings["server"], settings["security"]), (USUAL_HOST, "SSL/TLS"))
        self.assertEqual(settings["found_by"], "the usual name %s (no SRV records)" % USUAL_HOST)
        # The address is the user's own: the dry run's sender, not a recipient to relay to.
        envelope = probe(report, "envelope", port=self.tls_port)
        self.assertEqual(envelope["details"]["from"], "carol@" + USUAL_DOMAIN)
        self.assertEqual(envelope["details"].get("recipients", []), [])

    def test_a_domain_with_no_server_at_all_is_diagnosed(self):
        for domain, words in ((NOTHING_DOMAIN, "none of the usual names exists"),
                              (NOT_OFFERED_DOMAIN, "offers no submission service")):
            with self.subTest(domain=domain):
                code, report = self.check("dave@" + domain)
                self.assertEqual(code, 1, report)
                dns = [p for p in report["probes"] if p["id"] == "dns"][0]
                self.assertEqual(dns["status"], "fail")
                self.assertIn(words, dns["summary"])
                self.assertEqual(report["root_cause"]["category"], "dns_failure")
                self.assertIn("SRV", report["root_cause"]["fix"])
                self.assertFalse(report["mail_program_settings"]["found"])
                tcp = [p for p in report["probes"] if p["id"] == "tcp"]
                self.assertTrue(tcp and all(p["status"] == "skip" for p in tcp), tcp)

    def test_submission_wants_a_domain(self):
        for target in ("127.0.0.1", SRV_HOST + ":587"):
            code, out, err = run(["check", "--submission", target, "--offline"])
            self.assertEqual(code, 2, out + err)
            self.assertIn("--submission", err)


if __name__ == "__main__":
    unittest.main()
