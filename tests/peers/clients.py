"""Clients no one here wrote, for talking to the fixtures: swaks for SMTP, Python's poplib and
imaplib for reading the mailbox back. Every call has a timeout."""

import collections
import imaplib
import poplib
import ssl
import subprocess
import time

SwaksResult = collections.namedtuple("SwaksResult", "exit_code transcript")

# swaks exit codes (swaks(1) "EXIT CODES")
SWAKS_OK = 0
SWAKS_RCPT_REJECTED = 24
SWAKS_AUTH_FAILED = 28
SWAKS_TLS_FAILED = 29


def swaks(port, *args, timeout=30):
    """Runs swaks against 127.0.0.1:port with `args`; returns exit code and full transcript."""
    argv = ["swaks", "--server", "127.0.0.1:%d" % port, "--timeout", "10",
            "--helo", "client.smtpdoctor.test"] + list(args)
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout)
    return SwaksResult(done.returncode, done.stdout.decode("utf-8", "replace"))


def swaks_auth(user, password, mechanism="PLAIN"):
    return ["--auth", mechanism, "--auth-user", user, "--auth-password", password]


def client_tls_context(certs):
    """Trusts only the fixture's test CA, and checks the name (we connect to 127.0.0.1)."""
    return ssl.create_default_context(cafile=certs.ca_file)


TLS_NAME = "127.0.0.1"  # an IP subjectAltName of the fixture certificate: no name lookup


def pop3_messages(port, user, password, certs, mode="stls", timeout=10):
    """Logs in over POP3 (mode "stls": STLS on the plain port; "tls": implicit TLS) and returns
    every message as bytes."""
    context = client_tls_context(certs)
    if mode == "tls":
        pop = poplib.POP3_SSL(TLS_NAME, port, context=context, timeout=timeout)
    else:
        pop = poplib.POP3(TLS_NAME, port, timeout=timeout)
        pop.stls(context=context)
    try:
        pop.user(user)
        pop.pass_(password)
        count, _ = pop.stat()
        return [b"\r\n".join(pop.retr(i + 1)[1]) for i in range(count)]
    finally:
        pop.quit()


def imap_messages(port, user, password, certs, mode="starttls", timeout=10):
    """Logs in over IMAP (mode "starttls" or "tls") and returns every INBOX message as bytes."""
    context = client_tls_context(certs)
    if mode == "tls":
        imap = imaplib.IMAP4_SSL(TLS_NAME, port, ssl_context=context, timeout=timeout)
    else:
        imap = imaplib.IMAP4(TLS_NAME, port, timeout=timeout)
        imap.starttls(ssl_context=context)
    try:
        imap.login(user, password)
        imap.select("INBOX", readonly=True)
        _, data = imap.search(None, "ALL")
        messages = []
        for number in data[0].split():
            _, parts = imap.fetch(number, "(RFC822)")
            messages.append(parts[0][1])
        return messages
    finally:
        imap.logout()


def wait_for(predicate, timeout=15.0, interval=0.2):
    """Polls until predicate() returns something truthy (delivery is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
