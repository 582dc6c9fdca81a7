"""Generated files wait on disk, not in memory, until MkDocs renders or copies them.

MkDocs keeps a generated file's content (``File.generated(content=…)``) for the whole build.
At a few thousand calls that is every call's Markdown, JSON and iCalendar text twice over —
300 MB at 1 000 calls, most of our build's memory beyond plain MkDocs. The spool writes each
file as soon as it is generated and hands MkDocs a file backed by that path instead:

- a page (``.md``) goes to a temporary folder, from which MkDocs reads it as it reads
  ``docs/``; the folder is removed after the build (or when the process ends, if it fails);
- any other file (``.json``, ``.ics``, ``.atom``) goes straight to its place in the site
  folder, which MkDocs has already cleaned by then; it then skips the copy (MkDocs lets
  plugins write into ``site_dir`` this way).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File


class Spool:
    """Writes generated files to disk as they come; :meth:`close` removes the pages' folder."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.config = config
        self.pages = Path(tempfile.mkdtemp(prefix="appels-pages-"))
        self.site_dir = Path(config.site_dir)
        self.count = 0
        atexit.register(self.close)

    def add(self, file: File) -> File:
        """Write ``file``'s content to disk; return the same file, backed by that path."""
        if file.abs_src_path is not None:
            return file  # already on disk
        if file.is_documentation_page():
            # One flat folder: MkDocs takes the page's address from src_uri, not from this path.
            self.count += 1
            target = self.pages / f"{self.count}.md"
        else:
            target = self.site_dir / file.dest_uri
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content_bytes)
        return File.generated(self.config, file.src_uri, abs_src_path=str(target), inclusion=file.inclusion)

    def close(self) -> None:
        shutil.rmtree(self.pages, ignore_errors=True)
