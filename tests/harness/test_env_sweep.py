"""The env sweep (issue 7): a model declares a runtime setting once (cmake/ParbenchModels.cmake, ENV_SWEEP), the
build manifest carries it, and the harness runs an executable once per value ONLY when its listed case names carry
the swept parameter. Records stay apart through that parameter, each invocation records the environment it ran
with, and --resume runs the remaining swept invocations with the values of this installation's declaration."""
import json
import os

import pytest

from conftest import harness, load, one_line

KNOB = {"param": "knob", "variable": "FAKE_KNOB", "values": {"default": None, "hi": "hi"}}


def manifest_build(fake_build, *names, sweep=KNOB):
    """A fake build whose manifest declares `sweep` for the threads model (and openmp without one)."""
    build = fake_build(*names)
    models = {"threads": {"launcher": "direct", "bind_env": {"PARBENCH_PIN": "cores"}, "own_workers": False,
                          "env_sweep": sweep},
              "openmp": {"launcher": "direct", "bind_env": {}, "own_workers": False, "env_sweep": None}}
    (build / "parbench_build.json").write_text(json.dumps({"enabled_models": "threads;openmp", "models": models}))
    return build


def runs_of(doc, executable):
    return [i for i in doc["run"]["invocations"] if i["executable"] == executable and i["pass"] is not None]


def test_openmp_wait_policy_is_swept_only_where_the_cases_name_it(python, fake_build, tmp_path):
    """Without a manifest, the built-in openmp policy sweeps OMP_WAIT_POLICY (unset, then passive): the executable
    whose cases carry wait: runs twice per (workers, pass), the one whose cases do not runs once as before, and a
    caller's own OMP_WAIT_POLICY is removed for 'default' but left alone for the executable that is not swept."""
    build = fake_build("waitparam_openmp", "good_openmp")
    env = {**os.environ, "OMP_WAIT_POLICY": "active"}
    done = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--run-id", "r", "--workers", "1,2",
                   "--repetitions", "2", "--no-report", env=env)
    assert done.returncode == 0, done.stderr
    doc = load(tmp_path / "r" / "results.json")
    swept = runs_of(doc, "waitparam_openmp")
    plain = runs_of(doc, "good_openmp")
    assert len(plain) == 2 * 2 and all("sweep" not in i for i in plain)
    assert all(i["env"].get("OMP_WAIT_POLICY") == "active" for i in plain)
    assert len(swept) == 2 * 2 * 2
    assert sorted((i["workers"], i["sweep"]["wait"], i["pass"]) for i in swept) == sorted(
        (w, v, k) for w in (1, 2) for v in ("default", "passive") for k in (1, 2))
    for inv in swept:
        assert inv["status"] == "done"
        assert inv["env"].get("OMP_WAIT_POLICY") == ("passive" if inv["sweep"]["wait"] == "passive" else None)
        assert inv["cases"] == [f"alpha/wait:{inv['sweep']['wait']}/workers:{inv['workers']}"]
        assert f".wait-{inv['sweep']['wait']}.p{inv['pass']}." in inv["raw_file"]
    assert len({i["raw_file"] for i in swept}) == len(swept), "raw files of different values must not collide"
    by_id = {r["id"]: r for r in doc["records"]}
    for w in (1, 2):
        for value in ("default", "passive"):
            r = by_id[f"waitparam/openmp/alpha/wait:{value}/workers:{w}"]
            assert r["status"] == "ok" and r["params"] == {"wait": value} and len(r["samples"]) == 2, r
        assert len(by_id[f"good/openmp/alpha/workers:{w}"]["samples"]) == 2
    assert len(doc["records"]) == 6


def test_a_manifest_declared_sweep_for_any_model(python, fake_build, tmp_path):
    """The sweep is the declaration's, not openmp's: a manifest may sweep any variable for any model; the
    variable is recorded per invocation (it is neither a binding nor an OMP_ variable), and --list shows it."""
    build = manifest_build(fake_build, "knob_threads", "good_threads", "waitparam_openmp")
    listed = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--workers", "1", "--list")
    assert listed.returncode == 0, listed.stderr
    assert "knob_threads workers=1 knob=hi: alpha/knob:hi/workers:1" in listed.stdout
    assert "knob_threads workers=1 knob=default: alpha/knob:default/workers:1" in listed.stdout
    done = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--run-id", "m", "--workers", "1",
                   "--repetitions", "1", "--no-report")
    assert done.returncode == 0, done.stderr
    doc = load(tmp_path / "m" / "results.json")
    knob = {i["sweep"]["knob"]: i for i in runs_of(doc, "knob_threads")}
    assert sorted(knob) == ["default", "hi"]
    assert knob["hi"]["env"].get("FAKE_KNOB") == "hi" and "FAKE_KNOB" not in knob["default"]["env"]
    assert len(runs_of(doc, "good_threads")) == 1
    # this manifest's openmp declares no sweep: an executable naming wait: is then not doubled
    assert [i.get("sweep") for i in runs_of(doc, "waitparam_openmp")] == [None]
    ids = sorted(r["id"] for r in doc["records"])
    assert ids == ["good/threads/alpha/workers:1", "knob/threads/alpha/knob:default/workers:1",
                   "knob/threads/alpha/knob:hi/workers:1", "waitparam/openmp/alpha/wait:default/workers:1"]


def test_an_executable_that_ignores_the_setting_fails_that_value(python, fake_build, tmp_path):
    """Listed under FAKE_KNOB=hi, cases still named knob:default would merge with the default value's records;
    that value's group is a failed record saying so, and the default value still runs."""
    build = manifest_build(fake_build, "deafknob_threads")
    done = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--run-id", "d", "--workers", "1",
                   "--repetitions", "1", "--no-report")
    assert done.returncode == 0, done.stderr
    doc = load(tmp_path / "d" / "results.json")
    by_id = {r["id"]: r for r in doc["records"]}
    assert by_id["deafknob/threads/alpha/knob:default/workers:1"]["status"] == "ok"
    bad = by_id["deafknob/threads/*/knob:hi/workers:1"]
    assert bad["status"] == "failed" and "does not carry knob:hi" in bad["message"], bad
    assert [i["sweep"] for i in runs_of(doc, "deafknob_threads")] == [{"knob": "default"}]


def test_the_run_checks_each_case_against_the_setting(python, tmp_path):
    """At run time too: a case whose name does not say the invocation's value is never an ok record."""
    from harness import records
    inv = {"executable": "x_threads", "workload": "x", "model": "threads", "workers": 1, "pass": 1,
           "sweep": {"knob": "hi"}}
    case = {"runs": [{"ns_per_op": 5.0}]}
    recs = records.invocation_records(inv, ["alpha/knob:default/workers:1"], {"alpha/knob:default/workers:1": case},
                                      {"parbench_primary_metric": "ns_per_op"}, None, None, "")
    assert [r["status"] for r in recs] == ["failed"] and "does not say knob:hi" in recs[0]["message"]
    good = records.invocation_records(inv, ["alpha/knob:hi/workers:1"], {"alpha/knob:hi/workers:1": case},
                                      {"parbench_primary_metric": "ns_per_op"}, None, None, "")
    assert [r["status"] for r in good] == ["ok"] and good[0]["params"] == {"knob": "hi"}


def test_resume_finishes_the_swept_invocations(python, fake_build, tmp_path):
    """Interrupted while the swept value 'hi' runs: the rest stays pending with its sweep, and --resume runs it
    with this installation's setting, giving every record all its samples."""
    build = manifest_build(fake_build, "knob_threads", "good_threads")
    env = {**os.environ, "FAKE_INTERRUPT_KNOB": "hi"}
    first = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--run-id", "i", "--workers", "1,2",
                    "--repetitions", "2", "--no-report", env=env)
    assert first.returncode == 130, (first.stdout, first.stderr)
    doc = load(tmp_path / "i" / "results.json")
    pending = [i for i in doc["run"]["invocations"] if i["status"] == "pending"]
    assert pending and any(i.get("sweep") for i in pending)
    resumed = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--resume", "i", "--no-report", env=env)
    assert resumed.returncode == 0, resumed.stderr
    doc = load(tmp_path / "i" / "results.json")
    assert doc["run"]["status"] == "complete"
    assert all(i["status"] == "done" for i in doc["run"]["invocations"])
    for inv in runs_of(doc, "knob_threads"):
        assert inv["env"].get("FAKE_KNOB") == ("hi" if inv["sweep"]["knob"] == "hi" else None)
    assert len(doc["records"]) == 6
    assert all(r["status"] == "ok" and len(r["samples"]) == 2 for r in doc["records"]), doc["records"]


@pytest.mark.parametrize("sweep, problem", [
    ({"knob": "bogus"}, "does not declare"), ({"other": "hi"}, "does not declare"),
    ({"knob": "hi", "x": "y"}, "does not declare"),
    ("hi", "sweep: 'hi' is not of type 'object'"),  # refused by the schema before the checks of resume
])
def test_resume_refuses_a_sweep_the_build_does_not_declare(python, fake_build, tmp_path, sweep, problem):
    build = manifest_build(fake_build, "knob_threads")
    env = {**os.environ, "FAKE_INTERRUPT_KNOB": "hi"}
    first = harness(python, "run", "--build-dir", build, "--out", tmp_path, "--run-id", "e", "--workers", "1",
                    "--repetitions", "3", "--no-report", env=env)
    assert first.returncode == 130, first.stderr
    path = tmp_path / "e" / "results.json"
    doc = load(path)
    target = next(i for i in doc["run"]["invocations"] if i["status"] == "pending" and i.get("sweep"))
    target["sweep"] = sweep
    path.write_text(json.dumps(doc))
    before = path.read_bytes()
    line = one_line(harness(python, "run", "--build-dir", build, "--out", tmp_path, "--resume", "e", "--no-report"))
    assert problem in line, line
    assert path.read_bytes() == before


@pytest.mark.parametrize("sweep, problem", [
    ({"param": "knob", "variable": "FAKE KNOB", "values": {"a": None}}, "variable"),
    ({"param": "workers", "variable": "FAKE_KNOB", "values": {"a": None}}, "parameter"),
    ({"param": "knob", "variable": "FAKE_KNOB", "values": {}}, "is not"),
    ({"param": "knob", "variable": "FAKE_KNOB", "values": {"a/b": None}}, "value"),
    ("knob", "is not"),
])
def test_a_malformed_declaration_is_refused(python, fake_build, tmp_path, sweep, problem):
    build = manifest_build(fake_build, "knob_threads", sweep=sweep)
    line = one_line(harness(python, "run", "--build-dir", build, "--out", tmp_path, "--workers", "1", "--list"))
    assert "env_sweep of model threads" in line and problem in line and "rebuild" in line, line


def test_the_build_manifest_declares_the_openmp_wait_sweep(build_dir):
    """What cmake/ParbenchModels.cmake writes: the openmp declaration's ENV_SWEEP, and null for the others."""
    manifest = load(build_dir / "parbench_build.json")
    models = manifest["models"]
    if "openmp" not in models:
        pytest.skip("OpenMP not enabled in this build")
    assert models["openmp"]["env_sweep"] == {"param": "wait", "variable": "OMP_WAIT_POLICY",
                                             "values": {"default": None, "passive": "passive"}}
    assert all(m["env_sweep"] is None for name, m in models.items() if name != "openmp")
