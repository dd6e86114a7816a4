#!/usr/bin/env python3
"""The c-ares resolver (core/resolver) through tests/tools/resolve_tool, against real peers on
loopback: the dnsmasq test zone (tests/peers/dns.py) for every record type, NXDOMAIN, NODATA and
REFUSED; a UDP peer started here that answers SERVFAIL to everything; a UDP socket that never
answers (timeout); and a port nobody listens on (unreachable).

Usage: resolver_test.py PATH/TO/resolve_tool  (ctest passes it)
"""

import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."), "tests"))

from peers import ports, zone  # noqa: E402
from peers.dns import DnsServer  # noqa: E402
from peers.testing import PeerTestCase  # noqa: E402

RESOLVE_TOOL = None  # set from argv in __main__
TYPES = {"MX": "mx", "A": "a", "AAAA": "aaaa", "TXT": "txt", "PTR": "ptr"}


class ServfailResponder:
    """A UDP DNS server on loopback that answers every query with SERVFAIL (dnsmasq cannot be
    made to). Runs in a thread of this process."""

    def __init__(self, family=socket.AF_INET, host="127.0.0.1"):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.queries = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                packet, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            if len(packet) < 12:
                continue
            self.queries += 1
            qid, flags = struct.unpack(">HH", packet[:4])
            reply_flags = 0x8000 | (flags & 0x0100) | 0x0080 | 2  # QR, RD copied, RA, SERVFAIL
            self.sock.sendto(struct.pack(">HHHHHH", qid, reply_flags, 1, 0, 0, 0) + packet[12:],
                             peer)

    def close(self):
        self.sock.close()


def ipv6_loopback_works():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def ipv4_from_reverse(name):
    return ".".join(reversed(name[:-len(".in-addr.arpa")].split(".")))


def as_dig_short(rtype, records):
    """Our records in the form peers.zone.RECORDS (and `dig +short`) uses."""
    if rtype == "MX":
        return sorted("%d %s" % (r["preference"], r["exchange"] if r["exchange"] == "." else
                                 r["exchange"] + ".") for r in records)
    if rtype in ("A", "AAAA"):
        return sorted(r["address"] for r in records)
    if rtype == "TXT":
        return sorted('"%s"' % r for r in records)
    if rtype == "PTR":
        return sorted(r + "." for r in records)
    raise AssertionError(rtype)


class ResolverTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = cls.start_peer(DnsServer())
        cls.servfail = ServfailResponder()
        # A bound socket nobody reads: queries to it vanish, as with a filtered server.
        cls.silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        cls.silent.bind(("127.0.0.1", 0))
        cls.silent_address = "127.0.0.1:%d" % cls.silent.getsockname()[1]

    @classmethod
    def tearDownClass(cls):
        cls.servfail.close()
        cls.silent.close()
        super().tearDownClass()

    def resolve(self, rtype, *names, servers=None, timeout_ms=2000, tries=2, expect_exit=0):
        args = [RESOLVE_TOOL]
        for server in servers or [self.dns.address]:
            args += ["--server", server]
        args += ["--timeout-ms", str(timeout_ms), "--tries", str(tries), rtype] + list(names)
        started = time.monotonic()
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                              universal_newlines=True)
        self.wall_seconds = time.monotonic() - started
        self.assertEqual(done.returncode, expect_exit, done.stderr)
        if expect_exit != 0:
            return done.stderr
        results = [json.loads(line) for line in done.stdout.splitlines()]
        self.assertEqual([r["name"] for r in results], list(names))
        return results

    def resolve_one(self, rtype, name, **kwargs):
        return self.resolve(rtype, name, **kwargs)[0]

    def test_every_record_of_the_zone_is_resolved_as_dig_sees_it(self):
        for (name, rtype), expected in zone.RECORDS.items():
            with self.subTest(name=name, type=rtype):
                query = ipv4_from_reverse(name) if rtype == "PTR" else name
                result = self.resolve_one(TYPES[rtype], query)
                if expected:
                    self.assertEqual(result["status"], "ok", result["detail"])
                    self.assertEqual(as_dig_short(rtype, result["records"]), expected)
                else:
                    self.assertEqual(result["status"], "nodata", result)
                    self.assertIn("NODATA", result["detail"])

    def test_exchangers_come_in_preference_order(self):
        result = self.resolve_one("mx", zone.TWO_MX_DOMAIN)
        self.assertEqual([r["exchange"] for r in result["records"]],
                         [zone.TWO_MX_PRIMARY, zone.TWO_MX_SECONDARY])

    def test_a_null_mx_is_reported_as_the_root_name(self):
        result = self.resolve_one("mx", zone.NULL_MX_DOMAIN)
        self.assertEqual(result["records"], [{"preference": 0, "exchange": "."}])

    def test_the_ptr_of_an_ipv6_address_is_looked_up_under_ip6_arpa(self):
        # dnsmasq derives the PTR of ::1 from ipv6.test's (or mx.smtpdoctor.test's) AAAA record.
        result = self.resolve_one("ptr", "::1")
        self.assertEqual(result["status"], "ok", result["detail"])
        self.assertTrue(set(r for r in result["records"]) & {zone.IPV6_NAME, zone.MAIL_HOST},
                        result)

    def test_a_name_that_does_not_exist_is_nxdomain(self):
        for name in zone.NXDOMAIN:
            with self.subTest(name=name):
                if name.endswith(".in-addr.arpa"):
                    result = self.resolve_one("ptr", ipv4_from_reverse(name))
                else:
                    result = self.resolve_one("a", name)
                self.assertEqual(result["status"], "nxdomain", result)
                self.assertIn("does not exist", result["detail"])

    def test_a_name_without_that_record_type_is_nodata_not_nxdomain(self):
        self.assertEqual(self.resolve_one("mx", zone.A_ONLY_DOMAIN)["status"], "nodata")
        self.assertEqual(self.resolve_one("a", zone.IPV6_NAME)["status"], "nodata")
        self.assertEqual(self.resolve_one("mx", zone.A_ONLY_DOMAIN + ".")["status"], "nodata")

    def test_a_server_that_refuses_is_refused_not_unreachable(self):
        # dnsmasq has no upstream: a name outside its zone is refused, never forwarded.
        result = self.resolve_one("mx", "outside-the-zone.example")
        self.assertEqual(result["status"], "refused", result)
        self.assertIn("REFUSED", result["detail"])

    def test_a_dnssec_lookup_through_a_resolver_that_does_not_validate_is_insecure(self):
        # dnsmasq here does not validate, so it never sets AD: nothing is vouched for.
        result = self.resolve_one("mx-dnssec", zone.TWO_MX_DOMAIN)
        self.assertEqual(result["status"], "ok", result)
        self.assertEqual(result["dnssec"], "insecure", result)
        self.assertEqual([r["exchange"] for r in result["records"]],
                         [zone.TWO_MX_PRIMARY, zone.TWO_MX_SECONDARY])
        result = self.resolve_one("tlsa-dnssec", "_25._tcp." + zone.A_ONLY_DOMAIN)
        self.assertIn(result["status"], ("nodata", "nxdomain"), result)
        self.assertEqual(result["dnssec"], "insecure", result)

    def test_a_plain_servfail_is_not_taken_for_bogus_data(self):
        # The CD re-query gets SERVFAIL too: a broken server, not data that fails validation.
        before = self.servfail.queries
        result = self.resolve_one("tlsa-dnssec", "_25._tcp." + zone.TWO_MX_PRIMARY,
                                  servers=["127.0.0.1:%d" % self.servfail.port])
        self.assertEqual(result["status"], "servfail", result)
        self.assertEqual(result["dnssec"], "unknown", result)
        self.assertNotIn("checking disabled", result["detail"])
        self.assertEqual(self.servfail.queries - before, 2)  # with checking, then with CD

    def test_a_server_answering_servfail_is_servfail_at_once(self):
        before = self.servfail.queries
        result = self.resolve_one("mx", zone.TWO_MX_DOMAIN,
                                  servers=["127.0.0.1:%d" % self.servfail.port])
        self.assertEqual(result["status"], "servfail", result)
        self.assertIn("SERVFAIL", result["detail"])
        self.assertLess(result["elapsed_ms"], 1500)  # an answer, not a retry loop until timeout
        self.assertGreater(self.servfail.queries, before)

    def test_a_silent_server_times_out_within_timeout_times_tries(self):
        timeout_ms, tries = 300, 3
        result = self.resolve_one("mx", zone.TWO_MX_DOMAIN, servers=[self.silent_address],
                                  timeout_ms=timeout_ms, tries=tries)
        self.assertEqual(result["status"], "timeout", result)
        self.assertIn("no answer within 300 ms x 3 tries", result["detail"])
        self.assertGreaterEqual(result["elapsed_ms"], timeout_ms * tries - 50)
        self.assertLessEqual(result["elapsed_ms"], timeout_ms * tries + 500)
        # ... and nothing keeps the program waiting afterwards (c-ares' own backoff is cut).
        self.assertLess(self.wall_seconds, (timeout_ms * tries) / 1000.0 + 1.5)

    def test_a_port_nobody_listens_on_is_unreachable_quickly(self):
        port = ports.free_port(kinds=("udp",))
        result = self.resolve_one("a", zone.MAIL_HOST, servers=["127.0.0.1:%d" % port],
                                  timeout_ms=2000, tries=2)
        self.assertEqual(result["status"], "unreachable", result)
        self.assertLess(result["elapsed_ms"], 1000)

    def test_a_silent_first_server_falls_through_to_the_next(self):
        result = self.resolve_one("mx", zone.TWO_MX_DOMAIN,
                                  servers=[self.silent_address, self.dns.address],
                                  timeout_ms=300, tries=2)
        self.assertEqual(result["status"], "ok", result)
        self.assertGreaterEqual(result["elapsed_ms"], 250)

    @unittest.skipUnless(ipv6_loopback_works(), "no IPv6 loopback here")
    def test_an_ipv6_server_is_asked_over_ipv6(self):
        responder = ServfailResponder(socket.AF_INET6, "::1")
        try:
            result = self.resolve_one("mx", zone.TWO_MX_DOMAIN,
                                      servers=["[::1]:%d" % responder.port])
            self.assertEqual(result["status"], "servfail", result)
            self.assertEqual(responder.queries, 1)
        finally:
            responder.close()

    def test_many_lookups_run_concurrently_on_one_event_loop(self):
        # Eight lookups against a silent server, 400 ms each: serially 3.2 s, concurrently ~0.4 s.
        names = ["n%d.%s" % (i, zone.TWO_MX_DOMAIN) for i in range(8)]
        results = self.resolve("a", *names, servers=[self.silent_address], timeout_ms=400,
                               tries=1)
        self.assertEqual({r["status"] for r in results}, {"timeout"})
        self.assertLess(self.wall_seconds, 1.6)
        # And many real answers at once all come back right.
        names = [zone.TWO_MX_PRIMARY, zone.TWO_MX_SECONDARY, zone.A_ONLY_DOMAIN] * 10
        results = self.resolve("a", *names)
        expected = {zone.TWO_MX_PRIMARY: ["127.0.0.11"], zone.TWO_MX_SECONDARY: ["127.0.0.12"],
                    zone.A_ONLY_DOMAIN: ["127.0.0.13"]}
        for result in results:
            self.assertEqual([r["address"] for r in result["records"]], expected[result["name"]])

    def test_big_answers_arrive_whole_and_caps_keep_the_most_preferred(self):
        # Over 512 octets: dnsmasq truncates the UDP answer (no EDNS asked) and c-ares retries
        # over TCP, so this also drives a connecting, writable socket through the event loop.
        spf = "v=spf1 " + " ".join("ip4:127.0.%d.0/24" % i for i in range(60)) + " -all"
        chunks = [spf[i:i + 200] for i in range(0, len(spf), 200)]
        options = ["--txt-record=big.test," + ",".join(chunks)]
        options += ["--mx-host=many.test,mx%d.many.test,%d" % (i, i) for i in range(40)]
        with DnsServer(extra_options=options) as dns:
            result = self.resolve_one("txt", "big.test", servers=[dns.address])
            self.assertEqual(result["status"], "ok", result)
            self.assertEqual(result["records"], [spf])
            args = [RESOLVE_TOOL, "--server", dns.address, "--max-records", "5", "mx",
                    "many.test"]
            capped = json.loads(subprocess.run(args, stdout=subprocess.PIPE, timeout=60,
                                               universal_newlines=True).stdout)
            self.assertTrue(capped["truncated"])
            self.assertEqual([r["preference"] for r in capped["records"]], [0, 1, 2, 3, 4])

    def test_a_malformed_name_is_an_error_without_a_query(self):
        result = self.resolve_one("mx", "not a name")
        self.assertEqual(result["status"], "error")
        self.assertIn("not a valid DNS name", result["detail"])
        result = self.resolve_one("ptr", "mx.example")
        self.assertEqual(result["status"], "error")
        self.assertIn("not an IP address", result["detail"])

    def test_a_malformed_server_is_a_usage_error(self):
        stderr = self.resolve("mx", zone.TWO_MX_DOMAIN, servers=["dns.example:53"],
                              expect_exit=2)
        self.assertIn("invalid DNS server 'dns.example:53'", stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit("usage: resolver_test.py PATH/TO/resolve_tool")
    RESOLVE_TOOL = sys.argv.pop(1)
    unittest.main(verbosity=2)
