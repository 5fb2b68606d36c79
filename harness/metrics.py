"""What each reported counter means: unit and which direction is better."""

KNOWN = {
    "ns_per_op": ("ns", "lower"),
    "items_per_second": ("1/s", "higher"),
    "overhead_ns": ("ns", "lower"),
    "bytes_per_second": ("B/s", "higher"),
    "gflops": ("GFLOP/s", "higher"),
    "steps_per_second": ("1/s", "higher"),
    "fairness": ("Jain index", "higher"),
    "min_share": ("fraction", "higher"),
    "max_share": ("fraction", "lower"),
    "overhead_ci_low_ns": ("ns", "none"),
    "overhead_ci_high_ns": ("ns", "none"),
    "reference_ns": ("ns", "none"),
    "outliers": ("samples", "none"),
    "repetitions": ("samples", "none"),
    "lost_updates": ("updates", "lower"),
    "lost_fraction": ("fraction", "lower"),
    "ops": ("ops", "none"),
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
