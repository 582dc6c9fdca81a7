// The header's search box (overrides/partials/aap-search.html) over Pagefind's index, which the
// build writes into pagefind/ (macros/search.py). pagefind.js is loaded on first use only, and
// each query fetches only the index fragments of its words: a few dozen kB whatever the number
// of calls. Everything stays on this site: the words typed are looked up in its own files.

const PAGE_SIZE = 8;
const box = document.getElementById("aap-recherche");
const toggle = document.getElementById("__search");

if (box && toggle) {
  const input = box.querySelector(".md-search__input");
  const form = box.querySelector("form");
  const status = box.querySelector(".md-search-result__meta");
  const list = box.querySelector(".md-search-result__list");
  const more = box.querySelector(".aap-search__more");
  const opener = document.querySelector(".aap-search-open");
  const initialStatus = status.textContent;
  const numbers = new Intl.NumberFormat("fr-FR");
  let pagefind = null;
  let sequence = 0;
  let results = [];
  let shown = 0;

  // The site's root, from Material's page configuration (relative, so a sub-path works).
  function siteRoot() {
    const config = JSON.parse(document.getElementById("__config").textContent);
    return new URL(String(config.base || ".").replace(/\/?$/, "/"), window.location.href);
  }

  function load() {
    if (!pagefind) {
      const root = siteRoot();
      performance.mark("recherche:chargement");
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(async (module) => {
        // In the page rather than in Pagefind's worker: one download (41 kB) and one round trip
        // fewer before the first results; a query takes a few milliseconds of the page's time.
        await module.options({ baseUrl: root.pathname, noWorker: true });
        // Fetch the WebAssembly and the index's entry point now, while the visitor types.
        await module.init();
        return module;
      });
      pagefind.catch(() => { pagefind = null; });
    }
    return pagefind;
  }

  function setOpen(open) {
    toggle.checked = open;
    if (opener) opener.setAttribute("aria-expanded", String(open));
    if (open) load().catch(() => {});
  }

  // An excerpt from Pagefind is text with <mark> around the words found: rebuilt node by node
  // from an inert template, so that nothing from the index can become markup.
  function excerpt(htmlText) {
    const template = document.createElement("template");
    template.innerHTML = htmlText;
    const out = document.createElement("p");
    for (const node of template.content.childNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.append(mark);
      } else {
        out.append(document.createTextNode(node.textContent));
      }
    }
    return out;
  }

  function link(url, heading, level, text, icon) {
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = url;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    if (icon) {
      const mark = document.createElement("div");
      mark.className = "md-search-result__icon md-icon";
      article.append(mark);
    }
    const title = document.createElement(level);
    title.textContent = heading;
    article.append(title);
    if (text) article.append(excerpt(text));
    a.append(article);
    return a;
  }

  function describe(count, query) {
    const quoted = `« ${query} »`;
    if (count === 0) return `Aucun résultat pour ${quoted}.`;
    if (count === 1) return `1 résultat pour ${quoted}.`;
    return `${numbers.format(count)} résultats pour ${quoted}.`;
  }

  async function showMore(mine) {
    const slice = results.slice(shown, shown + PAGE_SIZE);
    const data = await Promise.all(slice.map((result) => result.data()));
    if (mine !== sequence) return;
    for (const page of data) {
      const item = document.createElement("li");
      item.className = "md-search-result__item";
      item.append(link(page.url, page.meta.title || page.url, "h1", page.excerpt, true));
      // Up to two other sections of the page that hold the words, each linking to its anchor.
      const sections = (page.sub_results || []).filter((s) => s.url !== page.url && s.excerpt !== page.excerpt);
      for (const section of sections.slice(0, 2)) {
        item.append(link(section.url, section.title, "h2", section.excerpt, false));
      }
      list.append(item);
    }
    shown += slice.length;
    more.hidden = shown >= results.length;
  }

  async function run() {
    const query = input.value.trim();
    const mine = ++sequence;
    list.replaceChildren();
    more.hidden = true;
    results = [];
    shown = 0;
    if (!query) {
      status.textContent = initialStatus;
      return;
    }
    let module;
    try {
      module = await load();
    } catch {
      if (mine === sequence) status.textContent = "La recherche n'a pas pu être chargée : rechargez la page pour réessayer.";
      return;
    }
    const search = await module.search(query);
    if (mine !== sequence) return;
    results = search.results;
    await showMore(mine);
    if (mine === sequence) {
      status.textContent = describe(results.length, query);
      performance.mark("recherche:resultats");  // what benchmarks/build_scale.py times
    }
  }

  function links() {
    return [...list.querySelectorAll(".md-search-result__link")];
  }

  input.addEventListener("focus", () => setOpen(true));
  input.addEventListener("input", () => {
    setOpen(true);
    run();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = links()[0];
    if (first) first.click();
  });
  form.addEventListener("reset", () => {
    setTimeout(() => { run(); input.focus(); });
  });
  more.querySelector("button").addEventListener("click", () => {
    const before = links().length;
    showMore(sequence).then(() => { const next = links()[before]; if (next) next.focus(); });
  });
  box.querySelector(".aap-search__back").addEventListener("click", () => {
    setOpen(false);
    if (opener && opener.offsetParent) opener.focus();
  });
  if (opener) {
    opener.addEventListener("click", () => {
      setOpen(true);
      input.focus();
    });
  }
  // Material's overlay label and its own scripts may change the toggle: keep aria-expanded true to it.
  toggle.addEventListener("change", () => setOpen(toggle.checked));

  box.addEventListener("keydown", (event) => {
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      // The focus goes back where the search started: the magnifier button on a phone, the
      // field itself on a wide screen (closed; typing opens it again).
      (opener && opener.offsetParent ? opener : input).focus();
      setOpen(false);
    } else if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      if (at <= 0) input.focus(); else all[at - 1].focus();
    }
  });
  // Leaving the box with Tab (or a click elsewhere) closes it, as Material's search did.
  box.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !box.contains(event.relatedTarget) && event.relatedTarget !== opener) setOpen(false);
  });
  // A click outside the box closes it (the overlay of a wide screen is part of the box).
  document.addEventListener("click", (event) => {
    if (toggle.checked && event.target instanceof Node && !box.contains(event.target) && !(opener && opener.contains(event.target))) {
      setOpen(false);
    }
  });
  // « / » or « s » anywhere outside a field opens the search, as with Material's search.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (event.key === "/" || event.key === "s") {
      event.preventDefault();
      setOpen(true);
      input.focus();
    }
  });
}
