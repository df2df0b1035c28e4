"""nnfit batch on Ray: a local instance (CPU only, loopback, 2 CPUs) runs a small real batch."""
from __future__ import annotations

import json

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'nnfit[ray]'); the Ray engine is optional")

from nnfit.batch import api, jobs  # noqa: E402
from nnfit.batch.engines import RayEngine, loopback_only  # noqa: E402

TINY = {"n_samples": 200}
TINY_SETTINGS = {"hidden": (8,), "restarts": 1, "adam_steps": 100, "lm_steps": 40, "stages": 1, "transform": "none"}


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray instance for this module: 2 CPUs, no GPU, no dashboard, loopback only."""
    if ray.is_initialized():
        ray.shutdown()
    engine = RayEngine(num_cpus=2)
    with loopback_only(ray):
        ray.init(**engine._init_args(), num_gpus=0)
        try:
            assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
            yield engine
        finally:
            ray.shutdown()


def test_ray_local_instance_runs_a_small_batch_with_the_real_fit(tmp_path, local_ray):
    csv = tmp_path / "formulas.csv"
    csv.write_text(
        "name,formula,ranges,n_samples\n"
        f"sine,10*sin(3*x),x:0:1,{TINY['n_samples']}\n"
        f"product,x*y,x:0:1;y:-1:1,{TINY['n_samples']}\n"
        "bad,sin(x,x:0:1,\n"
    )
    frame = api.batch(csv, out=tmp_path / "out", engine=local_ray, **TINY_SETTINGS)
    assert frame.attrs["engine"].startswith("ray")
    assert list(frame["status"]) == ["ok", "ok", "failed"]
    assert "cannot parse formula" in frame.loc[2, "error"]
    assert (frame.loc[:1, "nrmse"] < 0.2).all()
    # the driver wrote what the Ray workers computed: records, and models that load
    import nnfit

    model = nnfit.load(frame.loc[0, "model_path"])
    assert model.predict([[0.5]]).shape[0] == 1
    records = jobs.read_records(tmp_path / "out")
    assert {r["status"] for r in records.values()} == {"ok", "failed"}
    by_name = {r["spec"]["target"]: r for r in records.values()}
    assert set(by_name) == {"sine", "product", "bad"}
    for name, record in by_name.items():
        assert record["version"] == jobs.RECORD_VERSION and record["job_id"].startswith(name)
        assert record["started_at"] <= record["finished_at"] and record["seconds"] >= 0
        assert json.loads(json.dumps(record)) == record  # what is on disk is plain JSON
    for name in ("sine", "product"):
        record = by_name[name]
        assert record["error"] is None and record["model_path"] == f"models/{record['job_id']}.nnfit"
        assert (tmp_path / "out" / record["model_path"]).is_file()
        assert 0 <= record["metrics"]["nrmse"] < 0.2 and set(jobs.METRIC_NAMES) <= set(record["metrics"])
        assert record["summary"]["seed"] == 0
    assert by_name["bad"]["model_path"] is None and by_name["bad"]["metrics"] == {}
    assert "cannot parse formula" in by_name["bad"]["error"]
    # the same jobs again: nothing is fitted twice
    again = api.batch(csv, out=tmp_path / "out", engine=local_ray, resume=True, **TINY_SETTINGS)
    assert again.attrs["ran"] == 0 and again.attrs["skipped"] == 3


def test_ray_task_times_out_and_is_recorded(tmp_path, local_ray):
    import batch_stub

    ray.cloudpickle.register_pickle_by_value(batch_stub)  # Ray workers cannot import the tests folder
    csv = tmp_path / "f.csv"
    csv.write_text("name,formula,ranges\nquick,x,x:0:1\nhang,x,x:0:1\n")
    frame = api.batch(csv, out=tmp_path / "out", engine=local_ray, timeout=1, fit=batch_stub.stub_fit)
    assert list(frame["status"]) == ["ok", "timeout"]
