"""Compiled theme templates, kept for the life of the process.

``mkdocs serve`` loads the configuration again before every rebuild, and with it a new Jinja
environment for the theme: Material's templates were compiled anew on every save, about a
third of the CPU of a one-call preview's rebuild. The hook hands every theme environment this
cache; Jinja checks each template's source checksum before reusing its code, so an edited
template (``overrides/main.html``) is compiled again.
"""

from __future__ import annotations

import jinja2


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Jinja bytecode by template, in memory."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


THEME = MemoryBytecodeCache()
