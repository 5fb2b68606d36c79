"""What the machine and the software are, for results.json's host, software and env sections."""
import os
import pathlib
import platform
import re
import shutil
import socket
import subprocess
import sys

BINDING_VARIABLES = (
    "OMP_PROC_BIND", "OMP_PLACES", "OMP_WAIT_POLICY", "OMP_NUM_THREADS", "GOMP_SPINCOUNT", "KMP_AFFINITY",
    "PARBENCH_PIN", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TBB_NUM_THREADS", "OMPI_MCA_hwloc_base_binding_policy",
    "SLURM_JOB_ID", "SLURM_CPU_BIND", "CUDA_VISIBLE_DEVICES",
)


def _read(path):
    try:
        return pathlib.Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def load_average():
    return [round(x, 2) for x in os.getloadavg()]


def _caches():
    caches = []
    for index in sorted(pathlib.Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        size = _read(index / "size")
        if size is None:
            continue
        caches.append({
            "level": int(_read(index / "level") or 0),
            "type": _read(index / "type"),
            "size": size,
            "shared_with_cpus": _read(index / "shared_cpu_list"),
        })
    return caches


def _topology():
    """(sockets, cores, threads_per_core) from sysfs; None where unreadable."""
    packages, cores = set(), set()
    cpu_dirs = list(pathlib.Path("/sys/devices/system/cpu").glob("cpu[0-9]*"))
    for cpu in cpu_dirs:
        package = _read(cpu / "topology/physical_package_id")
        core = _read(cpu / "topology/core_id")
        if package is None or core is None:
            continue
        packages.add(package)
        cores.add((package, core))
    if not cores:
        return None, None, None
    logical = os.cpu_count() or len(cpu_dirs)
    return len(packages), len(cores), max(1, logical // len(cores))


def host():
    cpu_model = None
    cpuinfo = _read("/proc/cpuinfo") or ""
    match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    if match:
        cpu_model = match.group(1).strip()
    sockets, cores, threads_per_core = _topology()
    governor = _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
    freq = _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")
    mhz = re.search(r"^cpu MHz\s*:\s*([0-9.]+)", cpuinfo, re.M)
    meminfo = _read("/proc/meminfo") or ""
    mem = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    return {
        "hostname": socket.gethostname(),
        "kernel": platform.release(),
        "cpu_model": cpu_model or platform.processor() or "unknown",
        "sockets": sockets,
        "cores": cores,
        "threads_per_core": threads_per_core,
        "logical_cpus": os.cpu_count() or 1,
        "usable_cpus": len(os.sched_getaffinity(0)),
        "caches": _caches(),
        "frequency_mhz": round(int(freq) / 1000) if freq and freq.isdigit() else
        (round(float(mhz.group(1))) if mhz else None),
        "governor": governor,
        "memory_bytes": int(mem.group(1)) * 1024 if mem else None,
        "load_average_start": load_average(),
        "load_average_end": None,
    }


def _first_line(command):
    if shutil.which(command[0]) is None:
        return None
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip().splitlines()[0] if out.strip() else None


def software(build_manifest):
    info = {
        "compiler": build_manifest.get("compiler"),
        "cxx_flags": build_manifest.get("cxx_flags"),
        "build_type": build_manifest.get("build_type"),
        "portable": build_manifest.get("portable"),
        "benchmark_version": build_manifest.get("benchmark_version"),
        "benchmark_library_build_type": None,  # filled from the first benchmark's context
        "tbb": build_manifest.get("tbb_version") or None,
        "openmp": build_manifest.get("openmp_version") or None,
        "mpi_standard": build_manifest.get("mpi_version") or None,
        "open_mpi": _first_line(["mpirun", "--version"]),
        "cuda_compiler": (build_manifest.get("cuda_compiler") or "").strip() or None,
        "libtorch": build_manifest.get("torch_version") or None,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "matplotlib": None,
        "models": {},  # per model: the context its executables report (library versions, device)
        "enabled_models": [m for m in (build_manifest.get("enabled_models") or "").split(";") if m],
        "skipped_models": build_manifest.get("skipped_models", {}),
    }
    try:
        import matplotlib
        info["matplotlib"] = matplotlib.__version__
    except ImportError:
        pass
    return info


def env():
    return {name: os.environ.get(name) for name in BINDING_VARIABLES}
