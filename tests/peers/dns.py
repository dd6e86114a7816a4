"""A real DNS server (dnsmasq) on 127.0.0.1, UDP and TCP on one free high port, serving the test
zone (tests/data/zone/test-zone.dnsmasq.conf; names in peers.zone).

    from peers.dns import DnsServer
    with DnsServer() as dns:
        subprocess.run(["dig", "@127.0.0.1", "-p", str(dns.port), "two-mx.test", "MX"])

dnsmasq runs with no upstream (--no-resolv) and no /etc/hosts, so nothing is ever forwarded off
the machine: a name outside the zone gets REFUSED. dnsmasq expresses every record the tests need,
null MX included ("mx-host=null-mx.test,.,0"); it cannot be made to answer SERVFAIL on purpose, so
the zone has no such name.

By hand: `python3 -m tests.peers.dns` (repository root) prints its port and waits; a command
run as `python3 tests/peers/with_peer.py dns -- CMD` gets SMTPDOCTOR_DNS_SERVER=127.0.0.1:PORT.
"""

import grp
import os
import pwd
import random
import socket
import struct
import sys
import time

from . import ports, zone
from .base import Peer, PeerError

HOST = ports.LOOPBACK


class DnsServer(Peer):
    name = "dnsmasq"

    def __init__(self, zone_file=zone.ZONE_FILE, extra_options=()):
        """`extra_options`: more dnsmasq long options (e.g. "--txt-record=x.test,hello") for a
        test that needs one record of its own."""
        super().__init__()
        self.zone_file = zone_file
        self.extra_options = list(extra_options)
        self.port = None

    @property
    def address(self):
        """"127.0.0.1:PORT", the form `--dns-server` takes."""
        return "%s:%d" % (HOST, self.port)

    def log_files(self):
        return [self.path("dnsmasq.log")] if self.dir else []

    def _pick_ports(self):
        self.port = ports.free_port(kinds=("udp", "tcp"))

    def _configure(self):
        if not os.path.exists(self.zone_file):
            raise PeerError("zone file %s is missing" % self.zone_file)

    def _launch(self):
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        self.spawn(["dnsmasq", "--keep-in-foreground", "--conf-file=" + self.zone_file,
                    "--no-resolv", "--no-hosts", "--no-poll", "--port=%d" % self.port,
                    "--listen-address=" + HOST, "--bind-interfaces", "--user=" + user,
                    "--group=" + group, "--pid-file=", "--log-queries",
                    "--log-facility=" + self.path("dnsmasq.log")] + self.extra_options,
                   "dnsmasq.log")

    def _probe(self, deadline):
        try:
            rcode, answers = query(self.port, zone.TWO_MX_DOMAIN, "MX", timeout=0.5)
        except OSError:
            return False
        if rcode != 0 or answers == 0:
            raise PeerError("dnsmasq answers but not with the test zone (rcode %d)" % rcode)
        ports.wait_for_tcp(self.port, deadline)
        return True


_TYPES = {"A": 1, "NS": 2, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}


def query(port, name, rtype, timeout=2.0, host=HOST):
    """One plain UDP query; returns (rcode, number of answers). Used to see that the server is up
    (the tests themselves ask with dig, a resolver no one here wrote)."""
    qid = random.randrange(1 << 16)
    packet = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        packet += bytes([len(label)]) + label.encode()
    packet += b"\0" + struct.pack(">HH", _TYPES[rtype], 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(packet, (host, port))
        end = time.monotonic() + timeout
        while True:
            sock.settimeout(max(0.01, end - time.monotonic()))
            reply, _ = sock.recvfrom(4096)
            if len(reply) >= 12 and struct.unpack(">H", reply[:2])[0] == qid:
                break
    flags, _, ancount = struct.unpack(">HHH", reply[2:8])
    return flags & 0xF, ancount


def environment(dns):
    """What a command run with this peer gets (see cli.py)."""
    return {"SMTPDOCTOR_DNS_SERVER": dns.address, "SMTPDOCTOR_DNS_PORT": str(dns.port)}


def describe(dns):
    return ({"try": "dig @127.0.0.1 -p %d %s MX" % (dns.port, zone.TWO_MX_DOMAIN),
             "zone": zone.ZONE_FILE, "log": dns.log_files()[0]}, environment(dns))


def main(args=None):
    from .cli import run
    return run(DnsServer(), describe, sys.argv[1:] if args is None else args)


if __name__ == "__main__":
    sys.exit(main())
