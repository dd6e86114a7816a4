#!/usr/bin/env python3
"""--proxy (issue 14): `check` and `send` through real proxies started here on loopback high
ports (tests/peers/proxies.py): Dante as a SOCKS5 proxy, without and with a username/password
login (socks5://, socks5h:// and socks4a://), and tinyproxy for HTTP CONNECT. The servers are
`smtpdoctor serve` on 127.0.0.1 (STARTTLS, implicit TLS, plain, each with AUTH); the proxies
listen on 127.0.0.2, so a TLS check against the proxy's address instead of the target's fails.
The proxy's own failures are diagnoses of category proxy_failure, never the target's. Only
loopback is contacted (--offline, which still allows the named proxy)."""

import json
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import SOURCE_DIR, check, probe, run  # noqa: E402
from check_faults_test import serve, trusted  # noqa: E402
from serve_fixture import Serve  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests"))
from peers import ports  # noqa: E402
from peers.certs import TestCertificates  # noqa: E402,F401
from peers.proxies import (SOCKS_PASSWORD, SOCKS_USER, Dante, Tinyproxy,  # noqa: E402
                           can_create_login_user, have_dante, have_tinyproxy)

PASSWORD_ENV = {"CHECK_PW": "s3cret"}


def tls_server():
    """STARTTLS on one port, implicit TLS on another, AUTH only inside TLS."""
    server = serve("--user", "alice:s3cret", "--require-tls", "--tls-listen", "127.0.0.1:0")
    line = server.wait_for_line(r'"tls": ?"implicit"')
    server.tls_port = json.loads(line)["port"]
    return server


def login_check(server, *extra, env=None):
    """Both ports of tls_server(), logging in as alice, through whatever `extra` names."""
    ports_arg = "%d/submission,%d/submissions" % (server.port, server.tls_port)
    return check(*trusted(server.port, "--ports", ports_arg, "--auth-user", "alice",
                          "--password-env", "CHECK_PW", "--to", "bob@example.test", *extra),
                 env=dict(PASSWORD_ENV, **(env or {})))


def categories(result):
    return [d["category"] for d in result["diagnoses"]]


def rules(result):
    return [d["rule"] for d in result["diagnoses"]]


class ProxyAssertions(unittest.TestCase):
    def assert_all_ok(self, report, proxy_url):
        self.assertEqual(report["verdict"], "ok", json.dumps(report, indent=1)[:3000])
        self.assertEqual(report["options"]["proxy"], proxy_url)
        for result in report["probes"]:
            if result["id"] in ("internet", "dns"):
                continue
            # The target is 127.0.0.1: the mail-domain policies (MTA-STS, TLS-RPT) have no
            # domain to look up, and say so.
            if result["status"] == "skip" and "not a mail domain" in result["skip_reason"]:
                continue
            self.assertEqual(result["status"], "ok", result)
        for result in report["probes"]:
            if result["id"] == "tls":
                self.assertTrue(result["details"]["verified"], result)
            if result["id"] == "tcp":
                self.assertEqual(result["details"]["proxy"], proxy_url)
            if result["id"] == "auth":
                self.assertIn("logged in as alice", result["summary"])

    def assert_proxy_failure(self, report, rule, *words):
        """The tcp probe failed with the proxy's diagnosis `rule`, and no target diagnosis."""
        tcp = probe(report, "tcp")
        self.assertEqual(tcp["status"], "fail", tcp)
        self.assertEqual(categories(tcp), ["proxy_failure"], tcp)
        self.assertEqual(rules(tcp), [rule], tcp)
        self.assertEqual(report["root_cause"]["category"], "proxy_failure")
        text = tcp["summary"] + " " + tcp["diagnoses"][0]["cause"]
        for word in words:
            self.assertIn(word, text)
        for d in report["diagnoses"]:
            self.assertNotIn(d["category"], ("port_blocked", "connection_refused"), d)
        return tcp


@unittest.skipUnless(have_dante(), "dante-server (danted) is not installed")
class SocksProxyTest(ProxyAssertions):
    def test_check_through_socks_passes_starttls_and_implicit_tls_with_a_login(self):
        with tls_server() as server, Dante() as proxy:
            for scheme in ("socks5", "socks5h", "socks4a"):
                with self.subTest(scheme=scheme):
                    url = proxy.url(scheme)
                    code, report = login_check(server, "--proxy", url)
                    self.assertEqual(code, 0, report)
                    self.assert_all_ok(report, url)

    def test_check_through_socks_passes_on_a_plaintext_port_with_a_login(self):
        with serve("--user", "alice:s3cret", "--hide", "STARTTLS") as server, Dante() as proxy:
            code, report = check(*trusted(server.port, "--auth-user", "alice", "--password-env",
                                          "CHECK_PW", "--allow-plaintext-auth", "--proxy",
                                          proxy.url()), env=PASSWORD_ENV)
        self.assertEqual(probe(report, "tcp")["status"], "ok", report)
        self.assertEqual(probe(report, "banner")["status"], "ok")
        self.assertIn("logged in as alice", probe(report, "auth")["summary"])

    def test_the_human_report_says_the_proxy_was_used(self):
        with tls_server() as server, Dante() as proxy:
            code, out, err = run(["check", *trusted(server.port, "--offline", "--helo",
                                                    "client.example.test", "--proxy",
                                                    proxy.url())])
        self.assertEqual(code, 0, out + err)
        self.assertIn("through the proxy " + proxy.url(), out.splitlines()[1])

    def test_send_through_socks_delivers(self):
        with Serve("--user", "alice:s3cret") as server, Dante() as proxy:
            code, out, err = run(["send", "--server", "127.0.0.1", "--port", str(server.port),
                                  "--from", "a@example.test", "--to", "b@example.test",
                                  "--no-tls", "--auth", "--auth-user", "alice", "--password-env",
                                  "CHECK_PW", "--proxy", proxy.url("socks5h"), "--json"],
                                 env=PASSWORD_ENV)
            self.assertEqual(code, 0, out + err)
            outcome = json.loads(out)
            self.assertTrue(outcome["accepted"])
            self.assertEqual(outcome["proxy"], proxy.url("socks5h"))
            messages = server.stored_messages()
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages[0][1]["rcpts"], ["b@example.test"])

    def test_a_closed_proxy_port_is_proxy_unreachable(self):
        closed = ports.free_port()
        with serve() as server:
            code, report = check(*trusted(server.port, "--proxy",
                                          "socks5://127.0.0.2:%d" % closed))
        self.assertEqual(code, 1)
        self.assert_proxy_failure(report, "proxy-unreachable", "cannot connect to the proxy",
                                  "refused")

    def test_a_closed_target_port_is_the_proxy_reporting_the_refusal(self):
        closed = ports.free_port()
        with Dante() as proxy:
            code, report = check("127.0.0.1:%d" % closed, "--proxy", proxy.url())
        tcp = self.assert_proxy_failure(report, "proxy-target-failed", "SOCKS5 reply 5",
                                        "refused the connection")
        self.assertEqual(tcp["details"]["proxy_failure"]["code"], 5)
        self.assertEqual(tcp["details"]["proxy_failure"]["failure"], "target_failed")

    def test_a_port_the_proxy_rules_refuse_is_named_as_such(self):
        with serve() as server, Dante(blocked_ports=[server.port]) as proxy:
            code, report = check(*trusted(server.port, "--proxy", proxy.url()))
        self.assert_proxy_failure(report, "proxy-target-failed", "SOCKS5 reply 2",
                                  "not allowed by the proxy's rules")

    def test_a_password_in_the_url_is_refused_before_anything_is_contacted(self):
        code, out, err = run(["check", "127.0.0.1:9", "--offline", "--proxy",
                              "socks5://alice:secret@127.0.0.2:1080"])
        self.assertEqual(code, 2)
        self.assertIn("--proxy", err)
        self.assertIn("--proxy-password-env", err)
        self.assertNotIn("secret", out + err)
        code, out, err = run(["send", "--server", "127.0.0.1:9", "--to", "b@example.test",
                              "--proxy", "http://alice:secret@127.0.0.2:3128"])
        self.assertEqual(code, 2)
        self.assertIn("--proxy-password-env", err)
        for argv, expected in (
                (["--proxy", "ftp://127.0.0.2:21"], "unsupported proxy scheme 'ftp'"),
                (["--proxy", "socks5://127.0.0.2"], "needs a port"),
                (["--proxy", "socks5://127.0.0.2:1080", "--proxy-password-env", "P"],
                 "needs a user"),
                (["--proxy", "socks5://u@127.0.0.2:1080", "--proxy-password-env", "UNSET_VAR"],
                 "UNSET_VAR is not set"),
                (["--proxy-password-env", "P"], "needs --proxy")):
            with self.subTest(argv=argv):
                code, out, err = run(["check", "127.0.0.1:9", "--offline", *argv])
                self.assertEqual(code, 2, out + err)
                self.assertIn(expected, err)


@unittest.skipUnless(have_dante(), "dante-server (danted) is not installed")
@unittest.skipIf(can_create_login_user(), can_create_login_user() or "")
class SocksLoginTest(ProxyAssertions):
    @classmethod
    def setUpClass(cls):
        cls.proxy = Dante(login=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()

    def test_the_right_proxy_password_passes_and_never_shows(self):
        url = self.proxy.url(user=SOCKS_USER)
        with tls_server() as server:
            code, report = login_check(server, "--proxy", url, "--proxy-password-env", "PROXY_PW",
                                       "-v", env={"PROXY_PW": SOCKS_PASSWORD})
        self.assertEqual(code, 0, report)
        self.assert_all_ok(report, url)
        self.assertNotIn(SOCKS_PASSWORD, json.dumps(report))

    def test_a_wrong_proxy_password_is_proxy_auth_failed(self):
        with serve() as server:
            code, report = check(*trusted(server.port, "--proxy", self.proxy.url(user=SOCKS_USER),
                                          "--proxy-password-env", "PROXY_PW"),
                                 env={"PROXY_PW": "not-the-password"})
        self.assertEqual(code, 1)
        self.assert_proxy_failure(report, "proxy-auth-failed", "refused the user name or password")
        self.assertNotIn("not-the-password", json.dumps(report))

    def test_no_login_for_a_login_proxy_is_proxy_auth_required(self):
        with serve() as server:
            code, report = check(*trusted(server.port, "--proxy", self.proxy.url()))
        self.assert_proxy_failure(report, "proxy-auth-required", "requires a login")

    def test_send_with_a_wrong_proxy_password_says_so(self):
        with serve() as server:
            code, out, err = run(["send", "--server", "127.0.0.1:%d" % server.port, "--to",
                                  "b@example.test", "--proxy", self.proxy.url(user=SOCKS_USER),
                                  "--proxy-password-env", "PROXY_PW", "--json"],
                                 env={"PROXY_PW": "not-the-password"})
        self.assertEqual(code, 3, out + err)
        outcome = json.loads(out)
        self.assertEqual(outcome["proxy_failure"]["failure"], "auth_failed")
        self.assertEqual(outcome["diagnosis"]["category"], "proxy_failure")


@unittest.skipUnless(have_tinyproxy(), "tinyproxy is not installed")
class HttpProxyTest(ProxyAssertions):
    def test_check_through_http_connect_passes_starttls_and_implicit_tls_with_a_login(self):
        with tls_server() as server, Tinyproxy([server.port, server.tls_port]) as proxy:
            code, report = login_check(server, "--proxy", proxy.url())
        self.assertEqual(code, 0, report)
        self.assert_all_ok(report, proxy.url())

    def test_send_through_http_connect_delivers(self):
        with Serve("--user", "alice:s3cret") as server, Tinyproxy([server.port]) as proxy:
            code, out, err = run(["send", "--server", "127.0.0.1:%d" % server.port, "--from",
                                  "a@example.test", "--to", "b@example.test", "--no-tls",
                                  "--proxy", proxy.url()])
            self.assertEqual(code, 0, out + err)
            self.assertIn("through the proxy " + proxy.url(), out)
            self.assertEqual(len(server.stored_messages()), 1)

    def test_a_port_outside_connectport_is_refused_by_the_proxy(self):
        with serve() as server, Tinyproxy([ports.free_port()]) as proxy:
            code, report = check(*trusted(server.port, "--proxy", proxy.url()))
        tcp = self.assert_proxy_failure(report, "proxy-target-failed", "HTTP 403",
                                        "does not allow this host or port")
        self.assertEqual(tcp["details"]["proxy_failure"]["code"], 403)

    def test_a_closed_target_port_is_the_proxy_failing_to_connect(self):
        closed = ports.free_port()
        with Tinyproxy([closed]) as proxy:
            code, report = check("127.0.0.1:%d" % closed, "--proxy", proxy.url())
        tcp = self.assert_proxy_failure(report, "proxy-target-failed", "could not connect")
        self.assertGreaterEqual(tcp["details"]["proxy_failure"]["code"], 500)

    def test_a_wrong_basic_auth_password_is_proxy_auth_failed(self):
        with serve() as server, Tinyproxy([server.port], basic_auth=("bob", "right")) as proxy:
            code, report = check(*trusted(server.port, "--proxy", proxy.url(user="bob"),
                                          "--proxy-password-env", "PROXY_PW"),
                                 env={"PROXY_PW": "wrong"})
            # tinyproxy answers a CONNECT without its login with 401, other proxies with 407.
            self.assert_proxy_failure(report, "proxy-auth-failed", "HTTP 40",
                                      "refused the login of bob")
            code, report = check(*trusted(server.port, "--proxy", proxy.url()))
            self.assert_proxy_failure(report, "proxy-auth-required", "HTTP 40",
                                      "requires a login")
            code, report = check(*trusted(server.port, "--proxy", proxy.url(user="bob"),
                                          "--proxy-password-env", "PROXY_PW"),
                                 env={"PROXY_PW": "right"})
            self.assertEqual(probe(report, "tcp")["status"], "ok", report)


class HostileProxy:
    """A loopback listener on 127.0.0.2 that answers every connection with `answer(conn)`: a
    proxy that never replies, or one that talks without end."""

    def __init__(self, answer):
        self.answer = answer
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.2", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            self.answer(conn, self.stopping)
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()


def silent(conn, stopping):
    stopping.wait(20)


def endless_http_head(conn, stopping):
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    deadline = time.monotonic() + 20  # bounded: the client must stop reading long before
    while not stopping.is_set() and time.monotonic() < deadline:
        conn.sendall(b"X-Filler: " + b"x" * 1000 + b"\r\n")


class HostileProxyTest(ProxyAssertions):
    def test_a_silent_proxy_ends_within_the_connect_timeout(self):
        with HostileProxy(silent) as proxy:
            for scheme in ("socks5", "socks4a", "http"):
                with self.subTest(scheme=scheme):
                    started = time.monotonic()
                    code, report = check("127.0.0.1:25", "--timeout", "1s", "--proxy",
                                         "%s://127.0.0.2:%d" % (scheme, proxy.port))
                    self.assertLess(time.monotonic() - started, 8)
                    tcp = probe(report, "tcp")
                    self.assertEqual(categories(tcp), ["proxy_failure"], tcp)
                    self.assertIn("no answer within 1 s", tcp["summary"])

    def test_an_endless_http_head_is_cut_at_its_limit(self):
        with HostileProxy(endless_http_head) as proxy:
            code, report = check("127.0.0.1:25", "--timeout", "5s", "--proxy",
                                 "http://127.0.0.2:%d" % proxy.port)
        self.assert_proxy_failure(report, "proxy-protocol", "longer than 16384 octets")


if __name__ == "__main__":
    unittest.main()
