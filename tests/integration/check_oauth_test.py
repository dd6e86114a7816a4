#!/usr/bin/env python3
"""OAuth2 logins (issue 14): `check` and `send` log in to `smtpdoctor serve --oauth-token` with
XOAUTH2 and OAUTHBEARER, the token from each source (env, file, command); a wrong token shows
the decoded RFC 7628 error; the token and its base64 never appear in any output. Only 127.0.0.1."""

import base64
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import check, notes, probe, run  # noqa: E402
from check_faults_test import Certificates, serve, trusted  # noqa: E402
from peers.dns import DnsServer  # noqa: E402

TOKEN = "ya29.s3cretT0ken-for-the-test"


def secrets_of(user, token):
    """Every form of the token that must never be printed: itself and the base64 SASL strings."""
    forms = [token]
    for message in ("user=%s\x01auth=Bearer %s\x01\x01" % (user, token),):
        forms.append(base64.b64encode(message.encode()).decode())
    return forms


class OauthLoginTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="smtpdoctor-oauth-")
        self.token_file = os.path.join(self.dir, "token")
        with open(self.token_file, "w") as f:
            f.write(TOKEN + "\nsecond line ignored\n")

    def sources(self, token):
        with open(self.token_file + ".x", "w") as f:
            f.write(token + "\n")
        return {
            "env": (["--oauth2-token-env", "OAUTH_TOKEN"], {"OAUTH_TOKEN": token}),
            "file": (["--oauth2-token-file", self.token_file + ".x"], None),
            "cmd": (["--oauth2-token-cmd", "cat '%s'" % (self.token_file + ".x")], None),
        }

    def test_check_logs_in_with_each_mechanism_and_token_source(self):
        with serve("--oauth-token", "alice:" + TOKEN) as server:
            for name, (flags, env) in self.sources(TOKEN).items():
                for mech in ("XOAUTH2", "OAUTHBEARER"):
                    with self.subTest(source=name, mechanism=mech):
                        code, report = check(*trusted(server.port, "--auth-user", "alice",
                                                      "--auth", mech, *flags), env=env)
                        auth = probe(report, "auth")
                        self.assertEqual(auth["status"], "ok", auth)
                        self.assertEqual(auth["details"]["mechanism"], mech)

    def test_a_wrong_token_shows_the_decoded_status_and_scope(self):
        with serve("--oauth-token", "alice:" + TOKEN) as server:
            for name, (flags, env) in self.sources("wrong-token").items():
                for mech in ("XOAUTH2", "OAUTHBEARER"):
                    with self.subTest(source=name, mechanism=mech):
                        code, report = check(*trusted(server.port, "--auth-user", "alice",
                                                      "--auth", mech, *flags), env=env)
                        auth = probe(report, "auth")
                        self.assertEqual(auth["status"], "fail")
                        self.assertIn("auth_failed", [d["category"] for d in auth["diagnoses"]])
                        self.assertEqual(auth["details"]["oauth_error"]["status"], "401")
                        self.assertIn("the token was refused: status 401, scope "
                                      "https://mail.example.test/smtp required", notes(auth))
                        # The cause is the token's, not a wrong password's.
                        refused = [d for d in auth["diagnoses"]
                                   if d["rule"] == "oauth-token-refused"]
                        self.assertTrue(refused, auth["diagnoses"])
                        self.assertIn("token", refused[0]["cause"])
                        self.assertNotIn("password", refused[0]["cause"])

    def test_send_logs_in_with_a_token_and_a_wrong_one_is_refused(self):
        with serve("--oauth-token", "alice:" + TOKEN) as server:
            base = ["send", "--server", "127.0.0.1", "--port", str(server.port), "--insecure",
                    "--from", "a@example.test", "--to", "b@example.test", "--auth",
                    "--auth-user", "alice"]
            for name, (flags, env) in self.sources(TOKEN).items():
                with self.subTest(source=name):
                    code, out, err = run(base + flags, env=env)
                    self.assertEqual(code, 0, out + err)
            code, out, err = run(base + ["--oauth2-token-env", "T"], env={"T": "wrong"})
            self.assertNotEqual(code, 0)
            self.assertIn("the token was refused: status 401", out + err)

    def test_the_token_and_its_base64_never_appear_in_any_output(self):
        with serve("--oauth-token", "alice:" + TOKEN) as server:
            env = {"OAUTH_TOKEN": TOKEN}
            outputs = []
            for mech in ("XOAUTH2", "OAUTHBEARER"):
                target = ["check", *trusted(server.port, "--auth-user", "alice", "--auth", mech,
                                            "--oauth2-token-env", "OAUTH_TOKEN"), "--offline"]
                outputs.append(run(target + ["-v"], env=env))
                outputs.append(run(target + ["--json", "-v"], env=env))
            outputs.append(run(["send", "--server", "127.0.0.1", "--port", str(server.port),
                                "--insecure", "--from", "a@example.test", "--to",
                                "b@example.test", "--auth", "--auth-user", "alice",
                                "--oauth2-token-env", "OAUTH_TOKEN", "-v", "--json"], env=env))
        text = "\n".join(out + err for _, out, err in outputs)
        self.assertIn("<redacted>", text)
        for secret in secrets_of("alice", TOKEN):
            self.assertNotIn(secret, text)
        self.assertNotIn(base64.b64encode(TOKEN.encode()).decode()[:16], text)

    def test_tokens_in_the_users_file_log_in_beside_passwords(self):
        users = os.path.join(self.dir, "users")
        with open(users, "w") as f:
            f.write("# passwords first\nbob:pw\n[oauth2-tokens]\nalice:%s\n" % TOKEN)
        with serve("--users-file", users) as server:
            code, report = check(*trusted(server.port, "--auth-user", "alice",
                                          "--oauth2-token-env", "T"), env={"T": TOKEN})
            auth = probe(report, "auth")
            self.assertEqual(auth["status"], "ok", auth)
            code, report = check(*trusted(server.port, "--auth-user", "bob",
                                          "--password-env", "P"), env={"P": "pw"})
            self.assertEqual(probe(report, "auth")["status"], "ok")
            # A token is not a password: bob's password section does not hold alice's token.
            code, report = check(*trusted(server.port, "--auth-user", "alice",
                                          "--password-env", "P"), env={"P": TOKEN})
            self.assertEqual(probe(report, "auth")["status"], "fail")

    def test_a_password_login_to_an_oauth_only_provider_gets_the_hint(self):
        # smtp.gmail.com answered by our own dnsmasq with 127.0.0.1: nothing leaves loopback.
        with DnsServer(extra_options=["--host-record=smtp.gmail.com,127.0.0.1",
                                      "--local=/gmail.com/"]) as dns, \
                serve("--user", "alice:pw") as server:
            code, report = check("smtp.gmail.com:%d" % server.port, "--dns-server",
                                 dns.address, "--ca-file", Certificates.get().ca_file,
                                 "--tls-verify-name", "localhost", "--auth-user", "alice",
                                 "--password-env", "P", env={"P": "pw"})
            auth = probe(report, "auth")
            self.assertIn("smtp.gmail.com takes OAuth2 (or an app password) rather than the "
                          "account password", notes(auth))
            # With a token the hint has nothing to say.
            code, report = check("smtp.gmail.com:%d" % server.port, "--dns-server",
                                 dns.address, "--ca-file", Certificates.get().ca_file,
                                 "--tls-verify-name", "localhost", "--auth-user", "alice",
                                 "--oauth2-token-env", "T", env={"T": TOKEN})
            self.assertNotIn("takes OAuth2", notes(probe(report, "auth")))

    def test_a_failing_or_silent_token_command_is_a_clear_usage_error(self):
        for command, expected in (("false", "exited with status 1"),
                                  ("true", "printed nothing"),
                                  ("/nonexistent/helper", "cannot run /nonexistent/helper"),
                                  ("echo 'unterminated", "unterminated '")):
            with self.subTest(command=command):
                code, out, err = run(["check", "127.0.0.1:9", "--offline", "--auth-user", "a",
                                      "--oauth2-token-cmd", command])
                self.assertEqual(code, 2)
                self.assertIn(expected, out + err)


if __name__ == "__main__":
    unittest.main()
