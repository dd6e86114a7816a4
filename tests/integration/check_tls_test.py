#!/usr/bin/env python3
"""`smtpdoctor check` against servers whose TLS is wrong in one way each: a certificate that has
expired, is not valid yet, names another host, or comes from an issuer nobody trusts, and a
server that speaks only TLS 1.0. On an implicit-TLS port and on a STARTTLS port alike, the tls
probe fails with the reason in words and the knowledge base's diagnosis, the probes that need
TLS are skipped with that reason, and the run exits 1. --tls-sni names the host the certificate
is checked against. The servers are `smtpdoctor serve` with certificates from the test CA
(tests/peers/certs.py) and, for TLS 1.0, a small Python `ssl` server. Only 127.0.0.1."""

import json
import os
import shutil
import ssl
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import SOURCE_DIR, categories, check, probe, run  # noqa: E402
from serve_fixture import Serve  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests"))
from peers.certs import DAY, TestCertificates  # noqa: E402
from peers.legacy_tls import LegacyTlsServer  # noqa: E402

NAME = "mx.smtpdoctor.test"


class Certificates:
    """The test CA and one certificate per way of being wrong, made once for the module."""
    made = None

    @classmethod
    def get(cls):
        if cls.made is None:
            directory = tempfile.mkdtemp(prefix="smtpdoctor-check-tls-")
            certs = TestCertificates(directory).create()
            certs.good = (certs.cert_file, certs.key_file)
            certs.expired = certs.issue("expired", valid_from=-60 * DAY, valid_until=-DAY)
            certs.not_yet_valid = certs.issue("future", valid_from=30 * DAY,
                                              valid_until=90 * DAY)
            # For the name only, not for 127.0.0.1.
            certs.name_only = certs.issue("name-only", dns_names=(NAME,), ip_addresses=())
            certs.expired_name_only = certs.issue("expired-name-only", dns_names=(NAME,),
                                                  ip_addresses=(), valid_from=-60 * DAY,
                                                  valid_until=-DAY)
            certs.self_signed_pair = certs.self_signed("self-signed")
            cls.made = certs
        return cls.made

    @classmethod
    def remove(cls):
        if cls.made is not None:
            shutil.rmtree(cls.made.dir, ignore_errors=True)
            cls.made = None


def tearDownModule():
    Certificates.remove()


class ServeBoth(Serve):
    """`smtpdoctor serve` with one certificate on a STARTTLS port (.port) and an implicit-TLS
    port (.tls_port)."""

    def __init__(self, cert_and_key, *args):
        cert, key = cert_and_key
        super().__init__("--tls-listen", "127.0.0.1:0", "--cert", cert, "--key", key, *args,
                         store=False, json_events=True)
        line = self.wait_for_line(r'"tls":\s*"implicit"')
        self.tls_port = json.loads(line)["port"]


def implicit(port, *args):
    return ("127.0.0.1", "--port", str(port), "--tls-on-connect",
            "--ca-file", Certificates.get().ca_file, *args)


def starttls(port, *args):
    return ("127.0.0.1", "--port", str(port), "--ca-file", Certificates.get().ca_file, *args)


class TlsFailureAssertions(unittest.TestCase):
    def assert_tls_failed(self, code, report, category, reason, mode):
        """The tls probe failed with `reason` and `category` from the knowledge base; nothing
        after it ran; the run exits 1."""
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "fail", tls)
        self.assertEqual(tls["details"]["mode"], mode)
        self.assertIn(reason, tls["summary"])
        self.assertIn(category, categories(tls), tls)
        # The diagnosis is the knowledge base's, with its cause and fix.
        for diagnosis in tls["diagnoses"]:
            self.assertTrue(diagnosis["cause"] and diagnosis["fix"] and diagnosis["rule"])
        for later in ("auth", "envelope"):
            skipped = probe(report, later)
            self.assertEqual(skipped["status"], "skip", skipped)
            self.assertIn(reason, skipped["skip_reason"])
        if mode == "implicit":  # nothing to greet before TLS
            for before in ("banner", "ehlo"):
                self.assertEqual(probe(report, before)["status"], "skip")
                self.assertIn("TLS handshake failed", probe(report, before)["skip_reason"])
        self.assertEqual(probe(report, "tcp")["status"], "ok")
        self.assertEqual(report["verdict"], "fail")
        self.assertEqual(code, 1)
        return tls


class BadCertificateTest(TlsFailureAssertions):
    """Each bad certificate, on the implicit-TLS port and on the STARTTLS port of one server."""

    def check_both(self, cert_and_key, category, reason, rule, *args):
        with ServeBoth(cert_and_key) as server:
            for mode, target in (("implicit", implicit(server.tls_port, *args)),
                                 ("starttls", starttls(server.port, *args))):
                with self.subTest(mode=mode):
                    code, report = check(*target)
                    tls = self.assert_tls_failed(code, report, category, reason, mode)
                    self.assertIn(rule, [d["rule"] for d in tls["diagnoses"]])
                    self.assertFalse(tls["details"]["verified"])

    def test_an_expired_certificate_fails_tls_with_the_expiry(self):
        self.check_both(Certificates.get().expired, "cert_invalid", "the certificate expired on",
                        "x509-expired")

    def test_a_certificate_not_yet_valid_fails_tls_saying_so(self):
        self.check_both(Certificates.get().not_yet_valid, "cert_invalid",
                        "the certificate is not valid before", "x509-not-yet-valid")

    def test_a_certificate_for_another_name_fails_tls_naming_the_name_checked(self):
        self.check_both(Certificates.get().name_only, "cert_invalid",
                        ", not 127.0.0.1", "x509-ip-address-mismatch")

    def test_a_self_signed_certificate_fails_tls(self):
        self.check_both(Certificates.get().self_signed_pair, "cert_invalid",
                        "the certificate is self-signed", "x509-self-signed")

    def test_a_certificate_from_an_unknown_issuer_fails_tls(self):
        # The server's certificate is fine, but the CA file given trusts another issuer.
        certs = Certificates.get()
        with ServeBoth(certs.good) as server:
            for mode, port in (("implicit", server.tls_port), ("starttls", server.port)):
                with self.subTest(mode=mode):
                    args = ["127.0.0.1", "--port", str(port), "--ca-file",
                            certs.self_signed_pair[0]]
                    if mode == "implicit":
                        args.append("--tls-on-connect")
                    code, report = check(*args)
                    tls = self.assert_tls_failed(code, report, "cert_invalid", "the issuer is not trusted",
                                                 mode)
                    self.assertIn("x509-unknown-issuer", [d["rule"] for d in tls["diagnoses"]])
                    # Its consequence (the signature cannot be checked) adds nothing.
                    self.assertNotIn("unable to verify the first certificate", tls["summary"])

    def test_the_human_report_of_a_failed_handshake_is_no_success(self):
        with ServeBoth(Certificates.get().expired) as server:
            code, out, err = run(["check", *implicit(server.tls_port), "--offline",
                                  "--helo", "client.example.test"])
        self.assertEqual(code, 1, out + err)
        self.assertNotIn("Result: ok", out)
        self.assertIn("the certificate expired on", out)
        self.assertRegex(out, r"(?m)^\s*✗ tls\b.*the certificate expired on")
        self.assertRegex(out, r"1 failed")

    def test_without_the_tls_probe_a_failed_handshake_still_fails_the_banner(self):
        # The user asked only for the greeting; on implicit TLS it never comes because the
        # handshake failed, which must not pass as "skipped" with exit 0.
        with ServeBoth(Certificates.get().expired) as server:
            for selection in (("--only", "tcp,banner"), ("--quit-after", "banner")):
                with self.subTest(selection=selection):
                    code, report = check(*implicit(server.tls_port, *selection))
                    banner = probe(report, "banner")
                    self.assertEqual(banner["status"], "fail", banner)
                    self.assertIn("the certificate expired on", banner["summary"])
                    self.assertIn("cert_invalid", categories(banner))
                    self.assertEqual(report["verdict"], "fail")
                    self.assertEqual(code, 1)

    def test_insecure_goes_on_past_an_expired_certificate_and_says_why(self):
        with ServeBoth(Certificates.get().expired) as server:
            for mode, target in (("implicit", implicit(server.tls_port, "--insecure")),
                                 ("starttls", starttls(server.port, "--insecure"))):
                with self.subTest(mode=mode):
                    code, report = check(*target)
                    tls = probe(report, "tls")
                    self.assertEqual(tls["status"], "warn", tls)
                    self.assertIn("not verified: the certificate expired on",
                                  tls["summary"].lower())
                    self.assertIn("cert_invalid", categories(tls))
                    # The session went on: the greeting and EHLO came inside TLS.
                    self.assertEqual(probe(report, "ehlo")["status"], "ok")
                    self.assertNotEqual(probe(report, "auth")["status"], "skip")
                    self.assertEqual(code, 0, report)


class OldTlsVersionTest(TlsFailureAssertions):
    def test_a_server_offering_only_tls_1_0_fails_tls_on_both_kinds_of_port(self):
        for mode in ("implicit", "starttls"):
            with self.subTest(mode=mode), \
                    LegacyTlsServer(Certificates.get().good, implicit=mode == "implicit",
                                    version=ssl.TLSVersion.TLSv1) as server:
                target = implicit(server.port) if mode == "implicit" else starttls(server.port)
                code, report = check(*target)
                tls = self.assert_tls_failed(
                    code, report, "tls_failure",
                    "the server offers only TLS 1.0, which current clients refuse; enable TLS 1.2 "
                    "or 1.3 on the server", mode)
                self.assertIn("finding-tls-version-too-old",
                              [d["rule"] for d in tls["diagnoses"]])
                # Only the second connection, which asks for the version, got through.
                self.assertEqual(server.handshakes, ["TLSv1"])


class TlsSniTest(TlsFailureAssertions):
    """--tls-sni NAME: the certificate is checked against NAME, not the address dialled."""

    def test_a_certificate_for_the_sni_name_verifies_when_checking_an_address(self):
        # --require-tls: no warning about mail taken before STARTTLS.
        with ServeBoth(Certificates.get().name_only, "--require-tls") as server:
            for mode, target in (("implicit", implicit(server.tls_port, "--tls-sni", NAME)),
                                 ("starttls", starttls(server.port, "--tls-sni", NAME))):
                with self.subTest(mode=mode):
                    code, report = check(*target)
                    tls = probe(report, "tls")
                    self.assertEqual(tls["status"], "ok", tls)
                    self.assertTrue(tls["details"]["verified"])
                    self.assertEqual(tls["details"]["verify_host"], NAME)
                    self.assertEqual(tls["details"]["sni"], NAME)
                    self.assertEqual(code, 0, report)

    def test_an_expired_certificate_for_the_sni_name_shows_the_expiry(self):
        with ServeBoth(Certificates.get().expired_name_only) as server:
            code, report = check(*implicit(server.tls_port, "--tls-sni", NAME))
            tls = self.assert_tls_failed(code, report, "cert_invalid", "the certificate expired on",
                                         "implicit")
            self.assertNotIn("issued for", tls["summary"])
            self.assertTrue(tls["details"]["hostname_match"])

    def test_expired_and_for_another_name_shows_the_expiry_first_and_the_name_too(self):
        with ServeBoth(Certificates.get().expired_name_only) as server:
            for mode, target in (("implicit", implicit(server.tls_port)),
                                 ("starttls", starttls(server.port))):
                with self.subTest(mode=mode):
                    code, report = check(*target)
                    tls = self.assert_tls_failed(code, report, "cert_invalid",
                                                 "the certificate expired on", mode)
                    self.assertIn(", not 127.0.0.1", tls["summary"])
                    self.assertLess(tls["summary"].index("the certificate expired on"),
                                    tls["summary"].index("issued for"))
                    self.assertEqual([d["rule"] for d in tls["diagnoses"]], ["x509-expired"])

    def test_send_verifies_against_the_sni_name_too(self):
        certs = Certificates.get()
        with ServeBoth(certs.name_only) as server:
            common = ["send", "--server", "127.0.0.1:%d" % server.port, "--tls", "--ca-file",
                      certs.ca_file, "--from", "alice@example.test", "--to", "bob@example.test",
                      "--helo", "client.example.test"]
            code, out, err = run(common + ["--tls-sni", NAME])
            self.assertEqual(code, 0, out + err)
            code, out, err = run(common)
            self.assertEqual(code, 1, out + err)
            self.assertIn(", not 127.0.0.1", out + err)


if __name__ == "__main__":
    unittest.main()
