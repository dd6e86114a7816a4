#!/usr/bin/env python3
"""The dns probe (probes/dns_probe) and the egress check (probes/egress_probe) through
tests/tools/mxpath_tool against the dnsmasq test zone: every record and error case of the zone
(two MX in order with confirmed rDNS, null MX, implicit MX, NXDOMAIN, REFUSED, --mx-limit, IPv6,
SPF/DMARC), a few names this test adds with dnsmasq options (an exchanger that does not exist, an
address without PTR, one whose PTR is not confirmed, a DNS blocklist zone), a SERVFAIL-only peer
and a silent one. Usage: mxpath_dns_test.py PATH/TO/mxpath_tool (ctest passes it)."""

import socket
import time
import unittest

import mxpath_common as common
from mxpath_common import categories, rules, run_tool
from peers import zone  # noqa: E402
from peers.dns import DnsServer  # noqa: E402
from peers.testing import PeerTestCase  # noqa: E402
from resolver_test import ServfailResponder  # noqa: E402

# Names only this test needs, added as dnsmasq options so the shared zone stays as it is.
# `address=` gives an A record without the PTR that host-record would add.
EXTRA = [
    "--mx-host=broken-mx.test,mx3.two-mx.test,10",   # NXDOMAIN exchanger first ...
    "--mx-host=broken-mx.test,mx1.two-mx.test,20",   # ... and a working one
    "--mx-host=only-broken.test,mx3.two-mx.test,10",
    "--mx-host=bad-ptr.test,mx.bad-ptr.test,10",
    "--address=/mx.bad-ptr.test/127.0.0.14",          # PTR not-confirmed.test, A 127.0.0.15
    "--mx-host=no-ptr.test,mx.no-ptr.test,10",
    "--address=/mx.no-ptr.test/127.0.0.99",           # 99.0.0.127.in-addr.arpa is NXDOMAIN
    # A DNS blocklist (RFC 5782): 127.0.0.2 is listed, with a reason; a second list that lists
    # nothing; a third that answers with Spamhaus' "your resolver is refused" code.
    "--address=/2.0.0.127.dnsbl.smtpdoctor.test/127.0.0.2",
    "--txt-record=2.0.0.127.dnsbl.smtpdoctor.test,listed: smtpdoctor test entry",
    "--address=/2.0.0.127.refusing.smtpdoctor.test/127.255.255.254",
]
BLOCKLIST = "dnsbl.smtpdoctor.test"
CLEAN_LIST = "clean.smtpdoctor.test"
REFUSING_LIST = "refusing.smtpdoctor.test"


class DnsProbeTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = cls.start_peer(DnsServer(extra_options=EXTRA))

    def probe(self, name, *extra, server=None):
        return run_tool("dns", "--server", server or self.dns.address, *extra, name)

    def test_two_exchangers_come_in_preference_order_with_confirmed_reverse_dns(self):
        out = self.probe(zone.TWO_MX_DOMAIN)
        self.assertTrue(out["deliverable"])
        self.assertEqual([(e["host"], e["preference"], e["addresses"]) for e in out["exchangers"]],
                         [(zone.TWO_MX_PRIMARY, 10, ["127.0.0.11"]),
                          (zone.TWO_MX_SECONDARY, 20, ["127.0.0.12"])])
        domain, mx1, mx2 = out["results"]
        self.assertEqual(domain["status"], "ok")
        self.assertEqual(domain["summary"], "MX mx1.two-mx.test (10), mx2.two-mx.test (20); "
                                            "SPF -all; DMARC p=reject")
        self.assertEqual(domain["details"]["dmarc"]["policy"], "reject")
        for result, ip, name in ((mx1, "127.0.0.11", zone.TWO_MX_PRIMARY),
                                 (mx2, "127.0.0.12", zone.TWO_MX_SECONDARY)):
            self.assertEqual(result["status"], "ok")
            self.assertEqual(result["details"]["addresses"],
                             [{"address": ip, "ptr_status": "ok", "ptr": [name],
                               "forward_confirmed": True}])

    def test_a_null_mx_means_no_mail_at_all_even_with_an_a_record(self):
        out = self.probe(zone.NULL_MX_DOMAIN)
        self.assertFalse(out["deliverable"])
        self.assertTrue(out["null_mx"])
        self.assertEqual(out["exchangers"], [])
        (result,) = out["results"]
        self.assertEqual(result["status"], "fail")
        self.assertEqual(categories(result), ["null_mx"])
        self.assertTrue(result["diagnoses"][0]["permanent"])
        self.assertIn("RFC 7505", result["summary"])

    def test_no_mx_but_an_address_is_the_implicit_mx_with_a_warning(self):
        out = self.probe(zone.A_ONLY_DOMAIN)
        self.assertTrue(out["deliverable"])
        self.assertEqual([(e["host"], e["implicit"], e["addresses"]) for e in out["exchangers"]],
                         [(zone.A_ONLY_DOMAIN, True, ["127.0.0.13"])])
        domain = out["results"][0]
        self.assertEqual(domain["status"], "warn")
        self.assertIn("implicit MX", domain["summary"])
        self.assertTrue(any("no SPF record" in n for n in domain["details"]["notes"]))

    def test_a_domain_that_does_not_exist_fails_with_dns_failure(self):
        (result,) = self.probe(zone.NXDOMAIN_NAME)["results"]
        self.assertEqual(result["status"], "fail")
        self.assertEqual(rules(result), ["dns-nxdomain"])
        self.assertIn("NXDOMAIN", result["summary"])

    def test_a_name_the_resolver_refuses_fails_with_dns_failure(self):
        (result,) = self.probe("outside-the-zone.example")["results"]
        self.assertEqual(result["status"], "fail")
        self.assertEqual(rules(result), ["dns-refused"])

    def test_mx_limit_checks_only_the_first_exchangers(self):
        out = self.probe(zone.TWO_MX_DOMAIN, "--mx-limit", "1")
        self.assertEqual([e["host"] for e in out["exchangers"]], [zone.TWO_MX_PRIMARY])
        self.assertEqual(out["exchangers_not_checked"], 1)
        self.assertEqual(len(out["results"]), 2)
        self.assertIn("1 more exchanger(s) not checked (--mx-limit 1)",
                      out["results"][0]["details"]["notes"])

    def test_an_exchanger_that_does_not_exist_fails_while_the_other_carries_the_mail(self):
        out = self.probe("broken-mx.test")
        self.assertTrue(out["deliverable"])
        domain, mx3, mx1 = out["results"]
        self.assertEqual(domain["status"], "warn")
        self.assertEqual((mx3["target"], mx3["status"]), ("mx3.two-mx.test", "fail"))
        self.assertEqual(rules(mx3), ["dns-nxdomain"])
        self.assertEqual(mx1["status"], "ok")

    def test_a_domain_whose_only_exchanger_does_not_exist_cannot_receive_mail(self):
        out = self.probe("only-broken.test")
        self.assertFalse(out["deliverable"])
        self.assertEqual(out["results"][0]["status"], "fail")
        self.assertEqual(categories(out["results"][0]), ["dns_failure"])

    def test_a_ptr_that_does_not_point_back_is_not_forward_confirmed(self):
        out = self.probe("bad-ptr.test")
        exchanger = out["results"][1]
        self.assertEqual(exchanger["status"], "warn")
        self.assertEqual(exchanger["details"]["addresses"][0]["ptr"], [zone.NOT_CONFIRMED_NAME])
        self.assertFalse(exchanger["details"]["addresses"][0]["forward_confirmed"])
        self.assertIn("not confirmed", exchanger["summary"])

    def test_an_address_without_ptr_is_a_warning(self):
        exchanger = self.probe("no-ptr.test")["results"][1]
        self.assertEqual(exchanger["status"], "warn")
        self.assertEqual(exchanger["details"]["addresses"][0]["ptr_status"], "nxdomain")
        self.assertIn("127.0.0.99 (no PTR)", exchanger["summary"])

    def test_the_mail_domain_has_both_families_and_its_spf_and_dmarc_are_summarised(self):
        out = self.probe(zone.MAIL_DOMAIN)
        self.assertEqual(out["exchangers"][0]["addresses"], ["127.0.0.1", "::1"])
        domain = out["results"][0]
        self.assertIn("DMARC p=none", domain["summary"])
        self.assertTrue(any("p=none" in n for n in domain["details"]["notes"]))

    def test_a_host_name_is_checked_for_addresses_and_ptr_only(self):
        out = self.probe(zone.IPV6_NAME, "--host-mode")
        self.assertEqual(out["exchangers"][0]["addresses"], ["::1"])
        (result,) = out["results"]
        self.assertNotIn("mx", result["details"])
        self.assertEqual(result["details"]["addresses"][0]["forward_confirmed"], True)

    def test_a_resolver_answering_servfail_is_a_temporary_dns_failure(self):
        servfail = ServfailResponder()
        try:
            (result,) = self.probe(zone.TWO_MX_DOMAIN,
                                   server="127.0.0.1:%d" % servfail.port)["results"]
        finally:
            servfail.close()
        self.assertEqual(rules(result), ["dns-servfail"])
        self.assertFalse(result["diagnoses"][0]["permanent"])

    def test_a_silent_resolver_times_out_in_bounded_time(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))
            started = time.monotonic()
            (result,) = self.probe(zone.TWO_MX_DOMAIN, "--dns-timeout-ms", "300",
                                   server="127.0.0.1:%d" % silent.getsockname()[1])["results"]
            self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(rules(result), ["dns-timeout"])

    def test_check_walks_a_user_at_domain_targets_exchangers_with_our_resolvers_addresses(self):
        out = run_tool("plan", "--server", self.dns.address, "alice@" + zone.TWO_MX_DOMAIN)
        self.assertEqual(out["hosts"], [{"host": zone.TWO_MX_PRIMARY, "address": "127.0.0.11"},
                                        {"host": zone.TWO_MX_SECONDARY, "address": "127.0.0.12"}])
        self.assertEqual(out["transport_skip_reason"], "")
        self.assertEqual([(r["id"], r["status"]) for r in out["results"]],
                         [("internet", "skip"), ("dns", "ok"), ("dns", "ok"), ("dns", "ok")])

    def test_check_skips_the_transport_probes_for_a_null_mx_domain(self):
        out = run_tool("plan", "--server", self.dns.address, "bob@" + zone.NULL_MX_DOMAIN)
        self.assertEqual(out["hosts"], [])
        self.assertIn("null MX", out["transport_skip_reason"])

    def test_a_bare_host_name_without_mx_is_walked_as_itself_without_an_implicit_mx_warning(self):
        out = run_tool("plan", "--server", self.dns.address, zone.NOT_CONFIRMED_NAME)
        self.assertEqual(out["hosts"], [{"host": zone.NOT_CONFIRMED_NAME,
                                         "address": "127.0.0.15"}])
        self.assertNotIn("implicit", out["results"][1]["summary"])

    def test_an_ip_target_has_no_dns_to_check(self):
        out = run_tool("plan", "--server", self.dns.address, "127.0.0.1:2525")
        self.assertEqual(out["hosts"], [])
        self.assertEqual(out["results"][1]["skip_reason"],
                         "the target is an IP address: no MX to look up")


class EgressTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = cls.start_peer(DnsServer(extra_options=EXTRA))

    def egress(self, *args):
        return run_tool("egress", "--server", self.dns.address, "--include-non-global",
                        "--dnsbl", BLOCKLIST, "--dnsbl", CLEAN_LIST, "--dnsbl", REFUSING_LIST,
                        *args)

    def test_an_address_echoed_in_ehlo_and_listed_on_a_blocklist_is_warned_about(self):
        out = self.egress("--ehlo-line", "mx.smtpdoctor.test Hello client.example [127.0.0.2]")
        self.assertEqual(out["echoed"], "127.0.0.2")
        (result,) = out["results"]
        self.assertEqual(result["status"], "warn")
        self.assertIn("listed on dnsbl.smtpdoctor.test", result["summary"])
        self.assertIn("has no PTR", result["summary"])
        self.assertEqual(sorted(categories(result)), ["blocklisted", "reverse_dns"])
        lists = {entry["zone"]: entry for entry in result["details"]["dnsbl"]}
        self.assertEqual(lists[BLOCKLIST]["result"], "listed")
        self.assertEqual(lists[BLOCKLIST]["reason"], "listed: smtpdoctor test entry")
        self.assertEqual(lists[CLEAN_LIST]["result"], "not listed")
        self.assertEqual(lists[REFUSING_LIST]["result"], "query refused")
        self.assertTrue(any(REFUSING_LIST in n for n in result["details"]["notes"]))

    def test_a_clean_address_with_confirmed_ptr_is_ok(self):
        out = self.egress("--greeting-line", "mx.smtpdoctor.test ESMTP; client 127.0.0.11")
        (result,) = out["results"]
        self.assertEqual(result["status"], "ok")
        self.assertEqual(result["diagnoses"], [])
        self.assertIn("PTR mx1.two-mx.test, confirmed", result["summary"])
        self.assertIn("not listed on 3 of 3 blocklists", result["summary"])

    def test_a_ptr_that_does_not_lead_back_is_a_reverse_dns_warning(self):
        (result,) = self.egress("--address", zone.NOT_CONFIRMED_IP)["results"]
        self.assertEqual(result["status"], "warn")
        self.assertEqual(rules(result), ["egress-ptr-not-confirmed"])

    def test_a_private_address_is_not_looked_up_unless_asked(self):
        out = run_tool("egress", "--server", self.dns.address, "--dnsbl", BLOCKLIST,
                       "--address", "127.0.0.2")
        (result,) = out["results"]
        self.assertEqual(result["status"], "ok")
        self.assertIn("private address", result["summary"])
        self.assertNotIn("dnsbl", result["details"])

    def test_a_server_that_echoes_nothing_gives_no_egress_address(self):
        out = self.egress("--ehlo-line", "mx.smtpdoctor.test", "--greeting-line",
                          "mx.smtpdoctor.test ESMTP Postfix")
        self.assertIsNone(out["echoed"])


if __name__ == "__main__":
    common.take_tool_from_argv()
    unittest.main(verbosity=2)
