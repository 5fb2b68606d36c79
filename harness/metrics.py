"""What each reported counter means: unit and which direction is better."""

KNOWN = {
    "ns_per_op": ("ns", "lower"),
    "items_per_second": ("1/s", "higher"),
    "overhead_ns": ("ns", "lower"),
    "bytes_per_second": ("B/s", "higher"),
    "gflops": ("GFLOP/s", "higher"),
    "gb_per_s": ("GB/s", "higher"),  # decimal: 10^9 bytes per second
    "steps_per_second": ("1/s", "higher"),
    "fairness": ("Jain index", "higher"),
    "min_share": ("fraction", "higher"),
    "max_share": ("fraction", "lower"),
    "overhead_ci_low_ns": ("ns", "none"),
    "overhead_ci_high_ns": ("ns", "none"),
    "reference_ns": ("ns", "none"),
    "outliers": ("samples", "none"),
    "outer_repetitions": ("samples", "none"),
    "lost_updates": ("updates", "lower"),
    "lost_fraction": ("fraction", "lower"),
    "ops": ("ops", "none"),
    "latency_ns": ("ns", "lower"),  # messaging: half a round trip
    "refused_fraction": ("fraction", "none"),  # classics bank: transfers refused as overdrafts
    "overhead_ci_coverage": ("fraction", "none"),
    "participation_min": ("workers", "none"),
}

# Primary metrics that may honestly be zero or negative (an EPCC-style overhead is a difference of two times);
# every other primary metric is a time or a rate, and a value <= 0 is a broken measurement, never a result.
MAY_BE_NONPOSITIVE = {"overhead_ns"}


def must_be_positive(name):
    return name not in MAY_BE_NONPOSITIVE


def is_overhead(record):
    """True for a record whose primary metric is an overhead: a difference of times that may be <= 0."""
    return record["metric"]["name"] in MAY_BE_NONPOSITIVE


def describe(name, time_unit="ns"):
    """(unit, direction) of a counter or of Google Benchmark's real_time or cpu_time; ("", "none") when unknown."""
    if name in ("real_time", "cpu_time"):
        return time_unit, "lower"
    return KNOWN.get(name, ("", "none"))

# Metrics that derive.py relates to the machine's limits: a floating-point rate is set against the measured FP64
# peak and against the reference models; a memory bandwidth against the best bandwidth of the run.
FLOP_RATE = "gflops"
BANDWIDTH = "gb_per_s"

# Models that are a reference rather than a parallel programming model: a library a user would call instead of
# writing the kernel (OpenBLAS dgemm). Records of FLOP_RATE get `percent_of_<model>` against each. A build manifest
# may also declare a model "reference": true (cmake: parbench_declare_model(... REFERENCE)); see derive.py.
REFERENCE_MODELS = ("openblas",)

# Context keys (benchmark JSON context, kept per model in results.json software.models) with the machine's FP64
# peak in GFLOP/s as the executables measured it (independent FMA chains) and computed it (nominal).
PEAK_1CORE = "peak_gflops_fp64_measured_1core"
PEAK_ALL = "peak_gflops_fp64_measured_all"
PEAK_NOMINAL_1CORE = "peak_gflops_fp64_nominal_1core"
