"""The reference of call-file fields, generated from ``calls/schema.json`` so it cannot drift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callfiles.schema import schema

MAX_DEPTH = 6


@dataclass(frozen=True, slots=True)
class Row:
    path: str
    required: bool
    expected: str
    description: str


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = {**schema()["$defs"][name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _expected(node: dict[str, Any]) -> str:
    node = _resolve(node)
    if "enum" in node:
        return "un de : " + ", ".join(map(str, node["enum"]))
    if "const" in node:
        return str(node["const"])
    kinds = {"string": "texte", "integer": "nombre entier", "number": "nombre", "boolean": "true ou false",
             "array": "liste", "object": "ensemble de champs"}
    if "oneOf" in node:
        return " ou ".join(_expected(o) for o in node["oneOf"])
    if node.get("type") == "array":
        return "liste de " + _expected(node.get("items", {}))
    if node.get("type") == "string" and node.get("pattern"):
        return "texte au format " + (node.get("description") or node["pattern"]).rstrip(".")
    return kinds.get(node.get("type", ""), "valeur")


def reference_rows() -> list[Row]:
    """Every field of a call file, depth first, with its type and its description."""
    rows: list[Row] = []

    def walk(node: dict[str, Any], prefix: str, depth: int) -> None:
        node = _resolve(node)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            walk(node["items"], prefix + "[]", depth)
            return
        if depth > MAX_DEPTH:
            return
        required = set(node.get("required", ()))
        for name, child in node.get("properties", {}).items():
            if child is True:
                continue
            path = f"{prefix}.{name}" if prefix else name
            resolved = _resolve(child)
            rows.append(Row(path, name in required, _expected(child),
                            child.get("description") or resolved.get("description") or ""))
            walk(child, path, depth + 1)
        for branch in node.get("allOf", ()):
            then = branch.get("then")
            if not then:
                walk(branch, prefix, depth + 1)
            else:
                kind = then["properties"]["kind"]["const"]
                rows.append(Row(f"{prefix} (kind: {kind})", False, "règle", then.get("description", "")))
                walk({k: v for k, v in then.items() if k != "description"}, prefix, depth + 1)

    walk(schema(), "", 0)
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row.path not in seen:
            seen.add(row.path)
            unique.append(row)
    return unique
