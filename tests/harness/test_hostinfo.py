"""Host and software context: CPU identity, topology from hwloc and from sysfs, measured frequency, steal and load,
OpenMP runtime, Open MPI components, -march, and the warnings at the start of a run."""
import os
import shutil
import textwrap

import pytest

from harness import SCHEMA_VERSION, discover, hostinfo, results
from test_report import CONFIG

INTEL = textwrap.dedent("""\
    processor\t: 0
    vendor_id\t: GenuineIntel
    cpu family\t: 6
    model\t\t: 143
    model name\t: Intel(R) Xeon(R) Processor
    stepping\t: 8
    microcode\t: 0x2b000590
    cpu MHz\t\t: 2000.000

    processor\t: 1
    vendor_id\t: GenuineIntel
    cpu family\t: 6
    model\t\t: 143
    model name\t: Intel(R) Xeon(R) Processor
    stepping\t: 8
    microcode\t: 0x2b000590
    cpu MHz\t\t: 2000.000
    """)
AMD = "vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9R14\nstepping\t: 1\n" \
      "microcode\t: 0xa101148\ncpu MHz\t\t: 2596.000\n"


def test_cpu_identity_has_vendor_family_model_stepping_microcode():
    cpu = hostinfo.cpu_identity(INTEL)
    assert cpu == {"vendor": "GenuineIntel", "family": 6, "model": 143, "stepping": 8, "microcode": "0x2b000590",
                   "name": "Intel(R) Xeon(R) Processor"}
    assert hostinfo.cpu_model_text(cpu) == \
        "Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 143 stepping 8, microcode 0x2b000590)"
    amd = hostinfo.cpu_model_text(hostinfo.cpu_identity(AMD))
    assert amd == "AMD EPYC 9R14 (AuthenticAMD family 25 model 17 stepping 1, microcode 0xa101148)"


def test_nominal_frequency_is_what_the_os_says(tmp_path):
    assert hostinfo.nominal_frequency(AMD, tmp_path) == 2596
    (tmp_path / "cpufreq").mkdir()
    (tmp_path / "cpufreq" / "base_frequency").write_text("2400000\n")
    assert hostinfo.nominal_frequency(AMD, tmp_path) == 2400
    assert hostinfo.nominal_frequency("", tmp_path / "nowhere") is None


def test_measured_frequency_is_the_median_over_invocations():
    doc = {"host": {"frequency_mhz": None, "frequency_mhz_measured": None, "frequency_method": None,
                    "frequency_mhz_nominal": 2596}}
    for context in ({}, {"parbench_cpu_mhz_measured": ""}, {"parbench_cpu_mhz_measured": "nan"},
                    {"parbench_cpu_mhz_measured": "-5"}, {"parbench_cpu_mhz_measured": None}):
        assert hostinfo.note_measured_frequency(doc, context) is None
    assert doc["host"]["frequency_mhz"] is None and "frequency_mhz_samples" not in doc["host"]
    method = "dependent adds, 1 cycle each, timed with steady_clock"
    assert hostinfo.note_measured_frequency(doc, {"parbench_cpu_mhz_measured": "3671.4",
                                                  "parbench_cpu_mhz_method": method}) == pytest.approx(3671.4)
    hostinfo.note_measured_frequency(doc, {"parbench_cpu_mhz_measured": 3600})
    hostinfo.note_measured_frequency(doc, {"parbench_cpu_mhz_measured": "3690", "parbench_cpu_mhz_method": "other"})
    host = doc["host"]
    assert host["frequency_mhz_samples"] == [3671.4, 3600.0, 3690.0]
    assert host["frequency_mhz_measured"] == 3671 and host["frequency_mhz"] == 3671
    assert host["frequency_method"] == method and host["frequency_mhz_nominal"] == 2596


def test_steal_and_load(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  25792 0 3850 35924 349 0 76 188 0 0\ncpu0 12992 0 1774 17962 231 0 24 88 0 0\n")
    got = hostinfo.steal_and_load(stat)
    assert got["steal_jiffies"] == 188 and len(got["load_average"]) == 3
    assert hostinfo.steal_and_load(tmp_path / "missing")["steal_jiffies"] is None
    live = hostinfo.steal_and_load()
    assert isinstance(live["steal_jiffies"], int) and all(x >= 0 for x in live["load_average"])


# Two packages, two cores each with two SMT threads (CPUs n and n+4 share a core), L1d/L1i/L2 per core, L3 per
# package, one NUMA node per package: hwloc 2.x XML as lstopo writes it, trimmed.
def _core(core, cpus):
    mask = sum(1 << c for c in cpus)
    return f"""
        <object type="L2Cache" cpuset="0x{mask:08x}" cache_size="2097152" depth="2" cache_type="0">
         <object type="L1Cache" cpuset="0x{mask:08x}" cache_size="49152" depth="1" cache_type="1">
          <object type="L1iCache" cpuset="0x{mask:08x}" cache_size="32768" depth="1" cache_type="2">
           <object type="Core" os_index="{core}" cpuset="0x{mask:08x}">
            {''.join(f'<object type="PU" os_index="{c}" cpuset="0x{1 << c:08x}"/>' for c in cpus)}
           </object></object></object></object>"""


def _package(index, cores):
    mask = sum(1 << c for _, cpus in cores for c in cpus)
    return f"""
    <object type="Package" os_index="{index}" cpuset="0x{mask:08x}">
      <info name="CPUVendor" value="GenuineIntel"/>
      <object type="NUMANode" os_index="{index}" cpuset="0x{mask:08x}" local_memory="17179869184"/>
      <object type="L3Cache" cpuset="0x{mask:08x}" cache_size="33554432" depth="3" cache_type="0">
        {''.join(_core(core, cpus) for core, cpus in cores)}
      </object>
    </object>"""


HWLOC2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE topology SYSTEM "hwloc2.dtd">
<topology version="2.0">
  <object type="Machine" os_index="0" cpuset="0x000000ff">
    <info name="hwlocVersion" value="2.9.0"/>
    {_package(0, [(0, (0, 4)), (1, (1, 5))])}
    {_package(1, [(0, (2, 6)), (1, (3, 7))])}
  </object>
</topology>"""

EXPECTED = {
    "sockets": 2, "cores": 4, "threads_per_core": 2, "smt_siblings": ["0,4", "1,5", "2,6", "3,7"],
    "caches": [
        {"level": 1, "type": "Data", "size": "48K", "size_bytes": 49152, "instances": 4, "cpus_per_instance": 2,
         "shared_with_cpus": "0,4"},
        {"level": 1, "type": "Instruction", "size": "32K", "size_bytes": 32768, "instances": 4,
         "cpus_per_instance": 2, "shared_with_cpus": "0,4"},
        {"level": 2, "type": "Unified", "size": "2048K", "size_bytes": 2097152, "instances": 4,
         "cpus_per_instance": 2, "shared_with_cpus": "0,4"},
        {"level": 3, "type": "Unified", "size": "32768K", "size_bytes": 33554432, "instances": 2,
         "cpus_per_instance": 4, "shared_with_cpus": "0-1,4-5"},
    ],
    "numa_nodes": [{"os_index": 0, "cpus": "0-1,4-5", "memory_bytes": 17179869184},
                   {"os_index": 1, "cpus": "2-3,6-7", "memory_bytes": 17179869184}],
}


def test_topology_from_hwloc_xml():
    topology = hostinfo.parse_hwloc_xml(HWLOC2)
    assert topology["topology_source"] == "hwloc 2.9.0"
    for key, value in EXPECTED.items():
        assert topology[key] == value, key


def test_topology_from_hwloc_1_xml_and_a_vm_without_cores():
    old = """<?xml version="1.0"?><topology><object type="Machine" cpuset="0x00000003">
      <object type="Socket" cpuset="0x00000003">
        <object type="Cache" cpuset="0x00000003" cache_size="8388608" depth="3" cache_type="0">
          <object type="PU" os_index="0" cpuset="0x00000001"/><object type="PU" os_index="1" cpuset="0x00000002"/>
        </object></object></object></topology>"""
    topology = hostinfo.parse_hwloc_xml(old)
    assert topology["sockets"] == 1 and topology["cores"] == 2 and topology["threads_per_core"] == 1
    assert topology["caches"] == [{"level": 3, "type": "Unified", "size": "8192K", "size_bytes": 8388608,
                                   "instances": 1, "cpus_per_instance": 2, "shared_with_cpus": "0-1"}]
    assert topology["topology_source"] == "hwloc"


def test_cpu_lists_and_hwloc_bitmaps():
    assert hostinfo.cpu_list([5, 0, 1, 2, 7, 8]) == "0-2,5,7-8"
    assert hostinfo.parse_cpu_list("0-2,5,7-8") == [0, 1, 2, 5, 7, 8]
    assert hostinfo.parse_cpu_list("") == []
    assert hostinfo._hwloc_cpuset("0x00000001,0x00000003") == [0, 1, 32]
    assert hostinfo._hwloc_cpuset("0xf...f,0x00000003") == [0, 1]


def fake_sysfs(root):
    """The machine of HWLOC2 as sysfs shows it."""
    def write(path, text):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")

    for cpu in range(8):
        core, package = cpu % 2, (cpu % 4) // 2
        siblings = f"{cpu % 4},{cpu % 4 + 4}"
        base = root / "cpu" / f"cpu{cpu}"
        write(base / "topology/physical_package_id", str(package))
        write(base / "topology/core_id", str(core))
        write(base / "topology/thread_siblings_list", siblings)
        for index, (level, kind, size, shared) in enumerate((
                (1, "Data", "48K", siblings), (1, "Instruction", "32K", siblings), (2, "Unified", "2048K", siblings),
                (3, "Unified", "32768K", "0-1,4-5" if package == 0 else "2-3,6-7"))):
            write(base / f"cache/index{index}/level", str(level))
            write(base / f"cache/index{index}/type", kind)
            write(base / f"cache/index{index}/size", size)
            write(base / f"cache/index{index}/shared_cpu_list", shared)
    for node, cpus in ((0, "0-1,4-5"), (1, "2-3,6-7")):
        write(root / "node" / f"node{node}" / "cpulist", cpus)
        write(root / "node" / f"node{node}" / "meminfo", f"Node {node} MemTotal:       16777216 kB")


def test_topology_from_sysfs_matches_hwloc(tmp_path):
    fake_sysfs(tmp_path)
    topology = hostinfo.sysfs_topology(tmp_path)
    assert topology["topology_source"] == "sysfs"
    for key, value in EXPECTED.items():
        assert topology[key] == value, key


def test_this_machine_validates_in_a_results_document(build_dir):
    host = hostinfo.host()
    software = hostinfo.software(discover.manifest(build_dir), build_dir)
    doc = {"schema": SCHEMA_VERSION,
           "run": {"id": "x", "started": "t", "ended": None, "status": "running", "profile": "quick", "command": [],
                   "git": {"sha": None, "dirty": None}, "config": dict(CONFIG), "invocations": []},
           "host": host, "software": software, "env": hostinfo.env(), "records": []}
    results.validate(doc)
    assert host["frequency_mhz"] is None, "the nominal clock is not the measured one"
    assert host["cores"] and host["usable_cpus"] >= 1 and host["caches"] and host["numa_nodes"]
    assert "family" in host["cpu_model"] or host["cpu"]["family"] is None
    if shutil.which("lstopo-no-graphics") or shutil.which("hwloc-ls"):
        assert host["topology_source"].startswith("hwloc")
        sysfs = hostinfo.sysfs_topology()
        assert (host["cores"], host["threads_per_core"]) == (sysfs["cores"], sysfs["threads_per_core"])


def test_openmp_runtime_is_the_linked_library(build_dir):
    if not list(build_dir.glob("bin/*_openmp")):
        pytest.skip("no OpenMP benchmark built")
    runtime = hostinfo.openmp_runtime(build_dir)
    assert runtime["library"].startswith(("libgomp", "libomp", "libiomp5")), runtime
    assert os.path.exists(runtime["path"]) and runtime["found_by"].startswith("ldd ")
    if shutil.which("dpkg-query"):
        assert runtime["package"] and runtime["version"], runtime
    fallback = hostinfo.openmp_runtime(None)  # from the compiler
    if fallback is not None:
        assert fallback["library"] == "libgomp.so.1" and fallback["found_by"].endswith("-print-file-name")


def test_open_mpi_version_and_components():
    text = "ompi:version:full:4.1.4\nompi:version:repo:v4.1.4\nmca:btl:tcp:version:\"mca:2.1.0\"\n" \
           "mca:btl:tcp:version:\"api:3.1.0\"\nmca:btl:vader:version:\"mca:2.1.0\"\nmca:pml:ob1:version:\"x\"\n" \
           "mca:osc:rdma:version:\"x\"\nmca:coll:tuned:version:\"x\"\n"
    assert hostinfo.parse_ompi_info(text) == ("4.1.4", {"btl": ["tcp", "vader"], "pml": ["ob1"], "osc": ["rdma"]})
    if shutil.which("ompi_info"):
        version, components = hostinfo.open_mpi()
        assert version and version[0].isdigit() and components["btl"], (version, components)


def test_march_resolution():
    assert hostinfo.march({"march_resolved": "znver4", "cxx_flags": "-march=native"}) == ("znver4", "build manifest")
    assert hostinfo.march({"cxx_flags": "-O3 -march=skylake-avx512"}) == ("skylake-avx512", "cxx_flags")
    assert hostinfo.march({"cxx_flags": "-O3"}) == (None, None)
    if shutil.which("g++"):
        target, source = hostinfo.march({"compiler": "GNU 12.2.0", "cxx_flags": "-O3 -march=native"})
        assert target and target != "native" and "-Q --help=target" in source


@pytest.mark.parametrize("workers, host, load, count, fragments", [
    ([1, 2], {"usable_cpus": 2, "cores": 2}, [0.3, 0.2, 0.1], 0, []),
    ([1, 2], {"usable_cpus": 2, "cores": 2}, [1.0, 0.2, 0.1], 0, []),  # exactly half the CPUs: not busy
    ([1, 2], {"usable_cpus": 2, "cores": 2}, [2.6, 2.0, 1.0], 1, ["busy", "2.60 on 2 usable CPUs"]),
    ([1, 2, 4], {"usable_cpus": 2, "cores": 2}, [0.0, 0.0, 0.0], 1, ["up to 4 workers on 2 usable CPUs"]),
    ([1, 2, 4, 8], {"usable_cpus": 8, "cores": 4}, [0.0, 0.0, 0.0], 1, ["up to 8 workers on 4 physical cores"]),
    ([1, 4], {"usable_cpus": 2, "cores": 2}, [4.0, 4.0, 4.0], 2, ["busy", "up to 4 workers"]),
])
def test_start_warnings(workers, host, load, count, fragments):
    lines = hostinfo.warnings({"workers": workers}, host=host, load=load)
    assert len(lines) == count, lines
    assert all(line.startswith("WARNING: ") and "\n" not in line for line in lines)
    for fragment in fragments:
        assert fragment in "\n".join(lines)


def test_start_warnings_of_this_machine_need_no_host():
    many = 4 * (os.cpu_count() or 1)
    lines = hostinfo.warnings({"workers": [1, many]})
    assert any(f"up to {many} workers" in line for line in lines)
