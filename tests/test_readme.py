"""The README's examples, executed: every request body and curl command it shows is sent
through the API as written, and the commands it lists are the CLI's own, so the page cannot
drift from the product again (its interactive-options body once lacked two required fields).

An example is marked by an HTML comment, invisible on the rendered page, right before its
fenced block::

    <!-- example: POST /v1/quotes/price as sales -> 200
    totals.monthly = 21840.09
    lines[NET-MPLS].one_time *= 7666
    -->

``curl as ROLE -> STATUS`` marks a ```sh block with one curl command (``<key>`` becomes the
role's key). ``... with {JSON} -> STATUS``, with no block, is a step of a walk-through: the
previous example's body with these fields added, sent after the earlier steps (a click after
clicks). Each further line expects a field of the JSON answer (a dotted path; ``name[X]`` is
the list item whose ``code`` or ``component`` is X, ``name[0]`` the first) to equal (``=``)
or contain (``*=``) a text, and the README must say that text in the prose that follows the
marker (up to the next marker or heading), so a comment never claims what the page does not."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer.main
from fastapi.testclient import TestClient

from app.cli import app

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"

FENCE = re.compile(r"^ *```(?P<lang>\S*) *$")
MARKER = re.compile(r"<!--\s*example:(?P<spec>.*?)-->", re.S)
HEADING = re.compile(r"^#{1,6} ", re.M)
COMMENT = re.compile(r"<!--.*?-->", re.S)
HEAD = re.compile(
    r"^(?:curl|(?P<method>GET|POST|PUT|PATCH|DELETE) (?P<path>/\S*)) as (?P<role>[\w-]+)"
    r"(?: with (?P<with>\{.*\}))? -> (?P<status>\d{3})$"
)
EXPECT = re.compile(r"^(?P<path>\S+) (?P<op>\*?=) (?P<value>.+)$")


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    start: int  # offsets in the text, opening fence to closing fence included
    end: int
    lang: str
    content: str


@dataclass
class Example:
    line: int
    role: str
    status: int
    method: str = "GET"
    path: str = ""
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: list[tuple[str, str, str]] = field(default_factory=list)
    # The walk-through's earlier steps, sent first: the options engine keeps the reasons it
    # found for earlier clicks, so a step may answer differently on a fresh engine.
    before: list[Example] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"README:{self.line} {self.method} {self.path} as {self.role}"


def blocks(text: str) -> list[Block]:
    found: list[Block] = []
    opened: tuple[int, int, str] | None = None
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        match = FENCE.match(line.rstrip("\n"))
        if match and opened is None:
            opened = (number, offset, match["lang"])
        elif match and opened is not None:
            first, start, lang = opened
            content = text[start:offset].split("\n", 1)[1]
            found.append(Block(first, start, offset + len(line), lang, content))
            opened = None
        offset += len(line)
    return found


def visible(text: str) -> str:
    """What a reader sees, as the README writes figures: comments gone, whitespace folded,
    thousands separators dropped (21,840.09 is 21840.09)."""
    folded = " ".join(COMMENT.sub(" ", text).split())
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", folded)


def curl_request(command: str, example: Example) -> None:
    """The method, path, headers and body of one curl command, into the example."""
    words = shlex.split(command)
    words = words[words.index("curl") + 1 :]
    method, data = None, None
    while words:
        word = words.pop(0)
        if word in ("-H", "--header"):
            name, _, value = words.pop(0).partition(":")
            example.headers[name.strip()] = value.strip()
        elif word in ("-X", "--request"):
            method = words.pop(0)
        elif word in ("-d", "--data", "--data-raw"):
            data = json.loads(words.pop(0))
        elif word.startswith("http"):
            url = urlsplit(word)
            example.path = url.path + (f"?{url.query}" if url.query else "")
    example.method = method or ("POST" if data is not None else "GET")
    example.body = data


def parse(text: str) -> tuple[list[Example], list[str]]:
    """The README's examples, and every way its markers or blocks are wrong."""
    examples: list[Example] = []
    errors: list[str] = []
    fenced = blocks(text)
    markers = [
        m for m in MARKER.finditer(text) if not any(b.start < m.start() < b.end for b in fenced)
    ]
    headings = [
        m.start()
        for m in HEADING.finditer(text)
        if not any(b.start < m.start() < b.end for b in fenced)
    ]
    claimed: set[int] = set()
    for index, marker in enumerate(markers):
        line = text.count("\n", 0, marker.start()) + 1
        head, *rest = [row.strip() for row in marker["spec"].strip().splitlines() if row.strip()]
        match = HEAD.match(head)
        if match is None:
            errors.append(f"README:{line}: not an example marker: {head!r}")
            continue
        example = Example(line, match["role"], int(match["status"]))
        following = [b for b in fenced if b.start >= marker.end()]
        block = following[0] if following else None
        adjacent = block is not None and not text[marker.end() : block.start].strip()
        if match["with"] is not None:
            previous = examples[-1] if examples else None
            if previous is None or previous.body is None or adjacent or not match["method"]:
                errors.append(f"README:{line}: 'with' needs an earlier JSON example, no block")
                continue
            added = json.loads(match["with"])
            example.body = {**previous.body, **added}
            example.method, example.path = match["method"], match["path"]
            example.headers = dict(previous.headers)
            example.before = [*previous.before, previous]
            said = [json.dumps({key: value})[1:-1] for key, value in added.items()]
        elif block is None or not adjacent:
            errors.append(f"README:{line}: a marker comes right before its fenced block")
            continue
        elif head.startswith("curl"):
            commands = [row for row in block.content.splitlines() if "curl " in row]
            if block.lang != "sh" or len(commands) != 1:
                errors.append(f"README:{line}: 'curl' marks a sh block with one curl command")
                continue
            curl_request(commands[0], example)
            claimed.add(block.start)
            said = []
        else:
            if block.lang != "json" or match["method"] is None:
                errors.append(f"README:{line}: 'METHOD PATH' marks a json block")
                continue
            example.method, example.path = match["method"], match["path"]
            example.body = json.loads(block.content)
            example.headers = {"Authorization": "Bearer <key>"}
            claimed.add(block.start)
            said = []
        for row in rest:
            expected = EXPECT.match(row)
            if expected is None:
                errors.append(f"README:{line}: not an expectation: {row!r}")
                continue
            example.expect.append((expected["path"], expected["op"], expected["value"]))
            said.append(expected["value"])
        # The prose this marker stands for: up to the next marker or heading.
        ends = [m.start() for m in markers[index + 1 :]] + [h for h in headings if h > marker.end()]
        prose = visible(text[marker.end() : min(ends, default=len(text))])
        errors += [
            f"README:{line}: the text never says {value!r}"
            for value in said
            if visible(value) not in prose
        ]
        examples.append(example)
    for block in fenced:
        is_example = block.lang == "json" or (block.lang == "sh" and "curl " in block.content)
        if is_example and block.start not in claimed:
            errors.append(f"README:{block.line}: a {block.lang} example without a marker")
    return examples, errors


EXAMPLES, ERRORS = parse(README.read_text(encoding="utf-8"))


def test_every_example_in_the_readme_is_marked_and_said() -> None:
    assert EXAMPLES, "the README's examples were not found"
    assert not ERRORS


def resolve(document: Any, path: str) -> Any:
    """A value of the JSON answer by its dotted path (``lines[NET-MPLS].monthly``)."""
    for part in path.split("."):
        name, _, selector = part.partition("[")
        if name:
            document = document[name]
        if selector:
            key = selector.rstrip("]")
            if key.isdigit():
                document = document[int(key)]
            else:
                (document,) = [
                    item for item in document if key in (item.get("code"), item.get("component"))
                ]
    return document


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_the_readme_example_answers_as_documented(
    example: Example, client: TestClient, auth: Any
) -> None:
    for sent in [*example.before, example]:
        key = auth(sent.role)["Authorization"].removeprefix("Bearer ")
        headers = {name: value.replace("<key>", key) for name, value in sent.headers.items()}
        answer = client.request(sent.method, sent.path, json=sent.body, headers=headers)
        assert answer.status_code == sent.status, (sent.name, answer.text)
    document = answer.json()
    for path, op, value in example.expect:
        found = resolve(document, path)
        shown = found if isinstance(found, str) else json.dumps(found)
        assert shown == value if op == "=" else value in shown, (path, shown)


# The parser is strict where a sloppy one would let an example go unchecked.
@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('```json\n{"a": 1}\n```\n', "json example without a marker"),
        ("```sh\ncurl http://x/v1/y\n```\n", "sh example without a marker"),
        (
            "<!-- example: POST /v1/x as sales -> 200 -->\n\ntext\n```json\n{}\n```\n",
            "right before",
        ),
        ("<!-- example: POST /v1/x as sales -> 200\nn = 7\n-->\n```json\n{}\n```\nsix\n", "'7'"),
        ('<!-- example: POST /v1/x as sales with {"a": 1} -> 200 -->\n', "earlier JSON example"),
        ("<!-- example: POST /v1/x for sales -->\n", "not an example marker"),
    ],
)
def test_the_parser_refuses(text: str, error: str) -> None:
    _, errors = parse(text)
    assert any(error in message for message in errors), errors


def test_the_parser_reads_a_walk_through() -> None:
    text = (
        "<!-- example: POST /v1/x as sales -> 200\nitems[A].state = forced\n-->\n"
        '```json\n{"needs": [1]}\n```\nA is forced.\n'
        '<!-- example: POST /v1/x as approver with {"chosen": ["B"]} -> 422 -->\n'
        'Then `"chosen": ["B"]`: refused.\n## Next\nforced\n'
        "<!-- example: curl as admin -> 200 -->\n"
        "```sh\ncurl -H 'Authorization: Bearer <key>' 'http://h:8000/v1/c?limit=5'\n```\n"
    )
    examples, errors = parse(text)
    assert not errors
    first, step, curl = examples
    assert (first.body, first.expect) == ({"needs": [1]}, [("items[A].state", "=", "forced")])
    assert (step.role, step.status, step.body) == ("approver", 422, {"needs": [1], "chosen": ["B"]})
    assert (curl.method, curl.path, curl.headers) == (
        "GET",
        "/v1/c?limit=5",
        {"Authorization": "Bearer <key>"},
    )


# The commands the README lists: the Commands table and the shell blocks.
def readme_commands(text: str) -> list[str]:
    table = re.findall(r"^\| `((?:offerwright|python -m) [^`]*)`", text, re.M)
    shell = [
        "offerwright " + rest.split("#")[0].strip()
        for block in blocks(text)
        if block.lang == "sh"
        for rest in re.findall(r"(?:^|/)offerwright (.*)$", block.content, re.M)
    ]
    return table + shell


def cli_commands(command: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every command of the CLI by its words (``("keys", "create")``); a group has
    ``commands`` (typer brings its own copy of Click, so no isinstance)."""
    if not hasattr(command, "commands"):
        return {prefix: command}
    found: dict[tuple[str, ...], Any] = {}
    for name, sub in command.commands.items():
        found |= cli_commands(sub, (*prefix, name))
    return found


def flags(text: str) -> list[str]:
    return re.findall(r"(?<![\w-])--?[a-z][\w-]*", text)


def words_and_flags(command: str) -> tuple[tuple[str, ...], list[str]]:
    """``offerwright keys create --name N [--centre C]`` -> (("keys", "create"), ["--name",
    "--centre"]): the subcommand, then the options it is shown with."""
    tokens = command.split()[1:]
    words: list[str] = []
    while tokens and re.fullmatch(r"[a-z][a-z-]*", tokens[0]):
        words.append(tokens.pop(0))
    return tuple(words), flags(" ".join(tokens))


def test_the_readme_lists_every_command_and_only_real_ones() -> None:
    commands = cli_commands(typer.main.get_command(app))
    listed = [
        command
        for command in readme_commands(README.read_text(encoding="utf-8"))
        if command.startswith("offerwright")
    ]
    assert {words_and_flags(command)[0] for command in listed} == set(commands)
    for command in listed:
        words, shown = words_and_flags(command)
        options = {
            opt for param in commands[words].params for opt in (*param.opts, *param.secondary_opts)
        }
        assert set(shown) <= options, (command, sorted(options))


def test_the_benchmark_commands_exist_with_their_options() -> None:
    listed = [
        command
        for command in readme_commands(README.read_text(encoding="utf-8"))
        if command.startswith("python -m")
    ]
    assert listed
    for command in listed:
        _, _, module, *arguments = command.split()
        path = ROOT.joinpath(*module.split("."))
        source = (path / "__main__.py" if path.is_dir() else path.with_suffix(".py")).read_text()
        shown = flags(" ".join(arguments))
        assert all(f'"{flag}"' in source for flag in shown), (command, shown)
