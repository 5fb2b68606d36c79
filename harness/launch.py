"""Starting a benchmark under limits of its own, ending everything in its session, and the harness's stop signals.

Every benchmark runs in a session of its own (MPI launchers move ranks into their own process groups, but they stay
in the session the launcher was started in), so that a timeout or an interrupt can end all of it. The session's
leader is the guard (guard.py), which holds the limits that do not depend on the harness:
- the kernel's parent-death signal (PR_SET_PDEATHSIG, set in the child before exec): when the harness dies, even
  by SIGKILL, the guard gets SIGTERM and ends the whole session;
- a hard limit of timeout + HARD_LIMIT_GRACE seconds, after which the guard ends the session, whatever the
  harness does meanwhile (stopped, killed);
- the benchmark itself gets SIGKILL if the guard dies, and MPI ranks if their launcher dies (setpriv).
Each invocation also gets a scratch folder (TMPDIR, Open MPI's session directory and shared-memory backing files)
that the harness removes when the invocation ends, so that a killed MPI job leaves nothing in /tmp or /dev/shm.

What stays out of reach: a process that moves itself into a new session of its own (setsid); see docs/design.md."""
import contextlib
import ctypes
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import guard

TAIL_BYTES = 4000
_GRACE_SECONDS = 2.0          # SIGTERM, then SIGKILL to what is left of a session
HARD_LIMIT_GRACE = 5.0        # the guard's own limit is the invocation's timeout plus this
KILL_AFTER = 5                # the guard's SIGKILL follows its SIGTERM to the session after this many seconds
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SCRATCH_PREFIX = "parbench-"
_PR_SET_PDEATHSIG = 1


class Outcome:
    def __init__(self, returncode, timed_out, seconds):
        self.returncode = returncode
        self.timed_out = timed_out
        self.seconds = seconds


# ----- stop signals -----
class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP reached the harness."""

    def __init__(self, signum=signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


class _SignalState:
    installed = None   # {signum: previous handler} while installed
    depth = 0          # > 0 inside deferred()
    pending = None     # a signal that arrived while deferred
    stopping = False   # an Interrupted has been raised: later signals are only noted


_state = _SignalState()


def _on_signal(signum, frame):
    if _state.depth or _state.stopping:
        _state.pending = _state.pending or signum
        return
    _state.stopping = True
    raise Interrupted(signum)


def install():
    """SIGINT, SIGTERM and SIGHUP raise Interrupted once; any later one is only noted, so that the clean-up it
    started (killing a session, saving results) is never abandoned halfway."""
    if _state.installed is None:
        _state.installed = {s: signal.signal(s, _on_signal) for s in STOP_SIGNALS}
    _state.depth, _state.pending, _state.stopping = 0, None, False


def restore():
    """Puts the previous handlers back, unless the harness is stopping: then further stop signals keep being only
    noted until the process has exited (a second Ctrl-C must not turn a clean exit 130 into a traceback)."""
    if _state.stopping:
        # Ignored, not merely noted: when the interpreter shuts down it puts SIG_DFL back for Python-level
        # handlers (not for SIG_IGN), and a late Ctrl-C would then kill the exiting harness by SIGINT instead of
        # letting it end with 130.
        for s in STOP_SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        return
    if _state.installed is not None:
        for s, previous in _state.installed.items():
            signal.signal(s, previous)
    _state.installed, _state.depth, _state.pending, _state.stopping = None, 0, None, False


def stop_requested():
    """The signal noted while deferred or while stopping, if any."""
    return _state.pending


@contextlib.contextmanager
def deferred():
    """Stop signals that arrive inside wait until the block has finished; then Interrupted is raised (once)."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
    if _state.depth == 0 and _state.pending and not _state.stopping:
        _state.stopping = True
        raise Interrupted(_state.pending)


# ----- sessions -----
def session_members(sid):
    """PIDs of live processes whose session id is `sid`."""
    return guard.members(sid)


def kill_session(sid):
    """SIGTERM every process of the session, then SIGKILL what is left after a short grace. Stop signals that
    arrive meanwhile wait until it is done."""
    with deferred():
        guard.end_session(sid, _GRACE_SECONDS)


# ----- limits that survive the harness -----
def _pdeathsig_setter():
    """A preexec_fn that asks the kernel for SIGTERM when the harness dies (PR_SET_PDEATHSIG), or None where
    prctl is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def setup():
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the harness died before the request took effect
            os._exit(127)
    return setup


GUARD = pathlib.Path(guard.__file__).resolve()


def hard_limit(command, timeout):
    """`command` under the guard (guard.py): the leader of the invocation's session, which ends the whole session
    at timeout + HARD_LIMIT_GRACE, when the harness dies, or when it is told to stop, whatever the harness does
    meanwhile."""
    limit = float(timeout) + HARD_LIMIT_GRACE if timeout else 0
    return [sys.executable, "-I", "-S", str(GUARD), f"{limit:g}", f"{KILL_AFTER:g}", "--"] + list(command)


def parent_death_wrapper():
    """argv prefix that makes the next program get SIGKILL when its parent dies (for MPI ranks, whose parent is
    the launcher), or [] where util-linux's setpriv is missing."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []


# ----- scratch folders -----
def scratch_base():
    """Where per-invocation scratch folders go: /dev/shm (Open MPI puts its shared memory there anyway), else the
    temporary folder."""
    shm = pathlib.Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return pathlib.Path(tempfile.gettempdir())


def scratch_env(folder):
    """Variables that put a child's temporary files, Open MPI's session directory and its shared-memory backing
    files into `folder`."""
    folder = str(folder)
    return {"TMPDIR": folder, "OMPI_MCA_orte_tmpdir_base": folder, "OMPI_MCA_btl_vader_backing_directory": folder,
            "OMPI_MCA_shmem_mmap_backing_file_base_dir": folder, "PRTE_MCA_prte_tmpdir_base": folder,
            "PMIX_SYSTEM_TMPDIR": folder, "PMIX_SERVER_TMPDIR": folder}


SCRATCH_KEYS = tuple(scratch_env("x"))


def remove_stale_scratch(base=None):
    """Removes scratch folders left by harnesses that no longer run (killed with SIGKILL)."""
    base = pathlib.Path(base or scratch_base())
    try:
        entries = list(base.glob(SCRATCH_PREFIX + "*"))
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # its harness still runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # another user's live process
        shutil.rmtree(entry, ignore_errors=True)


# ----- one invocation -----
def run(command, env, stdout_path, stderr_path, timeout):
    """Runs `command` with output to files, in a session of its own, under its limits and with a scratch folder;
    returns an Outcome. On Interrupted (or any exception) the whole session is killed, and the scratch folder
    removed, before it propagates."""
    folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=scratch_base())
    child_env = dict(env)
    child_env.update(scratch_env(folder))
    start = time.monotonic()
    try:
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            proc = subprocess.Popen(hard_limit(command, timeout), env=child_env, stdout=out, stderr=err,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    preexec_fn=_pdeathsig_setter())
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
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = time.monotonic() - start
    # The guard's own limit (exit 124) fires only when the harness could not act on its timer (stopped, say).
    if not timed_out and timeout and proc.returncode == 124 and seconds >= timeout:
        timed_out = True
    return Outcome(proc.returncode, timed_out, seconds)


def tail(path, limit=TAIL_BYTES):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
