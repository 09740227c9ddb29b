"""Settings from the environment (prefix ``OFFERWRIGHT_``), read once per process."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A DNS name as an allow-list entry (letters, digits, hyphens, dots; no scheme or port).
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"(?i){_LABEL}(\.{_LABEL})*\.?")


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OFFERWRIGHT_", extra="ignore")

    # Unset: a SQLite file in the working directory. PostgreSQL: postgresql+psycopg://...
    database_url: str | None = None
    sqlite_busy_timeout_ms: int = 5_000
    # Threads that run request handlers in each API process: the server's concurrency. The
    # connection pool is sized from it (one connection per thread, as many more for a
    # request's short write beside its read), and a request waits this long at most for a
    # connection before a 503 with Retry-After.
    threads: int = 16
    db_pool_wait_seconds: float = 2.0
    # A client has this long to send its whole request body (a trickling client gets 408);
    # no handler starts before the body is in.
    body_timeout_seconds: float = 30.0
    # Request bodies above these sizes are refused with 413 before they are parsed.
    max_body_bytes: int = 1_048_576
    max_import_bytes: int = 64 * 1_048_576
    # Failed authentications allowed per client address and minute before 429.
    auth_failures_per_minute: int = 10
    # People's sign-in: a session ends after this long without a request, and at the latest
    # this long after sign-in; failed sign-ins allowed per account and per client address
    # within five minutes before a sign-in is refused until the window moves on.
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_address: int = 30
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names
    # the client. Empty: none; the TCP peer is the client, whatever headers it sends.
    trusted_proxies: str = ""
    # Most lines a quote may have; more is a 422 before anything is priced.
    max_quote_lines: int = 2_000
    # The configurator: solver processes (and so concurrent solves), CP-SAT threads per
    # solve, its time limit, the grace after which a solve is killed, how long a request
    # waits for a free solver before 503, and the request bounds.
    solver_processes: int = 2
    solver_threads: int = 1
    solver_time_limit_seconds: float = 5.0
    solver_grace_seconds: float = 1.0
    solver_queue_wait_seconds: float = 2.0
    # Interactive options: clicks answered one at a time per engine; at most this many wait
    # (each at most the queue wait), beyond that a 503 options-busy with Retry-After.
    options_queue: int = 8
    options_queue_wait_seconds: float = 2.0
    max_needs: int = 200
    max_alternatives: int = 5
    # Proposals: days a new proposal (or revision) stays valid; how long an Idempotency-Key
    # is remembered; after how long a key whose request never finished (a crash) is free.
    proposal_validity_days: int = 30
    idempotency_retention_hours: int = 24
    idempotency_stale_seconds: int = 120
    # Proposal PDFs: the provider named on them; renderer processes, and each render's time
    # limit, memory cap and page cap.
    provider_name: str = "Offerwright Managed Services"
    pdf_processes: int = 1
    pdf_time_limit_seconds: float = 30.0
    pdf_memory_megabytes: int = 2048
    pdf_max_pages: int = 500
    # Webhooks. Hosts (names) or networks (addresses, CIDR) whose endpoints may be on
    # addresses otherwise refused (loopback, private, link-local...) and may use plain http:
    # a PSA on the provider's own network. Empty: only public https endpoints.
    webhook_allowed_hosts: str = ""
    # Each delivery attempt's time limit (connect, send and read the answer together).
    webhook_timeout_seconds: float = 10.0
    # Seconds to wait before each retry of a delivery that failed, in order: one attempt
    # more than there are delays, then the delivery is failed (the Standard Webhooks
    # schedule, about a day and a half in all).
    webhook_retry_delays: str = "5,300,1800,7200,18000,36000,36000"
    # After a secret is rotated, deliveries are signed with the old secret too for this
    # long, so receivers can switch without losing a message.
    webhook_secret_grace_hours: int = 24
    # Delivered and failed deliveries stay in the delivery log this long.
    webhook_log_retention_days: int = 30
    # Customer links: at most this many days (0: until the end of the proposal's validity,
    # which bounds every link anyway); the address links are built on (unset: the address
    # the request came to); the key that signs the customer page's forms, with the link's
    # own token (unset: the token alone, which only its holder knows).
    share_link_days: int = 0
    public_base_url: str | None = None
    form_secret: str = ""
    # How long a customer page's form stays valid once the page is loaded.
    form_max_age_seconds: int = 86_400
    # How long a PDF request waits for a render job before it answers 202 with Retry-After
    # (a render never runs in the request).
    pdf_wait_seconds: float = 1.0
    # Background jobs. ``auto``: procrastinate on PostgreSQL (run by ``offerwright worker``),
    # threads inside the API process on SQLite. ``threads`` or ``procrastinate`` force one;
    # ``inline`` runs each job in the thread that committed it (tests on rolled-back
    # databases, which share one connection, so nothing may run beside them).
    jobs: Literal["auto", "threads", "procrastinate", "inline"] = "auto"
    # Threads that run jobs inside an API process (the ``threads`` engine).
    job_threads: int = 2
    # A failing job is tried this many times in all, waiting base x 2^(attempt - 1) seconds
    # before each retry; then it is failed for good (GET /v1/jobs shows it).
    job_max_attempts: int = 5
    job_retry_base_seconds: float = 2.0
    # A running job's worker proves it is alive this often; a job whose worker was silent
    # for the stalled timeout (killed mid-job) is queued again, checked this often.
    job_heartbeat_seconds: float = 5.0
    job_stalled_seconds: float = 30.0
    job_stalled_check_seconds: float = 10.0

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_only(cls, value: str) -> str:
        # An address or a network each: a typo would otherwise be trusted as a host name,
        # and "*" would trust every client to name itself.
        for item in _items(value):
            try:
                ipaddress.ip_network(item)  # strict, as Uvicorn reads it: no host bits
            except ValueError as error:
                raise ValueError(f"{item!r} is not an IP address or network") from error
        return value

    @field_validator("webhook_allowed_hosts")
    @classmethod
    def _hosts_or_networks(cls, value: str) -> str:
        for item in _items(value):
            if "/" in item or ":" in item or item.replace(".", "").isdigit():
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError as error:
                    raise ValueError(f"{item!r} is not an IP address or network") from error
            elif not _HOST_NAME.fullmatch(item):
                raise ValueError(f"{item!r} is not a host name, address or network")
        return value

    @field_validator("webhook_retry_delays")
    @classmethod
    def _seconds(cls, value: str) -> str:
        for item in _items(value):
            if not item.isdigit():
                raise ValueError(f"{item!r} is not a number of seconds")
        return value

    @property
    def webhook_allowed_list(self) -> list[str]:
        return _items(self.webhook_allowed_hosts)

    @property
    def webhook_retry_schedule(self) -> tuple[int, ...]:
        return tuple(int(item) for item in _items(self.webhook_retry_delays))

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _items(self.trusted_proxies)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{Path.cwd() / 'offerwright.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
