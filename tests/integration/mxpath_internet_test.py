#!/usr/bin/env python3
"""The internet probe (probes/internet_probe) pointed only at loopback: a listener and a closed
port stand in for the well-known hosts, the dnsmasq fixture (or a silent socket) for the
resolver. "No network" and "restricted" need connects that time out: those run inside a network
namespace where nft drops the target ports (and the resolver's).
Usage: mxpath_internet_test.py PATH/TO/mxpath_tool (ctest passes it)."""

import socket
import time
import unittest

import mxpath_common as common
from mxpath_common import DropNamespace, categories, namespaces_available, rules, run_tool
from peers import ports, zone  # noqa: E402
from peers.dns import DnsServer  # noqa: E402
from peers.testing import PeerTestCase  # noqa: E402


class InternetProbeTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = cls.start_peer(DnsServer())
        cls.listener = socket.socket()
        cls.listener.bind(("127.0.0.1", 0))
        cls.listener.listen(16)
        cls.open_port = cls.listener.getsockname()[1]
        cls.closed_port = ports.free_port()

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()
        super().tearDownClass()

    def internet(self, server, *targets, timeout_ms=1500):
        args = ["internet", "--server", server, "--name", zone.MAIL_HOST, "--timeout-ms",
                timeout_ms, "--dns-timeout-ms", "300"]
        for t in targets:
            args += ["--target", t]
        return run_tool(*args)

    def test_a_resolving_name_and_an_answering_host_is_online(self):
        out = self.internet(self.dns.address, "127.0.0.1:%d" % self.open_port,
                            "127.0.0.1:%d" % self.closed_port)
        self.assertEqual(out["state"], "online")
        (result,) = out["results"]
        self.assertEqual((result["id"], result["status"]), ("internet", "ok"))
        self.assertEqual([t["outcome"] for t in result["details"]["targets"]],
                         ["connected", "refused"])
        self.assertIn("2 of 2 hosts answered", result["summary"])

    def test_a_reset_is_an_answer_so_the_network_works(self):
        out = self.internet(self.dns.address, "127.0.0.1:%d" % self.closed_port)
        self.assertEqual(out["state"], "online")

    def test_hosts_answering_while_dns_is_silent_is_dns_broken_not_offline(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))
            out = self.internet("127.0.0.1:%d" % silent.getsockname()[1],
                                "127.0.0.1:%d" % self.open_port)
        self.assertEqual(out["state"], "dns_broken")
        (result,) = out["results"]
        self.assertEqual(result["status"], "fail")
        self.assertEqual(categories(result), ["dns_failure"])
        self.assertEqual(rules(result), ["internet-dns-broken"])
        self.assertTrue(out["connects"])

    def test_a_target_given_by_name_is_resolved_with_the_chosen_resolver(self):
        out = self.internet(self.dns.address, "%s:%d" % (zone.MAIL_HOST, self.open_port))
        self.assertEqual(out["state"], "online")
        self.assertEqual(out["results"][0]["details"]["targets"][0]["address"], "127.0.0.1")


@unittest.skipUnless(namespaces_available(), "needs root, ip netns and nft (.ci/install-deps)")
class NoNetworkTest(unittest.TestCase):
    TARGETS, DNS_PORT = (4443, 4444), 5353

    def run_inside(self, ns):
        args = ["internet", "--server", "127.0.0.1:%d" % self.DNS_PORT, "--name", "example.com",
                "--timeout-ms", "700", "--dns-timeout-ms", "300"]
        for port in self.TARGETS:
            args += ["--target", "127.0.0.1:%d" % port]
        started = time.monotonic()
        out = run_tool(*args, prefix=ns.prefix)
        self.assertLess(time.monotonic() - started, 6)
        return out

    def test_every_host_and_the_resolver_silent_is_no_internet(self):
        with DropNamespace(tcp_ports=self.TARGETS, udp_ports=[self.DNS_PORT]) as ns:
            out = self.run_inside(ns)
        self.assertEqual(out["state"], "no_network")
        (result,) = out["results"]
        self.assertEqual(result["status"], "fail")
        self.assertEqual(categories(result), ["no_internet"])
        self.assertEqual([t["outcome"] for t in result["details"]["targets"]],
                         ["timed out", "timed out"])
        self.assertFalse(out["connects"])

    def test_dns_answering_while_every_host_is_silent_is_a_restricted_network(self):
        with DropNamespace(tcp_ports=self.TARGETS) as ns:
            ns.dns_answerer(self.DNS_PORT)
            out = self.run_inside(ns)
        self.assertEqual(out["state"], "restricted")
        (result,) = out["results"]
        self.assertEqual(result["status"], "warn")
        self.assertEqual(rules(result), ["internet-restricted"])


if __name__ == "__main__":
    common.take_tool_from_argv()
    unittest.main(verbosity=2)
