"""Starting a benchmark in its own session and ending everything in that session on timeout or interrupt.

A session, not a process group: MPI launchers move ranks into their own process groups, but they stay in the
session the launcher was started in."""
import os
import signal
import subprocess
import time

TAIL_BYTES = 4000
_GRACE_SECONDS = 2.0


class Outcome:
    def __init__(self, returncode, timed_out, seconds):
        self.returncode = returncode
        self.timed_out = timed_out
        self.seconds = seconds


def session_members(sid):
    """PIDs of live processes whose session id is `sid`."""
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        # fields: state ppid pgrp session ...
        if len(fields) > 3 and int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(name))
    return members


def kill_session(sid):
    """SIGTERM every process of the session, then SIGKILL what is left after a short grace."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        members = session_members(sid)
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if sig == signal.SIGTERM:
            deadline = time.monotonic() + _GRACE_SECONDS
            while time.monotonic() < deadline and session_members(sid):
                time.sleep(0.05)


def run(command, env, stdout_path, stderr_path, timeout):
    """Runs `command` with output to files; returns an Outcome. On KeyboardInterrupt the whole session is
    killed before the interrupt propagates."""
    start = time.monotonic()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        except BaseException:
            kill_session(proc.pid)
            proc.wait()
            raise
        finally:
            # Leftovers (a rank that outlived its launcher) are killed in every case.
            if proc.poll() is None or session_members(proc.pid):
                kill_session(proc.pid)
            proc.wait()
    return Outcome(proc.returncode, timed_out, time.monotonic() - start)


def tail(path, limit=TAIL_BYTES):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
