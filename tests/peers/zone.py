"""The names of the DNS test zone (tests/data/zone/test-zone.dnsmasq.conf) and what they answer.

Tests should use these constants rather than spell names, so the zone can grow without hunting
for strings. peers_dns_test checks every entry of RECORDS against the running server.
"""

import os

ZONE_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                         "zone", "test-zone.dnsmasq.conf")

TWO_MX_DOMAIN = "two-mx.test"          # MX 10 mx1.two-mx.test, MX 20 mx2.two-mx.test
TWO_MX_PRIMARY = "mx1.two-mx.test"     # A 127.0.0.11 (PTR back to it)
TWO_MX_SECONDARY = "mx2.two-mx.test"   # A 127.0.0.12 (PTR back to it)
NULL_MX_DOMAIN = "null-mx.test"        # MX 0 "." (RFC 7505), plus A 127.0.0.16
A_ONLY_DOMAIN = "a-only.test"          # A 127.0.0.13, no MX (NOERROR, empty answer)
NXDOMAIN_NAME = "no-such-name.test"    # NXDOMAIN (any unlisted name under .test is)
NOT_CONFIRMED_IP = "127.0.0.14"        # PTR not-confirmed.test, whose A is 127.0.0.15
NOT_CONFIRMED_NAME = "not-confirmed.test"
CONFIRMED_IP = "127.0.0.11"            # PTR mx1.two-mx.test, whose A is 127.0.0.11
IPV6_NAME = "ipv6.test"                # AAAA ::1, no A
MAIL_DOMAIN = "smtpdoctor.test"        # MX 10 mx.smtpdoctor.test (A 127.0.0.1, AAAA ::1)
MAIL_HOST = "mx.smtpdoctor.test"

# (name, type) -> sorted answers exactly as `dig +short` prints them; [] means NOERROR/no data.
RECORDS = {
    (TWO_MX_DOMAIN, "MX"): ["10 mx1.two-mx.test.", "20 mx2.two-mx.test."],
    (TWO_MX_PRIMARY, "A"): ["127.0.0.11"],
    (TWO_MX_SECONDARY, "A"): ["127.0.0.12"],
    (TWO_MX_DOMAIN, "TXT"): ['"v=spf1 ip4:127.0.0.0/8 -all"'],
    ("_dmarc." + TWO_MX_DOMAIN, "TXT"): ['"v=DMARC1; p=reject; rua=mailto:dmarc@two-mx.test"'],
    (NULL_MX_DOMAIN, "MX"): ["0 ."],
    (NULL_MX_DOMAIN, "A"): ["127.0.0.16"],
    (A_ONLY_DOMAIN, "A"): ["127.0.0.13"],
    (A_ONLY_DOMAIN, "MX"): [],
    (NOT_CONFIRMED_NAME, "A"): ["127.0.0.15"],
    ("14.0.0.127.in-addr.arpa", "PTR"): ["not-confirmed.test."],
    ("11.0.0.127.in-addr.arpa", "PTR"): ["mx1.two-mx.test."],
    (IPV6_NAME, "AAAA"): ["::1"],
    (IPV6_NAME, "A"): [],
    (MAIL_DOMAIN, "MX"): ["10 mx.smtpdoctor.test."],
    (MAIL_HOST, "A"): ["127.0.0.1"],
    (MAIL_HOST, "AAAA"): ["::1"],
    (MAIL_DOMAIN, "TXT"): ['"v=spf1 a:mx.smtpdoctor.test -all"'],
    ("_dmarc." + MAIL_DOMAIN, "TXT"): ['"v=DMARC1; p=none"'],
}

# Names answered NXDOMAIN (rcode 3).
NXDOMAIN = [NXDOMAIN_NAME, "mx3.two-mx.test", "99.0.0.127.in-addr.arpa"]
