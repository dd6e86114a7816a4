"""Fixtures outside unittest: start one, then either wait for Ctrl-C (debugging by hand) or run a
command with the peer's ports in its environment (a C++ test binary, a shell script).

    python3 -m tests.peers.dns                  # from the repository root: print, wait
    python3 -m tests.peers.postfix --json       # one JSON line of SMTPDOCTOR_* values, wait
    python3 tests/peers/with_peer.py dns -- ./resolver_tests   # run it, exit with its status

The command gets the values in environment variables (SMTPDOCTOR_DNS_SERVER=127.0.0.1:PORT,
SMTPDOCTOR_SUBMISSION_PORT, SMTPDOCTOR_TEST_CA...: see each module's environment()); when it
fails, the peers' logs are printed.
"""

import importlib
import json
import os
import subprocess
import sys
import time

MODULES = {"dns": "dns", "dovecot": "dovecot", "postfix": "postfix", "mail": "postfix",
           "exim": "exim"}


def _peers_of(fixture):
    return list(getattr(fixture, "peers", [fixture]))


def _dump(fixture, reason):
    for peer in _peers_of(fixture):
        peer.dump_logs(reason)


def run(fixture, describe, args):
    """`describe(fixture)` returns (human facts, environment). Returns an exit status."""
    command = args[args.index("--") + 1:] if "--" in args else None
    options = args[:args.index("--")] if "--" in args else args
    unknown = [o for o in options if o != "--json"]
    if unknown or command == []:
        print("usage: [--json] [-- COMMAND ARGS...]; unknown: %s" % " ".join(unknown),
              file=sys.stderr)
        return 2
    with fixture:
        facts, environment = describe(fixture)
        if command:
            status = subprocess.call(command, env=dict(os.environ, **environment))
            if status != 0:
                _dump(fixture, "%s exited with %d" % (command[0], status))
            return status
        if "--json" in options:
            print(json.dumps(environment), flush=True)
        else:
            print("running (Ctrl-C stops and removes it):")
            for key, value in list(facts.items()) + list(environment.items()):
                print("  %-24s %s" % (key, value))
            sys.stdout.flush()
        try:
            while all(proc.poll() is None for peer in _peers_of(fixture) for proc in peer.procs):
                time.sleep(0.5)
            print("a peer exited on its own; logs follow.")
            _dump(fixture, "exited")
            return 1
        except KeyboardInterrupt:
            print("\nstopping")
            return 0


def main_for(kind, args):
    if kind not in MODULES:
        print("usage: with_peer.py {%s} [--json] [-- COMMAND ARGS...]" % ",".join(MODULES),
              file=sys.stderr)
        return 2
    module = importlib.import_module("." + MODULES[kind], __package__)
    return module.main(args)
