// « Quels appels pour ma structure ? » — the finder's page script.
//
// Everything it says comes from donnees/trouver.json, written by the build
// (calculators/finder.py): each call's eligibility rules evaluated over the finder's inputs,
// its status steps, its deadlines with their hour. This script only looks the visitor's
// answers up in those tables and lists the calls: no rule is written here. The answers stay
// in the page (URL fragment; localStorage if she asks); nothing is sent.

import { el, plainDraftFragment } from "./calculateurs/common.js";

const form = document.getElementById("trouver");
const finder = form?.closest(".aap-finder");
const MEMORY_KEY = "appels-sante:trouver";
const PAGE = 50;
const GROUPS = [
  ["open", "Ouverts pour vous", true],
  ["upcoming", "À venir pour vous", true],
  ["unpublished", "Date limite non publiée", true],
  ["refused", "Pas pour vous", false],
  ["closed", "Clos", false],
];
const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
  "novembre", "décembre"];

const COLLATOR = new Intl.Collator("fr");

/** The value of the last step started by `day` (steps are `[from, value]` in order, the first from ""). */
function stepAt(steps, day) {
  let value = steps[0][1];
  for (const [from, step] of steps) {
    if (from > day) break;
    value = step;
  }
  return value;
}

/** Results by next deadline (none last), then by title: a collapsed group is sorted when opened. */
function byDeadline(items) {
  return items.sort((a, b) => {
    const x = a.next?.[0] ?? "9999", y = b.next?.[0] ?? "9999";
    return x < y ? -1 : x > y ? 1 : COLLATOR.compare(a.call.title, b.call.title);
  });
}

/** "2025-03-01" → "1er mars 2025" (the wording of calculators.dates.french_date). */
function frenchDate(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return `${day === 1 ? "1er" : day} ${MONTHS[month - 1]} ${year}`;
}

function localToday() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
}

class Finder {
  constructor(index) {
    this.index = index;
    this.root = finder.dataset.root;
    this.departments = new Map(index.departments.map(([code, label, region]) => [code, { label, region }]));
    this.structures = new Map(index.structure_types);
    this.fields = {
      type: form.elements.type, department: form.elements.departement, date: form.elements.date,
      theme: form.elements.theme, funder: form.elements.financeur, memory: form.elements.memoire,
    };
    this.summary = document.getElementById("trouver-resultat");
    this.lists = document.getElementById("trouver-listes");
    this.error = document.getElementById("trouver-departement-erreur");
    this.fillFilters();
    this.restore();
    this.reopen = new Set(history.state?.finderOpen ?? []);
    const scroll = history.state?.finderScroll;
    window.addEventListener("pagehide", () => this.remember());
    form.addEventListener("input", () => this.update());
    form.addEventListener("change", () => this.update());
    // A link with answers (#type=…&dep=…) opened on this page fills the form again; the skip
    // link's #contenu and other anchors are not answers.
    window.addEventListener("hashchange", () => {
      if (!window.location.hash.includes("=")) return;
      this.restore();
      this.update();
    });
    this.update();
    this.reopen.clear();
    if (scroll) requestAnimationFrame(() => window.scrollTo(0, scroll));
    // A department sent from a link (the home page) and not recognised: straight to the field.
    if (this.answers().dep === undefined) this.fields.department.focus();
  }

  /** The groups she opened and where she was, kept in this page's history entry (for « Retour »). */
  remember() {
    const open = [...this.lists.querySelectorAll("details[open]")].map((d) => d.dataset.group);
    history.replaceState({ ...(history.state ?? {}), finderOpen: open, finderScroll: window.scrollY }, "",
      window.location.href);
  }

  fillFilters() {
    const used = new Set(this.index.calls.flatMap((call) => call.topics));
    const topics = this.index.topics.map((label, n) => [n, label]).filter(([n]) => used.has(n))
      .sort((a, b) => a[1].localeCompare(b[1], "fr"));
    for (const [n, label] of topics) this.fields.theme.append(el("option", { value: String(n), text: label }));
    const funders = [...new Set(this.index.calls.flatMap((call) => call.funders))]
      .map((id) => [id, this.index.funders[id] ?? id]).sort((a, b) => a[1].localeCompare(b[1], "fr"));
    for (const [id, label] of funders) this.fields.funder.append(el("option", { value: id, text: label }));
  }

  /** The answers from the fragment (#type=…&dep=…&date=…), else from this browser's memory if kept. */
  restore() {
    let answers = Object.fromEntries(new URLSearchParams(window.location.hash.slice(1)));
    let remembered = false;
    if (!answers.type && !answers.dep) {
      try {
        answers = JSON.parse(localStorage.getItem(MEMORY_KEY) || "{}");
        remembered = Boolean(answers.type || answers.dep);
      } catch {
        answers = {};
      }
    }
    if (answers.type && this.structures.has(answers.type)) this.fields.type.value = answers.type;
    if (answers.dep) {
      const code = String(answers.dep).toUpperCase();
      this.fields.department.value = this.departments.has(code) ? `${code} — ${this.departments.get(code).label}`
        : String(answers.dep); // a name typed on the home page: read like one typed here
    }
    this.fields.date.value = /^\d{4}-\d{2}-\d{2}$/.test(answers.date ?? "") ? answers.date : localToday();
    if (answers.theme) this.fields.theme.value = answers.theme;
    if (answers.financeur) this.fields.funder.value = answers.financeur;
    this.fields.memory.checked = remembered;
  }

  /** "59", "59 — Nord", "nord", "Côtes-d'Armor" → the department code, or null. */
  department() {
    const typed = this.fields.department.value.trim();
    if (!typed) return null;
    const code = typed.split(/\s+[—-]\s+/)[0].toUpperCase();
    const padded = /^\d$/.test(code) ? `0${code}` : code;
    if (this.departments.has(padded)) return padded;
    // A postal code (31000, 97400, 20200) gives its department.
    if (/^\d{5}$/.test(code)) {
      const postal = code.startsWith("97") ? code.slice(0, 3)
        : code.startsWith("20") ? (Number(code.slice(2, 3)) < 2 ? "2A" : "2B") : code.slice(0, 2);
      if (this.departments.has(postal)) return postal;
    }
    // A name, with or without its article (« Réunion » for « La Réunion »), accents and case aside.
    const wanted = fold(typed).replace(/^(la|le|les) /, "");
    for (const [key, { label }] of this.departments) {
      if (fold(label).replace(/^(la|le|les) /, "") === wanted) return key;
    }
    return undefined;
  }

  answers() {
    return {
      type: this.fields.type.value, dep: this.department(), date: this.fields.date.value,
      theme: this.fields.theme.value, financeur: this.fields.funder.value,
    };
  }

  update() {
    const answers = this.answers();
    const unknown = answers.dep === undefined;
    this.error.hidden = !unknown;
    this.error.textContent = unknown
      ? "Département inconnu : tapez son numéro (59, 2A, 971), son nom (Nord) ou un code postal (59140)." : "";
    this.fields.department.setAttribute("aria-invalid", unknown ? "true" : "false");
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(answers)) if (value) params.set(key, value);
    history.replaceState(history.state, "", `${window.location.pathname}${params.size ? `#${params}` : ""}`);
    if (this.fields.memory.checked) localStorage.setItem(MEMORY_KEY, JSON.stringify(answers));
    else localStorage.removeItem(MEMORY_KEY);
    if (!answers.type || !answers.dep || !/^\d{4}-\d{2}-\d{2}$/.test(answers.date)) {
      this.lists.replaceChildren();
      this.summary.textContent = unknown ? "Département inconnu." :
        "Choisissez votre type de structure et votre département pour voir les appels qui vous sont ouverts.";
      return;
    }
    this.show(answers);
  }

  /** What the index says of one call for these answers: its status that day and its verdict. */
  judge(call, answers) {
    const values = { structure_type: answers.type, department: answers.dep, submission_date: answers.date };
    const status = stepAt(call.status, answers.date);
    const missing = new Set(call.base);
    for (const rule of call.rules) {
      let outcome;
      if (rule.steps) outcome = stepAt((rule.by && rule.by[values.department]) || rule.steps, answers.date); // by: a deadline per department
      else if (!rule.in.length) outcome = rule.d;
      else outcome = rule.by[rule.in.map((name) => values[name]).join("|")] ?? rule.d;
      if (outcome === 0) continue;
      if (outcome[0] === 2) {
        let message = this.index.messages[outcome[1]];
        for (const name of rule.in) message = message.replaceAll(this.index.placeholders[name], this.label(name, values[name]));
        return { status, refused: { message, rule } };
      }
      for (const question of outcome[1]) missing.add(question);
    }
    return { status, refused: null, missing: missing.size };
  }

  label(name, value) {
    if (name === "structure_type") return this.structures.get(value);
    if (name === "department") return `${this.departments.get(value).label} (${value})`;
    return frenchDate(value);
  }

  show(answers) {
    const groups = new Map(GROUPS.map(([key]) => [key, []]));
    for (const call of this.index.calls) {
      if (answers.theme && !call.topics.includes(Number(answers.theme))) continue;
      if (answers.financeur && !call.funders.includes(answers.financeur)) continue;
      const verdict = this.judge(call, answers);
      const over = verdict.status === "closed" || verdict.status === "expired";
      const key = over ? "closed" : verdict.refused ? "refused" : verdict.status;
      // A call whose deadlines differ by department: Python listed the applicant's own (deadlines_by, deadlines_other).
      const deadlines = call.deadlines_by?.[answers.dep] ?? (answers.dep && call.deadlines_other) ?? call.deadlines;
      const next = deadlines.find(([day]) => day >= answers.date) ?? null;
      groups.get(groups.has(key) ? key : "unpublished").push({ call, verdict, next });
    }
    const sections = [];
    const counts = [];
    for (const [key, title, expanded] of GROUPS) {
      const items = groups.get(key);
      counts.push(`${title.toLowerCase()} : ${items.length}`);
      const list = el("ul", { class: "aap-results" });
      const heading = `${title} (${items.length})`;
      if (expanded) {
        this.fill(list, byDeadline(items), answers);
        sections.push(el("section", { class: `aap-finder__group aap-finder__group--${key}`, "data-group": key },
          el("h2", { text: heading }), list));
      } else {
        // A collapsed group is built when it is first opened: with thousands of calls most of
        // them are « pas pour vous » or closed, and nobody reads them all.
        const details = el("details", { class: `aap-finder__group aap-finder__group--${key}`, "data-group": key },
          el("summary", {}, el("h2", { text: heading })), list);
        details.addEventListener("toggle", () => {
          if (details.open && !list.childElementCount) this.fill(list, byDeadline(items), answers);
          this.remember();
        });
        if (this.reopen.has(key)) details.open = true; // as she left it, coming back from a link
        sections.push(details);
      }
    }
    sections.push(this.feeds(answers));
    this.lists.replaceChildren(...sections);
    const total = this.index.calls.length;
    this.summary.textContent = `${total} ${total > 1 ? "appels examinés" : "appel examiné"} — ${counts.join(" ; ")}.`;
  }

  /** The first PAGE items of a group, then a button that adds the next ones and moves the focus to them. */
  fill(list, items, answers, from = 0) {
    list.querySelector(".aap-results__more")?.remove();
    if (!items.length) {
      list.append(el("li", { class: "aap-empty", text: "Aucun." }));
      return;
    }
    const shown = items.slice(from, from + PAGE).map((item) => this.item(item, answers));
    list.append(...shown);
    const rest = items.length - from - PAGE;
    if (rest > 0) {
      const button = el("button", { type: "button", class: "md-button", text: `Afficher ${Math.min(rest, PAGE)} de plus (${rest} non affichés)` });
      button.addEventListener("click", () => {
        this.fill(list, items, answers, from + PAGE);
        list.children[from + PAGE]?.querySelector("a")?.focus();
      });
      list.append(el("li", { class: "aap-results__more" }, button));
    }
  }

  item({ call, verdict, next }, answers) {
    const funders = call.funders.map((id) => this.index.funders[id] ?? id).join(", ");
    const status = el("span", { class: `aap-badge aap-badge--${verdict.status}`, text: this.index.status_labels[verdict.status] });
    const parts = [
      el("h3", {}, el("a", { href: `${this.root}appels/${call.id}/`, text: call.title })),
      el("p", { class: "aap-result__meta" }, `${funders} · `, status),
    ];
    if (next) {
      const days = Math.round((Date.parse(`${next[0]}T00:00:00Z`) - Date.parse(`${answers.date}T00:00:00Z`)) / 86400000);
      parts.push(el("p", { class: "aap-result__deadline" }, "Date limite : ", el("strong", { text: next[1] }),
        ` (${days === 0 ? "dernier jour" : `J-${days}`})`));
    } else if (call.informed) {
      parts.push(el("p", { class: "aap-result__deadline", text: `Date limite non publiée, ${call.informed}.` }));
    }
    if (verdict.refused) {
      const { message, rule } = verdict.refused;
      const reference = rule.href ? el("a", { href: `${this.root}${rule.href}`, text: rule.ref }) : rule.ref;
      parts.push(el("p", { class: "aap-result__refusal" }, message, " ", el("span", { class: "aap-ref" }, "(", reference, ")")));
    } else {
      const text = verdict.missing ? `${verdict.missing} ${verdict.missing > 1 ? "points" : "point"} à vérifier`
        : "Éligible sur ces critères";
      parts.push(el("p", { class: `aap-result__verdict${verdict.missing ? "" : " aap-result__verdict--ok"}`, text }));
    }
    if (call.checker) {
      const draft = { structure_type: answers.type, department: answers.dep, submission_date: answers.date };
      parts.push(el("p", {}, el("a", {
        href: `${this.root}appels/${call.id}/eligibilite/#${plainDraftFragment(draft)}`,
        text: verdict.missing ? "Répondre aux questions restantes" : "Vérifier mon éligibilité en détail",
      })));
    }
    return el("li", { class: "aap-result", "data-call": call.id }, parts);
  }

  feeds(answers) {
    const region = this.departments.get(answers.dep)?.region;
    if (!region) return "";
    const base = `${this.root}trouver/flux/${answers.type}/${region}`;
    const who = `${this.structures.get(answers.type)}, ${this.index.regions[region]}`;
    return el("p", { class: "aap-finder__feeds" }, `Recevoir les nouveaux appels pour ce profil (${who}) : `,
      el("a", { href: `${base}.atom`, text: "flux Atom" }), " · ",
      el("a", { href: `${base}.ics`, text: "agenda iCalendar" }), ".");
  }
}

if (finder) {
  fetch(finder.dataset.index)
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then((index) => { window.appelsTrouver = new Finder(index); finder.dataset.state = "ready"; })
    .catch(() => {
      document.getElementById("trouver-resultat").textContent =
        "La liste des appels n'a pas pu être chargée. Rechargez la page ; sinon, consultez la page Calendrier.";
      finder.dataset.state = "error";
    });
}
