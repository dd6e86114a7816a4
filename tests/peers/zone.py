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

# MTA-STS / TLS-RPT (check_mta_sts_test): the MX hosts answer on STS_GOOD_MX_IP (a certificate
# naming them) or STS_BAD_MX_IP (one naming another host); every mta-sts.* host that exists is
# STS_POLICY_IP, where the test serves the policies over HTTPS on port 443.
STS_GOOD_MX_IP = "127.0.0.21"
STS_BAD_MX_IP = "127.0.0.22"
STS_POLICY_IP = "127.0.0.31"
STS_GOOD = "sts-good.test"          # enforce, MX certificate matches; TLS-RPT valid
STS_ENFORCE = "sts-enforce.test"    # enforce, mx2's certificate does not match; TLS-RPT invalid
STS_TESTING = "sts-testing.test"    # testing, the MX certificate does not match
STS_UNLISTED = "sts-unlisted.test"  # the MX matches no mx pattern of the policy
STS_SYNTAX = "sts-syntax.test"      # the policy does not parse ("mode: enforcing")
STS_NOHOST = "sts-nohost.test"      # TXT record, but no mta-sts.sts-nohost.test
STS_REDIRECT = "sts-redirect.test"  # the policy URL redirects
STS_BADCERT = "sts-badcert.test"    # the policy host's certificate names other hosts
STS_HUGE = "sts-huge.test"          # the policy is larger than 64 KiB
STS_SLOW = "sts-slow.test"          # the policy server does not answer in time
# Each domain's MX hosts and the address each resolves to.
STS_MX = {
    STS_GOOD: [("mx.sts-good.test", STS_GOOD_MX_IP)],
    STS_ENFORCE: [("mx1.sts-enforce.test", STS_GOOD_MX_IP), ("mx2.sts-enforce.test", STS_BAD_MX_IP)],
    STS_TESTING: [("mx.sts-testing.test", STS_BAD_MX_IP)],
    STS_UNLISTED: [("mx.sts-unlisted.test", STS_GOOD_MX_IP)],
    STS_SYNTAX: [("mx.sts-syntax.test", STS_GOOD_MX_IP)],
    STS_NOHOST: [("mx.sts-nohost.test", STS_GOOD_MX_IP)],
    STS_REDIRECT: [("mx.sts-redirect.test", STS_GOOD_MX_IP)],
    STS_BADCERT: [("mx.sts-badcert.test", STS_GOOD_MX_IP)],
    STS_HUGE: [("mx.sts-huge.test", STS_GOOD_MX_IP)],
    STS_SLOW: [("mx.sts-slow.test", STS_GOOD_MX_IP)],
}
STS_TLSRPT = {
    STS_GOOD: '"v=TLSRPTv1; rua=mailto:tlsrpt@sts-good.test,https://reports.sts-good.test/v1"',
    STS_ENFORCE: '"v=TLSRPTv1; rua=ftp://reports.sts-enforce.test/"',
}

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

for _domain, _hosts in STS_MX.items():
    RECORDS[(_domain, "MX")] = sorted("%d %s." % (10 * (i + 1), h) for i, (h, _) in enumerate(_hosts))
    for _host, _ip in _hosts:
        RECORDS[(_host, "A")] = [_ip]
    RECORDS[("_mta-sts." + _domain, "TXT")] = [
        '"v=STSv1; id=20260101good"' if _domain == STS_GOOD else '"v=STSv1; id=1"']
    if _domain != STS_NOHOST:
        RECORDS[("mta-sts." + _domain, "A")] = [STS_POLICY_IP]
for _domain, _record in STS_TLSRPT.items():
    RECORDS[("_smtp._tls." + _domain, "TXT")] = [_record]

# Names answered NXDOMAIN (rcode 3).
NXDOMAIN = [NXDOMAIN_NAME, "mx3.two-mx.test", "99.0.0.127.in-addr.arpa",
            "mta-sts." + STS_NOHOST]
