#!/usr/bin/env python3
"""The TLS failure matrix (issue 13): one server per way TLS can be wrong, each on a STARTTLS
port and an implicit-TLS port. Without --insecure, `check` fails the tls probe with the right
category and the reason in plain words, and exits 1; with --insecure it goes on and every format
(human, JSON, Nagios, OpenMetrics) says "not verified: <the reason>".

Certificates a real Postfix serves (tests/peers/postfix.py, one listener pair per certificate):
expired, not yet valid, issued for another name, self-signed, signed by an intermediate the
server does not send, expired and for another name at once. What OpenSSL 3 servers refuse to
offer comes from a small Python server (tests/peers/legacy_tls.py): a 1024-bit RSA key, only
TLS 1.0, only TLS 1.1. Only 127.0.0.1."""

import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import HELO, categories, check, probe, run  # noqa: E402
from peers.certs import DAY, TestCertificates  # noqa: E402
from peers.legacy_tls import LegacyTlsServer  # noqa: E402
from peers.postfix import MailStack  # noqa: E402
from peers.testing import PeerTestCase, main, needs_system_daemons  # noqa: E402

NAME = "mx.smtpdoctor.test"
OTHER = "other.smtpdoctor.test"


def certificate_time(cert_file, which):
    """The certificate's notBefore/notAfter as the report writes it: "2026-01-01 00:00:00 UTC"."""
    out = subprocess.run(["openssl", "x509", "-in", cert_file, "-noout", "-" + which],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    when = ssl.cert_time_to_seconds(out.split("=", 1)[1].strip())
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(when))


class Matrix(PeerTestCase):
    """Asserts one row: category, exit code and the reason, then --insecure in every format."""

    def assert_row(self, port, mode, category, reason, *args):
        target = ["127.0.0.1", "--port", str(port), "--ca-file", self.certs.ca_file, *args]
        if mode == "implicit":
            target.append("--tls-on-connect")
        with self.subTest(mode=mode, insecure=False):
            code, report = check(*target)
            tls = probe(report, "tls")
            self.assertEqual(tls["status"], "fail", tls)
            self.assertEqual(tls["details"]["mode"], mode)
            self.assertIn(reason, tls["summary"])
            self.assertIn(category, categories(tls), tls)
            self.assertEqual(probe(report, "auth")["status"], "skip")
            self.assertEqual(report["verdict"], "fail")
            self.assertEqual(code, 1)
        insecure = target + ["--insecure"]
        said = ("not verified: " + reason).lower()
        with self.subTest(mode=mode, insecure=True, format="json"):
            code, report = check(*insecure)
            tls = probe(report, "tls")
            self.assertEqual(tls["status"], "warn", tls)
            self.assertIn(said, tls["summary"].lower())
            self.assertEqual(tls["details"]["verify_problem"][:len(reason)], reason)
            self.assertFalse(tls["details"]["verified"])
            self.assertIn(category, categories(tls), tls)
            # The session went on inside TLS.
            self.assertEqual(probe(report, "ehlo")["status"], "ok")
            self.assertNotEqual(probe(report, "auth")["status"], "skip")
        for name, extra in (("human", []), ("nagios", ["--format", "nagios"]),
                            ("openmetrics", ["--format", "openmetrics"])):
            with self.subTest(mode=mode, insecure=True, format=name):
                code, out, err = run(["check", *insecure, "--offline", "--helo", HELO, *extra])
                self.assertIn(said, out.lower(), out + err)
                if name == "human":
                    self.assertRegex(out, r"(?mi)^\s*! tls\b.*not verified: " + re.escape(reason))
                if name == "nagios":
                    self.assertTrue(out.startswith("SMTP WARNING - "), out)
                    self.assertEqual(code, 1)  # Nagios WARNING
                if name == "openmetrics":
                    self.assertRegex(out, r'(?m)^smtpdoctor_tls_verified\{[^}]*problem="not '
                                     r'verified: ' + re.escape(reason) + r'[^"]*"\} 0$')


@needs_system_daemons()
class PostfixCertificateMatrixTest(Matrix):
    """Bad certificates on a real Postfix, STARTTLS and implicit TLS (smtpd_tls_wrappermode)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="smtpdoctor-tls-matrix-")
        os.chmod(cls.dir, 0o755)
        certs = cls.certs = TestCertificates(cls.dir).create()
        listeners = {
            "expired": certs.issue("expired", valid_from=-60 * DAY, valid_until=-DAY),
            "future": certs.issue("future", valid_from=30 * DAY, valid_until=90 * DAY),
            "other-name": certs.issue("other-name", dns_names=(OTHER,), ip_addresses=()),
            "self-signed": certs.self_signed("self-signed"),
            "no-intermediate": certs.issued_by_intermediate("no-intermediate")[:2],
            "expired-other-name": certs.issue("expired-other-name", dns_names=(OTHER,),
                                              ip_addresses=(), valid_from=-60 * DAY,
                                              valid_until=-DAY),
        }
        cls.files = listeners
        cls.mail = MailStack(tls_listeners=listeners)
        cls.start_peer(cls.mail)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def both(self, label, category, reason, *args):
        starttls, implicit = self.mail.postfix.tls_ports[label]
        self.assert_row(starttls, "starttls", category, reason, *args)
        self.assert_row(implicit, "implicit", category, reason, *args)

    def test_expired_says_when(self):
        when = certificate_time(self.files["expired"][0], "enddate")
        self.both("expired", "cert_invalid", "the certificate expired on " + when)

    def test_not_yet_valid_says_from_when(self):
        when = certificate_time(self.files["future"][0], "startdate")
        self.both("future", "cert_invalid", "the certificate is not valid before " + when)

    def test_wrong_host_name_says_which_names_it_is_issued_for(self):
        self.both("other-name", "cert_invalid",
                  "the certificate is issued for %s, not %s" % (OTHER, NAME), "--tls-sni", NAME)

    def test_self_signed(self):
        self.both("self-signed", "cert_invalid", "the certificate is self-signed")

    def test_a_missing_intermediate_says_the_chain_is_incomplete(self):
        self.both("no-intermediate", "cert_invalid",
                  "the issuer is not trusted or the chain is incomplete: "
                  "CN=smtpdoctor test intermediate,O=smtpdoctor tests is not a CA this client "
                  "trusts, and the server does not send the intermediate certificate")

    def test_expired_and_for_another_name_says_both(self):
        when = certificate_time(self.files["expired-other-name"][0], "enddate")
        self.both("expired-other-name", "cert_invalid",
                  "the certificate expired on %s; also, the certificate is issued for %s, "
                  "not 127.0.0.1" % (when, OTHER))

    def test_tls_sni_with_an_address_verifies_the_name_given(self):
        # The certificate names only OTHER: dialled by address, --tls-sni names the server.
        for port in self.mail.postfix.tls_ports["other-name"]:
            mode = "implicit" if port == self.mail.postfix.tls_ports["other-name"][1] else None
            args = ["127.0.0.1", "--port", str(port), "--ca-file", self.certs.ca_file,
                    "--tls-sni", OTHER] + (["--tls-on-connect"] if mode else [])
            code, report = check(*args)
            tls = probe(report, "tls")
            self.assertTrue(tls["details"]["verified"], tls)
            self.assertEqual(tls["details"]["verify_host"], OTHER)
            self.assertEqual(tls["details"]["sni"], OTHER)

    def test_tls_verify_name_overrides_the_sni_name_and_the_host(self):
        starttls, _ = self.mail.postfix.tls_ports["other-name"]
        common = ["127.0.0.1", "--port", str(starttls), "--ca-file", self.certs.ca_file,
                  "--tls-sni", NAME]
        code, report = check(*common, "--tls-verify-name", OTHER)
        tls = probe(report, "tls")
        self.assertTrue(tls["details"]["verified"], tls)
        self.assertEqual(tls["details"]["verify_host"], OTHER)
        self.assertEqual(tls["details"]["sni"], NAME)  # SNI still sends what --tls-sni says
        code, report = check(*common, "--tls-verify-name", "third.smtpdoctor.test")
        tls = probe(report, "tls")
        self.assertIn("issued for %s, not third.smtpdoctor.test" % OTHER, tls["summary"])
        self.assertEqual(code, 1)

    def test_send_verifies_the_tls_verify_name_too(self):
        # `send` takes the same three names: it dials an address, sends NAME in SNI, and the
        # certificate (for OTHER only) must carry the name --tls-verify-name gives.
        starttls, _ = self.mail.postfix.tls_ports["other-name"]
        common = ["send", "-s", "127.0.0.1:%d" % starttls, "--ca-file", self.certs.ca_file,
                  "--helo", HELO, "--tls", "--tls-sni", NAME, "-f", "alice@smtpdoctor.test",
                  "-t", "bob@smtpdoctor.test"]
        code, out, err = run(common + ["--tls-verify-name", OTHER])
        self.assertIn("certificate verified", out, out + err)
        code, out, err = run(common + ["--tls-verify-name", "third.smtpdoctor.test"])
        self.assertNotEqual(code, 0, out + err)
        self.assertIn("issued for %s, not third.smtpdoctor.test" % OTHER, out + err)
        self.assertNotIn("certificate verified", out)


class LegacyServerMatrixTest(Matrix):
    """What OpenSSL 3 servers will not offer: a Python ssl server at security level 0."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="smtpdoctor-tls-legacy-")
        cls.certs = TestCertificates(cls.dir).create()
        cls.small = cls.certs.rsa_1024("rsa-1024")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def both(self, cert_and_key, version, category, reason):
        for mode in ("starttls", "implicit"):
            with LegacyTlsServer(cert_and_key, implicit=mode == "implicit",
                                 version=version) as server:
                self.assert_row(server.port, mode, category, reason)

    def test_a_1024_bit_rsa_key_is_too_small(self):
        self.both(self.small, None, "cert_invalid",
                  "the server's certificate has a 1024-bit RSA key, too small")

    def test_only_tls_1_0(self):
        self.both((self.certs.cert_file, self.certs.key_file), ssl.TLSVersion.TLSv1,
                  "tls_failure", "the server offers only TLS 1.0, which current clients "
                  "refuse; enable TLS 1.2 or 1.3 on the server")

    def test_only_tls_1_1(self):
        self.both((self.certs.cert_file, self.certs.key_file), ssl.TLSVersion.TLSv1_1,
                  "tls_failure", "the server offers only TLS 1.1, which current clients "
                  "refuse; enable TLS 1.2 or 1.3 on the server")


if __name__ == "__main__":
    main()
