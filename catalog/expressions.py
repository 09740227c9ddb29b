"""Boolean expressions over component choices: a tokenizer, a recursive-descent parser and an AST.

Grammar (lowest precedence first; ``implies`` and ``iff`` associate to the right)::

    expr    := implies ( "iff" implies )*
    implies := or ( "implies" implies )?
    or      := and ( "or" and )*
    and     := unary ( "and" unary )*
    unary   := "not" unary | atom
    atom    := CODE | "true" | "false" | "(" expr ")"

A CODE is a component code (``CMP-VM-LNX``) and is true when that component is chosen.
Symbol spellings are accepted too: ``!`` for not, ``&`` for and, ``|`` for or, ``->`` for
implies and ``<->`` for iff. Nothing is ever passed to ``eval``.

Nesting (``not``, parentheses, the right-hand side of ``implies`` and ``iff``) stops at
``MAX_DEPTH`` levels: the parser, and everything that walks the tree later (evaluation, the
solver's encoding), recurses once per level, so a deeper expression is a syntax error at the
column where it goes too deep instead of exhausting the stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

MAX_DEPTH = 50  # a real rule needs a handful of levels; each costs several stack frames


class ExpressionSyntaxError(ValueError):
    """The expression cannot be parsed; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} at column {column}")
        self.column = column


@dataclass(frozen=True, slots=True)
class Var:
    code: str


@dataclass(frozen=True, slots=True)
class Const:
    value: bool


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Implies:
    premise: Expr
    conclusion: Expr


@dataclass(frozen=True, slots=True)
class Iff:
    left: Expr
    right: Expr


Expr = Var | Const | Not | And | Or | Implies | Iff

_KEYWORDS = {
    "not": "not", "!": "not",
    "and": "and", "&": "and",
    "or": "or", "|": "or",
    "implies": "implies", "->": "implies",
    "iff": "iff", "<->": "iff",
    "true": "true", "false": "false",
    "(": "(", ")": ")",
}  # fmt: skip
_TOKEN = re.compile(r"\s*(?:(<->|->|[!&|()])|([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*))")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # a keyword, or "code"
    text: str
    column: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None:
            offset = len(source[position:]) - len(source[position:].lstrip())
            column = position + offset + 1
            raise ExpressionSyntaxError(f"unexpected character {source[column - 1]!r}", column)
        text = match.group(1) or match.group(2)
        column = match.start(1 if match.group(1) else 2) + 1
        keyword = _KEYWORDS.get(text.lower() if match.group(2) else text)
        if keyword is None and not text.isupper() and match.group(2):
            raise ExpressionSyntaxError(
                f"unknown word {text!r} (component codes are upper case; "
                "operators are not, and, or, implies, iff)",
                column,
            )
        tokens.append(_Token(keyword or "code", text, column))
        position = match.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self._tokens = _tokenize(source)
        self._index = 0
        self._depth = 0

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _take(self, kind: str) -> _Token | None:
        token = self._peek()
        if token.kind == kind:
            self._index += 1
            return token
        return None

    def parse(self) -> Expr:
        expr = self._iff()
        token = self._peek()
        if token.kind != "end":
            raise ExpressionSyntaxError(f"unexpected {token.text!r}", token.column)
        return expr

    def _nested(self, token: _Token, parse: Callable[[], Expr]) -> Expr:
        """``parse()`` one level deeper than ``token``, within MAX_DEPTH."""
        if self._depth == MAX_DEPTH:
            raise ExpressionSyntaxError(
                f"the expression is nested deeper than {MAX_DEPTH} levels", token.column
            )
        self._depth += 1
        inner = parse()
        self._depth -= 1
        return inner

    def _iff(self) -> Expr:
        left = self._implies()
        token = self._peek()
        if self._take("iff"):
            return Iff(left, self._nested(token, self._iff))
        return left

    def _implies(self) -> Expr:
        premise = self._or()
        token = self._peek()
        if self._take("implies"):
            return Implies(premise, self._nested(token, self._implies))
        return premise

    def _or(self) -> Expr:
        operands = [self._and()]
        while self._take("or"):
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _and(self) -> Expr:
        operands = [self._unary()]
        while self._take("and"):
            operands.append(self._unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def _unary(self) -> Expr:
        token = self._peek()
        if self._take("not"):
            return Not(self._nested(token, self._unary))
        return self._atom()

    def _atom(self) -> Expr:
        token = self._peek()
        if self._take("code"):
            return Var(token.text)
        if self._take("true"):
            return Const(True)
        if self._take("false"):
            return Const(False)
        if self._take("("):
            inner = self._nested(token, self._iff)
            closing = self._peek()
            if not self._take(")"):
                raise ExpressionSyntaxError(
                    f"expected ')' to close the '(' at column {token.column}", closing.column
                )
            return inner
        if token.kind == "end":
            raise ExpressionSyntaxError("the expression ends too early", token.column)
        raise ExpressionSyntaxError(
            f"expected a component code, found {token.text!r}", token.column
        )


def parse(source: str) -> Expr:
    """Parse ``source`` into an AST, or raise ExpressionSyntaxError with the column."""
    return _Parser(source).parse()


def variables(expr: Expr) -> Iterator[str]:
    """The component codes an expression mentions, in order of appearance (repeats included)."""
    match expr:
        case Var(code):
            yield code
        case Const():
            return
        case Not(operand):
            yield from variables(operand)
        case And(operands) | Or(operands):
            for operand in operands:
                yield from variables(operand)
        case Implies(left, right) | Iff(left, right):
            yield from variables(left)
            yield from variables(right)


def evaluate(expr: Expr, chosen: Mapping[str, bool] | Callable[[str], bool]) -> bool:
    """Truth value of ``expr`` when ``chosen(code)`` tells whether each component is chosen."""
    is_chosen = chosen if callable(chosen) else (lambda code: bool(chosen.get(code, False)))
    match expr:
        case Var(code):
            return is_chosen(code)
        case Const(value):
            return value
        case Not(operand):
            return not evaluate(operand, is_chosen)
        case And(operands):
            return all(evaluate(operand, is_chosen) for operand in operands)
        case Or(operands):
            return any(evaluate(operand, is_chosen) for operand in operands)
        case Implies(premise, conclusion):
            return not evaluate(premise, is_chosen) or evaluate(conclusion, is_chosen)
        case Iff(left, right):
            return evaluate(left, is_chosen) == evaluate(right, is_chosen)
    raise TypeError(f"not an expression: {expr!r}")
