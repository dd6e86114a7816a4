"""What the `check` integration tests share: run `smtpdoctor check`, validate every --json report
against the published JSON Schema (man/smtpdoctor-report.schema.json) with validate_schema.py,
and find a probe in a report. Everything talks to 127.0.0.1 only."""

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests"))

from serve_fixture import SMTPDOCTOR  # noqa: E402

SCHEMA = os.path.join(SOURCE_DIR, "man", "smtpdoctor-report.schema.json")
VALIDATE = os.path.join(HERE, "validate_schema.py")
# A name every server accepts in EHLO, so only the scenario under test warns.
HELO = "client.example.test"


def environment(**extra):
    """No colour and no progress line, whatever the environment of the test run."""
    return dict(os.environ, NO_COLOR="1", TERM="dumb", **extra)


def run(argv, timeout=60, stdin=subprocess.DEVNULL, env=None):
    done = subprocess.run([SMTPDOCTOR] + argv, stdin=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout,
                          env=environment(**(env or {})))
    return done.returncode, done.stdout, done.stderr


def validate(document_text):
    """Fails the test (AssertionError) when the document does not match the schema. Returns
    False when python3-jsonschema is missing (validate_schema.py exit 77)."""
    done = subprocess.run([sys.executable, VALIDATE, SCHEMA, "-"], input=document_text,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    if done.returncode == 77:
        return False
    assert done.returncode == 0, "schema validation failed:\n%s\n%s" % (done.stdout,
                                                                        document_text[:2000])
    return True


def check(*args, timeout=60, offline=True, helo=HELO, env=None):
    """`smtpdoctor check ARGS --json`: (exit code, report dict), the report schema-checked."""
    argv = ["check", *args, "--json"]
    if offline:
        argv.append("--offline")
    if helo and not any(a.startswith("--helo") for a in args):
        argv += ["--helo", helo]
    code, out, err = run(argv, timeout=timeout, env=env)
    assert out.strip(), "no JSON on stdout (exit %d): %s" % (code, err)
    validate(out)
    return code, json.loads(out)


def probe(report, probe_id, port=None):
    """The one result of `probe_id` (on `port`, when several ports were checked)."""
    found = [p for p in report["probes"]
             if p["id"] == probe_id and (port is None or p.get("port") == port)]
    assert len(found) == 1, "expected one %s probe (port %s), found %d: %s" % (
        probe_id, port, len(found), json.dumps(report["probes"], indent=1)[:3000])
    return found[0]


def categories(result):
    return [d["category"] for d in result["diagnoses"]]


def notes(result):
    return " | ".join(result["details"].get("notes", []))


def mask_human(text):
    """Human output with what changes between runs masked: timings, ports, dates, expiry."""
    text = re.sub(r"started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", "started <time>", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)
    text = re.sub(r"port \d+", "port <port>", text)
    text = re.sub(r"(?m)^(  \S \S+)\s+\d+(\.\d+)? (ms|s|min)( \d+ s)?  ", r"\1 <time>  ", text)
    text = re.sub(r"in \d+(\.\d+)? (ms|s)", "in <time>", text)
    text = re.sub(r"valid \d+ days", "valid <n> days", text)
    return text


def make_certificates(directory, days=30, names=("DNS:localhost", "IP:127.0.0.1", "IP:::1")):
    """A test CA and a server certificate for localhost / 127.0.0.1 / ::1, valid `days` days (so
    the tls probe's expiry warning stays out of scenarios that are not about it).
    Returns (ca_file, cert_file, key_file)."""
    os.makedirs(directory, exist_ok=True)
    ca, ca_key = os.path.join(directory, "ca.crt"), os.path.join(directory, "ca.key")
    cert, key = os.path.join(directory, "server.crt"), os.path.join(directory, "server.key")
    csr, ext = os.path.join(directory, "server.csr"), os.path.join(directory, "server.ext")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    subprocess.run(["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days",
                    str(days), "-subj", "/O=smtpdoctor check tests/CN=check test CA",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign"], **quiet)
    subprocess.run(["openssl", "req", "-new", *ec, "-keyout", key, "-out", csr, "-subj",
                    "/CN=localhost"], **quiet)
    with open(ext, "w") as out:
        out.write("subjectAltName=%s\n" % ",".join(names))
        out.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
                    "-CAcreateserial", "-out", cert, "-days", str(days), "-extfile", ext], **quiet)
    return ca, cert, key
