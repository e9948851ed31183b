"""Parses Databricks `COPY INTO` as its SQL reference documents it (the parts a loader uses)."""
import re
from dataclasses import dataclass, field

from errors import WarehouseError
from sql_rewrite import tokenize


@dataclass
class CopyInto:
    target: list
    location: str
    file_format: str
    files: list = None
    pattern: str = None
    format_options: dict = field(default_factory=dict)
    copy_options: dict = field(default_factory=dict)
    # one of: None (no WITH), a credential name, or a dict of temporary credential options
    credential: object = None


def is_copy_into(sql):
    return re.match(r"^\s*COPY\s+INTO\b", sql, re.I) is not None


def _syntax(message):
    return WarehouseError("PARSE_SYNTAX_ERROR", "42601", f"Syntax error in COPY INTO: {message}.")


class _Tokens:
    def __init__(self, sql):
        self.items = [t for t in tokenize(sql) if t[0] != "space"]
        self.i = 0

    def peek(self):
        return self.items[self.i] if self.i < len(self.items) else (None, None)

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def keyword(self, *words):
        kind, text = self.peek()
        if kind == "word" and text.upper() in words:
            self.i += 1
            return text.upper()
        return None

    def expect_keyword(self, word):
        if self.keyword(word) is None:
            raise _syntax(f"expected {word} near {self.peek()[1]!r}")

    def expect(self, text):
        if self.take()[1] != text:
            raise _syntax(f"expected '{text}'")

    def identifier(self):
        kind, text = self.take()
        if kind == "quoted":
            return text[1:-1].replace("``", "`")
        if kind == "word":
            return text
        raise _syntax(f"expected a name, got {text!r}")

    def string(self):
        kind, text = self.take()
        if kind != "string":
            raise _syntax(f"expected a string literal, got {text!r}")
        return unquote(text)

    def value(self):
        kind, text = self.take()
        if kind == "string":
            return unquote(text)
        if kind == "word":
            return text
        raise _syntax(f"expected a value, got {text!r}")


def unquote(literal):
    """A SQL string literal's value: backslash escapes and doubled quotes, as Databricks reads them."""
    body = literal[1:-1]
    quote = literal[0]
    out, i = [], 0
    escapes = {"n": "\n", "r": "\r", "t": "\t", "0": "\0"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        elif c == quote and i + 1 < len(body) and body[i + 1] == quote:
            out.append(quote)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _options(tokens):
    tokens.expect("(")
    options = {}
    while tokens.peek()[1] != ")":
        key = tokens.value()
        tokens.expect("=")
        options[key] = tokens.value()
        if tokens.peek()[1] == ",":
            tokens.take()
    tokens.expect(")")
    return options


def parse_copy_into(sql):
    tokens = _Tokens(sql.strip().rstrip(";"))
    tokens.expect_keyword("COPY")
    tokens.expect_keyword("INTO")
    target = [tokens.identifier()]
    while tokens.peek()[1] == ".":
        tokens.take()
        target.append(tokens.identifier())
    if tokens.peek()[1] == "(" or tokens.keyword("BY"):
        raise WarehouseError("UNSUPPORTED_FEATURE", "0A000", "The local warehouse supports COPY INTO without a column list.")
    tokens.expect_keyword("FROM")
    if tokens.peek()[1] == "(":
        raise WarehouseError("UNSUPPORTED_FEATURE", "0A000", "The local warehouse supports COPY INTO FROM a location, not a SELECT.")
    location = tokens.string()
    credential = None
    if tokens.keyword("WITH"):
        tokens.expect("(")
        tokens.expect_keyword("CREDENTIAL")
        credential = _options(tokens) if tokens.peek()[1] == "(" else tokens.identifier()
        if tokens.keyword("ENCRYPTION"):
            _options(tokens)
        tokens.expect(")")
    copy = CopyInto(target=target, location=location, file_format="", credential=credential)
    # the clauses in the order Databricks' syntax gives them: the strictest reading of it
    order = ["FILEFORMAT", "VALIDATE", "FILES", "FORMAT_OPTIONS", "COPY_OPTIONS"]
    last = -1
    while tokens.peek()[0] is not None:
        clause = tokens.keyword("FILEFORMAT", "FILES", "PATTERN", "FORMAT_OPTIONS", "COPY_OPTIONS", "VALIDATE")
        if clause is not None:
            rank = order.index("FILES" if clause == "PATTERN" else clause)
            if rank <= last:
                raise _syntax(f"{clause} out of place: COPY INTO takes {', '.join(order)} in this order, each once")
            last = rank
        if clause == "FILEFORMAT":
            tokens.expect("=")
            copy.file_format = tokens.identifier().upper()
        elif clause == "FILES":
            tokens.expect("=")
            tokens.expect("(")
            copy.files = []
            while tokens.peek()[1] != ")":
                copy.files.append(tokens.string())
                if tokens.peek()[1] == ",":
                    tokens.take()
            tokens.expect(")")
        elif clause == "PATTERN":
            tokens.expect("=")
            copy.pattern = tokens.string()
        elif clause in ("FORMAT_OPTIONS", "COPY_OPTIONS"):
            options = _options(tokens)
            (copy.format_options if clause == "FORMAT_OPTIONS" else copy.copy_options).update(options)
        elif clause == "VALIDATE":
            raise WarehouseError("UNSUPPORTED_FEATURE", "0A000", "The local warehouse does not run COPY INTO VALIDATE.")
        else:
            raise _syntax(f"unexpected {tokens.peek()[1]!r}")
    if copy.file_format not in ("PARQUET", "JSON", "CSV"):
        raise _syntax("FILEFORMAT must be PARQUET, JSON or CSV")
    if copy.files is not None and copy.pattern is not None:
        raise _syntax("FILES and PATTERN cannot both be given")
    return copy
