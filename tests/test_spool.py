"""Generated files wait on disk: pages in a temporary folder, other files at their place in the site."""

from __future__ import annotations

import os

from conftest import ROOT
from mkdocs.config import load_config
from mkdocs.structure.files import File

from macros.spool import Spool


def config_for(site_dir):
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site_dir))
    config.plugins._current_plugin = "hooks"  # what MkDocs sets while a hook's event runs
    return config


def test_a_generated_page_is_read_back_from_the_spool_and_the_folder_goes_at_close(tmp_path):
    """The page keeps its address and content; its text no longer sits in memory; close() removes the folder."""
    config = config_for(tmp_path / "site")
    spool = Spool(config)
    page = spool.add(File.generated(config, "appels/x/index.md", content="# Appel « x »\n"))
    assert page.src_uri == "appels/x/index.md" and page.url == "appels/x/"
    assert page.abs_src_path is not None and page.content_string == "# Appel « x »\n"
    assert not (tmp_path / "site" / "appels" / "x" / "index.md").exists(), "no Markdown in the site"
    spool.close()
    assert not spool.pages.exists()


def test_a_generated_data_file_is_written_where_mkdocs_would_copy_it(tmp_path):
    """A JSON or iCalendar file lands at its final place; MkDocs' copy then finds the same file and skips it."""
    config = config_for(tmp_path / "site")
    spool = Spool(config)
    data = spool.add(File.generated(config, "donnees/appels/x.json", content='{"id": "x"}'))
    target = tmp_path / "site" / "donnees" / "appels" / "x.json"
    assert data.abs_src_path == str(target) and target.read_text(encoding="utf-8") == '{"id": "x"}'
    data.copy_file()  # what the build does: copying a file onto itself is a no-op
    assert target.read_text(encoding="utf-8") == '{"id": "x"}'
    spool.close()
