"""A throwaway test CA and a server certificate it signed, made with the openssl CLI.

The server certificate names mx.smtpdoctor.test, localhost and 127.0.0.1, so a client given
`ca_file` (e.g. `--ca-file`) can verify it by any of those; without the CA it is an untrusted
certificate, which is what `--insecure` tests want. EC P-256 keys keep creation well under 1 s.
"""

import os

from .base import run

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
