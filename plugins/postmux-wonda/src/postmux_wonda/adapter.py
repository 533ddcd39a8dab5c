"""The Wonda adapter: upload first, then one endpoint per platform and per carousel.

Wonda (``api.wondercat.ai``) differs from a URL-taking vendor at every step:
media are uploaded once per publish to get ``mediaId``s (:mod:`.upload`);
single posts answer with a job (``outputJobId``) to poll at
``/jobs/publish/{id}``, carousels answer synchronously with their permalink;
``scheduledAt`` schedules single posts 5 minutes to 29 days ahead. See the
plugin README for every assumption where the documents are silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import attrs

from postmux import Account, Adapter, Post, Problem, Publication, Route, Status, UnsupportedError
from postmux.errors import NotFoundError
from postmux.flow import Flow
from postmux.rules import RULES
from postmux.wire import parse, read_json

from . import mapping, schedules, wire
from .capabilities import CAPABILITIES
from .upload import upload_media
from .vocabulary import INSTAGRAM_ACCOUNTS, JOB_STATUSES, TIKTOK_ACCOUNTS, VOCABULARY

__all__ = ["DEFAULT_BASE_URL", "JOB_STATUSES", "WondaAdapter"]

DEFAULT_BASE_URL = "https://api.wondercat.ai/api/v1"
"""From Wonda's docs and its MCP server's ``DEFAULT_BASE_URL``; overridable with ``base_url``."""


class WondaAdapter(Adapter):
    """Wonda: ``Authorization: Bearer`` auth, uploaded media, jobs for single posts."""

    name: ClassVar[str] = "wonda"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    auth_header: ClassVar[str | None] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"
    capabilities = CAPABILITIES
    poll_interval: ClassVar[float] = 1.0  # Wonda advises 1 s backing off to 5 s
    poll_max_interval: ClassVar[float | None] = 5.0
    vocabulary = VOCABULARY
    converter = wire.converter

    # -- publishing ------------------------------------------------------

    def stage(self, post: Post, routes: Sequence[Route]) -> Flow[tuple[str, ...]]:
        """Upload every media item once, before any post: ``mediaId``s in order."""
        return upload_media(self, post.media)

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        (route,) = routes  # one endpoint per platform: the default one-target batches
        call = mapping.build(post, route, media, extras=post.extras.get(self.name, {}))
        response = yield self.request("POST", call.path, json=call.body)
        state = {"endpoint": call.path, **({"post_mode": call.post_mode} if call.post_mode else {})}
        # one Publication, made once the answer is read (copying one with attrs.evolve: ~9 % of a publish)
        made: dict[str, Any] = {"target": route.target, "provider": self.name, "media_kind": post.kind}
        made.update(state=state, account_id=route.account_id)
        if call.synchronous:  # a carousel's answer is final: published (or in the inbox), with its permalink
            key = f"{route.platform}PublishId"
            data = self.answer_fields(response, at="", permalink=str | None, **{key: str})
            status = Status.INBOX if call.post_mode == "inbox" else Status.PUBLISHED
            return [Publication(**made, status=status, id=data[key], url=data.get("permalink"), raw=data)]
        data = read_json(response, provider=self.name)
        job = parse(wire.converter, data, wire.JobAnswer, provider=self.name, what="publish answer")
        status = JOB_STATUSES(job.status)
        scheduled_for = job.scheduledFor or (post.schedule_at if status is Status.SCHEDULED else None)
        return [Publication(**made, status=status, id=job.outputJobId, scheduled_for=scheduled_for, raw=data)]

    # -- following -------------------------------------------------------

    def status(self, publication: Publication) -> Flow[Publication]:
        if publication.state.get("endpoint", "").endswith("/carousel"):
            return publication  # answered synchronously: nothing to poll
        job_id = _job_id(publication)
        try:
            response = yield self.request("GET", f"/jobs/publish/{quote(job_id, safe='')}")
        except NotFoundError as exc:  # also "API not enabled for the account": no proof the job is absent
            if "not enabled" not in (exc.message or "").lower():
                raise
            raise exc.inconclusive("Wonda could not check this publication") from exc
        job, data = self.answer(response, wire.JobBody, what="publish job")
        status = _refreshed_status(job.status, publication)
        return attrs.evolve(
            publication,
            status=status,
            url=_permalink(data) or publication.url,
            error=(job.errorMessage or "Wonda reported the job failed") if status is Status.FAILED else None,
            error_code=None,
            raw=data,
        )

    answer_id_key = "outputJobId"  # reconcile reads a job id even from an answer cut short

    def unfindable(self, publication: Publication) -> str:
        """Why an ``unknown`` with no job id stays one: Wonda documents nothing that finds the post.

        (One with a job id is read back through ``GET /jobs/publish/{id}``; a 404
        is absent.) The TikTok publish history has no documented REST path; the
        Instagram history (``GET /instagram/publishes``) documents only its filters
        and cursor, not a field (caption, media id) to tell one publish from
        another; and ``GET /media/{mediaId}`` describes an uploaded file, not the
        posts made of it.
        """
        if publication.target.platform == "instagram":
            return (
                "Wonda's answer gave no job id, and its Instagram publish history documents no field"
                " to match a post by (see `wonda publish history instagram`)"
            )
        return (
            "Wonda's answer gave no job id, and its TikTok publish history has no documented REST path"
            " (see `wonda publish history tiktok`)"
        )

    # -- accounts and scheduling -------------------------------------------

    def accounts(self) -> Flow[list[Account]]:
        """TikTok and Instagram accounts, merged into one list."""
        found: list[Account] = []
        for platform, fields in (("tiktok", TIKTOK_ACCOUNTS), ("instagram", INSTAGRAM_ACCOUNTS)):
            response = yield self.request("GET", f"/{platform}/accounts")
            what = f"{RULES[platform].name} accounts"
            found += self.accounts_from(
                self.read(response), fields, at="accounts", what=what, platform=platform
            )
        return found

    def scheduled(self) -> Flow[list[Publication]]:
        response = yield self.request("GET", "/publish/scheduled")
        data = read_json(response, provider=self.name)
        return schedules.scheduled_publications(data, provider=self.name)

    def cancel(self, publication: Publication) -> Flow[Publication]:
        """Cancel a scheduled job; 409 (started or finished) and 403 (scheduling off) raise as they come."""
        job_id = _job_id(publication)
        response = yield self.request("DELETE", f"/publish/scheduled/{quote(job_id, safe='')}")
        data = read_json(response, provider=self.name) if response.content.strip() else {}
        raw = data if isinstance(data, Mapping) else {"answer": data}
        return attrs.evolve(publication, status=Status.CANCELLED, error=None, raw=raw)


# -- helpers -------------------------------------------------------------------


def _refreshed_status(value: str, previous: Publication) -> Status:
    """A job's status, minding what the publish said.

    A draft job that succeeded went to the creator's inbox; a scheduled job
    that Wonda reports as merely waiting (``idle``/``queued``) before its time
    is still ``scheduled``.
    """
    status = JOB_STATUSES(value, draft=previous.state.get("post_mode") == "inbox")
    when = previous.scheduled_for
    if status is Status.QUEUED and when is not None and when > datetime.now(UTC):
        return Status.SCHEDULED
    return status


def _job_id(publication: Publication) -> str:
    if publication.id is None:
        raise UnsupportedError([Problem("publication.id", "this publication has no Wonda job id", True)])
    return publication.id


def _permalink(data: Any) -> str | None:
    """A post URL, if the (undocumented) job body carries one at the top or one level down."""
    if not isinstance(data, Mapping):
        return None
    for node in (data, *(v for v in data.values() if isinstance(v, Mapping))):
        for key in ("permalink", "postUrl", "url"):
            value = node.get(key)
            if isinstance(value, str) and value.startswith("http"):
                return value
    return None
