"""What the curation pages show and send. Pure: a component's content as the edit form's
text fields and repeatable rows, the form read back into the body the API takes, the
service's field problems put next to the form's fields, the merge patch that turns one
version's content into the form's, who changed what since a form was opened, the queue's
items and an import's problems as the command line prints them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.kit.errors import FieldProblem
from app.kit.inputs import whole_number
from app.portfolio import (
    DELIVERY_SECTIONS,
    SOW_SECTIONS,
    from_markdown,
    to_markdown,
)
from app.web.forms import Form

LAYERS = ("infrastructure", "platform", "application", "service-management", "transition")
CHARGES = (("monthly", "Monthly"), ("one_time", "One-time"))
TIER_STYLES = (("", "Flat (no tiers)"), ("tiered", "Tiered"), ("volume", "Volume"))
PARTNER_STATUSES = ("go", "no-go")
DOCUMENTS = (
    ("specification", "Service specification"),
    ("statement_of_work", "Statement of work"),
    ("delivery_description", "Service-delivery description"),
)
SCALARS = (
    "code", "name", "summary", "family", "layer", "unit", "competency",
    "quantity_min", "quantity_max", "quantity_step",
    "nlc_currency", "nlc_monthly", "nlc_one_time",
    "partner_name", "partner_status", "partner_currency", "partner_monthly", "partner_one_time",
    "doc_specification", "doc_statement_of_work", "doc_delivery_description",
)  # fmt: skip
# The repeatable rows: each group's columns (the first names the row: a key, a book, a level).
GROUPS: dict[str, tuple[str, ...]] = {
    "provides": ("key", "amount"),
    "requires": ("key", "amount"),
    "attributes": ("key", "value"),
    "effort_monthly": ("key", "hours"),
    "effort_one_time": ("key", "hours"),
    "prices": ("book", "monthly", "one_time", "style", "bands", "floor"),
    "levels": ("name", "availability", "response_minutes", "restore_hours", "price_factor",
               "cost_factor"),
}  # fmt: skip
# Each group of rows: its legend and its columns' labels (the labels of the form's fields).
ROW_LABELS: dict[str, tuple[str, dict[str, str]]] = {
    "provides": ("Provides", {"key": "Capability", "amount": "Per unit"}),
    "requires": ("Requires", {"key": "Capability", "amount": "Per unit"}),
    "attributes": ("Attributes", {"key": "Attribute", "value": "Value"}),
    "prices": ("Prices", {"book": "Price book", "monthly": "Monthly", "one_time": "One-time",
                          "style": "Tiers", "bands": "Tier bands",
                          "floor": "Never cheaper than a lower band"}),
    "levels": ("Service levels", {"name": "Name", "availability": "Availability %",
                                  "response_minutes": "Response (minutes)",
                                  "restore_hours": "Restore (hours)",
                                  "price_factor": "Price factor", "cost_factor": "Cost factor"}),
    "effort_monthly": ("Monthly effort", {"key": "Skill", "hours": "Hours per unit"}),
    "effort_one_time": ("One-time effort", {"key": "Skill", "hours": "Hours per unit"}),
}  # fmt: skip
FIELD_LABELS = {
    "code": "Code", "name": "Name", "summary": "Summary", "family": "Family",
    "layer": "Layer", "unit": "Unit", "competency": "Competency", "charges": "Charges",
    "availability_chain": "Availability chain", "quantity_min": "Minimum quantity",
    "quantity_max": "Maximum quantity", "quantity_step": "Quantity step",
    "nlc_currency": "Currency", "nlc_monthly": "Monthly cost", "nlc_one_time": "One-time cost",
    "partner_name": "Partner", "partner_status": "Partner status",
    "partner_currency": "Partner cost currency", "partner_monthly": "Partner monthly cost",
    "partner_one_time": "Partner one-time cost", "doc_specification": "Service specification",
    "doc_statement_of_work": "Statement of work",
    "doc_delivery_description": "Service-delivery description",
}  # fmt: skip


def field_label(name: str) -> str:
    """A form field's label as the page shows it: "Price book (row 2)"."""
    parts = name.split("-")
    if len(parts) == 3 and parts[0] in ROW_LABELS and whole_number(parts[1], most=999) is not None:
        legend, columns = ROW_LABELS[parts[0]]
        return f"{legend}: {columns.get(parts[2], parts[2])} (row {int(parts[1]) + 1})"
    return FIELD_LABELS.get(name, name)


def summary_of(errors: Mapping[str, str]) -> dict[str, str]:
    """The problems above the form, each named by its field's label (the links to them)."""
    return {name: f"{field_label(name)}: {message}" for name, message in errors.items()}


# What a field of the component is called on the page (the conflict notice, the queue).
LABELS = {
    "name": "name", "summary": "summary", "family": "family", "layer": "layer",
    "charges": "charges", "unit": "unit", "quantity": "quantity bounds",
    "provides": "provides", "requires": "requires", "attributes": "attributes",
    "competency": "competency", "effort": "effort", "non_labour_cost": "non-labour cost",
    "prices": "prices", "service_levels": "service levels",
    "availability_chain": "availability chain", "partner": "partner", "status": "status",
    "specification": "service specification", "statement_of_work": "statement of work",
    "delivery_description": "service-delivery description",
}  # fmt: skip


@dataclass
class EditForm:
    """The form's state: every text field as typed, the rows of each group, the boxes."""

    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    charges: set[str] = field(default_factory=set)
    availability_chain: bool = False

    def value(self, name: str) -> str:
        return self.values.get(name, "")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def form_of(content: Mapping[str, Any]) -> EditForm:
    """A stored component (its JSON document) as the form shows it."""
    quantity = content.get("quantity") or {}
    effort = content.get("effort") or {}
    cost = content.get("non_labour_cost") or {}
    partner = content.get("partner") or {}
    partner_cost = partner.get("cost") or {}
    documents = content.get("documents") or {}
    values = {
        "code": _text(content.get("code")), "name": _text(content.get("name")),
        "summary": _text(content.get("summary")), "family": _text(content.get("family")),
        "layer": _text(content.get("layer")), "unit": _text(content.get("unit")),
        "competency": _text(content.get("competency")),
        "quantity_min": _text(quantity.get("min")), "quantity_max": _text(quantity.get("max")),
        "quantity_step": _text(quantity.get("step")),
        "nlc_currency": _text(cost.get("currency")), "nlc_monthly": _text(cost.get("monthly")),
        "nlc_one_time": _text(cost.get("one_time")),
        "partner_name": _text(partner.get("name")), "partner_status": _text(partner.get("status")),
        "partner_currency": _text(partner_cost.get("currency")),
        "partner_monthly": _text(partner_cost.get("monthly")),
        "partner_one_time": _text(partner_cost.get("one_time")),
        "doc_specification": _text(documents.get("specification")),
        "doc_statement_of_work": to_markdown(
            documents.get("statement_of_work") or {}, SOW_SECTIONS
        ),
        "doc_delivery_description": to_markdown(
            documents.get("delivery_description") or {}, DELIVERY_SECTIONS
        ),
    }  # fmt: skip
    rows: dict[str, list[dict[str, str]]] = {
        "provides": _pairs(content.get("provides"), "amount"),
        "requires": _pairs(content.get("requires"), "amount"),
        "attributes": _pairs(content.get("attributes"), "value"),
        "effort_monthly": _pairs(effort.get("monthly"), "hours"),
        "effort_one_time": _pairs(effort.get("one_time"), "hours"),
        "prices": [
            _price_row(book, price) for book, price in (content.get("prices") or {}).items()
        ],
        "levels": [
            {column: _text(level.get(column)) for column in GROUPS["levels"]}
            for level in content.get("service_levels") or ()
        ],
    }
    return EditForm(values, rows, set(content.get("charges") or ()),
                    bool(content.get("availability_chain")))  # fmt: skip


def blank_form() -> EditForm:
    """A new component's form: one row where the model needs one, the documents' headings."""
    form = form_of({
        "charges": ["monthly"], "quantity": {"min": 1, "max": 1_000_000, "step": 1},
        "documents": {"specification": "", "statement_of_work": {}, "delivery_description": {}},
    })  # fmt: skip
    form.rows["prices"] = [dict.fromkeys(GROUPS["prices"], "")]
    form.rows["levels"] = [dict.fromkeys(GROUPS["levels"], "")]
    return form


def _pairs(mapping: Mapping[str, Any] | None, column: str) -> list[dict[str, str]]:
    return [{"key": key, column: _text(value)} for key, value in (mapping or {}).items()]


def _price_row(book: str, price: Mapping[str, Any]) -> dict[str, str]:
    tiers = price.get("tiers") or {}
    bands = "; ".join(
        _text(band["monthly"]) if band.get("up_to") is None
        else f"{band['up_to']}: {band['monthly']}"
        for band in tiers.get("bands") or ()
    )  # fmt: skip
    return {
        "book": book, "monthly": _text(price.get("monthly")),
        "one_time": _text(price.get("one_time")), "style": _text(tiers.get("style")),
        "bands": bands, "floor": "1" if tiers.get("floor_at_previous_band") else "",
    }  # fmt: skip


def read_edit_form(form: Form) -> EditForm:
    """The posted form as it was typed (rows numbered as sent, in order)."""
    values = {name: form.one(name) for name in SCALARS}
    for name in ("doc_specification", "doc_statement_of_work", "doc_delivery_description",
                 "summary"):  # fmt: skip
        values[name] = form.raw(name).replace("\r\n", "\n").strip()
    rows: dict[str, list[dict[str, str]]] = {}
    for group, columns in GROUPS.items():
        indices = sorted({
            int(key.split("-")[1]) for key, _ in form.pairs
            if key.startswith(f"{group}-") and key.count("-") == 2
            and whole_number(key.split("-")[1], most=9999) is not None
        })  # fmt: skip
        rows[group] = [
            {column: form.one(f"{group}-{index}-{column}") for column in columns}
            for index in indices[:200]
        ]
    return EditForm(values, rows, set(form.all("charges")) & {"monthly", "one_time"},
                    form.one("availability_chain") == "1")  # fmt: skip


def with_row(form: EditForm, group: str) -> EditForm:
    """The form with a blank row added to ``group`` (the "add a row" buttons)."""
    if group in GROUPS:
        form.rows.setdefault(group, []).append(dict.fromkeys(GROUPS[group], ""))
    return form


def _filled(row: Mapping[str, str]) -> bool:
    return any(value for value in row.values())


@dataclass(frozen=True, slots=True)
class Built:
    body: dict[str, Any]
    errors: dict[str, str]  # problems the form itself finds, by field name


def body_of(form: EditForm, *, with_code: bool = False) -> Built:
    """The component body the API takes (without version, status and author), and what the
    form itself can already tell is wrong (a key given twice, a heading the documents lack,
    a tier band that is not "up to: price")."""
    errors: dict[str, str] = {}
    v = form.value
    body: dict[str, Any] = {
        "name": v("name"), "summary": v("summary"), "family": v("family"), "layer": v("layer"),
        "charges": [charge for charge, _ in CHARGES if charge in form.charges],
        "unit": v("unit"), "competency": v("competency"),
        "quantity": _present({"min": v("quantity_min"), "max": v("quantity_max"),
                              "step": v("quantity_step")}),
        "provides": _mapping(form, "provides", "amount", errors),
        "requires": _mapping(form, "requires", "amount", errors),
        "attributes": _mapping(form, "attributes", "value", errors),
        "effort": {"monthly": _mapping(form, "effort_monthly", "hours", errors),
                   "one_time": _mapping(form, "effort_one_time", "hours", errors)},
        "non_labour_cost": _cost(v("nlc_currency"), v("nlc_monthly"), v("nlc_one_time")),
        "prices": _prices(form, errors),
        "service_levels": [
            {column: (row[column] or None) if column == "availability" else row[column]
             for column in GROUPS["levels"]}
            for row in form.rows.get("levels", []) if _filled(row)
        ],
        "availability_chain": form.availability_chain,
        "partner": _partner(form),
        "documents": {"specification": v("doc_specification")},
    }  # fmt: skip
    if with_code:
        body = {"code": v("code"), **body}
    for name, sections in (("statement_of_work", SOW_SECTIONS),
                           ("delivery_description", DELIVERY_SECTIONS)):  # fmt: skip
        parsed = from_markdown(v(f"doc_{name}"), sections)
        body["documents"][name] = parsed.value
        if parsed.problems:
            errors[f"doc_{name}"] = "; ".join(parsed.problems)
    return Built(body, errors)


def _present(values: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


def _mapping(form: EditForm, group: str, column: str, errors: dict[str, str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for index, row in enumerate(form.rows.get(group, [])):
        if not _filled(row):
            continue
        if row["key"] in result:
            errors[f"{group}-{index}-key"] = f"{row['key']} is listed twice"
        result[row["key"]] = row[column]
    return result


def _cost(currency: str, monthly: str, one_time: str) -> dict[str, str] | None:
    if not (currency or monthly or one_time):
        return None
    return {"currency": currency, **_present({"monthly": monthly, "one_time": one_time})}


def _partner(form: EditForm) -> dict[str, Any] | None:
    v = form.value
    cost = _cost(v("partner_currency"), v("partner_monthly"), v("partner_one_time"))
    if not (v("partner_name") or v("partner_status") or cost):
        return None
    return {"name": v("partner_name"), "status": v("partner_status"), "cost": cost or {}}


def _prices(form: EditForm, errors: dict[str, str]) -> dict[str, Any]:
    prices: dict[str, Any] = {}
    for index, row in enumerate(form.rows.get("prices", [])):
        if not _filled({key: value for key, value in row.items() if key != "style"}):
            continue
        price: dict[str, Any] = _present({"monthly": row["monthly"], "one_time": row["one_time"]})
        if row["style"] or row["bands"]:
            bands, problem = _bands(row["bands"])
            if problem:
                errors[f"prices-{index}-bands"] = problem
            price["tiers"] = {"style": row["style"], "bands": bands,
                              "floor_at_previous_band": row["floor"] == "1"}  # fmt: skip
        if row["book"] in prices:
            errors[f"prices-{index}-book"] = f"{row['book']} is listed twice"
        prices[row["book"]] = price
    return prices


def _bands(text: str) -> tuple[list[dict[str, str]], str | None]:
    """``50: 95.00; 200: 88.00; 82.00``: up to 50 at 95.00, up to 200 at 88.00, above at
    82.00 (the last band is open-ended)."""
    bands: list[dict[str, str]] = []
    for number, part in enumerate(
        (part.strip() for part in text.replace("\n", ";").split(";")), start=1
    ):
        if not part:
            continue
        pieces = [piece.strip() for piece in part.split(":")]
        if len(pieces) > 2:
            return bands, f"band {number}: write “up to: price” or, for the last, the price alone"
        bands.append({"up_to": pieces[0], "monthly": pieces[1]} if len(pieces) == 2
                     else {"monthly": pieces[0]})  # fmt: skip
    return bands, None


# -- problems next to their fields -----------------------------------------------------------

_SIMPLE = {"code", "name", "summary", "family", "layer", "unit", "competency", "charges",
           "availability_chain"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Placed:
    errors: dict[str, str]  # by form field
    general: list[str]  # what no field of the form holds


def place(problems: Sequence[FieldProblem], form: EditForm, code: str = "") -> Placed:
    """The service's problems (the component model's and the catalog checks', paths as the
    loader writes them: ``prices.EUR.tiers.bands[1].up_to``) by the form field they concern;
    a check's problem in another record of the catalog (``rules/R-12``) above the form."""
    errors: dict[str, str] = {}
    general: list[str] = []
    for problem in problems:
        elsewhere = problem.record is not None and problem.record != f"components/{code}"
        if elsewhere:
            general.append(f"{problem.record}: {problem.field}: {problem.message}")
            continue
        target = _field_of(problem.field, form, problem.message)
        if target is None:
            general.append(f"{problem.field}: {problem.message}" if problem.field
                           else problem.message)  # fmt: skip
            continue
        name, detail = target
        message = f"{detail}: {problem.message}" if detail else problem.message
        errors[name] = f"{errors[name]}; {message}" if name in errors else message
    return Placed(errors, general)


def _field_of(path: str, form: EditForm, message: str = "") -> tuple[str, str] | None:
    """The form field a problem's path names, with what of it (a band, a document's entry)."""
    head, _, rest = path.partition(".")
    bracket = head.find("[")
    if bracket > 0:
        head, rest = head[:bracket], head[bracket:] + ("." + rest if rest else "")
    if head in _SIMPLE:
        return head, ""
    if head == "quantity":
        return f"quantity_{rest if rest in ('min', 'max', 'step') else 'min'}", ""
    if head == "documents":
        name, _, inner = rest.partition(".")
        name = name.split("[")[0]
        if name in dict(DOCUMENTS):
            return f"doc_{name}", inner
        return "doc_specification", ""
    if head in ("provides", "requires", "attributes"):
        column = "amount" if head != "attributes" else "value"
        return _row_field(form, head, rest, column, message)
    if head == "effort":
        kind, _, inner = rest.partition(".")
        if kind in ("monthly", "one_time"):
            return _row_field(form, f"effort_{kind}", inner, "hours", message)
        return None
    if head == "prices":
        return _price_field(form, rest)
    if head == "service_levels":
        return _level_field(rest)
    if head == "non_labour_cost":
        return f"nlc_{rest if rest in ('monthly', 'one_time') else 'currency'}", ""
    if head == "partner":
        if rest in ("name", "status"):
            return f"partner_{rest}", ""
        inner = rest.removeprefix("cost.")
        return f"partner_{inner if inner in ('monthly', 'one_time') else 'currency'}", ""
    return None


def _row_index(form: EditForm, group: str, rest: str, key: str = "key") -> tuple[int, str]:
    """The row ``rest`` starts with the key of (keys may hold dots), and what follows it."""
    best = -1
    for index, row in enumerate(form.rows.get(group, [])):
        name = row.get(key, "")
        fits = name and (rest == name or rest.startswith((name + ".", name + "[")))
        if fits and (best < 0 or len(name) > len(form.rows[group][best][key])):
            best = index
    if best < 0:
        return 0, rest
    return best, rest[len(form.rows[group][best][key]) :].lstrip(".")


def _row_field(form: EditForm, group: str, rest: str, column: str, message: str) -> tuple[str, str]:
    """A row's key (the key is wrong: unknown, badly written) or its value."""
    index, after = _row_index(form, group, rest)
    rows = form.rows.get(group, [])
    key = rows[index]["key"] if index < len(rows) else ""
    about_key = "[key]" in after or not rest or (key and repr(key) in message)
    return f"{group}-{index}-{'key' if about_key else column}", ""


def _price_field(form: EditForm, rest: str) -> tuple[str, str]:
    index, after = _row_index(form, "prices", rest, "book")
    if not rest or "[key]" in after:
        return f"prices-{index}-book", ""
    if after in ("monthly", "one_time"):
        return f"prices-{index}-{after}", ""
    if after == "tiers.style":
        return f"prices-{index}-style", ""
    if after.startswith("tiers"):
        inner = after.removeprefix("tiers").lstrip(".")
        return f"prices-{index}-bands", _band_words(inner)
    return f"prices-{index}-monthly", ""


def _band_words(inner: str) -> str:
    """``bands[1].up_to`` -> ``band 2, up to`` (the bands as the form numbers them)."""
    if inner.startswith("bands["):
        number, _, column = inner.removeprefix("bands[").partition("]")
        if number.isdigit():
            words = f"band {int(number) + 1}"
            column = column.lstrip(".").replace("_", " ")
            return f"{words}, {column}" if column else words
    return inner


def _level_field(rest: str) -> tuple[str, str]:
    if rest.startswith("["):
        number, _, column = rest[1:].partition("]")
        column = column.lstrip(".")
        if number.isdigit():
            column = column if column in GROUPS["levels"] else "name"
            return f"levels-{number}-{column}", ""
    return "levels-0-name", ""


# -- saving: the change as a merge patch, and who changed it meanwhile -----------------------

READ_ONLY = ("code", "version", "status", "author")
_SHOWN_ONLY = ("active_version", "latest_version", "created_at", "updated_at")


def editable(content: Mapping[str, Any]) -> dict[str, Any]:
    """A version's representation without what a body may not set."""
    return {k: v for k, v in content.items() if k not in READ_ONLY and k not in _SHOWN_ONLY}


def merge_patch(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON merge patch (RFC 7396) that turns ``before`` into ``after``: a member gone is
    null, an object changed is patched member by member, anything else replaced whole."""
    patch: dict[str, Any] = {key: None for key in before if key not in after}
    for key, value in after.items():
        old = before.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            inner = merge_patch(old, value)
            if inner:
                patch[key] = inner
        elif key not in before or old != value:
            patch[key] = value
    return patch


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """The fields (and documents) two stored versions differ in, as the page names them."""
    before, after = before or {}, after or {}
    names: list[str] = []
    for key in LABELS:
        if key in ("specification", "statement_of_work", "delivery_description"):
            old = (before.get("documents") or {}).get(key)
            new = (after.get("documents") or {}).get(key)
        else:
            old, new = before.get(key), after.get(key)
        if old != new:
            names.append(LABELS[key])
    return names


@dataclass(frozen=True, slots=True)
class ChangedSince:
    """What happened to a version since a form was opened: by whom, what."""

    people: list[str]
    fields: list[str]
    last_seen: int  # the audit entry the form now knows up to

    def message(self, code: str, version: int) -> str:
        who = ", ".join(self.people) if self.people else "someone else"
        what = f" ({', '.join(self.fields)})" if self.fields else ""
        return (
            f"{code} version {version} was changed by {who} since you opened it{what}. "
            "Your edits are kept below: compare them with the current version, then save "
            "again to replace its changes with yours."
        )


def changed_since(entries: Sequence[Mapping[str, Any]], seen: int) -> ChangedSince:
    """``entries``: the component's audit entries, newest first."""
    newer = [entry for entry in entries if int(entry["id"]) > seen]
    people = list(dict.fromkeys(str(entry["actor"]) for entry in reversed(newer)))
    fields: list[str] = []
    for entry in reversed(newer):
        for name in changed_fields(entry.get("before"), entry.get("after")):
            if name not in fields:
                fields.append(name)
    last = max([seen, *(int(entry["id"]) for entry in entries)])
    return ChangedSince(people, fields, last)


# -- the assurance queue and the import -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueItem:
    code: str
    version: int
    name: str
    author: str
    submitted_at: datetime
    active_version: int | None
    changed: list[str]  # vs the active version (everything, for a first version)
    own: bool
    etag: str

    @property
    def diff_url(self) -> str | None:
        if self.active_version is None:
            return None
        return (f"/catalog/components/{self.code}/diff?from={self.active_version}"
                f"&to={self.version}")  # fmt: skip


def queue_item(waiting: Mapping[str, Any]) -> QueueItem:
    return QueueItem(
        waiting["code"], waiting["version"], waiting["name"], waiting["author"],
        waiting["submitted_at"], waiting["active_version"],
        changed_fields(waiting["active_content"], waiting["content"])
        if waiting["active_content"] is not None else [],
        waiting["own"], waiting["etag"],
    )  # fmt: skip


def problem_line(problem: FieldProblem) -> str:
    """A catalog problem as ``offerwright catalog validate`` prints it:
    ``file:line: field: message``."""
    where = problem.record or "(catalog)"
    if problem.line is not None:
        where = f"{where}:{problem.line}"
    return f"{where}: {problem.field}: {problem.message}"


IMPORT_COUNTS = (
    ("components_created", "components created"),
    ("components_versioned", "components with a new version"),
    ("components_unchanged", "components unchanged"),
    ("records_created", "registry records created"),
    ("records_updated", "registry records updated"),
    ("records_deleted", "registry records deleted"),
)


def import_summary(report: Mapping[str, Any]) -> list[tuple[str, int]]:
    return [(label, int(report.get(key, 0))) for key, label in IMPORT_COUNTS]


def changed_components(
    before: Mapping[str, int], after: Mapping[str, int]
) -> list[tuple[str, int, str]]:
    """The components an import created or gave a new version: (code, version, what)."""
    changed: list[tuple[str, int, str]] = []
    for code, version in sorted(after.items()):
        if code not in before:
            changed.append((code, version, "created"))
        elif version > before[code]:
            changed.append((code, version, f"new version (was {before[code]})"))
    return changed
