#!/usr/bin/env python3
"""The DNS test zone as a resolver no one here wrote (dig) sees it, over UDP and TCP.

Other tests (the resolver, `smtpdoctor check --dns-server`) rely on these answers, so each record
of peers.zone.RECORDS is asked for here; a zone edit that breaks one shows up first in this test.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."), "tests"))

from peers import zone  # noqa: E402
from peers.dns import DnsServer  # noqa: E402
from peers.testing import PeerTestCase, main  # noqa: E402


def reverse_name(ipv4):
    return ".".join(reversed(ipv4.split("."))) + ".in-addr.arpa"


class DnsZoneTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = cls.start_peer(DnsServer())

    def dig(self, name, rtype, *flags):
        done = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.dns.port), "+time=3",
                               "+tries=2", "+noall", "+comments", "+answer", name, rtype] +
                              list(flags), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=30, universal_newlines=True)
        self.assertEqual(done.returncode, 0, done.stdout)
        status = None
        answers = []
        for line in done.stdout.splitlines():
            if "status:" in line:
                status = line.split("status:")[1].split(",")[0].strip()
            elif line and not line.startswith(";"):
                fields = line.split(None, 4)
                if len(fields) == 5 and fields[3] == rtype:
                    answers.append(fields[4])
        return status, sorted(answers)

    def test_every_record_of_the_zone_is_answered_over_udp(self):
        for (name, rtype), expected in zone.RECORDS.items():
            with self.subTest(name=name, type=rtype):
                self.assertEqual(self.dig(name, rtype), ("NOERROR", expected))

    def test_every_record_of_the_zone_is_answered_over_tcp(self):
        for (name, rtype), expected in zone.RECORDS.items():
            with self.subTest(name=name, type=rtype):
                self.assertEqual(self.dig(name, rtype, "+tcp"), ("NOERROR", expected))

    def test_a_domain_with_two_exchangers_lists_them_by_preference(self):
        status, answers = self.dig(zone.TWO_MX_DOMAIN, "MX")
        by_preference = sorted((int(a.split()[0]), a.split()[1]) for a in answers)
        self.assertEqual([host for _, host in by_preference],
                         [zone.TWO_MX_PRIMARY + ".", zone.TWO_MX_SECONDARY + "."])

    def test_the_null_mx_domain_says_it_takes_no_mail(self):
        self.assertEqual(self.dig(zone.NULL_MX_DOMAIN, "MX"), ("NOERROR", ["0 ."]))

    def test_unknown_names_are_nxdomain(self):
        for name in zone.NXDOMAIN:
            for rtype in ("A", "MX"):
                with self.subTest(name=name, type=rtype):
                    self.assertEqual(self.dig(name, rtype), ("NXDOMAIN", []))

    def test_the_unconfirmed_ptr_points_at_a_name_with_another_address(self):
        _, ptr = self.dig(reverse_name(zone.NOT_CONFIRMED_IP), "PTR")
        self.assertEqual(ptr, [zone.NOT_CONFIRMED_NAME + "."])
        _, forward = self.dig(zone.NOT_CONFIRMED_NAME, "A")
        self.assertNotIn(zone.NOT_CONFIRMED_IP, forward)
        self.assertTrue(forward)

    def test_the_confirmed_ptr_points_back_at_its_own_address(self):
        _, ptr = self.dig(reverse_name(zone.CONFIRMED_IP), "PTR")
        self.assertEqual(len(ptr), 1)
        _, forward = self.dig(ptr[0], "A")
        self.assertEqual(forward, [zone.CONFIRMED_IP])

    def test_names_outside_the_zone_are_never_forwarded(self):
        status, answers = self.dig("example.com", "A")
        self.assertEqual((status, answers), ("REFUSED", []))


if __name__ == "__main__":
    main()
