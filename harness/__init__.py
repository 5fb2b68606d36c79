"""parbench harness: runs the benchmark sweeps and turns them into results.json, plots and a report."""

SCHEMA_VERSION = "parbench-results/1"
MODELS = ("threads", "processes", "tbb", "openmp", "mpi", "cuda")
