"""The last net under the fixtures: a tiny process that outlives a killed test and cleans up.

The test process starts one guard (base.py does it on the first peer start) and keeps the write
end of its stdin. For every peer it writes "add PGID DIR"; stop() writes "del PGID DIR". When the
test process dies in any way, SIGKILL included, the kernel closes that pipe, the guard reads EOF
and ends every group still registered (SIGTERM, then SIGKILL after a grace period) and removes
their dirs. PR_SET_PDEATHSIG alone is not enough: Postfix's master changes its effective uid now
and then, which clears it, and Dovecot's helper processes outlive a master that got SIGTERM.

Runs as a script (`python3 guard.py`), standard library only; its own session, so a Ctrl-C in
the terminal reaches the test first and the guard only acts once the test is gone.
"""

import os
import shutil
import signal
import sys
import time


def group_alive(pgid):
    """True while a process of the group still runs. Zombies do not count: once the group's
    leader is gone, its children's zombies wait for init to reap them, sometimes for seconds."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def end_groups(groups, grace=5.0):
    for signum in (signal.SIGTERM, signal.SIGKILL):
        for pgid in groups:
            try:
                os.killpg(pgid, signum)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + grace
        while any(group_alive(pgid) for pgid in groups) and time.monotonic() < deadline:
            time.sleep(0.1)


def main():
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    registered = {}
    for line in sys.stdin:
        parts = line.rstrip("\n").split(" ", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        verb, pgid, directory = parts[0], int(parts[1]), parts[2]
        if verb == "add":
            registered[pgid] = directory
        elif verb == "del":
            registered.pop(pgid, None)
    # EOF: the test process is gone (or closed the pipe after stopping everything itself).
    end_groups(list(registered))
    for directory in registered.values():
        if directory:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
