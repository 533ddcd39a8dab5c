"""One cross-post spread over Celery workers, every target sent once: a shared PostgreSQL ledger.

Run workers with ``celery -A celery_crosspost worker``; start a cross-post
with ``cross_post(post_data)``. Settings come from the environment:

``POSTMUX_BROKER``   the broker (and result backend) URL, e.g. ``redis://127.0.0.1:6379/0``
``POSTMUX_LEDGER``   the shared ledger, ``postgresql://user:password@host/db``
``POSTMUX_PROVIDER`` the vendor; its API key from the plugin's variable (``WONDA_API_KEY``…)
``POSTMUX_BASE_URL`` optional: another base URL for the vendor (a sandbox)
``POSTMUX_LEASE``    optional: seconds a claim stays live without an outcome (default 300)
``POSTMUX_MEDIA_HOSTS`` optional: ``host:port`` list (comma-separated) whose media may be fetched
                     on a private address (a sandbox's media host); set, it also lets media
                     be fetched over plain HTTP, from any host

Why it never sends a target twice: each task publishes a slice of the post's
targets with ``publish(post, targets=…)``, under the same ledger keys as the
whole post. A redelivered task (acks-late: a task is acknowledged only when it
ends, so a killed worker's task runs again elsewhere) finds its targets claimed
in the ledger: those already sent are returned as recorded, those the dead
worker held but never sent come back ``claimed_elsewhere`` until its lease
ends, and the task retries until then, when it takes them over.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, group
from celery.result import GroupResult

import postmux
from postmux.ledger import PostgresLedger

BROKER = os.environ["POSTMUX_BROKER"]
LEASE = float(os.environ.get("POSTMUX_LEASE", "300"))
CHUNK = 25
"""Targets per task: small enough to spread, large enough to amortise the media upload."""

app = Celery("celery_crosspost", broker=BROKER, backend=BROKER)
app.conf.update(
    task_acks_late=True,  # acknowledge when the task ends, not when it starts
    task_reject_on_worker_lost=True,  # a worker killed mid-task: the task goes back to the queue
    worker_prefetch_multiplier=1,  # a worker holds no more tasks than it runs
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
)

_publisher: postmux.Publisher | None = None


def publisher() -> postmux.Publisher:
    """One publisher (one HTTP client, one ledger connection) per worker process."""
    global _publisher
    if _publisher is None:
        ledger = PostgresLedger(os.environ["POSTMUX_LEDGER"], lease=LEASE)
        _publisher = postmux.publisher(
            os.environ["POSTMUX_PROVIDER"],
            base_url=os.environ.get("POSTMUX_BASE_URL"),
            ledger=ledger,
            media_fetch=fetch_policy(),
        )
    return _publisher


def fetch_policy() -> postmux.FetchPolicy:
    """postmux's safe defaults for media it downloads; with trusted hosts, those exempt from the address
    rule and plain HTTP allowed (for every host: a FetchPolicy's schemes are not per host)."""
    hosts = [h.strip() for h in os.environ.get("POSTMUX_MEDIA_HOSTS", "").split(",") if h.strip()]
    if not hosts:
        return postmux.FetchPolicy()
    return postmux.FetchPolicy(schemes={"http", "https"}, allow_hosts=hosts)


def build_post(data: dict[str, Any]) -> postmux.Post:
    """The post from the task's JSON (an app would rather load it by id from its own store)."""
    return postmux.Post(text=data["text"], media=data["media"], targets=data["targets"], key=data["key"])


@app.task(bind=True, max_retries=50)
def publish_targets(self: Any, data: dict[str, Any], targets: list[str]) -> list[dict[str, Any]]:
    """Publish ``targets`` of the post; retried while another worker holds some of them."""
    report = publisher().publish(build_post(data), targets=targets)
    if any(p.error_code == "claimed_elsewhere" for p in report):
        # held by another worker (or by one that died before sending): ask again once its lease may be over
        raise self.retry(countdown=min(LEASE, 30.0) / 2)
    return [p.to_dict(raw=False) for p in report]


def cross_post(data: dict[str, Any], chunk: int = CHUNK) -> GroupResult:
    """Queue the post as one task per ``chunk`` targets; ``.get()`` on the result waits for all."""
    targets: list[str] = list(data["targets"])
    tasks = [publish_targets.s(data, targets[i : i + chunk]) for i in range(0, len(targets), chunk)]
    result: GroupResult = group(tasks).apply_async()
    return result
