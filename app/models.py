"""Tables. Component versions are rows that never change once past draft (the service layer
enforces it); the small catalog registries (capabilities, centres, price books, rules...) are
one row per record with a revision; every change lands in the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Document = JSON().with_variant(JSONB(), "postgresql")

# Every id, version and revision column is an Integer: 32 bits on PostgreSQL. A number past
# it can name no row, and binding it fails in the driver (SQLite stops at 64 bits).
MAX_INTEGER = 2**31 - 1


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        # PostgreSQL answers in the session's time zone: read back in UTC always, so a
        # representation (and its ETag) is the same whatever the server's TimeZone.
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    centre: Mapped[str | None] = mapped_column(String(50))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex, never the key
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class User(Base):
    """A person who signs in to the web app (machines use API keys). The e-mail is the
    principal's name, so it never collides with a key's (key names hold no "@")."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower case
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    centre: Mapped[str | None] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, never the password
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebSession(Base):
    """A signed-in browser: stored here, named in its cookie only by a random token whose
    digest is the key. Ended on sign-out, after the idle timeout, or at its absolute end."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the absolute end
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class InstanceSecret(Base):
    """Secrets made once per database by its migration (``forms``: signs CSRF tokens)."""

    __tablename__ = "instance_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ComponentHead(Base):
    """One row per component code: which version is active and which is the latest."""

    __tablename__ = "components"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    latest_version: Mapped[int] = mapped_column(Integer)
    active_version: Mapped[int | None] = mapped_column(Integer)


class ComponentVersion(Base):
    __tablename__ = "component_versions"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        Index("ix_component_versions_status_code", "status", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("components.code"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(100), index=True)
    layer: Mapped[str] = mapped_column(String(50), index=True)
    author: Mapped[str] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(Text)  # lower-cased code, name and summary
    content: Mapped[dict[str, Any]] = mapped_column(Document)  # the component, without status
    revision: Mapped[int] = mapped_column(Integer)  # bumped on every change (the ETag)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012 (SQLAlchemy's API)


class ComponentCapability(Base):
    """What each version provides, for the ``capability`` filter."""

    __tablename__ = "component_capabilities"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("component_versions.id", ondelete="CASCADE"), primary_key=True
    )
    capability: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class CatalogRecord(Base):
    """A capability, competency, delivery centre, price book, rule or offering."""

    __tablename__ = "catalog_records"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(Document)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012


class CatalogState(Base):
    """A single row whose revision moves on every catalog change (cache invalidation)."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(50))
    entity_kind: Mapped[str] = mapped_column(String(30))
    entity_key: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(Document)
    after: Mapped[dict[str, Any] | None] = mapped_column(Document)
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_log_entity", "entity_kind", "entity_key"),)


class Proposal(Base):
    """A proposal to one customer: its number, author, status and current revision. What it
    offers lives in its revisions, which never change once written."""

    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_author_id", "author", "id"),
        Index("ix_proposals_status_valid_until", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # P-2026-000123
    author: Mapped[str] = mapped_column(String(100))  # the API key's name
    author_role: Mapped[str] = mapped_column(String(20))  # whose discount limit applies
    customer: Mapped[dict[str, Any]] = mapped_column(Document)
    customer_name: Mapped[str] = mapped_column(String(200), index=True)  # lower-cased, filters
    status: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer)  # the current revision
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012


class ProposalRevision(Base):
    """One solved, priced and documented bundle, frozen: exact component versions, prices
    with their derivation, and the documents sold."""

    __tablename__ = "proposal_revisions"
    __table_args__ = (UniqueConstraint("proposal_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    request: Mapped[dict[str, Any]] = mapped_column(Document)  # the configuration request
    content: Mapped[dict[str, Any]] = mapped_column(Document)  # the frozen snapshot
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical content
    valid_until: Mapped[date] = mapped_column(Date)  # the validity this revision was offered
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ProposalEvent(Base):
    """The lifecycle history: every transition, who made it and why."""

    __tablename__ = "proposal_events"
    # When a proposal first reached a status (the insights' durations): one index seek.
    __table_args__ = (
        Index("ix_proposal_events_proposal_id_to_status", "proposal_id", "to_status", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)


class ProposalCounter(Base):
    """The last proposal number given out per year, taken inside the creating transaction:
    numbers are unique and without gaps (a rolled-back creation gives its number back)."""

    __tablename__ = "proposal_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class IdempotencyRecord(Base):
    """An ``Idempotency-Key`` seen from one API key: running until its request finishes,
    then the answer to replay, until it expires."""

    __tablename__ = "idempotency_keys"

    owner: Mapped[str] = mapped_column(String(100), primary_key=True)  # the API key's name
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    token: Mapped[str] = mapped_column(String(32))  # which request holds the claim
    state: Mapped[str] = mapped_column(String(10))  # running | done
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(Document)
    location: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class RenderedDocument(Base):
    """A rendered PDF, named by the hash of everything it shows and how it is drawn: the
    same proposal revision gives the same document, rendered once. Or the limit its render
    failed on (no PDF, a ``failure``), answered again without rendering it again."""

    __tablename__ = "rendered_documents"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pages: Mapped[int | None] = mapped_column(Integer)
    # {"type": problem type, "detail": ..., "limits": the renderer's limits then}
    failure: Mapped[dict[str, Any] | None] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WorkPackage(Base):
    """One line of an accepted proposal, for the delivery centre that delivers it: what to
    deliver, to whom, and the delivery description of the exact version sold (frozen)."""

    __tablename__ = "work_packages"
    __table_args__ = (
        UniqueConstraint("proposal_id", "line"),
        Index("ix_work_packages_centre_id", "centre", "id"),
        Index("ix_work_packages_centre_starts_on", "centre", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)  # the line's position in the revision
    centre: Mapped[str] = mapped_column(String(50))
    content: Mapped[dict[str, Any]] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The centre's load, as columns SQL sums (app.delivery.load): the competency of the
    # version sold, its effort hours (every skill's, times the quantity) each month of the
    # term and once in the first, and the months it runs: from the first of the acceptance
    # month up to ``ends_on`` (exclusive: the first of the month after the term).
    competency: Mapped[str] = mapped_column(String(100))
    monthly_hours: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    one_time_hours: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class WebhookEndpoint(Base):
    """Where a PSA or CRM wants to hear of proposal events: its URL, the events it chose
    and the secret its deliveries are signed with (kept as the signer needs it: an HMAC key
    cannot be hashed; shown once, when made or rotated)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(Document)  # event type names, sorted
    enabled: Mapped[bool] = mapped_column(Boolean, index=True)
    secret: Mapped[str] = mapped_column(String(100))  # whsec_<base64>
    # The secret before the last rotation, also signed with until then (a grace period).
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    """One event for one endpoint: the payload frozen (as the very bytes signed and sent)
    when the event happened, and where its delivery stands."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "message_id"),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(50))
    message_id: Mapped[str] = mapped_column(String(40))  # webhook-id: msg_<random>
    body: Mapped[str] = mapped_column(Text)  # {"type", "timestamp", "data"} as JSON text
    status: Mapped[str] = mapped_column(String(10))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Every attempt: {"at", "status_code", "error", "duration_ms"}, oldest first.
    attempt_log: Mapped[list[dict[str, Any]]] = mapped_column(Document)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Claimed by a worker sending it until then: another run of the job leaves it alone.
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ShareLink(Base):
    """A customer's way in to one issued revision: an unguessable token, stored only as
    its SHA-256, expiring and revocable. One live link per revision (a partial unique
    index): sharing again revokes the previous one in the same transaction."""

    __tablename__ = "share_links"
    __table_args__ = (
        Index(
            "ix_share_links_live_revision",
            "proposal_id",
            "revision",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex, never the token
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class ShareLinkView(Base):
    """One opening of a customer page: when, from where (anonymised: IPv4 /24, IPv6 /48)
    and with what browser (truncated)."""

    __tablename__ = "share_link_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("share_links.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(200))


class Acceptance(Base):
    """A customer's acceptance of a proposal revision, with its evidence: one per proposal
    (the unique key is what makes a second acceptance change nothing). The contract copy's
    SHA-256 and storage key are written once it is rendered."""

    __tablename__ = "acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    link_id: Mapped[int] = mapped_column(ForeignKey("share_links.id"))
    choice: Mapped[dict[str, Any]] = mapped_column(Document)  # {"option": 1, "add_ons": [...]}
    full_name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    signature: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64))  # in full: evidence, said so on the page
    user_agent: Mapped[str] = mapped_column(String(500))
    contract_sha256: Mapped[str | None] = mapped_column(String(64))
    contract_key: Mapped[str | None] = mapped_column(String(64))  # rendered_documents.key


class Decline(Base):
    """A customer's decline of a proposal revision, once, with an optional reason."""

    __tablename__ = "declines"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    link_id: Mapped[int] = mapped_column(ForeignKey("share_links.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(500))


class BackgroundJob(Base):
    """A job of the in-process engine (``app.jobs.local``: SQLite, tests): written in the
    transaction that asks for it, so committed work is never lost, and run by the API
    process's job threads. On PostgreSQL, procrastinate keeps its own tables."""

    __tablename__ = "background_jobs"
    __table_args__ = (Index("ix_background_jobs_status_scheduled_at", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(100), index=True)
    arguments: Mapped[dict[str, Any]] = mapped_column(Document)
    # One job per lock waits or runs at a time (e.g. one render per document).
    lock: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16))  # todo, doing, succeeded, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Refreshed while it runs: a job whose heartbeat stopped (its process died) runs again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class AssuranceRun(Base):
    """One run of the assured combinations on the active catalog (or on the catalog as a
    change would make it): why it ran, what it ran on, and how it ended. A refused change
    keeps enough of itself (``change``) to be applied again by an override."""

    __tablename__ = "assurance_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # The catalog revision its verdicts are of; for a refused change, the revision it was
    # asked at (the catalog it judged, that revision with the change, never existed).
    revision: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(10))  # import | change | override | manual
    subject: Mapped[str | None] = mapped_column(String(300))  # the change in words
    change: Mapped[dict[str, Any] | None] = mapped_column(Document)  # the change as data
    requested_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), index=True)  # held|broken|refused|overridden
    overridden_by: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    held: Mapped[int] = mapped_column(Integer)
    broken: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)


class AssuranceVerdict(Base):
    """One combination's verdict in one run: held or not, why, and what was found."""

    __tablename__ = "assurance_verdicts"
    __table_args__ = (
        UniqueConstraint("run_id", "combination"),
        Index("ix_assurance_verdicts_combination_run_id", "combination", "run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assurance_runs.id", ondelete="CASCADE"))
    combination: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))
    held: Mapped[bool] = mapped_column(Boolean)
    # Held on the catalog before the change and broken after: what refused it.
    blocking: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(Document)
    found: Mapped[dict[str, Any]] = mapped_column(Document)


def ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name``: procrastinate's tables (PostgreSQL) come from its own
    schema SQL in migration 0004, not from these models, so comparisons leave them out."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


# -- the insights' read model (app.insights): plain columns for the measures -----------------
# Money in integer cents, percentages in hundredths, availability in millionths of a percent,
# effort in thousandths of an hour: exact sums on both databases, no JSON read by SQL.


class InsightRevision(Base):
    """One proposal revision as its first option is paid: totals, cost, discount against
    the author's role limit, availability asked and reached. Written with the revision."""

    __tablename__ = "insight_revisions"
    __table_args__ = (UniqueConstraint("proposal_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    author_role: Mapped[str] = mapped_column(String(20))
    price_book: Mapped[str] = mapped_column(String(100))
    offering: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    term_months: Mapped[int] = mapped_column(Integer)
    discount_hundredths: Mapped[int] = mapped_column(Integer)
    discount_limit_hundredths: Mapped[int] = mapped_column(Integer)
    approval_required: Mapped[bool] = mapped_column(Boolean)
    target_millionths: Mapped[int | None] = mapped_column(Integer)
    reached_millionths: Mapped[int | None] = mapped_column(Integer)
    monthly_cents: Mapped[int] = mapped_column(BigInteger)
    one_time_cents: Mapped[int] = mapped_column(BigInteger)
    contract_cents: Mapped[int] = mapped_column(BigInteger)
    cost_cents: Mapped[int] = mapped_column(BigInteger)


class InsightLine(Base):
    """One priced line of a proposal revision's first option (standard or custom)."""

    __tablename__ = "insight_lines"
    __table_args__ = (
        UniqueConstraint("proposal_id", "revision", "line"),
        # The family and centre filters' EXISTS, answered from the index alone.
        Index("ix_insight_lines_filters", "proposal_id", "revision", "family", "centre"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    revision: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    standard: Mapped[bool] = mapped_column(Boolean)
    component: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int | None] = mapped_column(Integer)
    family: Mapped[str | None] = mapped_column(String(100))
    centre: Mapped[str | None] = mapped_column(String(50))
    competency: Mapped[str | None] = mapped_column(String(100))
    service_level: Mapped[str | None] = mapped_column(String(50))
    availability_millionths: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    monthly_cents: Mapped[int] = mapped_column(BigInteger)
    one_time_cents: Mapped[int] = mapped_column(BigInteger)
    contract_cents: Mapped[int] = mapped_column(BigInteger)
    cost_cents: Mapped[int] = mapped_column(BigInteger)
    # Delivery effort a month of the whole line (quantity x the version's hours per unit).
    effort_millihours: Mapped[int] = mapped_column(BigInteger)


class InsightMiss(Base):
    """A configuration that ended in a conflict (no valid bundle)."""

    __tablename__ = "insight_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    price_book: Mapped[str] = mapped_column(String(100))
    offering: Mapped[str | None] = mapped_column(String(100))


class InsightMissItem(Base):
    """One conflicting constraint (``part`` conflict: kind and subject) or one repair
    offered (``part`` repair: its words in ``subject``) of a miss."""

    __tablename__ = "insight_miss_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    miss_id: Mapped[int] = mapped_column(ForeignKey("insight_misses.id"), index=True)
    part: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str | None] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(500))
