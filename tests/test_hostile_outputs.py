"""Hostile strings in a call file come out inert in every output, and very long ones do not
break the layout.

One build of the project with two extra call files: ``appel-hostile`` (template code, markup,
script end tags, ``javascript:`` links, CRLF and ``BEGIN:VEVENT`` line injections, spreadsheet
formulas) and ``appel-long`` (500-character words). Each output is read the way its consumers
read it: HTML with an HTML parser, JSON with ``json``, iCalendar with ``icalendar``, Atom with
an XML parser, the budget CSV with ``csv`` — and the pages in Chromium.
"""

from __future__ import annotations

import csv
import html
import html.parser
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser_support import open_calculator, wait_until
from conftest import build_copy, project_copy
from icalendar import Calendar

TITLE = "Titre {{ 7*7 }} <script>alert('titre')</script> & \"guillemets\"\r\nBEGIN:VEVENT\r\nSUMMARY:pirate\r\nEND:VEVENT"
SUMMARY = ("Résumé <img src=x onerror=alert(1)> {{ config.site_name }} \"><svg onload=alert(2)> "
           "</script><script>alert(6)</script> <!-- ]]> &amp; fin")
SOURCE = "{% include 'mkdocs.yml' %}"
THEME = "<a href='javascript:alert(3)'>clic</a>"
FORMULA = '=HYPERLINK("http://x")'
MILESTONE = "Dépôt </script><script>alert(4)</script>\nBEGIN:VEVENT\nUID:pirate"
EMAIL = "x'onmouseover=alert(5)//@exemple.fr"
COMMAND = "@SUM(1+1)*cmd|' /C calc'!A0"


def yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


HOSTILE = f'''# yaml-language-server: $schema=schema.json
id: appel-hostile
kind: call
title: {yaml_text(TITLE)}
funders: [cpam-flandres]
departments: ["59"]
source: {{title: {yaml_text(SOURCE)}}}
summary: {yaml_text(SUMMARY)}
themes:
  - {{label: {yaml_text(THEME)}, reference: "{{{{ 6*7 }}}}"}}
  - {{label: {yaml_text(FORMULA)}, reference: {yaml_text("+cmd|' /C calc'!A0")}}}
milestones:
  - id: depot
    kind: deadline
    label: {yaml_text(MILESTONE)}
    when: 2030-01-01
    reference: {yaml_text('§ 1;"' + chr(13) + chr(10))}
documents:
  - title: "Annexe <script>alert(12)</script>"
    url: "https://exemple.fr/a.pdf?a=1&b=2'onmouseover=alert(13)"
    format: pdf
    size: "12 Ko"
    note: "<img src=x onerror=alert(14)>"
    reference: "§ 2"
apply:
  contacts:
    - {{label: "Contact <b>gras</b>", email: {yaml_text(EMAIL)}, reference: "§ 2"}}
    - label: "Accueil"
      url: "https://exemple.fr/'onfocus=alert(15)"
      phone: "03 00 00 00 00"
      address: {yaml_text("1 rue <b>X</b>" + chr(10) + "</li><script>alert(16)</script>")}
      reference: "§ 2"
  links:
    - {{label: "Lien <i>", url: "https://exemple.fr/?a=1&b=2'3", reference: "§ 2"}}
rules:
  budget:
    - id: plafond-hostile
      kind: hourly_rate_cap
      label: {yaml_text(FORMULA + " plafond")}
      reference: {yaml_text(COMMAND)}
      quote: "<script>alert(7)</script>"
      groups:
        - {{label: "Praticiens <b>", professions: [medecin], max: "75"}}
  eligibility:
    - id: question-hostile
      kind: question
      label: "<script>alert(8)</script>"
      reference: "§ 3"
      quote: "</blockquote><script>alert(11)</script>"
      question: {{id: hostile, text: "<img src=x onerror=alert(9)> ?", help: "\\"><svg onload=alert(10)>"}}
'''

WORD = "Mot" + "y" * 497  # 500 characters, no space: the longest a text field allows
LONG = f'''# yaml-language-server: $schema=schema.json
id: appel-long
kind: call
title: "Titre{"x" * 495}"
funders: [cpam-flandres]
source: {{title: "{WORD}"}}
summary: "{WORD} https://exemple.fr/{"z" * 400}"
themes:
  - {{label: "{WORD}", reference: "{"r" * 200}"}}
milestones:
  - {{id: depot, kind: deadline, wave: "{WORD}", label: "{WORD}", when: 2030-01-02, reference: "{"r" * 200}"}}
documents:
  - {{title: "{WORD}", url: "https://exemple.fr/{"u" * 450}", format: page-web, reference: "{"r" * 200}"}}
apply:
  contacts:
    - {{label: "{WORD}", email: "{"e" * 150}@{"d" * 40}.fr", reference: "{"r" * 200}"}}
    - {{label: "{WORD}", url: "https://exemple.fr/{"c" * 450}", address: "{"Rue" + "a" * 297}", reference: "{"r" * 200}"}}
  links:
    - {{label: "{WORD}", url: "https://exemple.fr/{"u" * 450}", reference: "{"r" * 200}"}}
rules:
  budget:
    - id: plafond-long
      kind: hourly_rate_cap
      label: "{WORD}"
      reference: "{"r" * 200}"
      quote: "{WORD}"
      groups:
        - {{label: "{WORD}", professions: [medecin], max: "75"}}
  eligibility:
    - id: question-longue
      kind: question
      label: "{WORD}"
      reference: "{"r" * 200}"
      quote: "{WORD}"
      question: {{id: longue, text: "{WORD}", help: "{WORD}"}}
'''


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    project = project_copy(tmp_path_factory.mktemp("hostile"), {"appel-hostile.yaml": HOSTILE, "appel-long.yaml": LONG})
    output = tmp_path_factory.mktemp("hostile-site")
    result = build_copy(project, output)
    assert result.returncode == 0, result.stderr
    return output


class Markup(html.parser.HTMLParser):
    """Every start tag with its attributes, every <script> with its content, the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.text: list[str] = []
        self.title = ""
        self._in: str | None = None
        self._script: tuple[dict[str, str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = (attributes, [])
        self._in = tag if tag in ("title", "script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
        elif self._in == "title":
            self.title += data
        elif self._in != "style":
            self.text.append(data)

    @classmethod
    def of(cls, path: Path) -> Markup:
        parser = cls()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        return parser


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f\u2028]+", " ", text).strip()


def page_text(site: Path, url: str) -> str:
    return squeeze(" ".join(Markup.of(site / url / "index.html").text))


# ---------------------------------------------------------------- HTML pages

def test_template_code_in_a_call_file_is_shown_not_run(hostile_site):
    """{{ 7*7 }} and {% include %} from YAML come out literally, never evaluated."""
    text = page_text(hostile_site, "appels/appel-hostile")
    assert "Titre {{ 7*7 }}" in text and "Titre 49" not in text
    assert SOURCE in text
    assert "{{ config.site_name }}" in text
    assert "({{ 6*7 }})" in text and "(42)" not in text


def test_no_page_carries_a_script_handler_or_javascript_link_from_a_call_file(hostile_site):
    """In every page: no on* attribute, no javascript: URL, no <img>/<svg> from a string, no script that alerts."""
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        markup = Markup.of(path)
        for tag, attributes in markup.tags:
            handlers = [name for name in attributes if name.startswith("on")]
            assert not handlers, f"{path}: <{tag} {handlers}>"
            for name in ("href", "src", "action", "formaction", "xlink:href"):
                value = re.sub(r"[\s\x00-\x1f]", "", html.unescape(attributes.get(name, ""))).lower()
                assert not value.startswith(("javascript:", "data:text/html")), f"{path}: <{tag} {name}={value}>"
            assert not (tag == "img" and attributes.get("src") == "x"), path
            assert tag != "svg" or "onload" not in attributes, path
        for attributes, body in markup.scripts:
            if attributes.get("type") == "application/ld+json":
                json.loads(body)  # whole: no </script> inside cut it short
            else:
                assert "alert(" not in body, f"{path}: a script from a call file: {body[:80]}"


def test_title_and_meta_tags_hold_the_strings_as_text(hostile_site):
    """<title> and <meta name=description> carry the strings escaped, and nothing else is added to <head>."""
    markup = Markup.of(hostile_site / "appels/appel-hostile/index.html")
    assert squeeze(markup.title) == squeeze(f"{TITLE} - Appels à projets santé")
    metas = [attributes for tag, attributes in markup.tags if tag == "meta"]
    description = [m["content"] for m in metas if m.get("name") == "description"]
    assert [squeeze(d) for d in description] == [squeeze(SUMMARY)]
    for tool in ("budget", "eligibilite", "checklist"):  # titles made from the call's title
        markup = Markup.of(hostile_site / f"appels/appel-hostile/{tool}/index.html")
        assert squeeze(TITLE) in squeeze(markup.title), tool
        assert TITLE.split("\r")[0] in " ".join(markup.text), tool  # the <h1>, as text
        descriptions = [a["content"] for tag, a in markup.tags if tag == "meta" and a.get("name") == "description"]
        assert len(descriptions) == 1 and squeeze(TITLE) in squeeze(descriptions[0]), tool


def test_checklist_and_calendars_show_the_strings_as_text(hostile_site):
    """The checklist, the calendar and the year's calendar show the title and the step label as typed."""
    assert squeeze(TITLE) in page_text(hostile_site, "appels/appel-hostile/checklist")
    for url in ("calendrier", "calendrier/2030"):
        text = page_text(hostile_site, url)
        assert squeeze(MILESTONE) in text, url
        assert squeeze(TITLE) in text, url


def test_json_ld_keeps_the_strings_inside_its_script_element(hostile_site):
    """The MonetaryGrant parses whole and holds the title and summary verbatim."""
    markup = Markup.of(hostile_site / "appels/appel-hostile/index.html")
    blocks = [json.loads(body) for attributes, body in markup.scripts if attributes.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    assert blocks[0]["name"] == TITLE and blocks[0]["description"] == SUMMARY
    raw = (hostile_site / "appels/appel-hostile/index.html").read_text(encoding="utf-8")
    assert "</script><script>alert(" not in raw


def test_search_index_holds_the_markup_escaped(hostile_site):
    """The search index is valid JSON and holds no live tag from the call file."""
    index = json.loads((hostile_site / "search/search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        if "appel-hostile" in doc["location"]:
            for value in (doc["title"], doc["text"]):
                for tag in ("<script", "<img", "<svg", "<a href='javascript"):
                    assert tag not in value, (doc["location"], value[:200])


# ---------------------------------------------------------------- data exports and feeds

def test_json_exports_keep_every_string_verbatim(hostile_site):
    """/donnees/appels.json and /donnees/appels/appel-hostile.json: valid JSON, strings byte for byte."""
    single = json.loads((hostile_site / "donnees/appels/appel-hostile.json").read_bytes())
    every = json.loads((hostile_site / "donnees/appels.json").read_bytes())
    listed = [call for call in every["calls"] if call["id"] == "appel-hostile"]
    assert len(listed) == 1
    for call in (single, listed[0]):
        assert call["title"] == TITLE and call["summary"] == SUMMARY
        assert call["source"]["title"] == SOURCE
        assert [theme["label"] for theme in call["themes"]] == [THEME, FORMULA]
        assert call["milestones"][0]["label"] == MILESTONE
        assert call["apply"]["contacts"][0]["email"] == EMAIL


@pytest.mark.parametrize("feed", ["appels/appel-hostile/calendrier.ics", "financeurs/cpam-flandres/calendrier.ics",
                                  "calendrier/tous.ics"])
def test_icalendar_feeds_take_no_line_from_a_string(hostile_site, feed):
    """CRLF and « \\nBEGIN:VEVENT » in a title or label stay inside SUMMARY/DESCRIPTION: no extra event or property."""
    raw = (hostile_site / feed).read_bytes()
    calendar = Calendar.from_ical(raw)
    hostile = [event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith("appel-hostile/")]
    assert len(hostile) == 1
    event = hostile[0]
    assert TITLE.replace("\r\n", "\n") in str(event["SUMMARY"])
    assert MILESTONE in str(event["DESCRIPTION"])
    assert not any("pirate" in str(component.get("UID", "")) or str(component.get("SUMMARY", "")) == "pirate"
                   for component in calendar.walk())
    unfolded = raw.replace(b"\r\n ", b"").split(b"\r\n")
    assert unfolded.count(b"BEGIN:VEVENT") == len(calendar.walk("VEVENT"))
    assert not any(line.startswith((b"UID:pirate", b"SUMMARY:pirate", b"END:VEVENT\\")) for line in unfolded)


def test_atom_feed_is_valid_xml_with_the_strings_as_text(hostile_site):
    """The feed parses; the entry's title and summary are text, not markup."""
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.fromstring((hostile_site / "donnees/appels.atom").read_bytes())
    entries = [entry for entry in root.iter(f"{atom}entry")
               if any(link.get("href", "").endswith("appels/appel-hostile/") for link in entry.iter(f"{atom}link"))]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.find(f"{atom}title").text == TITLE.replace("\r\n", "\n")  # XML reads CRLF as LF
    assert entry.find(f"{atom}summary").text.startswith(SUMMARY)
    assert all(child.tag.startswith(atom) for child in entry.iter())


# ---------------------------------------------------------------- in the browser

# The budget page is checked by test_budget_csv_neutralises_formulas_and_keeps_its_structure.
HOSTILE_PAGES = ["appels/appel-hostile/", "appels/appel-hostile/checklist/", "appels/appel-hostile/eligibilite/",
                 "calendrier/", "calendrier/2030/", "financeurs/cpam-flandres/", ""]
LIVE_MARKUP = """() => ({
  handlers: document.querySelectorAll('[onerror], [onload], [onmouseover], [onclick]').length,
  javascript: document.querySelectorAll('a[href^="javascript:" i]').length,
  images: document.querySelectorAll('img[src="x"], svg[onload]').length,
  scripts: [...document.scripts].filter((s) => s.textContent.includes('alert(') && s.type !== 'application/ld+json').length,
})"""


@pytest.mark.browser
@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_hostile_pages_run_nothing_in_the_browser(hostile_site, serve, new_page, url):
    """No dialog, no injected element or handler in the live DOM (scripts and calculators included), no error."""
    page, log = new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = serve(hostile_site)
    if url.endswith(("budget/", "eligibilite/")):
        open_calculator(page, base + url)
        wait_until(page, "() => document.querySelector('.calc-summary, .calc-verdict__status')?.textContent.trim()")
    else:
        page.goto(base + url, wait_until="networkidle")
    assert page.evaluate(LIVE_MARKUP) == {"handlers": 0, "javascript": 0, "images": 0, "scripts": 0}
    assert dialogs == []
    assert log.errors == []


@pytest.mark.browser
def test_budget_csv_neutralises_formulas_and_keeps_its_structure(hostile_site, serve, new_page, tmp_path):
    """Labels that start like a formula get an apostrophe; ; " and line breaks stay inside their cell."""
    page, log = new_page(accept_downloads=True)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_calculator(page, serve(hostile_site) + "appels/appel-hostile/budget/")
    budget = {"actions": [{"title": "-2+3", "lines": [
        {"category": "personnel", "profession": "medecin", "hours": "6", "hourly_rate": "80", "label": "+cmd|' /C calc'!A0"},
        {"category": "communication", "label": FORMULA, "amount": "100"},
        {"category": "materiel", "label": 'a;b "c"\r\nd\ne', "amount": "50"},
        {"category": "deplacements", "label": "@SUM(1+1)", "amount": "10"},
    ]}], "cofunders": [{"name": COMMAND, "amount": "20", "status": "requested"},
                       {"name": "-1+1", "amount": "5", "status": "obtained"}]}
    path = tmp_path / "budget.json"
    path.write_text(json.dumps(budget), encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(path))
    wait_until(page, "() => /Coût total/.test(document.querySelector('.calc-summary').textContent)")
    with page.expect_download() as download:
        page.locator("[data-action=export-csv]").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    cells = [cell for row in rows for cell in row]

    assert "'" + FORMULA in cells
    assert "'" + COMMAND in cells  # the co-funder, and the rule's reference beside its finding
    assert cells.count("'" + COMMAND) == 2
    assert "'-1+1" in cells
    assert 'a;b "c"\r\nd\ne' in cells  # one cell, whatever it holds
    assert rows[0] == [f"Budget prévisionnel — {TITLE}"]
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")
                 and not re.fullmatch(r"-?[0-9]+(,[0-9]+)?", cell)]
    assert dangerous == []
    assert ["Total du budget demandé", "", "", "640,00", "0,00", "640,00", "0,00"] in rows
    assert all(len(row) <= 7 for row in rows)
    # The page itself, findings with the call's strings on screen: nothing live either.
    assert page.evaluate(LIVE_MARKUP) == {"handlers": 0, "javascript": 0, "images": 0, "scripts": 0}
    assert dialogs == []
    assert log.errors == []


LONG_PAGES = ["appels/appel-long/", "appels/appel-long/checklist/", "appels/appel-long/budget/",
              "appels/appel-long/eligibilite/", "calendrier/", "calendrier/2030/", "financeurs/cpam-flandres/", "",
              "donnees/"]


@pytest.mark.browser
@pytest.mark.parametrize("url", LONG_PAGES)
def test_very_long_words_do_not_widen_the_page_at_320_px(hostile_site, serve, new_page, url):
    """A 500-character title or label wraps: no horizontal scroll at 320 px, calculators' findings shown."""
    page, log = new_page(viewport={"width": 320, "height": 640})
    base = serve(hostile_site)
    if url.endswith("budget/"):
        open_calculator(page, base + url)
        line = page.locator(".calc-section--hours .calc-line:not(.calc-line--header)").first
        line.get_by_label("Intervenant").select_option("medecin")
        line.get_by_label("Heures").fill("6")
        line.get_by_label("Taux horaire (€)").fill("80")
        page.locator("[data-name=title]").first.fill("T" + "w" * 600)
        wait_until(page, "() => /ne respecte/.test(document.querySelector('.calc-summary').textContent)")
    elif url.endswith("eligibilite/"):
        open_calculator(page, base + url)
        page.locator("#elig-q-longue-non").check()
        wait_until(page, "() => document.querySelector('.calc-verdict')?.dataset.verdict === 'not-eligible'")
    else:
        page.goto(base + url, wait_until="networkidle")
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 320, page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 321).slice(0, 5).map((e) => `${e.tagName}.${e.className}`)""")
    assert log.errors == []
