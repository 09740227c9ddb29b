"""Curation pages without JavaScript: a new draft, the edit form (rows added, errors next to
their fields, the documents previewed and sanitised, a stale save told who changed what with
the edits kept), a new component, the assurance queue (four eyes, a return to draft needs a
comment), the catalog import from a zip (problems as file:line: field: message, all or
nothing), and who may open which."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.auth import Principal
from app.models import ComponentHead, ComponentVersion
from app.portfolio.components import service as components
from catalog import default_catalog_path, validate_catalog
from tests.support.database import RolledBackDatabase
from tests.web.workspace_steps import WebUser, web_user

CODE = "CMP-VM-LNX"


class _Fields(HTMLParser):
    """The fields of the page's edit form (or the form with ``action``) as a browser sends
    them: text inputs, checked boxes, selected options, textareas."""

    def __init__(self, action: str | None) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self.select: str | None = None
        self.area: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = ("edit-form" in a.get("class", "")) if self.action is None else (
                a.get("action") == self.action
            )  # fmt: skip
        if not self.inside:
            return
        if tag == "input" and a.get("type") not in ("submit", "file"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.pairs.append((self.select, a.get("value", "")))
        elif tag == "textarea":
            self.area, self.text = a["name"], ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.area:
            self.pairs.append((self.area, self.text.removeprefix("\n")))
            self.area = None

    def handle_data(self, data: str) -> None:
        if self.area:
            self.text += data


def fields_of(html: str, action: str | None = None) -> dict[str, Any]:
    parser = _Fields(action)
    parser.feed(html)
    found: dict[str, Any] = {}
    for name, value in parser.pairs:
        if name in found:
            found[name] = [*found[name], value] if isinstance(found[name], list) else [
                found[name], value]  # fmt: skip
        else:
            found[name] = value
    return found


def edit_url(version: int, code: str = CODE) -> str:
    return f"/catalog/components/{code}/versions/{version}/edit"


def new_draft(editor: WebUser, code: str = CODE) -> int:
    answer = editor.post(f"/catalog/components/{code}/drafts", {})
    assert answer.status_code == 303, answer.text
    found = re.search(r"/versions/(\d+)/edit\?drafted=new", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


def save(editor: WebUser, version: int, fields: dict[str, Any], **changes: Any) -> httpx.Response:
    body = {**fields, **changes, "action": changes.get("action", "save")}
    return editor.client.post(edit_url(version), data={**body, "csrftoken": editor.csrf()})


def stored(database: RolledBackDatabase, version: int, code: str = CODE) -> ComponentVersion:
    with database.transaction(write=False) as session:
        row = session.scalar(select(ComponentVersion).where(
            (ComponentVersion.code == code) & (ComponentVersion.version == version)))  # fmt: skip
        assert row is not None
        session.expunge(row)
        return row


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{re.escape(field)}">(.*?)</p>', html, re.DOTALL)
    assert found, f"no error next to {field}"
    return unescape(found.group(1))


def test_a_new_draft_is_edited_and_saved_through_the_api_s_service(
    client: TestClient, database: RolledBackDatabase
) -> None:
    editor = web_user(client, database, "portfolio")
    active = editor.client.get(edit_url(1)).text  # released: no form, the way to a draft
    assert "only a draft is edited" in active and 'class="edit-form"' not in active
    assert fields_of(active, f"/catalog/components/{CODE}/drafts")["from"] == "1"
    version = new_draft(editor)
    assert version == 2 and stored(database, 2).status == "draft"
    page = editor.client.get(edit_url(version) + "?drafted=new")
    assert page.status_code == 200 and "is a new draft" in page.text
    assert f'href="/catalog/components/{CODE}/versions/2/lifecycle">Submit for review' in page.text
    assert f'href="/catalog/components/{CODE}/diff?from=1&amp;to=2">Compare' in page.text
    fields = fields_of(page.text)
    assert fields["name"] == stored(database, 1).content["name"]
    assert "## Provider responsibilities" in fields["doc_statement_of_work"]
    spec = fields["doc_specification"] + "\n\nNow with **weekly** patching."
    client_heading = "## Client responsibilities"
    sow = fields["doc_statement_of_work"].replace(
        client_heading, f"- Keep the patch calendar current.\n\n{client_heading}"
    )
    answer = save(editor, version, fields, summary="A better summary.", doc_specification=spec,
                  doc_statement_of_work=sow)  # fmt: skip
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == edit_url(2) + "?saved=1"
    row = stored(database, 2)
    assert row.content["summary"] == "A better summary."
    assert row.content["documents"]["specification"].endswith("Now with **weekly** patching.")
    sow_items = row.content["documents"]["statement_of_work"]["provider_responsibilities"]
    assert sow_items[-1] == "Keep the patch calendar current."
    # Everything else as it was: the form reads back what it showed.
    before = stored(database, 1).content
    same = ("prices", "service_levels", "effort", "provides", "requires", "quantity", "attributes")
    assert all(row.content[key] == before[key] for key in same)
    assert row.content["documents"]["delivery_description"] == before["documents"][
        "delivery_description"]  # fmt: skip
    # A second "new draft" leads to the one there is.
    again = editor.post(f"/catalog/components/{CODE}/drafts", {})
    assert again.headers["location"] == edit_url(2) + "?drafted=existing"


def test_rows_are_added_without_javascript_and_errors_sit_next_to_their_fields(
    client: TestClient, database: RolledBackDatabase
) -> None:
    editor = web_user(client, database, "portfolio")
    version = new_draft(editor)
    fields = fields_of(editor.client.get(edit_url(version)).text)
    rows = len([name for name in fields if re.fullmatch(r"provides-\d+-key", name)])
    added = save(editor, version, fields, action="add:provides")
    assert added.status_code == 200 and f'name="provides-{rows}-key"' in added.text
    fields = fields_of(added.text)
    original = dict(fields)
    bad = save(
        editor, version, fields, quantity_min="5", quantity_max="2",
        **{"prices-0-monthly": "lots", f"provides-{rows}-key": "compute.nowhere",
           f"provides-{rows}-amount": "1", "levels-0-response_minutes": "0"},
        doc_statement_of_work=fields["doc_statement_of_work"].replace(
            "## Deliverables", "## Wishes"),
    )  # fmt: skip
    assert bad.status_code == 422
    assert "min (5) is greater than max (2)" in error_of(bad.text, "quantity_min")
    assert "decimal" in error_of(bad.text, "prices-0-monthly").lower()
    assert "greater than or equal to 1" in error_of(bad.text, "levels-0-response_minutes")
    assert "unknown heading “Wishes”" in error_of(bad.text, "doc_statement_of_work")
    # Above the form, each problem named by its field and linked to it.
    assert '<a href="#f-quantity_min">Minimum quantity: min (5)' in bad.text
    assert '<a href="#f-prices-0-monthly">Prices: Monthly (row 1): ' in bad.text
    # What was typed stays in the form.
    assert fields_of(bad.text)["prices-0-monthly"] == "lots"
    # The catalog's own checks, once the model is valid: an unknown capability, by its row.
    fields = fields_of(bad.text)
    keep = ("quantity_min", "quantity_max", "prices-0-monthly", "levels-0-response_minutes",
            "doc_statement_of_work")  # fmt: skip
    fields.update({name: original[name] for name in keep})
    unknown = save(editor, version, fields)
    assert unknown.status_code == 422, unknown.text
    assert error_of(unknown.text, f"provides-{rows}-key") == "unknown capability 'compute.nowhere'"
    assert stored(database, version).content == stored(database, 1).content | {
        "version": version,
        "author": stored(database, version).author,
    }  # nothing written


def test_the_preview_renders_markdown_sanitised_with_and_without_htmx(
    client: TestClient, database: RolledBackDatabase
) -> None:
    editor = web_user(client, database, "portfolio")
    version = new_draft(editor)
    fields = fields_of(editor.client.get(edit_url(version)).text)
    text = ("Fast **and** safe <script>alert(1)</script> [click](javascript:alert(1)) "
            '<img src=x onerror="alert(2)">')  # fmt: skip
    page = save(editor, version, fields, action="preview", doc_specification=text)
    assert page.status_code == 200
    shown = page.text.split('id="preview-doc_specification"', 1)[1].split("</div>", 1)[0]
    assert "<strong>and</strong>" in shown
    assert "<script" not in shown and 'href="javascript' not in shown and "<img" not in shown
    assert "&lt;script&gt;" in shown  # the text's own HTML shown as text, never run
    assert "<h2>Provider responsibilities</h2>" in page.text  # the other documents too
    assert fields_of(page.text)["doc_specification"] == text  # kept, nothing saved
    assert stored(database, version).content["documents"]["specification"] != text
    fragment = editor.client.post(
        "/catalog/preview?document=doc_specification", data={"doc_specification": text},
        headers={"HX-Request": "true", "X-CSRFToken": editor.csrf()},
    )  # fmt: skip
    assert fragment.status_code == 200 and "<strong>and</strong>" in fragment.text
    assert "<script>" not in fragment.text and "<html" not in fragment.text
    unknown = editor.client.post("/catalog/preview?document=summary", data={"summary": "x"},
                                 headers={"X-CSRFToken": editor.csrf()})  # fmt: skip
    assert unknown.status_code == 404
    seller = web_user(client, database, "sales")
    refused = seller.client.post("/catalog/preview?document=doc_specification",
                                 data={"doc_specification": text},
                                 headers={"X-CSRFToken": seller.csrf()})  # fmt: skip
    assert refused.status_code == 403


def test_a_stale_save_says_who_changed_what_and_keeps_the_edits(
    client: TestClient, database: RolledBackDatabase
) -> None:
    first = web_user(client, database, "portfolio")
    second = web_user(client, database, "portfolio")
    version = new_draft(first)
    opened = fields_of(second.client.get(edit_url(version)).text)
    mine = fields_of(first.client.get(edit_url(version)).text)
    assert save(first, version, mine, name="Managed Linux VM, renamed").status_code == 303
    stale = save(second, version, opened, summary="My careful new summary.")
    assert stale.status_code == 412
    notice = unescape(re.search(r'id="conflict">(.*?)</p>', stale.text, re.DOTALL).group(1))
    assert f"changed by {first.email} since you opened it (name)" in notice
    kept = fields_of(stale.text)
    assert kept["summary"] == "My careful new summary."  # nothing lost
    assert stored(database, version).content["summary"] != "My careful new summary."
    # Saving again is deliberate: the form now carries the version's tag as it is.
    again = save(second, version, kept)
    assert again.status_code == 303
    assert stored(database, version).content["summary"] == "My careful new summary."


def test_a_new_component_from_the_browser(client: TestClient, database: RolledBackDatabase) -> None:
    editor = web_user(client, database, "portfolio")
    page = editor.client.get("/catalog/new")
    assert page.status_code == 200
    blank = save_new(editor, fields_of(page.text))
    assert blank.status_code == 422
    assert error_of(blank.text, "code") and error_of(blank.text, "name")
    fields = fields_of(editor.client.get(edit_url(new_draft(editor))).text)  # a VM's fields
    fields.update({"code": "CMP-VM-NEW", "name": "A new VM"})
    made = save_new(editor, fields)
    assert made.status_code == 303, made.text
    assert made.headers["location"] == edit_url(1, "CMP-VM-NEW") + "?drafted=new"
    assert stored(database, 1, "CMP-VM-NEW").author == editor.email
    taken = save_new(editor, fields)
    assert taken.status_code == 409 and "exists" in error_of(taken.text, "code")


def save_new(editor: WebUser, fields: dict[str, Any]) -> httpx.Response:
    return editor.client.post("/catalog/new", data={**fields, "action": "save",
                                                    "csrftoken": editor.csrf()})  # fmt: skip


def _in_review(database: RolledBackDatabase, author: str, code: str = CODE) -> int:
    """A new version of ``code`` by ``author``, submitted for review."""
    with database.transaction(write=True) as session:
        principal = Principal(author, "portfolio")
        head = session.get(ComponentHead, code)
        assert head is not None
        version = int(components.new_draft(session, principal, code, head.latest_version)
                      .body["version"])  # fmt: skip
        components.transition(session, principal, code, version, "in_review", None)
    return version


def _etag_in_queue(html: str, code: str, version: int) -> str:
    form = fields_of(html, f"/assurance/{code}/{version}")
    return str(form["etag"])


def test_the_assurance_queue_assures_returns_with_a_comment_and_keeps_four_eyes(
    client: TestClient, database: RolledBackDatabase
) -> None:
    author = web_user(client, database, "portfolio")
    approver = web_user(client, database, "approver")
    older = _in_review(database, author.email)
    other = _in_review(database, approver.email, "CMP-VM-WIN")  # the approver's own
    queue = approver.client.get("/assurance")
    assert queue.status_code == 200
    text = queue.text
    assert text.index(f"{CODE} version {older}") < text.index(f"CMP-VM-WIN version {other}")
    assert f'href="/catalog/components/{CODE}/diff?from=1&amp;to={older}"' in text
    assert "Your own version: another approver assures it (four eyes)." in text
    assert f'action="/assurance/CMP-VM-WIN/{other}"' not in text
    impact = approver.client.get(f"/assurance/{CODE}/{older}/impact")  # htmx loads it
    assert impact.status_code == 200
    assert "activating it breaks none of those that hold today" in impact.text
    assert author.client.get(f"/assurance/{CODE}/{older}/impact").status_code == 403
    forged = approver.post(f"/assurance/CMP-VM-WIN/{other}", {"decision": "assured"})
    assert forged.status_code == 403 and "four eyes" in forged.text
    etag = _etag_in_queue(text, CODE, older)
    path = f"/assurance/{CODE}/{older}"
    blank = approver.post(path, {"decision": "draft", "etag": etag})
    assert blank.status_code == 422
    assert "say what the author should fix" in error_of(blank.text, f"{CODE}-{older}")
    back = approver.post(path, {"decision": "draft", "etag": etag,
                                "comment": "The SOW misses the patch window."})  # fmt: skip
    assert back.status_code == 303 and "done=draft" in back.headers["location"]
    assert stored(database, older).status == "draft"
    assert "returned to draft" in approver.client.get(back.headers["location"]).text
    # Submitted again, then assured.
    with database.transaction(write=True) as session:
        components.transition(session, Principal(author.email, "portfolio"), CODE, older,
                              "in_review", None)  # fmt: skip
    etag = _etag_in_queue(approver.client.get("/assurance").text, CODE, older)
    done = approver.post(path, {"decision": "assured", "etag": etag})
    assert done.status_code == 303
    assert stored(database, older).status == "assured"


def test_a_decision_on_a_stale_queue_is_told_so(
    client: TestClient, database: RolledBackDatabase
) -> None:
    author = web_user(client, database, "portfolio")
    approver = web_user(client, database, "approver")
    version = _in_review(database, author.email)
    etag = _etag_in_queue(approver.client.get("/assurance").text, CODE, version)
    with database.transaction(write=True) as session:  # moved back and forth meanwhile
        session.execute(update(ComponentVersion).where(
            (ComponentVersion.code == CODE) & (ComponentVersion.version == version)
        ).values(name="Renamed meanwhile"))  # fmt: skip
    stale = approver.post(f"/assurance/{CODE}/{version}", {"decision": "assured", "etag": etag})
    assert stale.status_code == 412 and "changed since this queue was shown" in stale.text
    assert stored(database, version).status == "in_review"


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("sales", ["/assurance", "/catalog/import", "/catalog/new", edit_url(1)]),
        ("delivery", ["/assurance", "/catalog/import", edit_url(1)]),
        ("portfolio", ["/assurance"]),
        ("approver", ["/catalog/import", edit_url(1)]),
    ],
)
def test_who_may_open_which(
    client: TestClient, database: RolledBackDatabase, role: str, paths: list[str]
) -> None:
    person = web_user(client, database, role)
    for path in paths:
        answer = person.client.get(path)
        assert answer.status_code == 403, (role, path)
        assert f"The {role} role cannot open this page." in answer.text
    refused = person.post(f"/catalog/components/{CODE}/drafts", {})
    assert refused.status_code == 403 if role != "portfolio" else refused.status_code == 303


# -- the import ---------------------------------------------------------------------------------


def _zip(root: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def _upload(person: WebUser, data: bytes) -> httpx.Response:
    return person.client.post(
        "/catalog/import", data={"csrftoken": person.csrf()},
        files={"catalog": ("catalog.zip", data, "application/zip")},
    )  # fmt: skip


def test_an_import_lists_every_problem_as_the_cli_does_and_imports_nothing(
    client: TestClient, database: RolledBackDatabase, tmp_path: Path
) -> None:
    editor = web_user(client, database, "portfolio")
    root = tmp_path / "catalog"
    shutil.copytree(default_catalog_path(), root)
    vm = root / "components" / "compute" / "CMP-VM-LNX.yaml"
    vm.write_text(vm.read_text().replace("layer: infrastructure", "layer: basement", 1))
    win = root / "components" / "compute" / "CMP-VM-WIN.yaml"
    win.write_text(win.read_text().replace("unit: ", "unit: 12 ", 1))
    answer = _upload(editor, _zip(root))
    assert answer.status_code == 422, answer.text
    listed = [unescape(line) for line in re.findall(r"<li>(.*?)</li>", answer.text.split(
        'class="problems plain"', 1)[1].split("</ul>", 1)[0])]  # fmt: skip
    # Exactly the lines `offerwright catalog validate` prints, every one of them.
    printed = [str(problem) for problem in validate_catalog(root).errors]
    assert listed == printed and len(printed) >= 2
    assert listed[0].startswith("components/compute/CMP-VM-LNX.yaml:6: layer: ")
    assert stored(database, 1).status == "active"  # nothing imported
    with database.transaction(write=False) as session:
        assert session.get(ComponentHead, CODE).latest_version == 1  # type: ignore[union-attr]


def test_a_valid_import_says_what_it_changed(
    client: TestClient, database: RolledBackDatabase, tmp_path: Path
) -> None:
    editor = web_user(client, database, "portfolio")
    root = tmp_path / "catalog"
    shutil.copytree(default_catalog_path(), root)
    vm = root / "components" / "compute" / "CMP-VM-LNX.yaml"
    vm.write_text(vm.read_text().replace("name: ", "name: Renamed ", 1))
    answer = _upload(editor, _zip(root))
    assert answer.status_code == 200, answer.text
    assert "<li>1 components with a new version</li>" in answer.text
    assert (
        f'href="/catalog/components/{CODE}?version=2">{CODE} version 2</a>: new version (was 1)'
        in (answer.text)
    )
    assert stored(database, 2).status == "draft"  # lands as a draft for review
    nothing = _upload(editor, b"")
    assert nothing.status_code == 422 and "Choose a zip file" in nothing.text
    not_zip = _upload(editor, b"plain text")
    assert not_zip.status_code == 422 and "not a zip archive" in not_zip.text


def test_a_save_over_a_draft_submitted_meanwhile_keeps_the_edits_for_a_new_draft(
    client: TestClient, database: RolledBackDatabase
) -> None:
    first = web_user(client, database, "portfolio")
    second = web_user(client, database, "portfolio")
    version = new_draft(first)
    opened = fields_of(second.client.get(edit_url(version)).text)
    with database.transaction(write=True) as session:
        components.transition(session, Principal(first.email, "portfolio"), CODE, version,
                              "in_review", "ready")  # fmt: skip
    stale = save(second, version, opened, summary="Edited while it went to review.")
    assert stale.status_code == 412
    assert f"changed by {first.email} since you opened it (status)" in unescape(stale.text)
    assert "only a draft is edited, so saving makes a new draft version" in stale.text
    kept = fields_of(stale.text)
    assert kept["summary"] == "Edited while it went to review."
    again = save(second, version, kept)
    assert again.status_code == 303 and again.headers["location"] == edit_url(3) + "?saved=1"
    assert stored(database, 3).content["summary"] == "Edited while it went to review."
    assert stored(database, 2).status == "in_review"  # the version in review untouched
