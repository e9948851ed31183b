"""Rewrites Databricks three-part names onto the local Spark session catalog.

Unity Catalog names are `catalog.schema.table`; OSS Spark with Delta has one session catalog.
Each catalog the warehouse is configured with maps onto `spark_catalog` (they share its
namespace), an unknown catalog fails like Databricks, and `information_schema` views are
redirected to temporary views that the engine builds on demand.
"""
import re

from errors import WarehouseError

TOKEN = re.compile(
    r"""(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"""|(?P<quoted>`(?:[^`]|``)*`)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"""
    r"""|(?P<dot>\.)"""
    r"""|(?P<space>\s+)"""
    r"""|(?P<other>.)""",
    re.S,
)

INFO_VIEWS = {"schemata", "tables", "columns"}


def _ident(token):
    kind, text = token
    if kind == "quoted":
        return text[1:-1].replace("``", "`")
    if kind == "word":
        return text
    return None


def tokenize(sql):
    return [(m.lastgroup, m.group()) for m in TOKEN.finditer(sql)]


SCHEMA_STATEMENT = re.compile(r"^\s*(CREATE|DROP|ALTER|DESCRIBE|DESC|USE|COMMENT\s+ON)\s+(SCHEMA|DATABASE|NAMESPACE)\b", re.I)


def rewrite(sql, catalogs, info_views):
    """Returns the SQL for Spark and the set of information_schema views it reads."""
    tokens = tokenize(sql)
    # In schema statements a two-part name is catalog.schema, elsewhere schema.table.
    catalog_parts = 2 if SCHEMA_STATEMENT.match(sql) else 3
    out = []
    used_views = set()
    i = 0
    while i < len(tokens):
        chain, end = _chain(tokens, i)
        if len(chain) >= 2 and not (i > 0 and _prev_significant(tokens, i) == "."):
            lowered = [part.lower() for part in chain]
            if len(chain) == 3 and lowered[1] == "information_schema" and lowered[2] in INFO_VIEWS:
                _check_catalog(chain[0], catalogs)
                used_views.add(lowered[2])
                out.append(info_views[lowered[2]])
                i = end
                continue
            if len(chain) == 2 and lowered[0] == "information_schema" and lowered[1] in INFO_VIEWS:
                used_views.add(lowered[1])
                out.append(info_views[lowered[1]])
                i = end
                continue
            if len(chain) == catalog_parts:
                _check_catalog(chain[0], catalogs)
                out.append("spark_catalog." + ".".join(_quote(p) for p in chain[1:]))
                i = end
                continue
        out.append(tokens[i][1])
        i += 1
    return "".join(out), used_views


def _chain(tokens, start):
    """Identifiers joined by dots starting at `start` (whitespace around dots allowed)."""
    first = _ident(tokens[start])
    if first is None:
        return [], start + 1
    parts = [first]
    i = start + 1
    while True:
        j = i
        while j < len(tokens) and tokens[j][0] == "space":
            j += 1
        if j >= len(tokens) or tokens[j][0] != "dot":
            break
        k = j + 1
        while k < len(tokens) and tokens[k][0] == "space":
            k += 1
        if k >= len(tokens):
            break
        nxt = _ident(tokens[k])
        if nxt is None:
            break
        parts.append(nxt)
        i = k + 1
    return parts, i


def _prev_significant(tokens, i):
    j = i - 1
    while j >= 0 and tokens[j][0] == "space":
        j -= 1
    return tokens[j][1] if j >= 0 else None


def _quote(name):
    return "`" + name.replace("`", "``") + "`"


def _check_catalog(name, catalogs):
    if name.lower() == "spark_catalog" or name.lower() in catalogs:
        return
    raise WarehouseError(
        "NO_SUCH_CATALOG_EXCEPTION",
        "42704",
        f"Catalog '{name}' was not found. Please verify the catalog name and then retry the query or command again.",
    )


USE_CATALOG = re.compile(r"^\s*USE\s+CATALOG\s+(`(?:[^`]|``)*`|\S+)\s*;?\s*$", re.I)


def use_catalog(sql):
    """The catalog named by `USE CATALOG x`, or None when the statement is something else."""
    match = USE_CATALOG.match(sql)
    if not match:
        return None
    name = match.group(1)
    return name[1:-1].replace("``", "`") if name.startswith("`") else name
