"""A real Celery worker process, on the Redis broker, runs a task."""

from __future__ import annotations

import uuid

from celery import current_app

from common.jobs import _load_task_modules
from tests.support.processes import Process, celery_worker_command, service_env, wait_until


def test_a_real_worker_runs_a_task(tmp_path):
    _load_task_modules()
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
