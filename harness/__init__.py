"""parbench harness: runs the benchmark sweeps and turns them into results.json, plots and a report."""

SCHEMA_VERSION = "parbench-results/2"
MODELS = ("threads", "processes", "tbb", "openmp", "mpi", "cuda")
