"""A throwaway test CA and a server certificate it signed, made with the openssl CLI.

The server certificate names mx.smtpdoctor.test, localhost and 127.0.0.1, so a client given
`ca_file` (e.g. `--ca-file`) can verify it by any of those; without the CA it is an untrusted
certificate, which is what `--insecure` tests want. EC P-256 keys keep creation well under 1 s.

`issue()` makes more certificates signed by the same CA, each broken in one chosen way: expired,
not yet valid, or for other names (`openssl ca`, the one OpenSSL 3.0 tool that sets both dates);
`self_signed()` one no CA issued.
"""

import os
import time

from .base import run

DAY = 24 * 3600


def _asn1_time(offset_seconds):
    """A time `offset_seconds` from now (negative: in the past) as `openssl ca` takes it."""
    return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(time.time() + offset_seconds))

SERVER_NAMES = ("mx.smtpdoctor.test", "localhost")


class TestCertificates:
    def __init__(self, directory, names=SERVER_NAMES):
        self.dir = directory
        self.ca_file = os.path.join(directory, "test-ca.crt")
        self.ca_key = os.path.join(directory, "test-ca.key")
        self.cert_file = os.path.join(directory, "server.crt")
        self.key_file = os.path.join(directory, "server.key")
        self.names = names

    def create(self):
        os.makedirs(self.dir, exist_ok=True)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        run(["openssl", "req", "-x509"] + ec + [
            "-keyout", self.ca_key, "-out", self.ca_file, "-days", "90",
            "-subj", "/O=smtpdoctor tests/CN=smtpdoctor test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        csr = os.path.join(self.dir, "server.csr")
        run(["openssl", "req", "-new"] + ec + [
            "-keyout", self.key_file, "-out", csr, "-subj", "/CN=%s" % self.names[0]])
        ext = os.path.join(self.dir, "server.ext")
        with open(ext, "w") as out:
            out.write("subjectAltName=%s,IP:127.0.0.1\n" % ",".join("DNS:" + n for n in self.names))
            out.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        run(["openssl", "x509", "-req", "-in", csr, "-CA", self.ca_file, "-CAkey", self.ca_key,
             "-CAcreateserial", "-out", self.cert_file, "-days", "90", "-extfile", ext])
        # Dovecot and Postfix read the key as root before dropping privileges; 0644 on the cert
        # lets unprivileged children and clients read it too.
        os.chmod(self.key_file, 0o600)
        for path in (self.cert_file, self.ca_file):
            os.chmod(path, 0o644)
        return self

    def issue(self, label, dns_names=SERVER_NAMES, ip_addresses=("127.0.0.1",),
              valid_from=-DAY, valid_until=90 * DAY):
        """Another server certificate signed by this CA (create() first), valid from
        `valid_from` to `valid_until` seconds from now: an expired one is (-60 * DAY, -DAY), one
        not valid yet (30 * DAY, 90 * DAY). Returns (cert_file, key_file), named after `label`."""
        cert, key = self._paths(label)
        csr = os.path.join(self.dir, label + ".csr")
        run(["openssl", "req", "-new"] + self._ec() + [
            "-keyout", key, "-out", csr, "-subj", "/CN=%s" % (dns_names or ip_addresses)[0]])
        ext = self._extensions(label, dns_names, ip_addresses)
        run(["openssl", "ca", "-batch", "-notext", "-config", self._ca_config(), "-in", csr,
             "-out", cert, "-startdate", _asn1_time(valid_from), "-enddate",
             _asn1_time(valid_until), "-extfile", ext, "-extensions", "server"])
        return self._readable(cert, key)

    def self_signed(self, label, dns_names=SERVER_NAMES, ip_addresses=("127.0.0.1",)):
        """A server certificate that signs itself (no CA): (cert_file, key_file)."""
        cert, key = self._paths(label)
        ext = self._extensions(label, dns_names, ip_addresses)
        run(["openssl", "req", "-x509"] + self._ec() + [
            "-keyout", key, "-out", cert, "-days", "90", "-subj",
            "/CN=%s" % (dns_names or ip_addresses)[0], "-extensions", "server", "-config", ext])
        return self._readable(cert, key)

    def issued_by_intermediate(self, label, dns_names=SERVER_NAMES, ip_addresses=("127.0.0.1",)):
        """A server certificate signed by an intermediate CA that this CA signed: the file holds
        only the server's own certificate, as a server that forgets the intermediate sends it.
        Returns (cert_file, key_file, intermediate_file)."""
        inter_cert, inter_key = self._paths(label + "-intermediate")
        csr = os.path.join(self.dir, label + "-intermediate.csr")
        run(["openssl", "req", "-new"] + self._ec() + [
            "-keyout", inter_key, "-out", csr, "-subj",
            "/O=smtpdoctor tests/CN=smtpdoctor test intermediate"])
        ext = os.path.join(self.dir, label + "-intermediate.ext")
        with open(ext, "w") as out:
            out.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
        run(["openssl", "x509", "-req", "-in", csr, "-CA", self.ca_file, "-CAkey", self.ca_key,
             "-CAcreateserial", "-out", inter_cert, "-days", "90", "-extfile", ext])
        cert, key = self._paths(label)
        csr = os.path.join(self.dir, label + ".csr")
        run(["openssl", "req", "-new"] + self._ec() + [
            "-keyout", key, "-out", csr, "-subj", "/CN=%s" % (dns_names or ip_addresses)[0]])
        run(["openssl", "x509", "-req", "-in", csr, "-CA", inter_cert, "-CAkey", inter_key,
             "-CAcreateserial", "-out", cert, "-days", "90", "-extfile",
             self._extensions(label, dns_names, ip_addresses), "-extensions", "server"])
        self._readable(inter_cert, inter_key)
        return self._readable(cert, key) + (inter_cert,)

    def rsa_1024(self, label, dns_names=SERVER_NAMES, ip_addresses=("127.0.0.1",)):
        """A server certificate this CA signed for a 1024-bit RSA key, valid in every other way
        (OpenSSL 3 servers refuse to load it: "ee key too small"; Python's ssl at SECLEVEL=0
        serves it). Returns (cert_file, key_file)."""
        cert, key = self._paths(label)
        csr = os.path.join(self.dir, label + ".csr")
        run(["openssl", "req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", key, "-out",
             csr, "-subj", "/CN=%s" % (dns_names or ip_addresses)[0]])
        run(["openssl", "x509", "-req", "-in", csr, "-CA", self.ca_file, "-CAkey", self.ca_key,
             "-CAcreateserial", "-out", cert, "-days", "90", "-extfile",
             self._extensions(label, dns_names, ip_addresses), "-extensions", "server"])
        return self._readable(cert, key)

    # ---- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _ec():
        return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def _paths(self, label):
        return (os.path.join(self.dir, label + ".crt"), os.path.join(self.dir, label + ".key"))

    def _extensions(self, label, dns_names, ip_addresses):
        """An extension file usable both as `-extfile` and as a `-config` with a [server]
        section."""
        names = ["DNS:" + n for n in dns_names] + ["IP:" + a for a in ip_addresses]
        path = os.path.join(self.dir, label + ".ext")
        with open(path, "w") as out:
            out.write("[req]\ndistinguished_name = dn\n[dn]\n[server]\n")
            out.write("subjectAltName=%s\n" % ",".join(names))
            out.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        return path

    def _ca_config(self):
        """A minimal `openssl ca` setup in the CA's directory (database, serial), made once."""
        path = os.path.join(self.dir, "ca.cnf")
        if os.path.exists(path):
            return path
        ca_dir = os.path.join(self.dir, "ca-db")
        os.makedirs(ca_dir, exist_ok=True)
        open(os.path.join(ca_dir, "index.txt"), "w").close()
        with open(os.path.join(ca_dir, "serial"), "w") as out:
            out.write("1000\n")
        with open(path, "w") as out:
            out.write("[ca]\ndefault_ca = test_ca\n[test_ca]\n")
            out.write("database = %s\n" % os.path.join(ca_dir, "index.txt"))
            out.write("serial = %s\n" % os.path.join(ca_dir, "serial"))
            out.write("new_certs_dir = %s\n" % ca_dir)
            out.write("certificate = %s\nprivate_key = %s\n" % (self.ca_file, self.ca_key))
            out.write("default_md = sha256\npolicy = any_name\nunique_subject = no\n")
            out.write("[any_name]\ncommonName = supplied\n")
        return path

    @staticmethod
    def _readable(cert, key):
        os.chmod(key, 0o600)
        os.chmod(cert, 0o644)
        return cert, key
