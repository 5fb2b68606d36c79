"""What the machine and the software are, for results.json's host, software and env sections, and the warnings a
run prints about the machine it starts on."""
import os
import pathlib
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

BINDING_VARIABLES = (
    "OMP_PROC_BIND", "OMP_PLACES", "OMP_WAIT_POLICY", "OMP_NUM_THREADS", "GOMP_SPINCOUNT", "KMP_AFFINITY",
    "PARBENCH_PIN", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TBB_NUM_THREADS", "OMPI_MCA_hwloc_base_binding_policy",
    "SLURM_JOB_ID", "SLURM_CPU_BIND", "CUDA_VISIBLE_DEVICES",
)
# A machine is busy at start when its 1-minute load average exceeds this share of the usable CPUs.
BUSY_LOAD_PER_CPU = 0.5
MPI_COMPONENT_KINDS = ("btl", "pml", "osc")
SYSFS = pathlib.Path("/sys/devices/system")


def _read(path):
    try:
        return pathlib.Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _output(command, timeout=20):
    """stdout of a command, or None when it is missing, fails or times out."""
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def load_average():
    return [round(x, 2) for x in os.getloadavg()]


def steal_and_load(stat_path="/proc/stat"):
    """{'steal_jiffies': time stolen from this guest by the hypervisor since boot, all CPUs together, in clock
    ticks (USER_HZ, 100 per second on Linux; None where unreadable), 'load_average': [1, 5, 15 min]}. The run loop
    records it around each invocation; the difference of two readings is the steal during the invocation."""
    steal = None
    for line in (_read(stat_path) or "").splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu" and len(fields) > 8 and fields[8].isdigit():
            steal = int(fields[8])
            break
    return {"steal_jiffies": steal, "load_average": load_average()}


# ----- CPU identity and frequency -----
def cpu_identity(cpuinfo):
    """Vendor, family, model, stepping, microcode and name of the first CPU in /proc/cpuinfo's text."""
    first = cpuinfo.split("\n\n", 1)[0]
    fields = {}
    for line in first.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())

    def number(*keys):
        for key in keys:
            value = fields.get(key)
            if value:
                try:
                    return int(value, 0)
                except ValueError:
                    pass
        return None

    return {
        "vendor": fields.get("vendor_id") or fields.get("CPU implementer"),
        "family": number("cpu family", "CPU architecture"),
        "model": number("model", "CPU part"),
        "stepping": number("stepping", "CPU revision"),
        "microcode": fields.get("microcode"),
        "name": fields.get("model name") or fields.get("Model name"),
    }


def cpu_model_text(cpu):
    """'Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 143 stepping 8, microcode 0x1)'."""
    name = cpu.get("name") or platform.processor() or "unknown CPU"
    ids = " ".join(f"{label} {cpu[key]}" for key, label in (("family", "family"), ("model", "model"),
                                                             ("stepping", "stepping")) if cpu.get(key) is not None)
    parts = [p for p in (" ".join(x for x in (cpu.get("vendor"), ids) if x),
                         f"microcode {cpu['microcode']}" if cpu.get("microcode") else "") if p]
    return f"{name} ({', '.join(parts)})" if parts else name


def nominal_frequency(cpuinfo, cpu_dir=SYSFS / "cpu" / "cpu0"):
    """What the OS says the clock is, in MHz: sysfs base_frequency, else /proc/cpuinfo's 'cpu MHz' (in most VMs the
    TSC rate, not what the cores run at), else scaling_cur_freq. None where none is readable."""
    for name in ("cpufreq/base_frequency",):
        khz = _read(pathlib.Path(cpu_dir) / name)
        if khz and khz.isdigit():
            return round(int(khz) / 1000)
    match = re.search(r"^cpu MHz\s*:\s*([0-9.]+)", cpuinfo, re.M)
    if match:
        return round(float(match.group(1)))
    khz = _read(pathlib.Path(cpu_dir) / "cpufreq/scaling_cur_freq")
    return round(int(khz) / 1000) if khz and khz.isdigit() else None


def note_measured_frequency(doc, context):
    """Adds one invocation's measured clock (Google Benchmark context `parbench_cpu_mhz_measured`, method in
    `parbench_cpu_mhz_method`) to host.frequency_mhz_samples and sets host.frequency_mhz_measured and
    host.frequency_mhz to the median over the invocations so far. Returns the value added, or None when the
    context carries none."""
    try:
        mhz = float(context.get("parbench_cpu_mhz_measured"))
    except (TypeError, ValueError):
        return None
    if not 0 < mhz < 1e6:  # also rejects nan and inf
        return None
    host = doc["host"]
    samples = host.setdefault("frequency_mhz_samples", [])
    samples.append(round(mhz, 1))
    host["frequency_mhz_measured"] = round(statistics.median(samples))
    host["frequency_mhz"] = host["frequency_mhz_measured"]
    method = context.get("parbench_cpu_mhz_method")
    if method and not host.get("frequency_method"):
        host["frequency_method"] = str(method)
    return mhz


# ----- topology -----
def cpu_list(cpus):
    """[0, 1, 2, 5] -> '0-2,5' (the kernel's cpulist format)."""
    ranges, cpus = [], sorted(set(cpus))
    for cpu in cpus:
        if ranges and cpu == ranges[-1][1] + 1:
            ranges[-1][1] = cpu
        else:
            ranges.append([cpu, cpu])
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges)


def parse_cpu_list(text):
    """'0-2,5' -> [0, 1, 2, 5]."""
    cpus = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        cpus.extend(range(int(low), int(high or low) + 1))
    return cpus


def _hwloc_cpuset(text):
    """hwloc bitmap '0xffffffff,0x00000003' (32-bit words, most significant first) -> CPU indices."""
    if not text:
        return []
    words = [w.strip() for w in text.split(",") if w.strip()]
    if words and words[0].startswith("0xf...f"):
        words = words[1:]  # an infinite set: keep the finite part
    value = 0
    for word in words:
        value = (value << 32) | int(word, 16)
    return [i for i in range(value.bit_length()) if value >> i & 1]


def _size_text(size_bytes):
    return f"{size_bytes // 1024}K" if size_bytes is not None else None


def _size_bytes(text):
    match = re.fullmatch(r"(\d+)\s*([KMG]?)", text or "")
    if not match:
        return None
    return int(match.group(1)) * {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}[match.group(2)]


def _cache_summary(instances):
    """instances: (level, type, size_bytes, cpus) for every cache -> one entry per level and type."""
    grouped = {}
    for level, kind, size, cpus in instances:
        grouped.setdefault((level, kind), []).append((size, cpus))
    caches = []
    for (level, kind), items in sorted(grouped.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        first = min(items, key=lambda item: min(item[1], default=0))
        caches.append({"level": level, "type": kind, "size": _size_text(first[0]), "size_bytes": first[0],
                       "instances": len(items), "cpus_per_instance": max(len(cpus) for _, cpus in items),
                       "shared_with_cpus": cpu_list(first[1])})
    return caches


def parse_hwloc_xml(text):
    """Topology from `lstopo --of xml` output (hwloc 1.x or 2.x): sockets, cores, threads_per_core, smt_siblings
    (the CPUs of each core), caches (per level and type: size, instances, CPUs sharing one), numa_nodes."""
    root = ElementTree.fromstring(text)
    cache_types = {"0": "Unified", "1": "Data", "2": "Instruction"}
    packages, cores, pus, numa, caches, version = 0, [], [], [], [], None
    for obj in root.iter("object"):
        kind = obj.get("type", "")
        cpus = _hwloc_cpuset(obj.get("cpuset"))
        if kind in ("Package", "Socket"):
            packages += 1
        elif kind == "Core":
            cores.append(cpus)
        elif kind == "PU":
            pus.append(cpus)
        elif kind == "NUMANode":
            memory = obj.get("local_memory")
            numa.append({"os_index": int(obj.get("os_index", len(numa))), "cpus": cpu_list(cpus),
                         "memory_bytes": int(memory) if memory and memory.isdigit() else None})
        else:
            match = re.fullmatch(r"L(\d)(i?)Cache", kind)
            if match or kind == "Cache":
                level = int(match.group(1)) if match else int(obj.get("depth", 0))
                size = obj.get("cache_size")
                caches.append((level, cache_types.get(obj.get("cache_type"), "Unified"),
                               int(size) if size and size.isdigit() else None, cpus))
    for info in root.iter("info"):
        if info.get("name") == "hwlocVersion":
            version = info.get("value")
    if not cores:  # no Core objects (some VMs): every PU is a core of its own
        cores = pus
    threads = max((len(c) for c in cores), default=0)
    return {
        "sockets": packages or None,
        "cores": len(cores) or None,
        "threads_per_core": threads or None,
        "smt_siblings": [cpu_list(c) for c in sorted(cores, key=lambda c: min(c, default=0))],
        "caches": _cache_summary(caches),
        "numa_nodes": sorted(numa, key=lambda n: n["os_index"]),
        "topology_source": f"hwloc {version}" if version else "hwloc",
    }


def hwloc_topology():
    """parse_hwloc_xml of this machine, or None without hwloc (Debian: hwloc)."""
    for command in (["lstopo-no-graphics", "--no-io", "--of", "xml"], ["hwloc-ls", "--no-io", "--of", "xml"]):
        text = _output(command)
        if text:
            try:
                return parse_hwloc_xml(text)
            except (ElementTree.ParseError, ValueError):
                return None
    return None


def sysfs_topology(system=SYSFS):
    """The same facts as parse_hwloc_xml from sysfs (/sys/devices/system)."""
    system = pathlib.Path(system)
    packages, cores, instances = set(), {}, {}
    cpu_dirs = sorted(system.glob("cpu/cpu[0-9]*"), key=lambda p: int(p.name[3:]))
    for cpu in cpu_dirs:
        number = int(cpu.name[3:])
        package = _read(cpu / "topology/physical_package_id")
        core = _read(cpu / "topology/core_id")
        if package is not None and core is not None:
            packages.add(package)
            cores.setdefault((package, core), set()).add(number)
        for index in cpu.glob("cache/index*"):
            level, kind = _read(index / "level"), _read(index / "type")
            shared = _read(index / "shared_cpu_list") or str(number)
            if level and level.isdigit():
                instances[(int(level), kind, shared)] = _size_bytes(_read(index / "size"))
    numa = []
    for node in sorted(system.glob("node/node[0-9]*"), key=lambda p: int(p.name[4:])):
        memory = re.search(r"MemTotal:\s*(\d+) kB", _read(node / "meminfo") or "")
        numa.append({"os_index": int(node.name[4:]), "cpus": _read(node / "cpulist"),
                     "memory_bytes": int(memory.group(1)) * 1024 if memory else None})
    groups = sorted(cores.values(), key=min)
    return {
        "sockets": len(packages) or None,
        "cores": len(cores) or None,
        "threads_per_core": max((len(g) for g in groups), default=0) or None,
        "smt_siblings": [cpu_list(g) for g in groups],
        "caches": _cache_summary([(level, kind, size, parse_cpu_list(shared))
                                  for (level, kind, shared), size in instances.items()]),
        "numa_nodes": numa,
        "topology_source": "sysfs",
    }


def host():
    cpuinfo = _read("/proc/cpuinfo") or ""
    cpu = cpu_identity(cpuinfo)
    topology = hwloc_topology() or sysfs_topology()
    meminfo = _read("/proc/meminfo") or ""
    mem = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    return {
        "hostname": socket.gethostname(),
        "kernel": platform.release(),
        "cpu_model": cpu_model_text(cpu),
        "cpu": cpu,
        "sockets": topology["sockets"],
        "cores": topology["cores"],
        "threads_per_core": topology["threads_per_core"],
        "logical_cpus": os.cpu_count() or 1,
        "usable_cpus": len(os.sched_getaffinity(0)),
        "smt_siblings": topology["smt_siblings"],
        "caches": topology["caches"],
        "numa_nodes": topology["numa_nodes"],
        "topology_source": topology["topology_source"],
        # frequency_mhz is the measured clock once a benchmark has reported one (note_measured_frequency), never
        # the nominal figure, which in VMs is usually the TSC rate.
        "frequency_mhz": None,
        "frequency_mhz_measured": None,
        "frequency_method": None,
        "frequency_mhz_nominal": nominal_frequency(cpuinfo),
        "governor": _read(SYSFS / "cpu/cpu0/cpufreq/scaling_governor"),
        "memory_bytes": int(mem.group(1)) * 1024 if mem else None,
        "load_average_start": load_average(),
        "load_average_end": None,
    }


# ----- software -----
def _dpkg_package(path):
    """(package, version) owning a file, or (None, None) outside Debian."""
    candidates = [str(path), os.path.realpath(path)]
    candidates += ["/usr" + c for c in candidates if c.startswith("/lib")]  # merged /usr
    for candidate in dict.fromkeys(candidates):
        owner = _output(["dpkg-query", "-S", candidate])
        if owner:
            package = owner.splitlines()[0].split(": ", 1)[0].split(",")[0].strip()
            version = _output(["dpkg-query", "-W", "-f=${Version}", package])
            return package, (version.strip() or None) if version else None
    return None, None


_OPENMP_LIBRARY = re.compile(r"^\s*(lib(?:gomp|omp|iomp5)\S*)\s+=>\s+(\S+)", re.M)


def openmp_runtime(build_dir=None):
    """The OpenMP runtime actually linked: {library, path, package, version, found_by}, from `ldd` of an OpenMP
    benchmark in build_dir/bin, else from the compiler (`g++ -print-file-name=libgomp.so.1`); None if neither."""
    library = path = found_by = None
    for exe in sorted(pathlib.Path(build_dir).glob("bin/*_openmp")) if build_dir else []:
        match = _OPENMP_LIBRARY.search(_output(["ldd", str(exe)]) or "")
        if match:
            library, path, found_by = match.group(1), match.group(2), f"ldd {exe.name}"
            break
    if path is None:
        for compiler in ("g++", "gcc"):
            guess = (_output([compiler, "-print-file-name=libgomp.so.1"]) or "").strip()
            if os.path.isabs(guess) and os.path.exists(guess):
                library, path, found_by = "libgomp.so.1", guess, f"{compiler} -print-file-name"
                break
    if path is None:
        return None
    package, version = _dpkg_package(path)
    return {"library": library, "path": os.path.realpath(path), "package": package, "version": version,
            "found_by": found_by}


def parse_ompi_info(text):
    """(full version, {btl: [...], pml: [...], osc: [...]}) from `ompi_info --parsable`."""
    version, components = None, {kind: [] for kind in MPI_COMPONENT_KINDS}
    for line in text.splitlines():
        parts = line.split(":")
        if parts[:3] == ["ompi", "version", "full"] and len(parts) > 3:
            version = parts[3].strip()
        elif len(parts) > 3 and parts[0] == "mca" and parts[1] in components:
            if parts[2] not in components[parts[1]]:
                components[parts[1]].append(parts[2])
    return version, components


def open_mpi():
    """(full version, available btl/pml/osc components) of the Open MPI on PATH; (None, None) without one."""
    text = _output(["ompi_info", "--parsable"])
    if text:
        version, components = parse_ompi_info(text)
        if version:
            return version, components
    match = re.search(r"Open MPI\)?\s+(\S+)", _output(["mpirun", "--version"]) or "")
    return (match.group(1) if match else None), None


def march(build_manifest):
    """(target, how it was found) of the build's -march: the manifest's march_resolved, else a named -march in
    cxx_flags, else for -march=native what GCC resolves it to on this host; (None, None) without -march."""
    if build_manifest.get("march_resolved"):
        return build_manifest["march_resolved"], "build manifest"
    match = re.search(r"-march=(\S+)", build_manifest.get("cxx_flags") or "")
    if not match:
        return None, None
    if match.group(1) != "native":
        return match.group(1), "cxx_flags"
    if not (build_manifest.get("compiler") or "GNU").startswith("GNU"):
        return None, None
    for compiler in ("g++", "gcc"):
        resolved = re.search(r"^\s*-march=\s+(\S+)\s*$", _output([compiler, "-march=native", "-Q", "--help=target"])
                             or "", re.M)
        if resolved:
            return resolved.group(1), f"{compiler} -march=native -Q --help=target on this host"
    return None, None


def _version_of(module):
    try:
        return __import__(module).__version__
    except ImportError:
        return None


def software(build_manifest, build_dir=None):
    """build_dir (the build the run uses) lets the OpenMP runtime be read from the benchmark itself."""
    mpi_version, mpi_components = open_mpi()
    target, target_source = march(build_manifest)
    return {
        "compiler": build_manifest.get("compiler"),
        "cxx_flags": build_manifest.get("cxx_flags"),
        "march_resolved": target,
        "march_source": target_source,
        "build_type": build_manifest.get("build_type"),
        "portable": build_manifest.get("portable"),
        "benchmark_version": build_manifest.get("benchmark_version"),
        "benchmark_library_build_type": None,  # filled from the first benchmark's context
        "tbb": build_manifest.get("tbb_version") or None,
        "openmp_spec": build_manifest.get("openmp_version") or None,
        "openmp_runtime": openmp_runtime(build_dir),
        "mpi_standard": build_manifest.get("mpi_version") or None,
        "open_mpi": mpi_version,
        "open_mpi_components": mpi_components,  # available; the ones selected per run are in models.mpi
        "cuda_compiler": (build_manifest.get("cuda_compiler") or "").strip() or None,
        "libtorch": build_manifest.get("torch_version") or None,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "matplotlib": _version_of("matplotlib"),
        "numpy": _version_of("numpy"),
        "models": {},  # per model: the context its executables report (library versions, device)
        "enabled_models": [m for m in (build_manifest.get("enabled_models") or "").split(";") if m],
        "skipped_models": build_manifest.get("skipped_models", {}),
    }


def env():
    return {name: os.environ.get(name) for name in BINDING_VARIABLES}


# ----- warnings at the start of a run -----
def warnings(config, host=None, load=None):
    """WARNING lines for a run about to start with `config` (run.config: its `workers` sweep): a busy machine (1-min
    load average above BUSY_LOAD_PER_CPU x usable CPUs) and more workers than usable CPUs or physical cores.
    `host` (results.json's host section) and `load` ([1, 5, 15]) default to this machine now."""
    if host is None:
        topology = sysfs_topology()
        host = {"usable_cpus": len(os.sched_getaffinity(0)), "cores": topology["cores"]}
    cpus = host.get("usable_cpus") or os.cpu_count() or 1
    cores = host.get("cores")
    load1 = (load or os.getloadavg())[0]
    lines = []
    if load1 > BUSY_LOAD_PER_CPU * cpus:
        lines.append(f"WARNING: the machine is busy: 1-minute load average {load1:.2f} on {cpus} usable CPUs "
                     f"(above {BUSY_LOAD_PER_CPU * cpus:g}); timings will be slower and noisier than on a quiet "
                     f"machine")
    most = max((w for w in config.get("workers") or [] if w), default=0)
    if most > cpus:
        lines.append(f"WARNING: up to {most} workers on {cpus} usable CPUs: cases with more workers than CPUs "
                     f"time-share them (oversubscribed)")
    elif cores and most > cores:
        lines.append(f"WARNING: up to {most} workers on {cores} physical cores: above {cores} workers, SMT siblings "
                     f"share a core")
    return lines
