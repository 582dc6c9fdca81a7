"""Every internal link and anchor of the built site resolves."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import links


def test_every_internal_link_and_anchor_resolves(site):
    """No page links to a missing page or a missing anchor, and none uses javascript: or //host."""
    broken, _ = links.scan(site)
    assert broken == []


def test_the_checker_sees_a_broken_link(tmp_path):
    """The checker itself reports a missing page and a missing anchor."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="ici"></p><a href="../b/">b</a><a href="#la">x</a><a href="#ici">y</a>')
    broken, external = links.scan(tmp_path)
    assert broken == ["/a/index.html: ../b/ → missing /b/", "/a/index.html: #la → no anchor #la"]
    assert external == {}
