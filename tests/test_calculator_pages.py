"""The budget and eligibility pages' Markdown: front matter, mount point, static rules, escaping."""

from __future__ import annotations

import dataclasses
import html

import pytest
import yaml

from macros import calculator_pages

ROOT_URL = "../../../"


def render(kind, corpus, call):
    return calculator_pages.render(kind, call=call, vocabulary=corpus.vocabulary, root=ROOT_URL)


def front_matter(text):
    assert text.startswith("---\n"), text[:80]
    return yaml.safe_load(text.split("---\n", 2)[1])


@pytest.mark.parametrize("kind", ["budget", "eligibility"])
def test_every_call_renders_a_page_with_its_mount_point(kind, corpus):
    """Front matter first (title, render_macros: false), then the mount div and the module script."""
    for call in corpus.calls.values():
        text = render(kind, corpus, call)
        meta = front_matter(text)
        assert meta["render_macros"] is False
        assert call.title in html.unescape(meta["title"])
        assert (f'<div id="calculateur" class="calc" data-kind="{kind}" data-call="{call.id}" data-root="{ROOT_URL}" '
                'data-references="{}">') in text
        script = "budget.js" if kind == "budget" else "eligibility.js"
        assert f'<script type="module" src="{ROOT_URL}assets/calculateurs/{script}"></script>' in text
        assert "<noscript>" in text
        assert "pyodide" not in text.lower()


@pytest.mark.parametrize("kind", ["budget", "eligibility"])
def test_the_static_fallback_states_every_rule_with_its_reference(kind, corpus):
    for call in corpus.calls.values():
        text = render(kind, corpus, call)
        rules = call.budget_rules if kind == "budget" else call.eligibility_rules
        for rule in rules:
            assert f'id="regle-texte-{rule.info.id}"' in text
            assert str(__import__("markupsafe").escape(rule.info.reference)) in text


def test_the_flandres_caps_are_written_out_in_french(corpus):
    text = html.unescape(render("budget", corpus, corpus.calls["cpam-flandres-2025"]))
    assert "Praticiens (médecin, sage-femme, chirurgien-dentiste) : 75\u00a0€ de l'heure" in text
    assert "Coordination du projet : au plus 5\u00a0%" in text


def test_text_from_a_call_file_is_escaped(corpus):
    """A title with markup and quotes stays text: escaped in the page and in the front matter.

    The theme writes the front matter's title into <title>, <h1> and <meta> as it is, unescaped.
    """
    call = corpus.calls["cpam-flandres-2025"]
    title = '<script>alert("x")</script> & l\'appel {{ x }}'
    hostile = dataclasses.replace(call, title=title)
    for kind in ("budget", "eligibility"):
        text = render(kind, corpus, hostile)
        meta = front_matter(text)
        assert title in html.unescape(meta["title"]) and title in html.unescape(meta["description"])
        assert "<" not in meta["title"] + meta["description"] and "{{" not in meta["title"]
        body = text.split("---\n", 2)[2]
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; l&#39;appel" in body


def test_the_mount_point_carries_the_links_of_the_findings_references(corpus):
    """``rule_links`` reach the page as escaped JSON, for the script to link each finding's reference."""
    call = corpus.calls["cpam-flandres-2025"]
    text = calculator_pages.render("budget", call=call, vocabulary=corpus.vocabulary,
                                   root=ROOT_URL, rule_links={"plafonds-horaires": "textes/x/#p-3", "<b>": "&"})
    assert ('data-references="{&#34;plafonds-horaires&#34;: &#34;textes/x/#p-3&#34;, '
            '&#34;&lt;b&gt;&#34;: &#34;&amp;&#34;}"') in text
