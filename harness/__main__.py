"""python3 -m harness <verb>: run, validate, plot, report, summary, compare, export."""
import argparse
import importlib.util
import os
import pathlib
import sys

from . import results, run, summary

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """Bad input gets one line and exit code 2."""

    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(EXIT_USAGE)


def _parser():
    p = Parser(prog="harness", description="parbench harness")
    verbs = p.add_subparsers(dest="verb", required=True, parser_class=Parser)

    r = verbs.add_parser("run", help="run the benchmark sweep and write results/<run-id>/")
    r.add_argument("--build-dir", help="CMake build tree (benchmarks in BUILD/bin; default: build)")
    r.add_argument("--out", default="results", help="folder for run folders (default: results)")
    r.add_argument("--profile", default="default", help="quick | default | full")
    r.add_argument("--workers", help="comma-separated worker counts (default: the profile's sweep)")
    r.add_argument("--oversubscribe", action="store_true", help="add 2x the CPU count to the sweep")
    r.add_argument("--workload", help="comma-separated workloads to run")
    r.add_argument("--model", help="comma-separated models to run")
    r.add_argument("--variant", help="comma-separated variants to run")
    r.add_argument("--repetitions", type=int, help="samples per case = passes over every executable, 1..1000 "
                                                  "(overrides the profile)")
    r.add_argument("--min-time", type=float, help="minimum seconds per sample, up to 3600 (overrides the profile)")
    r.add_argument("--warmup", type=float, help="warm-up seconds before each case in each pass, 0..3600 "
                                              "(overrides the profile)")
    r.add_argument("--timeout", type=float, help="seconds allowed per executable invocation, up to 86400")
    r.add_argument("--size", help="work per round, passed to every benchmark (e.g. 30M; default: each workload's)")
    r.add_argument("--bind", choices=("cores", "none"), help="pin workers to cores (default) or not")
    r.add_argument("--run-id", help="name of the run folder (default: time and profile)")
    r.add_argument("--resume", metavar="RUN", help="finish an interrupted run (its folder or id)")
    r.add_argument("--list", action="store_true", help="print the planned invocations and cases; write nothing")
    r.add_argument("--no-report", action="store_true", help="skip figures and report.html")

    v = verbs.add_parser("validate", help="check results.json files against the schema")
    v.add_argument("files", nargs="+")

    for verb, text in (("plot", "write the figures of a run into its folder"),
                       ("report", "write figures and report.html for a run"),
                       ("summary", "print the terminal summary of a run")):
        sub = verbs.add_parser(verb, help=text)
        sub.add_argument("run_dir", metavar="RUN", help="a run folder, its results.json, or a run id under --out")
        sub.add_argument("--out", default="results", help="where run ids are looked up (default: results)")

    c = verbs.add_parser("compare", help="compare two runs (results.json or raw Google Benchmark JSON); exit 1 on "
                                         "a regression")
    c.add_argument("base", metavar="BASE")
    c.add_argument("new", metavar="NEW")
    c.add_argument("--threshold", type=float, default=0.05, help="relative change of the median that counts "
                                                                  "(default 0.05)")
    c.add_argument("--alpha", type=float, default=0.05, help="Mann-Whitney p-value below which a change is "
                                                              "significant (default 0.05)")
    c.add_argument("--min-samples", type=int, default=3, help="fewer samples on a side: noisy (default 3)")
    c.add_argument("--few-samples", choices=("separation", "noisy"), default="separation",
                   help="where the samples are too few for the test to reach --alpha (3 vs 3): decide by "
                        "non-overlapping samples (default) or call the record noisy")
    c.add_argument("--json", metavar="FILE", help="also write the comparison as JSON")
    c.add_argument("--html", metavar="FILE", help="also write an HTML view")
    c.add_argument("--markdown", metavar="FILE", help="also write the markdown table (e.g. for a CI job summary)")

    x = verbs.add_parser("export", help="export a run's ok records for github-action-benchmark or Bencher")
    x.add_argument("run_dir", metavar="RUN", help="a run folder, its results.json, or a run id under --out")
    x.add_argument("--format", required=True, choices=("customSmallerIsBetter", "customBiggerIsBetter", "bmf"))
    x.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    x.add_argument("--out", default="results", help="where run ids are looked up (default: results)")
    return p


# What each verb imports (Debian: python3-<name>); the run verb needs matplotlib only for its report.
NEEDS = {"run": ("jsonschema", "numpy", "matplotlib"), "validate": ("jsonschema",),
         "summary": ("jsonschema", "numpy"), "plot": ("jsonschema", "numpy", "matplotlib"),
         "report": ("jsonschema", "numpy", "matplotlib"), "compare": ("jsonschema", "scipy"),
         "export": ("jsonschema",)}


def _missing_modules(args):
    needed = [m for m in NEEDS.get(args.verb, ()) if not (m == "matplotlib" and getattr(args, "no_report", False))]
    return [m for m in needed if importlib.util.find_spec(m) is None]


def cmd_run(args, argv):
    code, runner = run.main(args, argv)
    if runner is None:
        return code
    try:
        if not args.no_report:
            page, problem = _report(runner.doc, runner.run_dir)
            if problem:
                print(f"warning: {problem}; report has no figures", file=sys.stderr)
        print()
        print(summary.text(runner.doc, runner.run_dir))
    except KeyboardInterrupt:
        print(f"\ninterrupted while writing the report; the run is complete in {runner.run_dir}", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the results are safe; one line, no traceback
        print(f"harness run: the run is complete in {runner.run_dir}, but its report failed ({type(e).__name__}: "
              f"{e})", file=sys.stderr)
        return 1
    return code


def _report(doc, run_dir):
    """report.build, with a line on stderr for each figure that could not be drawn."""
    from . import report
    notes = []
    found = report.build(doc, run_dir, notes)
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    return found


def _load_run(path, out="results"):
    """A run folder, its results.json, or a run id under `out`; ResultsError (one line) when it cannot be read,
    a folder the user may not enter included."""
    path = pathlib.Path(path)
    try:
        if not path.exists():
            if path.is_absolute() or not (pathlib.Path(out) / path).exists():
                raise results.ResultsError(f"{path}: no such file, run folder or run id under {out}/")
            path = pathlib.Path(out) / path
        doc = results.load(path)
        return doc, (path if path.is_dir() else path.parent)
    except OSError as e:
        raise results.ResultsError(_os_error(e, path)) from None


def _os_error(e, path=None):
    """One line for an OSError: what failed, and on which file."""
    where = e.filename if getattr(e, "filename", None) else path
    return f"{where}: {e.strerror or e}" if where is not None else str(e.strerror or e)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    try:
        return _verb(args, argv)
    except BrokenPipeError:  # the reader of our output went away (`| head`): nothing more to say
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout at exit
        except (OSError, ValueError):
            pass
        return 1
    except OSError as e:  # never a traceback: a file or folder that cannot be read or written is one line
        print(f"harness {args.verb}: {_os_error(e)}", file=sys.stderr)
        return EXIT_USAGE


def _verb(args, argv):
    missing = _missing_modules(args)
    if missing:
        print(f"harness {args.verb}: {sys.executable} cannot import {', '.join(missing)} (Debian: "
              f"{' '.join('python3-' + m for m in missing)}); run ./parbench, which picks a Python that has them",
              file=sys.stderr)
        return EXIT_USAGE
    if args.verb == "run":
        return cmd_run(args, argv)
    if args.verb == "compare":
        from . import compare
        return compare.main(args)
    if args.verb == "validate":
        bad = 0
        for f in args.files:
            try:
                doc = results.load(f)
            except results.ResultsError as e:
                print(f"harness validate: {e}", file=sys.stderr)
                bad += 1
                continue
            except OSError as e:  # results.load looks at the path before it opens it
                print(f"harness validate: {_os_error(e, f)}", file=sys.stderr)
                bad += 1
                continue
            print(f"{f}: valid ({len(doc['records'])} records)")
        return EXIT_USAGE if bad else 0
    try:
        doc, run_dir = _load_run(args.run_dir, args.out)
    except results.ResultsError as e:
        print(f"harness {args.verb}: {e}", file=sys.stderr)
        return EXIT_USAGE
    if args.verb == "export":
        from . import exports
        return exports.main(args, doc)
    if args.verb == "plot":
        from . import plot
        try:
            paths, notes = plot.figures(doc, run_dir)
            for path in paths:
                print(path)
            for note in notes:
                print(f"warning: {note}", file=sys.stderr)
        except ImportError as e:
            print(f"harness plot: matplotlib is not importable by {sys.executable} ({e})", file=sys.stderr)
            return EXIT_USAGE
        return 0
    if args.verb == "report":
        page, problem = _report(doc, run_dir)
        if problem:
            print(f"harness report: {problem}", file=sys.stderr)
            return EXIT_USAGE
        print(page)
        return 0
    print(summary.text(doc, run_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
