"""The guard of one benchmark invocation: `python3 -I -S guard.py LIMIT GRACE -- COMMAND...`.

Started by the harness as the leader of a new session (with the kernel's parent-death signal set to SIGTERM, so
that it hears of the harness's death even by SIGKILL), it runs COMMAND as its child and ends the WHOLE session
(SIGTERM, then SIGKILL after GRACE seconds) when
- LIMIT seconds have passed (exit 124): a hard limit that holds whatever the harness does (stopped, killed),
- it gets SIGTERM, SIGINT or SIGHUP (the harness died, or is ending the invocation): exit 128 + the signal,
- the command has ended and left processes behind in the session (MPI ranks that outlived their launcher).
The command itself gets SIGKILL if the guard dies (PR_SET_PDEATHSIG). Otherwise the guard ends as the command
did: its exit code, or the same signal. What stays out of reach is a process that moved into a session of its
own (setsid), which no session-wide kill can find.

Standalone on purpose (no harness imports): it starts in a few milliseconds under `python3 -I -S`."""
import ctypes
import os
import resource
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
STOPS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM)


class Stop(Exception):
    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


_stopping = []


def _on_signal(signum, frame):
    if _stopping:
        return
    _stopping.append(signum)
    raise Stop(signum)


def members(sid):
    """Live processes of session `sid`, the guard excepted."""
    found, me = [], os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 3 and fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(name))
    return found


def end_session(sid, grace, child=None):
    """SIGTERM to every process of the session, SIGKILL to what is left after `grace` seconds; reaps `child` (a
    child of the caller's, or None)."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        pids = members(sid)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            _reap(child)
            if not members(sid):
                break
            time.sleep(0.02)
    return _reap(child)


_status = {}


def _reap(child):
    if child is None:
        return None
    if child in _status:
        return _status[child]
    try:
        pid, status = os.waitpid(child, os.WNOHANG)
    except ChildProcessError:
        return _status.setdefault(child, None)
    if pid:
        _status[child] = status
        return status
    return None


def _exit_like(status):
    """Ends the guard the way its command ended."""
    sys.stdout.flush()
    if status is not None and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
            os.kill(os.getpid(), number)
        except (OSError, ValueError):
            pass
        os._exit(128 + number)
    os._exit(os.WEXITSTATUS(status) if status is not None else 125)


def main(argv):
    if len(argv) < 5 or argv[3] != "--":
        sys.stderr.write("usage: guard.py LIMIT GRACE -- COMMAND...\n")
        return 125
    limit, grace, command = float(argv[1]), float(argv[2]), argv[4:]
    if os.getsid(0) != os.getpid():
        try:
            os.setsid()  # never end a session it does not lead (say, the caller's terminal session)
        except OSError:
            sys.stderr.write("guard: cannot lead a session of its own\n")
            return 125
    sid = os.getsid(0)
    child = None
    for s in STOPS:
        signal.signal(s, _on_signal)
    try:
        child = os.fork()
        if child == 0:
            try:
                for s in STOPS:
                    signal.signal(s, signal.SIG_DFL)
                ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
                os.execvp(command[0], command)
            except BaseException as e:  # noqa: BLE001 - the child must never return into the guard
                try:
                    os.write(2, f"guard: cannot run {command[0]}: {e}\n".encode(errors="replace"))
                finally:
                    os._exit(127)
        if limit > 0:
            signal.setitimer(signal.ITIMER_REAL, limit)
        _, status = os.waitpid(child, 0)
        _status[child] = status
        signal.setitimer(signal.ITIMER_REAL, 0)
    except Stop as stop:
        if child:
            end_session(sid, grace, child)
        os._exit(124 if stop.signum == signal.SIGALRM else 128 + stop.signum)
    _stopping.append(0)  # from here on, stop signals only hurry the clean-up along
    if members(sid):
        end_session(sid, grace, child)
    _exit_like(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
