"""Source-text pages (/textes/<nom>/) and the links that lead to them from every reference."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from browser_support import wait_until
from conftest import build_copy, project_copy

from callfiles.sources import fragments, normalize

BLOCK = re.compile(r'<(p|h2|h3|tr) id="p-(\d+)" class="src-block[^"]*">(.*?)</\1>', re.S)
QUOTE = re.compile(r'<blockquote class="aap-quote"[^>]*><p>« (.*?) »</p><footer>(.*?)</footer></blockquote>', re.S)
HREF = re.compile(r'<a class="aap-ref-link" href="([^"]+)">')


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _blocks(site: Path, page: str) -> dict[int, str]:
    """The blocks of a source page, by number, as plain text (their number link removed)."""
    source = (site / page / "index.html").read_text(encoding="utf-8")
    return {int(n): _text(re.sub(r'<a class="src-num"[^>]*>\d+</a>', "", body)) for _, n, body in BLOCK.findall(source)}


def _target(href: str, page_url: str) -> tuple[str, int]:
    """``../../textes/x/#p-12`` seen from ``appels/y/`` → (``textes/x``, 12)."""
    path, anchor = href.split("#")
    depth = page_url.strip("/").count("/") + 1
    parts = path.split("/")
    assert parts[:depth] == [".."] * depth, href
    return "/".join(parts[depth:]).strip("/"), int(anchor.removeprefix("p-"))


def _starts_in(blocks: dict[int, str], number: int, quote: str) -> bool:
    """The quote's first passage begins in block ``number`` (and may go on in the next ones)."""
    first = fragments(quote)[0]
    here = normalize(blocks[number])
    following = normalize(" ".join(blocks.get(n, "") for n in range(number, number + 6)))
    at = following.find(first)
    return at >= 0 and at < len(here)


def test_every_rule_quote_on_a_call_page_links_to_the_paragraph_holding_it(site, corpus):
    """Each quoted rule's reference opens its source page at the block where the quote begins."""
    checked = 0
    for call in corpus.calls.values():
        url = f"appels/{call.id}/"
        page = (site / url / "index.html").read_text(encoding="utf-8")
        quotes = QUOTE.findall(page)
        assert len(quotes) == len(call.budget_rules) + len(call.eligibility_rules), call.id
        for quote, footer in quotes:
            links = HREF.findall(footer)
            assert len(links) == 1, (call.id, footer)
            source_page, number = _target(links[0], url)
            assert source_page == f"textes/{call.source.file.removesuffix('.txt')}"
            assert _starts_in(_blocks(site, source_page), number, html.unescape(quote)), (call.id, quote[:60])
            checked += 1
    assert checked >= 40


def test_the_calculators_link_each_finding_to_its_paragraph(site, corpus):
    """The budget and eligibility pages carry, for every rule, the link its findings show."""
    for call in (c for c in corpus.calls.values() if c.kind == "call"):
        for slug, rules in (("budget", call.budget_rules), ("eligibilite", call.eligibility_rules)):
            page = site / "appels" / call.id / slug / "index.html"
            if not rules:
                assert not page.exists()
                continue
            links = json.loads(html.unescape(re.search(r'data-references="([^"]*)"', page.read_text(encoding="utf-8"))[1]))
            assert set(links) == {r.info.id for r in rules}, (call.id, slug)
            for rule in rules:
                source_page, number = _target("../" + links[rule.info.id], "x/")
                assert _starts_in(_blocks(site, source_page), number, rule.info.quote), (call.id, rule.info.id)


def test_references_without_a_quote_link_to_the_section_they_name(site):
    """« § 3 c) 7. « Coût de coordination du projet » » on an expense opens that heading."""
    page = (site / "appels" / "cpam-flandres-2025" / "index.html").read_text(encoding="utf-8")
    link = re.search(r'<a class="aap-ref-link" href="([^"]+)">§ 3 c\) 7\. « Coût de coordination du projet »</a>', page)
    assert link, "the coordination expense's reference is not a link"
    source_page, number = _target(link[1], "appels/cpam-flandres-2025/")
    assert normalize(_blocks(site, source_page)[number]).endswith("7 cout de coordination du projet")


def test_a_reference_that_names_no_section_stays_text(site):
    """« 2) b) » of the 2021 instruction names no heading of its text: it is shown, not linked."""
    page = (site / "appels" / "cadre-national-1000-jours-2021" / "index.html").read_text(encoding="utf-8")
    assert "(2) b))" in page
    assert ">2) b)</a>" not in page


def test_a_milestone_reference_leads_to_the_paragraph_holding_its_date(site):
    """« 24 janvier 2025 à minuit » (§ 2 « Calendrier ») opens the paragraph with the date, not the heading."""
    page = (site / "appels" / "cpam-flandres-2025" / "index.html").read_text(encoding="utf-8")
    item = re.search(r"24 janvier 2025 à minuit.*?<a class=\"aap-ref-link\" href=\"([^\"]+)\">", page, re.S)
    source_page, number = _target(item[1], "appels/cpam-flandres-2025/")
    assert "24 janvier 2025 à minuit" in _blocks(site, source_page)[number]


def test_each_source_page_is_numbered_and_links_back_to_its_calls(site, corpus):
    """One page per text: blocks numbered 1, 2, 3… and a link to every call citing it."""
    for name in {c.source.file for c in corpus.calls.values() if c.source.file}:
        url = f"textes/{name.removesuffix('.txt')}/"
        page = (site / url / "index.html").read_text(encoding="utf-8")
        numbers = [int(n) for n in re.findall(r'class="src-num" href="#p-(\d+)"', page)]
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 20, name
        for call in corpus.calls.values():
            if call.source.file == name:
                assert f'href="../../appels/{call.id}/"' in page, (name, call.id)
    national = (site / "textes" / "cadre-national-1000-jours-2022" / "index.html").read_text(encoding="utf-8")
    assert national.count('href="../../appels/') >= 13  # the framework and its twelve regional calls
    assert "<table>" in national


def test_the_call_page_leads_to_its_source_text(site):
    """The « Texte source » section links to the text's page."""
    page = (site / "appels" / "occitanie-1000-jours-2021" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../../textes/occitanie-1000-jours-2021/">Lire le texte source' in page


def test_source_pages_stay_out_of_the_search_index(site):
    """The texts are for checking a rule, not for finding a call: the search index does not carry them."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"]
    assert not [d["location"] for d in index["docs"] if d["location"].startswith("textes/")]


def test_a_call_kept_only_as_a_web_address_says_where_its_references_point(tmp_path):
    """Without a kept text, quotes are not checked and the page says the references are to the official page."""
    original = (Path(__file__).resolve().parent.parent / "calls" / "cpam-val-de-marne-2026.yaml").read_text(encoding="utf-8")
    changed = original.replace('  file: "cpam-val-de-marne-2026.txt"\n', '  url: "https://www.ameli.fr/val-de-marne"\n')
    changed = changed.replace("quote: \"", "quote: \"(citation non vérifiée) ", 1)
    assert changed != original
    project = project_copy(tmp_path / "project", calls={"cpam-val-de-marne-2026.yaml": changed})
    result = build_copy(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "appels" / "cpam-val-de-marne-2026" / "index.html").read_text(encoding="utf-8")
    assert "renvoient aux sections du document d'origine, sur le site officiel" in page
    assert "aap-ref-link" not in page
    assert not (tmp_path / "site" / "textes" / "cpam-val-de-marne-2026").exists()


@pytest.mark.browser
def test_a_finding_reference_opens_the_quote_highlighted_with_the_keyboard(serve, new_page, site):
    """From the budget simulator, Enter on a finding's reference lands on the quote, highlighted and focused."""
    page, log = new_page()
    page.goto(serve(site) + "appels/cpam-flandres-2025/budget/")
    wait_until(page, "() => document.getElementById('calculateur')?.dataset.state === 'ready'", timeout=90)
    line = page.locator(".calc-section--hours .calc-line:not(.calc-line--header)").first
    line.get_by_label("Intervenant").select_option("medecin")
    line.get_by_label("Heures").fill("6")
    line.get_by_label("Taux horaire (€)").fill("80")
    link = line.locator(".calc-finding--error .calc-finding__reference a")
    link.wait_for(timeout=30_000)
    assert link.text_content() == "§ 3 c) 1. « Indemnisation des professionnels »"
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/textes/cpam-flandres-2025/#p-\d+$"))
    wait_until(page, "() => document.querySelectorAll('.src-cite.is-current').length > 0")
    target = page.evaluate("""() => {
        const t = document.getElementById(location.hash.slice(1));
        const r = t.getBoundingClientRect();
        return {focused: document.activeElement === t, visible: r.top >= 0 && r.top < innerHeight,
                text: t.textContent,
                marked: [...document.querySelectorAll('.src-cite.is-current')].map(m => m.textContent).join(' '),
                background: getComputedStyle(t.querySelector('.src-cite.is-current')).backgroundColor}; }""")
    assert target["focused"] and target["visible"]
    assert "Forfait 75€" in target["text"]
    assert "Forfait 75€ : praticiens" in target["marked"]
    assert target["background"] == "rgb(255, 228, 92)"
    assert log.errors == []
