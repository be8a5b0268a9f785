"""The Celery application the manager sends runs with and the workers serve."""

from __future__ import annotations

from celery import Celery

from server.services.execution.remote.keys import DEFAULT_QUEUE


def celery_app(broker_url: str) -> Celery:
    """Return a Celery app on ``broker_url``: JSON tasks, no results (the run stream carries
    the outcome), one task at a time per worker thread, never redelivered after a loss."""
    app = Celery("scriptsmanager", broker=broker_url)
    app.conf.update(
        task_default_queue=DEFAULT_QUEUE,
        task_ignore_result=True,
        task_acks_late=False,  # a run lost with its worker is failed, never started twice
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )
    return app
