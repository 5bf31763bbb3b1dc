"""A real Celery worker process, on the Redis broker, runs a task."""

from __future__ import annotations

import json
import uuid

import redis
from celery import current_app

from common.jobs import load_task_modules
from tests.support.processes import (
    ROOT,
    Process,
    celery_worker_command,
    run_python,
    service_env,
    wait_until,
)

TASK_MODULES = [p for p in (ROOT / "tasks").glob("*.py") if p.name != "__init__.py"]


def test_a_real_worker_runs_a_task(tmp_path):
    load_task_modules()
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no other worker can take it
    worker = Process(
        celery_worker_command("-Q", queue, loglevel="INFO"),
        env=service_env(),
        log=tmp_path / "worker.log",
    )
    try:
        result = current_app.tasks["tasks.system.ping"].apply_async(args=["hello"], queue=queue)
        assert result.get(timeout=60) == "hello", worker.output()
        # The result can reach us before the worker has written its log line.
        wait_until(lambda: "succeeded" in worker.output(), timeout=10, what="the worker's log")
    finally:
        worker.stop()


def test_celery_is_configured_safely_for_payments():
    conf = current_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] >= 3600
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_always_eager is False  # services mode


def test_a_server_registers_every_task_at_start_and_the_first_enqueue_imports_nothing():
    """The first chat send of a fresh Daphne once paid the task modules' imports and every
    Django system check on the send's thread (issue 13's first second)."""
    script = (
        "import json, sys\n"
        "import project.asgi\n"
        "from celery import current_app\n"
        "before = set(sys.modules)\n"
        "from common.jobs import enqueue_now\n"
        "enqueue_now('tasks.system.ping', args=['hi'], queue='never-consumed-' + sys.argv[1])\n"
        "print(json.dumps({'imported': sorted(set(sys.modules) - before),\n"
        "                  'modules': list(current_app.conf.imports),\n"
        "                  'tasks': sorted(current_app.tasks)}))\n"
    )
    queue = uuid.uuid4().hex[:8]
    done = run_python(script, queue)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    ours = {"tasks", "common", "celery", "kombu", "billiard", "django", "redis", "vine", "amqp"}
    assert [name for name in found["imported"] if name.split(".")[0] in ours] == []
    assert sorted(found["modules"]) == sorted(f"tasks.{p.stem}" for p in TASK_MODULES)
    for module in found["modules"]:
        assert any(name.startswith(f"{module}.") for name in found["tasks"]), module
    redis.Redis.from_url(service_env()["REDIS_URL"]).delete(f"never-consumed-{queue}")
