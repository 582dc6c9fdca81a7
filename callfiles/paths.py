"""Where things live in ``calls/`` and how its files are named."""

from __future__ import annotations

import re
from pathlib import Path

SCHEMA_FILE = "schema.json"
REFERENTIEL = "_referentiel"
"""The shared vocabulary and the funders: ``calls/_referentiel/{vocabulaire,financeurs}.yaml``."""
SOURCES = "_sources"
"""The call texts the rules quote: ``calls/_sources/<name>.txt``."""
SOURCE_NAME = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*\.txt$")
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""A call or funder id: lower-case ASCII, digits and dashes (a call's is its file name without .yaml)."""


def display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)
