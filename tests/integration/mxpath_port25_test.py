#!/usr/bin/env python3
"""The port-25 verdict (core/port25_verdict) on real sockets: inside a network namespace the test
creates, an nft rule silently drops one port (the filtered "25") next to a listener that answers
(the "587"), exactly what an ISP's outbound-25 block looks like from the client. Ports are high
ones playing 25 and 587. Usage: mxpath_port25_test.py PATH/TO/mxpath_tool (ctest passes it)."""

import json
import os
import subprocess
import time
import unittest

import mxpath_common as common
from mxpath_common import DropNamespace, namespaces_available, run_tool
from serve_fixture import SMTPDOCTOR

FILTERED, SUBMISSION, CLOSED, REFERENCE_A, REFERENCE_B = 2525, 2587, 2526, 3525, 3526


@unittest.skipUnless(namespaces_available(), "needs root, ip netns and nft (.ci/install-deps)")
class Port25BlockTest(unittest.TestCase):
    def setUp(self):
        self.ns = DropNamespace(tcp_ports=[FILTERED, REFERENCE_A, REFERENCE_B])
        self.ns.__enter__()
        self.addCleanup(self.ns.__exit__, None, None, None)
        self.ns.listener(SUBMISSION)

    def port25(self, port25, *extra):
        return run_tool("port25", "--timeout-ms", "800", "--host", "127.0.0.1", "--port25", port25,
                        "--submission", SUBMISSION, *extra, prefix=self.ns.prefix)

    def test_25_dropped_while_587_answers_is_an_outbound_port_25_block(self):
        started = time.monotonic()
        out = self.port25(FILTERED)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual([r["outcome"] for r in out["reaches"]], ["timed out", "connected"])
        (verdict,) = out["verdicts"]
        self.assertEqual(verdict["finding"], "blocked")
        self.assertEqual(verdict["diagnosis"]["category"], "port_blocked")
        self.assertIn("use 587 with STARTTLS or 465", verdict["diagnosis"]["fix"].replace(
            "Use", "use"))

    def test_25_refused_is_a_host_not_listening_not_a_block(self):
        out = self.port25(CLOSED)
        self.assertEqual([r["outcome"] for r in out["reaches"]], ["refused", "connected"])
        (verdict,) = out["verdicts"]
        self.assertEqual(verdict["finding"], "refused")
        self.assertEqual(verdict["diagnosis"]["category"], "connection_refused")
        self.assertIn("not listening on port 25", verdict["diagnosis"]["cause"])

    def test_25_dropped_on_every_reference_mx_while_online_is_a_block(self):
        out = self.port25(FILTERED, "--reference", "127.0.0.1:%d" % REFERENCE_A, "--reference",
                          "127.0.0.1:%d" % REFERENCE_B, "--internet-ok")
        self.assertEqual(out["verdicts"][0]["finding"], "blocked")

    def test_reference_mx_answering_on_25_clears_the_network(self):
        # The target host is filtered everywhere (25 and "587" both dropped would be the host's
        # own firewall); one reference answering proves our 25 gets out.
        out = run_tool("port25", "--timeout-ms", "800", "--host", "127.0.0.1", "--port25",
                       FILTERED, "--submission", REFERENCE_A, "--reference",
                       "127.0.0.1:%d" % SUBMISSION, "--internet-ok", prefix=self.ns.prefix)
        self.assertEqual(out["verdicts"], [])


@unittest.skipUnless(namespaces_available(), "needs root, ip netns and nft (.ci/install-deps)")
class Port25BlockInCheckTest(unittest.TestCase):
    """The whole `check` in a namespace of its own, where the real ports 25 and 587 may be used:
    `smtpdoctor serve` answers on 587, port 25 is silently dropped. The block is the one root
    cause, and everything that did not happen on 25 follows from it."""

    def setUp(self):
        self.ns = DropNamespace(tcp_ports=[25])
        self.ns.__enter__()
        self.addCleanup(self.ns.__exit__, None, None, None)
        serve = subprocess.Popen(self.ns.prefix + [SMTPDOCTOR, "serve", "--port", "587"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(serve.stdout.close)
        self.addCleanup(serve.wait)
        self.addCleanup(serve.terminate)
        self.assertIn("listening", serve.stdout.readline())

    def check(self, *args):
        done = subprocess.run(self.ns.prefix + [
            SMTPDOCTOR, "check", "127.0.0.1", "--ports", "587,25", "--offline", "--insecure",
            "--helo", "client.example.test", "--timeout", "1", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60,
            env=dict(os.environ, NO_COLOR="1", TERM="dumb"))
        return done.returncode, done.stdout

    def test_the_port_25_block_is_the_root_cause_and_nothing_on_25_has_a_fix_of_its_own(self):
        code, out = self.check("--json")
        report = json.loads(out)
        self.assertEqual(report["root_cause"]["category"], "port_blocked", report["root_cause"])
        self.assertEqual(report["root_cause"]["target"], "127.0.0.1:25")
        on_25 = [p for p in report["probes"] if p["port"] == 25]
        tcp = next(p for p in on_25 if p["id"] == "tcp")
        self.assertEqual(tcp["status"], "fail")
        self.assertIsNone(tcp["consequence_of"])
        for later in on_25:
            if later["id"] != "tcp":
                self.assertEqual(later["status"], "skip", later)
                self.assertEqual(later["consequence_of"], "tcp", later)
        on_587 = [p for p in report["probes"] if p["port"] == 587]
        self.assertTrue(all(p["consequence_of"] is None for p in on_587), on_587)

        code, human = self.check()
        self.assertIn("Root cause  tcp on 127.0.0.1:25", human)
        self.assertIn("(port_blocked)", human.split("\n\n127.0.0.1\n")[0])


if __name__ == "__main__":
    common.take_tool_from_argv()
    unittest.main(verbosity=2)
