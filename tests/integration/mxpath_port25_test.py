#!/usr/bin/env python3
"""The port-25 verdict (core/port25_verdict) on real sockets: inside a network namespace the test
creates, an nft rule silently drops one port (the filtered "25") next to a listener that answers
(the "587"), exactly what an ISP's outbound-25 block looks like from the client. Ports are high
ones playing 25 and 587. Usage: mxpath_port25_test.py PATH/TO/mxpath_tool (ctest passes it)."""

import time
import unittest

import mxpath_common as common
from mxpath_common import DropNamespace, namespaces_available, run_tool

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


if __name__ == "__main__":
    common.take_tool_from_argv()
    unittest.main(verbosity=2)
