"""Preview of a few call files: which ones, from the ``APPELS_PREVIEW`` environment variable.

``bash scripts/dev.sh preview cpam-flandres-2025`` sets it and runs ``mkdocs serve``: the
build then loads the referentiel, that file and the calls it names, validates them as a full
build does, and generates only their pages (plus the funders', the calendar and the home page
listing only them). A funder sees his page in a second or two however many calls ``calls/``
holds; the full build stays the reference before publishing.
"""

from __future__ import annotations

import os
from pathlib import PurePath

VARIABLE = "APPELS_PREVIEW"


def selection(environ: dict[str, str] | os._Environ[str] = os.environ) -> frozenset[str] | None:
    """The call ids to preview, or None for a full build.

    Ids are separated by spaces or commas; a path such as ``calls/cpam-flandres-2025.yaml``
    stands for its id, so a file name can be pasted as is.

    >>> sorted(selection({"APPELS_PREVIEW": "calls/cpam-flandres-2025.yaml, occitanie-1000-jours-2021"}))
    ['cpam-flandres-2025', 'occitanie-1000-jours-2021']
    >>> selection({}) is None
    True
    """
    value = environ.get(VARIABLE, "")
    ids = {_id(word) for word in value.replace(",", " ").split()}
    return frozenset(ids) or None


def _id(word: str) -> str:
    path = PurePath(word)
    return path.stem if path.suffix in (".yaml", ".yml") else path.name
