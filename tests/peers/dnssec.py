"""A DNSSEC-signed test zone on loopback, behind a validating resolver: two unbound processes on
free high ports of 127.0.0.1, each with a private config in its own temp dir.

    zones = [Zone("dane.test", ["mx-a A 127.0.0.1", "_25._tcp.mx-a TLSA 3 1 1 ab..."],
                  signed=True, break_signatures=["_25._tcp.mx-a"]),
             Zone("plain.test", ["@ MX 10 mx", "mx A 127.0.0.1"])]
    with DnssecResolver(zones) as dns:
        subprocess.run(["dig", "@127.0.0.1", "-p", str(dns.port), "+dnssec", "dane.test", "SOA"])

- The zones are written, and the signed ones signed with ldns-signzone (ldnsutils) under keys made
  by ldns-keygen, at start in the peer's temp dir: no key is ever committed. An RRset named in
  `break_signatures` gets its RRSIG's signature altered after signing, so a validator finds it
  bogus while the data is still served.
- The authoritative side is unbound with `auth-zone` (zone files, for-downstream only). It never
  asks anyone anything: every address is in do-not-query-address.
- The resolver is unbound as a validator: a stub zone per test zone (and for the root, so a
  stray query goes to the authoritative side, not to the internet), the signed zones' KSKs as
  trust anchors. Names outside a trust anchor (the unsigned zones) are answered without AD:
  "insecure". Both bind and send from 127.0.0.1 only (outgoing-interface), so neither can reach
  another host even by mistake.

Unbound refuses the special-use ".test" names by default (RFC 6761 local zones); each test zone
is made `nodefault` so it can be served.
"""

import os
import re
import shutil
import subprocess

from . import ports
from .base import Peer, PeerError
from .dns import query

HOST = ports.LOOPBACK
TTL = 300


class Zone:
    def __init__(self, origin, records, signed=False, break_signatures=()):
        """`records`: zone-file lines relative to `origin` ("mx A 127.0.0.1", "@ MX 10 mx")."""
        self.origin = origin.rstrip(".")
        self.records = list(records)
        self.signed = signed
        self.break_signatures = [self._absolute(name) for name in break_signatures]

    def _absolute(self, name):
        if name == "@":
            return self.origin + "."
        return name if name.endswith(".") else "%s.%s." % (name, self.origin)

    def text(self):
        lines = ["$ORIGIN %s." % self.origin, "$TTL %d" % TTL,
                 "@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 %d" % (
                     self.origin, self.origin, TTL),
                 "@ IN NS ns.%s." % self.origin, "ns IN A %s" % HOST]
        return "\n".join(lines + self.records) + "\n"


def _run(argv, cwd):
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=60)
    if done.returncode != 0:
        raise PeerError("%s failed (%d): %s" % (" ".join(argv), done.returncode, done.stdout))
    return done.stdout.strip()


def _break_signature(signed_text, owner):
    """The zone text with the signature of every RRSIG at `owner` altered (one base64 character
    changed in the middle), other records untouched."""
    out, changed = [], 0
    for line in signed_text.splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[0].lower() == owner.lower() and fields[3] == "RRSIG" \
                and fields[4] != "NSEC":
            signature = fields[-1]
            middle = len(signature) // 2
            flipped = "B" if signature[middle] != "B" else "C"
            fields[-1] = signature[:middle] + flipped + signature[middle + 1:]
            line = "\t".join(fields)
            changed += 1
        out.append(line)
    if not changed:
        raise PeerError("no RRSIG at %s to break" % owner)
    return "\n".join(out) + "\n"


class DnssecResolver(Peer):
    name = "unbound-dnssec"

    def __init__(self, zones):
        super().__init__()
        self.zones = zones
        self.port = None            # the validating resolver: what --dns-server names
        self.authority_port = None  # the authoritative server (dig it with +norec)

    @property
    def address(self):
        return "%s:%d" % (HOST, self.port)

    def log_files(self):
        return [self.path("resolver.log"), self.path("authority.log")] if self.dir else []

    def _pick_ports(self):
        self.port, self.authority_port = ports.free_ports(2, kinds=("udp", "tcp"))

    # -- zones and keys ---------------------------------------------------------------------

    def _sign(self, zone, unsigned):
        ksk = _run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", zone.origin], self.dir)
        zsk = _run(["ldns-keygen", "-a", "ECDSAP256SHA256", zone.origin], self.dir)
        # -n would be NSEC3; plain NSEC keeps the denial records readable in the logs.
        _run(["ldns-signzone", "-o", zone.origin, unsigned, ksk, zsk], self.dir)
        with open(unsigned + ".signed") as signed:
            text = signed.read()
        for owner in zone.break_signatures:
            text = _break_signature(text, owner)
        with open(unsigned + ".signed", "w") as out:
            out.write(text)
        return unsigned + ".signed", self.path(ksk + ".key")

    def _configure(self):
        for tool in ("unbound", "ldns-keygen", "ldns-signzone"):
            if not shutil.which(tool):
                raise PeerError("%s is not installed (unbound, ldnsutils)" % tool)
        self.zone_files, self.anchors = {}, []
        for zone in self.zones:
            unsigned = self.path(zone.origin + ".zone")
            with open(unsigned, "w") as out:
                out.write(zone.text())
            if zone.signed:
                signed, anchor = self._sign(zone, unsigned)
                self.zone_files[zone.origin] = signed
                self.anchors.append(anchor)
            else:
                self.zone_files[zone.origin] = unsigned
        common = [
            "server:",
            "  interface: %s" % HOST,
            "  outgoing-interface: %s" % HOST,
            "  do-ip6: no",
            "  username: \"\"",
            "  chroot: \"\"",
            "  directory: \"%s\"" % self.dir,
            "  pidfile: \"\"",
            "  use-syslog: no",
            "  verbosity: 1",
            "  num-threads: 1",
            "  access-control: 127.0.0.0/8 allow",
        ] + ["  local-zone: \"%s.\" nodefault" % z for z in self._special_use_parents()]
        authority = common + [
            "  port: %d" % self.authority_port,
            "  logfile: \"%s\"" % self.path("authority.log"),
            "  module-config: \"iterator\"",
            "  do-not-query-address: 0.0.0.0/0",
            "  do-not-query-address: ::/0",
        ]
        for origin, path in self.zone_files.items():
            authority += ["auth-zone:", "  name: \"%s.\"" % origin, "  zonefile: \"%s\"" % path,
                          "  for-downstream: yes", "  for-upstream: no",
                          "  fallback-enabled: no"]
        resolver = common + [
            "  port: %d" % self.port,
            "  logfile: \"%s\"" % self.path("resolver.log"),
            "  module-config: \"validator iterator\"",
            "  do-not-query-localhost: no",
            "  val-log-level: 2",
            "  qname-minimisation: no",
        ] + ["  trust-anchor-file: \"%s\"" % anchor for anchor in self.anchors]
        for origin in list(self.zone_files) + ["."]:
            resolver += ["stub-zone:", "  name: \"%s\"" % (origin if origin == "." else origin + "."),
                         "  stub-addr: %s@%d" % (HOST, self.authority_port)]
        for name, lines in (("authority.conf", authority), ("resolver.conf", resolver)):
            with open(self.path(name), "w") as out:
                out.write("\n".join(lines) + "\n")
            _run(["unbound-checkconf", self.path(name)], self.dir)

    def _special_use_parents(self):
        """The RFC 6761 names unbound blocks by default that the zones live under ("test")."""
        blocked = {"test", "invalid", "onion", "local", "localhost", "example"}
        return sorted({z.origin.split(".")[-1] for z in self.zones} & blocked)

    def _launch(self):
        self.spawn(["unbound", "-d", "-c", self.path("authority.conf")], "authority.out")
        self.spawn(["unbound", "-d", "-c", self.path("resolver.conf")], "resolver.out")

    def log_text(self):
        return "".join(open(p, errors="replace").read() for p in self.log_files()
                       if os.path.exists(p))

    def _probe(self, deadline):
        for port in (self.authority_port, self.port):
            try:
                rcode, answers = query(port, self.zones[0].origin, "NS", timeout=0.5)
            except OSError:
                return False
            if rcode != 0 or answers == 0:
                if re.search(r"error|fatal", self.log_text()):
                    raise PeerError("unbound answers rcode %d for the test zone" % rcode)
                return False
        return True
