// Budget simulator, mounted in <div id="calculateur" data-kind="budget" data-call="…">.
//
// Laid out like the budget table of the calls' annexes: actions; in each action, lines by
// category (human means, equipment, communication, training, other); columns « demandé au
// financeur (1) », « cofinancements (2) », « total (1+2) »; then the co-funders and totals.
// Every figure, total and finding comes from the Python calculators (runtime.js); this file
// only keeps the draft, sends it as typed and shows what comes back.

import { evaluateDetailed, mountStatus, preload } from "./runtime.js";
import {
  clearDraftFragment, copyText, debounce, download, draftFromFragment, el, findingElement, formatEuros,
  formatShare, frenchDecimal, latestOnly, linkWithDraft, loadCallData, readFile, rulesById, storage, uniqueId,
} from "./common.js";

const STORAGE_PREFIX = "appels-sante:budget:";
/**
 * Lines of a section shown at first, then at each « Afficher … lignes de plus ». An imported
 * budget of thousands of lines would otherwise build hundreds of thousands of fields in one
 * go and freeze the page for seconds; the totals and findings always cover every line.
 */
const LINES_PER_PAGE = 50;
/** Findings about lines not shown yet, listed in the results before « … et N autres ». */
const HIDDEN_FINDINGS_LISTED = 20;
/** Items listed per kind of problem in the results (« … et N autres » beyond). */
const PROBLEMS_LISTED = 100;
/** Lines per section in the printed summary; the CSV export has them all. */
const PRINTED_LINES_PER_SECTION = 30;
const DRAFT_FORMAT = 1;
const LINE_FIELDS = ["category", "profession", "label", "hours", "hourly_rate", "amount", "funder", "in_kind"];

const SECTIONS = [
  { id: "personnel", title: "Moyens humains", categories: ["personnel"],
    hint: "Nombre d'heures d'intervention et qualification de l'intervenant (vacation ou salarié, institution d'origine). Exemple : 6 ateliers d'une heure par un médecin = 6 h × 75 €." },
  { id: "materiel", title: "Moyens matériels", categories: ["materiel"], hint: "Type et quantité." },
  { id: "communication", title: "Communication", categories: ["communication"],
    hint: "Conception, impression, diffusion : une ligne par poste, prix TTC." },
  { id: "formation", title: "Formation", categories: ["formation"], hint: "" },
  { id: "autres", title: "Autres postes", categories: null, hint: "Déplacements, location de salle, coordination…" },
];
const SECTION_OF = { personnel: "personnel", materiel: "materiel", communication: "communication", formation: "formation" };
const sectionOf = (category) => SECTION_OF[category] ?? "autres";

/** « 1 point », « 3 points »: a count and its noun (plural with an s unless given). */
const count = (n, noun, plural = `${noun}s`) => `${n.toLocaleString("fr-FR")} ${n > 1 ? plural : noun}`;

/**
 * What the call's rules say on some lines (calculators.rules.budget.line_notes), written into
 * the page by the build: [{category, profession, text, rule, reference}].
 */
function readFields() {
  try {
    return JSON.parse(document.getElementById("calc-champs")?.textContent ?? "{}");
  } catch {
    return {};
  }
}

function readLineNotes() {
  try {
    return JSON.parse(document.getElementById("calc-notes-lignes")?.textContent ?? "[]");
  } catch {
    return [];
  }
}

let keyCounter = 0;
const newKey = (prefix) => `${prefix}${(keyCounter += 1)}`;

const text = (value) => (value === null || value === undefined ? "" : String(value));

const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
/**
 * « 28 février 2026 », « 1er mars 2026 »: the date of the printed summary. Written by hand: the
 * first Intl.DateTimeFormat of a page loads locale data, a main-thread task of tens of
 * milliseconds just after the first result.
 */
const printDate = (date) => `${date.getDate() === 1 ? "1er" : date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}`;

function blankLine(category) {
  return { key: newKey("l"), category, profession: "", label: "", hours: "", hourly_rate: "", amount: "", funder: "", in_kind: false };
}
function blankAction() {
  return { key: newKey("a"), title: "", lines: [] };
}
function blankCofunder() {
  return { key: newKey("c"), name: "", amount: "", status: "requested", public: "" };
}
function emptyDraft() {
  const action = blankAction();
  action.lines.push(blankLine("personnel"));
  return { actions: [action], cofunders: [] };
}

/** Accept the calculators' input JSON (or a saved draft) and make an editable draft of it. */
function draftFromData(data) {
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("un objet JSON avec une liste « actions » est attendu");
  const actions = data.actions ?? [];
  const cofunders = data.cofunders ?? [];
  if (!Array.isArray(actions) || !Array.isArray(cofunders)) throw new Error("« actions » et « cofunders » doivent être des listes");
  return {
    actions: actions.map((item) => {
      const action = blankAction();
      action.title = text(item?.title);
      for (const lineData of Array.isArray(item?.lines) ? item.lines : []) {
        const line = blankLine(text(lineData?.category) || "autre");
        for (const name of LINE_FIELDS) {
          if (name === "category" || lineData?.[name] === undefined || lineData?.[name] === null) continue;
          line[name] = name === "in_kind" ? lineData[name] === true : text(lineData[name]);
        }
        action.lines.push(line);
      }
      if (!action.lines.length) action.lines.push(blankLine("personnel")); // somewhere to type
      sortLines(action);
      return action;
    }),
    cofunders: cofunders.map((item) => {
      const cofunder = blankCofunder();
      cofunder.name = text(item?.name);
      cofunder.amount = text(item?.amount);
      cofunder.status = item?.status === "obtained" ? "obtained" : "requested";
      cofunder.public = item?.public === true ? "oui" : item?.public === false ? "non" : "";
      return cofunder;
    }),
  };
}

/** Lines in the order of the sections, as displayed (stable within a section). */
function sortLines(action) {
  const order = Object.fromEntries(SECTIONS.map((section, index) => [section.id, index]));
  action.lines = action.lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => order[sectionOf(a.line.category)] - order[sectionOf(b.line.category)] || a.index - b.index)
    .map(({ line }) => line);
}

const isBlank = (line) => ["hours", "hourly_rate", "amount", "funder"].every((name) => line[name].trim() === "");

/**
 * The calculators' input for the draft, as typed, and where each sent item comes from:
 * fully blank lines and co-funders are left out, so `map` turns Python's indexes back into
 * the draft's keys.
 */
function buildInput(draft) {
  const input = { actions: [], cofunders: [] };
  const map = { actions: [], cofunders: [] };
  for (const action of draft.actions) {
    const lines = [];
    const keys = [];
    for (const line of action.lines) {
      if (isBlank(line)) continue;
      const item = { category: line.category };
      const put = (name) => {
        if (line[name].trim() !== "") item[name] = line[name];
      };
      if (line.category === "personnel") {
        if (line.profession) item.profession = line.profession;
        put("hours");
        put("hourly_rate");
      }
      put("amount");
      put("label");
      if (line.in_kind) item.in_kind = true;
      else put("funder");
      lines.push(item);
      keys.push(line.key);
    }
    input.actions.push(action.title.trim() ? { title: action.title, lines } : { lines });
    map.actions.push({ key: action.key, lines: keys });
  }
  for (const cofunder of draft.cofunders) {
    if (!cofunder.name.trim() && !cofunder.amount.trim()) continue;
    const item = { amount: cofunder.amount, status: cofunder.status };
    if (cofunder.public) item.public = cofunder.public === "oui";
    if (cofunder.name.trim()) item.name = cofunder.name;
    input.cofunders.push(item);
    map.cofunders.push(cofunder.key);
  }
  return { input, map };
}

/** The draft as the calculators' input JSON (blank lines kept out), for export and links. */
function exportable(draft) {
  return buildInput(draft).input;
}

// ---------------------------------------------------------------------------- the simulator

class BudgetSimulator {
  constructor(mount, callId, vocabulary, call) {
    this.mount = mount;
    this.callId = callId;
    this.vocabulary = vocabulary;
    this.call = call;
    this.rules = rulesById(call);
    const notes = readLineNotes();
    // Python's notes: "note" under a line's category or profession, "cap" beside its hourly rate.
    this.lineNotes = notes.filter((note) => (note.slot ?? "note") === "note");
    this.caps = notes.filter((note) => note.slot === "cap");
    // The inputs the call's rules read beyond lines and co-funders' amounts (Python's Field list).
    this.ruleFields = new Set(Object.values(readFields()).flat().map((field) => field.name));
    this.storageKey = STORAGE_PREFIX + callId;
    this.draft = emptyDraft();
    this.refs = new Map(); // key → {row, inputs: Map(name → element), outputs, notes}
    this.shown = new Map(); // `${action key}:${section id}` → how many of its first lines are shown
    this.pinned = new Set(); // keys of lines shown whatever their rank (added, or holding an input error)
    this.more = new Map(); // `${action key}:${section id}` → its « Afficher … de plus » button
    this.sequence = 0;
    this.last = null; // {result, details, map, draftKeys}
    // Recalculate on every input (Python answers in a few ms); see latestOnly.
    this.schedule = latestOnly(() => this.evaluate());
    this.saveSoon = debounce(() => this.save(), 300);
  }

  // -------------------------------------------------------------- draft lifecycle

  async restore() {
    let fromLink = null;
    try {
      fromLink = await draftFromFragment();
    } catch {
      this.say("Le lien ne contient pas un brouillon lisible ; le brouillon enregistré dans ce navigateur est affiché.");
    }
    const saved = storage.read(this.storageKey);
    if (fromLink) {
      try {
        this.draft = draftFromData(fromLink);
        if (saved?.draft) storage.write(`${this.storageKey}:precedent`, saved);
        this.say("Brouillon chargé depuis le lien.", saved?.draft ? { label: "Revenir à mon brouillon précédent", run: () => this.restorePrevious() } : null);
        clearDraftFragment();
        this.save();
        return;
      } catch (error) {
        this.say(`Le lien ne contient pas un budget lisible (${error.message}).`);
      }
    }
    if (saved?.format === DRAFT_FORMAT && saved.draft) {
      try {
        this.draft = draftFromData(saved.draft);
      } catch {
        this.draft = emptyDraft();
      }
    }
  }

  restorePrevious() {
    const previous = storage.read(`${this.storageKey}:precedent`);
    if (!previous?.draft) return;
    this.draft = draftFromData(previous.draft);
    storage.remove(`${this.storageKey}:precedent`);
    this.renderForm();
    this.changed();
    this.say("Brouillon précédent rétabli.");
  }

  save() {
    const ok = storage.write(this.storageKey, { format: DRAFT_FORMAT, saved: new Date().toISOString(), draft: exportable(this.draft) });
    this.savedNote.textContent = ok
      ? "Brouillon enregistré dans ce navigateur."
      : "Ce navigateur n'autorise pas l'enregistrement : exportez le budget pour le garder.";
  }

  changed() {
    this.sequence += 1; // an answer to an older draft is not shown (evaluate)
    this.saveSoon();
    this.schedule();
  }

  find(key) {
    for (const action of this.draft.actions) {
      if (action.key === key) return { action };
      const line = action.lines.find((item) => item.key === key);
      if (line) return { action, line };
    }
    const cofunder = this.draft.cofunders.find((item) => item.key === key);
    return cofunder ? { cofunder } : {};
  }

  // -------------------------------------------------------------- rendering

  build() {
    this.mount.replaceChildren();
    this.mount.classList.add("calc", "calc--budget");
    document.documentElement.classList.add("calc-active");
    const statusBox = el("div");
    this.messages = el("div", { class: "calc-messages", role: "status", "aria-live": "polite" });
    this.savedNote = el("p", { class: "calc-saved" });
    this.form = el("form", { class: "calc-form", novalidate: true, "aria-label": "Budget prévisionnel" });
    this.form.addEventListener("submit", (event) => event.preventDefault());
    this.actionsBox = el("div", { class: "calc-actions" });
    this.cofundersBox = el("div", { class: "calc-cofunders" });
    this.results = this.buildResults();
    this.bar = this.buildBar();
    this.printBox = el("div", { class: "calc-print", "aria-hidden": "true" });
    this.form.append(
      this.actionsBox,
      el("p", {}, el("button", { type: "button", class: "calc-button", dataset: { action: "add-action" }, text: "Ajouter une action" })),
      this.cofundersBox,
    );
    this.mount.append(statusBox, this.buildToolbar(), this.messages, this.form, this.bar, this.results, this.savedNote, this.printBox);
    mountStatus(statusBox, "Les règles de l'appel restent consultables plus bas sur cette page.");
    this.form.addEventListener("input", (event) => this.onInput(event));
    this.form.addEventListener("change", (event) => this.onInput(event));
    this.mount.addEventListener("click", (event) => this.onClick(event));
    // The summary bar sticks to the bottom of the window: a field given the focus under it
    // (by Tab, or a tap near the bottom of a phone's screen) is scrolled just above it.
    this.form.addEventListener("focusin", (event) => this.keepAboveBar(event.target));
    this.form.addEventListener("input", (event) => this.keepAboveBar(event.target)); // typing after scrolling it under
  }

  /**
   * The compact summary kept in view while editing (calculateurs.css: sticky at the bottom
   * of the window, on every width): cost, amount asked, number of problems and a link to
   * their list. Not a live region: the full summary in the results is the one announced.
   */
  buildBar() {
    this.barCost = el("strong", { text: "—" });
    this.barFunder = el("strong", { text: "—" });
    this.barProblems = el("span", { class: "calc-bar__problems" });
    this.barLink = el("a", { href: "#calc-problemes", class: "calc-bar__link", dataset: { goto: "calc-problemes" }, text: "Voir la liste" });
    return el("div", { class: "calc-bar", role: "region", "aria-label": "Résumé du budget" },
      el("span", { class: "calc-bar__figure" }, "Coût total ", this.barCost),
      el("span", { class: "calc-bar__figure" }, "Demandé ", this.barFunder),
      this.barProblems, this.barLink);
  }

  keepAboveBar(target) {
    if (!this.bar || !target?.getBoundingClientRect) return;
    const bar = this.bar.getBoundingClientRect();
    const field = target.getBoundingClientRect();
    if (bar.top < window.innerHeight && field.bottom > bar.top - 8) window.scrollBy(0, field.bottom - bar.top + 16);
  }

  /** Write the bar's figures and count; only what changed is touched. */
  updateBar(cost, funder, problems, empty) {
    const set = (node, value) => {
      if (node.textContent !== value) node.textContent = value;
    };
    set(this.barCost, cost);
    set(this.barFunder, funder);
    set(this.barProblems, empty ? "" : problems ? `${count(problems, "problème")} à revoir` : "Aucun problème relevé");
    set(this.barLink, problems ? "Voir la liste" : "Voir le détail");
    this.barLink.dataset.goto = problems ? "calc-problemes" : "calc-results-title";
    this.barLink.setAttribute("href", `#${this.barLink.dataset.goto}`);
    this.bar.dataset.problems = String(problems);
  }

  buildToolbar() {
    const file = el("input", { type: "file", accept: "application/json,.json", class: "calc-offscreen", id: uniqueId("import"), tabindex: "-1",
      "aria-label": "Fichier JSON du budget à importer" }); // opened by the « Importer un JSON » button
    file.addEventListener("change", () => this.importFile(file));
    this.importInput = file;
    const button = (action, label) => el("button", { type: "button", class: "calc-button calc-button--tool", dataset: { action }, text: label });
    return el("div", { class: "calc-toolbar", role: "group", "aria-label": "Enregistrer, partager, imprimer" },
      button("copy-link", "Copier le lien"),
      button("export-csv", "Exporter en CSV"),
      button("export-json", "Exporter en JSON"),
      button("import-json", "Importer un JSON"),
      button("print", "Imprimer"),
      button("reset", "Recommencer"),
      file);
  }

  buildResults() {
    const box = el("section", { class: "calc-results", "aria-labelledby": "calc-results-title" });
    this.summary = el("p", { class: "calc-summary", role: "status", "aria-live": "polite" });
    this.problems = el("div", { class: "calc-problems", id: "calc-problemes", tabindex: "-1", "aria-label": "Points à revoir" });
    this.budgetFindings = el("div", { class: "calc-findings", id: "calc-budget-findings" });
    this.totals = el("div", { class: "calc-totals" });
    box.append(el("h3", { id: "calc-results-title", tabindex: "-1", text: "Total du budget et vérification des règles" }),
      this.summary, this.problems, this.budgetFindings, this.totals);
    return box;
  }

  renderForm() {
    this.refs.clear();
    this.more.clear();
    this.actionsBox.replaceChildren(...this.draft.actions.map((action, index) => this.renderAction(action, index)));
    this.renderCofunders();
    if (this.last) this.showResult(this.last);
  }

  renderAction(action, index) {
    const number = index + 1;
    const titleId = `${action.key}-titre`;
    const section = el("section", { class: "calc-action", "aria-labelledby": titleId, dataset: { key: action.key } });
    const title = el("input", { type: "text", autocomplete: "off", dataset: { key: action.key, name: "title", field: `actions[${index}].title` } });
    title.value = action.title;
    const notes = el("div", { class: "calc-notes", id: `${action.key}-notes` });
    section.append(
      el("div", { class: "calc-action__head" },
        el("h3", { id: titleId, text: `Action n° ${number}` }),
        el("button", { type: "button", class: "calc-button calc-button--remove", dataset: { action: "remove-action", key: action.key },
          "aria-label": `Supprimer l'action n° ${number}`, text: "Supprimer l'action" })),
      el("label", { class: "calc-field calc-field--title" }, el("span", { class: "calc-field__label", text: "Intitulé de l'action" }), title),
      notes,
    );
    this.refs.set(action.key, { row: section, inputs: new Map([["title", title]]), notes, outputs: {} });
    for (const sectionInfo of SECTIONS) {
      const lines = action.lines.filter((line) => sectionOf(line.category) === sectionInfo.id);
      const headingId = `${action.key}-${sectionInfo.id}`;
      const block = el("div", { class: `calc-section calc-section--${sectionInfo.id === "personnel" ? "hours" : "amount"}`, role: "group", "aria-labelledby": headingId });
      block.append(el("h4", { id: headingId, text: `${sectionInfo.title} — action n° ${number}` }));
      if (sectionInfo.hint) block.append(el("p", { class: "calc-hint", text: sectionInfo.hint }));
      if (lines.length) block.append(this.renderHeader(sectionInfo));
      const first = this.shown.get(`${action.key}:${sectionInfo.id}`) ?? LINES_PER_PAGE;
      lines.forEach((line, position) => {
        if (position < first) block.append(this.renderLine(action, index, line, position, sectionInfo));
      });
      if (lines.length > first) {
        const more = el("button", { type: "button", class: "calc-button calc-button--more", dataset: { action: "more-lines", key: action.key, section: sectionInfo.id } });
        this.more.set(`${action.key}:${sectionInfo.id}`, more);
        block.append(more);
        lines.forEach((line, position) => {
          if (position >= first && this.pinned.has(line.key)) block.append(this.renderLine(action, index, line, position, sectionInfo));
        });
        this.updateMore(action, sectionInfo);
      }
      block.append(el("button", { type: "button", class: "calc-button calc-button--add", dataset: { action: "add-line", key: action.key, section: sectionInfo.id },
        text: `Ajouter une ligne « ${sectionInfo.title} »`, "aria-label": `Ajouter une ligne « ${sectionInfo.title} » à l'action n° ${number}` }));
      section.append(block);
    }
    return section;
  }

  /** The « Afficher 50 lignes de plus » button of a section, or its removal once all are shown. */
  updateMore(action, sectionInfo) {
    const id = `${action.key}:${sectionInfo.id}`;
    const more = this.more.get(id);
    if (!more) return;
    const hidden = action.lines.filter((line) => sectionOf(line.category) === sectionInfo.id && !this.refs.has(line.key)).length;
    if (!hidden) {
      more.remove();
      this.more.delete(id);
      return;
    }
    const next = Math.min(hidden, LINES_PER_PAGE);
    more.textContent = `Afficher ${next} ligne${next > 1 ? "s" : ""} de plus (${hidden.toLocaleString("fr-FR")} non affichée${hidden > 1 ? "s" : ""})`;
    more.setAttribute("aria-label", `${more.textContent}, ${sectionInfo.title.toLowerCase()}, action n° ${this.draft.actions.indexOf(action) + 1}`);
  }

  /** Show the next lines of a section, in place, and move the focus to the first of them. */
  showMoreLines(actionKey, sectionId) {
    const { action } = this.find(actionKey);
    const sectionInfo = SECTIONS.find((item) => item.id === sectionId);
    const more = this.more.get(`${actionKey}:${sectionId}`);
    if (!action || !sectionInfo || !more) return;
    const index = this.draft.actions.indexOf(action);
    const lines = action.lines.filter((line) => sectionOf(line.category) === sectionId);
    const from = this.shown.get(`${actionKey}:${sectionId}`) ?? LINES_PER_PAGE;
    const to = Math.min(lines.length, from + LINES_PER_PAGE);
    this.shown.set(`${actionKey}:${sectionId}`, to);
    const rows = document.createDocumentFragment();
    for (let position = from; position < to; position += 1) {
      const line = lines[position];
      rows.append(this.refs.get(line.key)?.row ?? this.renderLine(action, index, line, position, sectionInfo)); // a pinned row moves into place
    }
    more.before(rows);
    this.updateMore(action, sectionInfo);
    if (this.last) this.showResult(this.last);
    this.focus(lines[from].key);
    this.say(`Lignes ${from + 1} à ${to} affichées (${sectionInfo.title.toLowerCase()}, action n° ${index + 1}).`);
  }

  renderHeader(sectionInfo) {
    const cells = sectionInfo.id === "personnel"
      ? ["Intervenant", "Heures", "Taux horaire", "Précisions"]
      : sectionInfo.id === "autres" ? ["Poste", "Nature de la dépense"] : ["Nature de la dépense"];
    return el("div", { class: "calc-line calc-line--header", "aria-hidden": "true" },
      el("div", { class: "calc-line__fields" }, cells.map((cell) => el("span", { text: cell }))),
      el("div", { class: "calc-line__money" },
        el("span", { text: "Demandé au financeur (1)" }), el("span", { text: "Cofinancements (2)" }), el("span", { text: "Total (1+2)" })),
      el("span", { text: "En nature" }), el("span"));
  }

  field(line, name, label, attributes = {}, describedBy = []) {
    const id = `${line.key}-${name}`;
    const input = el("input", { type: "text", id, autocomplete: "off", ...attributes, dataset: { key: line.key, name } });
    input.value = line[name];
    if (describedBy.length) input.setAttribute("aria-describedby", describedBy.join(" "));
    input.dataset.describedby = describedBy.join(" ");
    return [el("label", { class: `calc-field calc-field--${name}`, for: id }, el("span", { class: "calc-field__label", text: label })), input];
  }

  select(line, name, label, options) {
    const id = `${line.key}-${name}`;
    const select = el("select", { id, dataset: { key: line.key, name, describedby: "" } },
      options.map(([value, optionLabel]) => el("option", { value, text: optionLabel })));
    if (!options.some(([value]) => value === line[name])) {
      select.append(el("option", { value: line[name], text: `${line[name]} (inconnu)` }));
    }
    select.value = line[name];
    return [el("label", { class: `calc-field calc-field--${name}`, for: id }, el("span", { class: "calc-field__label", text: label })), select];
  }

  wrap(pair) {
    return el("div", { class: "calc-cell" }, ...pair);
  }

  renderLine(action, actionIndex, line, position, sectionInfo) {
    const inputs = new Map();
    const row = el("div", { class: "calc-line", role: "group", dataset: { key: line.key },
      "aria-label": `Action n° ${actionIndex + 1}, ${sectionInfo.title.toLowerCase()}, ligne ${position + 1}` });
    const fields = el("div", { class: "calc-line__fields" });
    const keep = (pair) => {
      inputs.set(pair[1].dataset.name, pair[1]);
      return this.wrap(pair);
    };
    if (sectionInfo.id === "personnel") {
      const professions = [["", "— choisir —"], ...Object.entries(this.vocabulary.professions)];
      const capId = `${line.key}-plafond`;
      const cap = el("span", { class: "calc-cap", id: capId, text: this.capText(line.profession) });
      fields.append(
        keep(this.select(line, "profession", "Intervenant", professions)),
        keep(this.field(line, "hours", "Heures", { inputmode: "decimal" })),
        el("div", { class: "calc-cell" }, ...this.field(line, "hourly_rate", "Taux horaire (€)", { inputmode: "decimal" }, this.caps.length ? [capId] : []), this.caps.length ? cap : null),
        keep(this.field(line, "label", "Précisions", { placeholder: "vacation ou salarié, institution" })),
      );
      inputs.set("hourly_rate", fields.querySelector(`[data-name="hourly_rate"]`));
      this.capRefs ??= new Map();
      this.capRefs.set(line.key, cap);
    } else {
      if (sectionInfo.id === "autres") {
        const categories = Object.entries(this.vocabulary.expense_categories).filter(([id]) => sectionOf(id) === "autres");
        fields.append(keep(this.select(line, "category", "Poste", categories)));
      }
      fields.append(keep(this.field(line, "label", "Nature de la dépense")));
    }
    const money = el("div", { class: "calc-line__money" });
    const funder = this.field(line, "funder", "Demandé au financeur (1)", { inputmode: "decimal", placeholder: line.in_kind ? "0" : "= total", disabled: line.in_kind });
    inputs.set("funder", funder[1]);
    const cofunding = el("output", { class: "calc-figure", id: `${line.key}-cofinancement`, text: "—" });
    const cost = el("output", { class: "calc-figure", id: `${line.key}-total`, text: "—" });
    money.append(this.wrap(funder),
      el("div", { class: "calc-cell" }, el("span", { class: "calc-field__label", text: "Cofinancements (2)" }), cofunding));
    if (sectionInfo.id === "personnel") {
      money.append(el("div", { class: "calc-cell" }, el("span", { class: "calc-field__label", text: "Total (1+2)" }), cost));
    } else {
      const amount = this.field(line, "amount", "Total (1+2) en €", { inputmode: "decimal" });
      inputs.set("amount", amount[1]);
      money.append(this.wrap(amount));
    }
    const inKindId = `${line.key}-in_kind`;
    const inKind = el("input", { type: "checkbox", id: inKindId, checked: line.in_kind, dataset: { key: line.key, name: "in_kind", describedby: "" } });
    inputs.set("in_kind", inKind);
    const notes = el("div", { class: "calc-notes", id: `${line.key}-notes` });
    // What the call's rules say about this kind of line (coordination…), beside the choice that decides it.
    const lineNote = el("div", { class: "calc-line-note", id: `${line.key}-note` });
    const chooser = inputs.get("profession") ?? inputs.get("category");
    if (chooser) {
      chooser.dataset.describedby = lineNote.id;
      chooser.setAttribute("aria-describedby", lineNote.id);
    }
    this.showLineNote(line, lineNote);
    row.append(fields, money,
      el("div", { class: "calc-cell calc-cell--check" }, inKind, el("label", { for: inKindId, text: "Contribution en nature" })),
      el("div", { class: "calc-cell calc-cell--remove" },
        el("button", { type: "button", class: "calc-button calc-button--remove", dataset: { action: "remove-line", key: line.key },
          "aria-label": `Supprimer la ligne ${position + 1} (${sectionInfo.title.toLowerCase()}, action n° ${actionIndex + 1})`, text: "Supprimer" })),
      lineNote, notes);
    this.refs.set(line.key, { row, inputs, notes, lineNote, outputs: { cost, cofunding } });
    return row;
  }

  /** The note of the call's rules for this line's category and profession, if any (text from Python). */
  showLineNote(line, node) {
    const matches = this.lineNotes.filter((note) => note.category === line.category && (note.profession === null || note.profession === line.profession));
    const note = matches.find((item) => item.profession !== null) ?? matches[0];
    if (!note) {
      node.replaceChildren();
      return;
    }
    const rule = this.rules.get(note.rule);
    node.replaceChildren(el("p", {}, el("strong", { text: "À savoir : " }), note.text),
      el("p", { class: "calc-line-note__reference" }, rule ? `${rule.label} — ` : "", "Référence : ", el("cite", { text: note.reference })));
  }

  /** The hourly cap Python states for this profession (or, before one is chosen, that it depends on it). */
  capText(profession) {
    const note = this.caps.find((item) => item.profession === (profession || null)) ?? this.caps.find((item) => item.profession === null);
    return note?.text ?? "";
  }

  renderCofunders() {
    const rows = this.draft.cofunders.map((cofunder, index) => {
      const inputs = new Map();
      const name = this.field(cofunder, "name", "Nom du cofinanceur");
      const amount = this.field(cofunder, "amount", "Montant (€)", { inputmode: "decimal" });
      const status = this.select(cofunder, "status", "Statut", [["requested", "Sollicité"], ["obtained", "Obtenu"]]);
      inputs.set("name", name[1]).set("amount", amount[1]).set("status", status[1]);
      // Asked only when a rule of the call reads it (public funding share).
      const isPublic = this.ruleFields.has("cofunders.public")
        ? this.select(cofunder, "public", "Financeur public ?", [["", "Je ne sais pas"], ["oui", "Oui (État, collectivité, CAF…)"], ["non", "Non (fondation, entreprise…)"]])
        : null;
      if (isPublic) inputs.set("public", isPublic[1]);
      const notes = el("div", { class: "calc-notes", id: `${cofunder.key}-notes` });
      const row = el("div", { class: "calc-line calc-line--cofunder", role: "group", "aria-label": `Cofinanceur ${index + 1}`, dataset: { key: cofunder.key } },
        el("div", { class: "calc-line__fields" }, this.wrap(name), this.wrap(amount), this.wrap(status), isPublic ? this.wrap(isPublic) : null),
        el("div", { class: "calc-cell calc-cell--remove" },
          el("button", { type: "button", class: "calc-button calc-button--remove", dataset: { action: "remove-cofunder", key: cofunder.key },
            "aria-label": `Supprimer le cofinanceur ${index + 1}`, text: "Supprimer" })),
        notes);
      this.refs.set(cofunder.key, { row, inputs, notes, outputs: {} });
      return row;
    });
    this.cofundersBox.replaceChildren(
      el("h3", { text: "Cofinancements du projet" }),
      el("p", { class: "calc-hint", text: "Les autres financeurs sollicités ou ayant accordé un financement, pour la part des lignes qui n'est pas demandée au financeur de cet appel (hors contributions en nature)." }),
      ...rows,
      el("button", { type: "button", class: "calc-button calc-button--add", dataset: { action: "add-cofunder" }, text: "Ajouter un cofinanceur" }),
    );
  }

  // -------------------------------------------------------------- events

  onInput(event) {
    const target = event.target;
    const { key, name } = target.dataset ?? {};
    if (!key || !name) return;
    const found = this.find(key);
    const item = found.line ?? found.cofunder ?? found.action;
    if (!item) return;
    const value = target.type === "checkbox" ? target.checked : target.value;
    if (item[name] === value) return;
    item[name] = value;
    if (found.line && name === "in_kind") {
      const funder = this.refs.get(key)?.inputs.get("funder");
      if (funder) {
        funder.disabled = value;
        funder.placeholder = value ? "0" : "= total";
      }
    }
    if (found.line && name === "profession") {
      const cap = this.capRefs?.get(key);
      if (cap) cap.textContent = this.capText(value);
    }
    if (found.line && (name === "profession" || name === "category")) {
      const note = this.refs.get(key)?.lineNote;
      if (note) this.showLineNote(found.line, note);
    }
    this.changed();
  }

  onClick(event) {
    const link = event.target.closest("a[data-goto]");
    if (link && this.mount.contains(link)) {
      event.preventDefault();
      this.goTo(link.dataset);
      return;
    }
    const button = event.target.closest("button[data-action]");
    if (!button || !this.mount.contains(button)) return;
    const { action: what, key, section } = button.dataset;
    const handlers = {
      "add-action": () => this.addAction(),
      "remove-action": () => this.removeAction(key),
      "add-line": () => this.addLine(key, section),
      "remove-line": () => this.removeLine(key),
      "more-lines": () => this.showMoreLines(key, section),
      "add-cofunder": () => this.addCofunder(),
      "remove-cofunder": () => this.removeCofunder(key),
      "copy-link": () => this.copyLink(),
      "export-csv": () => this.exportCsv(),
      "export-json": () => this.exportJson(),
      "import-json": () => this.importInput.click(),
      print: () => this.print(),
      reset: () => this.reset(),
      undo: () => this.undo?.(),
    };
    handlers[what]?.();
  }

  focus(key, name) {
    const ref = this.refs.get(key);
    const target = name ? ref?.inputs.get(name) : ref?.inputs.values().next().value;
    target?.focus();
  }

  addAction() {
    const action = blankAction();
    action.lines.push(blankLine("personnel"));
    this.draft.actions.push(action);
    this.renderForm();
    this.focus(action.key, "title");
    this.changed();
  }

  removeAction(key) {
    const index = this.draft.actions.findIndex((action) => action.key === key);
    if (index < 0) return;
    const [removed] = this.draft.actions.splice(index, 1);
    this.renderForm();
    this.changed();
    this.undo = () => {
      this.draft.actions.splice(index, 0, removed);
      this.undo = null;
      this.renderForm();
      this.changed();
      this.say(`Action n° ${index + 1} rétablie.`);
      this.focus(removed.key, "title");
    };
    this.say(`Action n° ${index + 1} supprimée.`, { label: "Annuler la suppression", run: () => this.undo?.() });
    this.mount.querySelector('[data-action="add-action"]')?.focus();
  }

  addLine(actionKey, sectionId) {
    const { action } = this.find(actionKey);
    if (!action) return;
    const category = sectionId === "autres" ? "deplacements" : sectionId;
    const line = blankLine(category);
    action.lines.push(line);
    this.pinned.add(line.key); // shown even below lines not displayed yet
    sortLines(action);
    this.renderForm();
    this.focus(line.key);
    this.changed();
  }

  removeLine(key) {
    const { action, line } = this.find(key);
    if (!line) return;
    const section = sectionOf(line.category);
    action.lines = action.lines.filter((item) => item !== line);
    this.renderForm();
    this.changed();
    this.mount.querySelector(`[data-action="add-line"][data-key="${action.key}"][data-section="${section}"]`)?.focus();
  }

  addCofunder() {
    const cofunder = blankCofunder();
    this.draft.cofunders.push(cofunder);
    this.renderCofunders();
    if (this.last) this.showResult(this.last);
    this.focus(cofunder.key, "name");
    this.changed();
  }

  removeCofunder(key) {
    this.draft.cofunders = this.draft.cofunders.filter((item) => item.key !== key);
    this.renderCofunders();
    this.changed();
    this.mount.querySelector('[data-action="add-cofunder"]')?.focus();
  }

  reset() {
    const previous = exportable(this.draft);
    this.draft = emptyDraft();
    this.last = null;
    this.renderForm();
    this.changed();
    this.say("Nouveau budget vide.", {
      label: "Annuler", run: () => {
        this.draft = draftFromData(previous);
        this.renderForm();
        this.changed();
        this.say("Budget rétabli.");
      },
    });
  }

  /** A short message above the form, with an optional button (undo…). */
  say(message, button = null) {
    const parts = [el("span", { text: message })];
    if (button) {
      const control = el("button", { type: "button", class: "calc-button calc-button--tool", text: button.label });
      control.addEventListener("click", () => {
        control.remove();
        button.run();
      });
      parts.push(" ", control);
    }
    this.messages?.replaceChildren(el("p", {}, ...parts));
  }

  // -------------------------------------------------------------- evaluation

  async evaluate() {
    const sequence = (this.sequence += 1);
    const { input, map } = buildInput(this.draft);
    this.results.classList.add("calc-results--pending");
    try {
      const { result, details } = await evaluateDetailed("budget", this.callId, input);
      if (sequence !== this.sequence) return; // a newer input is on its way
      this.last = { result, details, map };
      this.showResult(this.last);
    } catch (error) {
      if (sequence !== this.sequence) return;
      if (error.name === "InputError") this.showInputError(error, map);
      else this.showFailure(error);
    }
  }

  clearMarks() {
    // Runs on every keystroke over every field: only what changes is touched, so that the
    // browser does not restyle and lay out a long budget again for nothing.
    for (const ref of this.refs.values()) {
      if (ref.notes.firstChild) ref.notes.replaceChildren();
      for (const input of ref.inputs.values()) {
        if (input.hasAttribute("aria-invalid")) input.removeAttribute("aria-invalid");
        const base = input.dataset.describedby;
        if (base) {
          if (input.getAttribute("aria-describedby") !== base) input.setAttribute("aria-describedby", base);
        } else if (input.hasAttribute("aria-describedby")) {
          input.removeAttribute("aria-describedby");
        }
      }
      ref.row.classList.remove("calc-line--error", "calc-line--warning");
    }
    this.budgetFindings.replaceChildren();
  }

  describe(ref, ids, inputs = [...ref.inputs.values()]) {
    for (const input of inputs) {
      const base = input.dataset.describedby ? input.dataset.describedby.split(" ") : [];
      const current = (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
      input.setAttribute("aria-describedby", [...new Set([...base, ...current, ...ids])].join(" "));
    }
  }

  /** The draft key for Python's (action, line) indexes. */
  keyFor(map, action, line) {
    const entry = map.actions[action];
    if (!entry) return null;
    if (line === null || line === undefined) return entry.key;
    return entry.lines[line] ?? null;
  }

  showResult({ result, details, map }) {
    const inputErrors = result.input_errors ?? [];
    // A line left out for an input error is shown even among lines not displayed yet
    // (LINES_PER_PAGE), so that its field can be marked and corrected.
    const unseen = inputErrors.map((item) => (item.action === null ? null : this.keyFor(map, item.action, item.line)))
      .filter((key) => key && !this.refs.has(key) && !this.pinned.has(key));
    if (unseen.length) {
      for (const key of unseen) this.pinned.add(key);
      this.renderForm(); // shows this result again, with those lines
      return;
    }
    this.results.classList.remove("calc-results--pending", "calc-results--stale");
    this.clearMarks();
    const figuresShown = new Map(); // output element → its text; written only where it changes
    for (const ref of this.refs.values()) {
      if (ref.outputs.cost) figuresShown.set(ref.outputs.cost, "—");
      if (ref.outputs.cofunding) figuresShown.set(ref.outputs.cofunding, "—");
    }
    for (const figures of details?.lines ?? []) {
      const ref = this.refs.get(this.keyFor(map, figures.action, figures.line));
      if (!ref) continue;
      if (ref.outputs.cost) figuresShown.set(ref.outputs.cost, formatEuros(figures.cost));
      figuresShown.set(ref.outputs.cofunding, formatEuros(figures.cofunding));
    }
    for (const [output, value] of figuresShown) if (output.textContent !== value) output.textContent = value;
    // Everything listed in the results, by kind: the counts of the summary are these lengths.
    const listed = { input: [], error: [], warning: [], info: [] };
    inputErrors.forEach((item, index) => {
      const id = `calc-saisie-${index}`;
      const isCofunder = item.cofunder !== null && item.cofunder !== undefined;
      const key = isCofunder ? map.cofunders[item.cofunder] : this.keyFor(map, item.action, item.line);
      const { ref, input } = this.fieldElement(map, item.field ?? "");
      const label = input?.labels?.[0]?.textContent ?? "";
      const leftOut = isCofunder ? "ce cofinanceur n'est pas compté dans les totaux." : "cette ligne n'est pas comptée dans les totaux.";
      const node = el("p", { class: "calc-input-error", id },
        el("strong", { text: "Saisie à corriger : " }), `${label ? `${label} — ` : ""}${item.message} ; ${leftOut}`);
      if (ref) {
        ref.notes.append(node);
        ref.row.classList.add("calc-line--error");
        if (input) {
          input.setAttribute("aria-invalid", "true");
          this.describe(ref, [id], [input]);
        }
      } else {
        this.budgetFindings.append(node);
      }
      listed.input.push({ text: `${this.placeName(ref, item)}${label ? `, ${label.toLowerCase()}` : ""} : ${item.message} (non compté${isCofunder ? "" : "e"} dans les totaux)`,
        key, name: input?.dataset.name ?? "", target: input?.id ?? id });
    });
    let hidden = 0;
    result.findings.forEach((finding, index) => {
      const id = `calc-constat-${index}`;
      const key = finding.action === null ? null : this.keyFor(map, finding.action, finding.line);
      const ref = key ? this.refs.get(key) : null;
      if (ref) {
        ref.notes.append(findingElement(finding, this.rules, id));
        this.describe(ref, [id]);
        if (finding.severity !== "info") ref.row.classList.add(`calc-line--${finding.severity}`);
      } else if (finding.line === null || finding.line === undefined) {
        const node = findingElement(finding, this.rules, id);
        node.tabIndex = -1; // the target of its link in the list
        this.budgetFindings.append(node);
      } else if ((hidden += 1) <= HIDDEN_FINDINGS_LISTED) {
        // A line not shown yet (see LINES_PER_PAGE): listed here, with where it is.
        const node = findingElement(finding, this.rules, id);
        node.querySelector(".calc-finding__message").prepend(`Action n° ${finding.action + 1}, ligne ${finding.line + 1} (non affichée) — `);
        this.budgetFindings.append(node);
      }
      listed[finding.severity]?.push({ text: `${this.placeName(ref, finding)} : ${finding.message}`,
        key: key ?? "", name: "", target: key ? (ref?.inputs.values().next().value?.id ?? id) : id });
    });
    if (hidden > HIDDEN_FINDINGS_LISTED) {
      this.budgetFindings.append(el("p", { class: "calc-hint", text: `… et ${(hidden - HIDDEN_FINDINGS_LISTED).toLocaleString("fr-FR")} autres constats sur des lignes non affichées : affichez ces lignes pour les voir à côté de chacune, ou exportez le CSV qui les liste toutes.` }));
    }
    this.renderTotals(result.totals);
    this.renderProblems(listed);
    const n = Object.fromEntries(Object.entries(listed).map(([kind, items]) => [kind, items.length]));
    const empty = map.actions.every((action) => action.lines.length === 0) && map.cofunders.length === 0;
    const cost = formatEuros(result.totals.cost);
    const funder = formatEuros(result.totals.funder);
    let text = "Saisissez une première dépense : les totaux et la vérification des règles s'afficheront ici.";
    if (!empty) {
      const extra = [n.warning ? `${n.warning.toLocaleString("fr-FR")} à vérifier` : "", n.info ? count(n.info, "information") : ""].filter(Boolean).join(", ");
      const verdict = n.error
        ? `${count(n.error, "point")} ne respecte${n.error > 1 ? "nt" : ""} pas les règles de l'appel`
        : n.warning ? "Aucune règle enfreinte, mais des points sont à vérifier"
          : n.input ? "Les lignes comptées respectent les règles vérifiées" : "Le budget respecte les règles vérifiées";
      text = `${n.input ? `${count(n.input, "saisie")} à corriger, non comptée${n.input > 1 ? "s" : ""} dans les totaux. ` : ""}`
        + `${verdict}${extra ? ` (${extra})` : ""}. Coût total : ${cost} ; demandé au financeur : ${funder}.`;
    }
    // Written only when it changes: a live region re-announces whatever is written to it.
    if (this.summary.textContent !== text) this.summary.textContent = text;
    if (empty) delete this.summary.dataset.ok;
    else this.summary.dataset.ok = String(result.ok && !n.input);
    this.updateBar(empty ? "—" : cost, empty ? "—" : funder, n.input + n.error + n.warning, empty);
    // The print summary is hidden on screen: built just after this result is displayed, not before.
    clearTimeout(this.printTimer);
    this.printTimer = setTimeout(() => this.renderPrint(), 0);
  }

  /** Where a finding or an input error is: the line's name as the form gives it, or the budget. */
  placeName(ref, item) {
    if (item.cofunder !== null && item.cofunder !== undefined) return ref?.row.getAttribute("aria-label") ?? `Cofinanceur ${item.cofunder + 1}`;
    if (item.action === null || item.action === undefined) return "Budget entier";
    if (item.line === null || item.line === undefined) return `Action n° ${item.action + 1}`;
    return ref?.row.getAttribute("aria-label") ?? `Action n° ${item.action + 1}, ligne ${item.line + 1} (non affichée)`;
  }

  /**
   * The list under the summary: every input to correct and every finding, by kind, each a
   * link that moves the focus to its field or line (or to the finding about the whole budget).
   */
  renderProblems(listed) {
    const groups = [["input", "Saisies à corriger"], ["error", "Règles non respectées"], ["warning", "Points à vérifier"], ["info", "Informations"]];
    this.problems.replaceChildren(...groups.filter(([kind]) => listed[kind].length).map(([kind, title]) => {
      const items = listed[kind];
      const list = el("ul", {}, items.slice(0, PROBLEMS_LISTED).map((item) => el("li", {},
        el("a", { href: `#${item.target}`, dataset: { gotoKey: item.key ?? "", gotoName: item.name, goto: item.target }, text: item.text }))));
      if (items.length > PROBLEMS_LISTED) {
        list.append(el("li", { text: `… et ${count(items.length - PROBLEMS_LISTED, "autre")} : l'export CSV les liste tous.` }));
      }
      return el("section", { class: `calc-problems__group calc-problems__group--${kind}` },
        el("h4", { text: `${title} (${items.length.toLocaleString("fr-FR")})` }), list);
    }));
  }

  /** Follow a link of the list or of the bar: show the line if hidden, then move the focus. */
  goTo({ gotoKey: key, gotoName: name, goto: target }) {
    if (key) {
      if (!this.refs.has(key) && this.find(key).line) {
        this.pinned.add(key);
        this.renderForm();
      }
      if (this.refs.has(key)) {
        this.focus(key, name || undefined);
        return;
      }
    }
    const node = target ? document.getElementById(target) : null;
    if (!node) return;
    node.scrollIntoView({ block: "center" });
    node.focus({ preventScroll: true });
  }

  renderTotals(totals) {
    const row = (label, value, className = "") => el("tr", { class: className }, el("th", { scope: "row", text: label }), el("td", { text: value }));
    this.totals.replaceChildren(el("table", { class: "calc-totals__table" },
      el("caption", { text: "Total du budget demandé" }),
      el("tbody", {},
        row("Demandé au financeur (1)", formatEuros(totals.funder), "calc-total--funder"),
        row("Cofinancements (2)", formatEuros(totals.cofunding)),
        row("dont contributions en nature", formatEuros(totals.in_kind)),
        row("Coût total du projet (1+2)", formatEuros(totals.cost), "calc-total--cost"),
        row("Part demandée au financeur", formatShare(totals.funder_share), "calc-total--share"))));
  }

  fieldElement(map, field) {
    let match = /^actions\[(\d+)\](?:\.lines\[(\d+)\])?(?:\.(\w+))?/.exec(field);
    if (match) {
      const ref = this.refs.get(this.keyFor(map, Number(match[1]), match[2] === undefined ? null : Number(match[2])));
      if (!ref) return { ref: null, input: null };
      let name = match[3];
      if (name === "amount" && !ref.inputs.has("amount")) name = ref.inputs.get("hours")?.value.trim() ? "hourly_rate" : "hours";
      return { ref, input: ref.inputs.get(name) ?? ref.inputs.values().next().value };
    }
    match = /^cofunders\[(\d+)\](?:\.(\w+))?/.exec(field);
    if (match) {
      const ref = this.refs.get(map.cofunders[Number(match[1])]);
      return { ref, input: ref?.inputs.get(match[2]) ?? ref?.inputs.values().next().value };
    }
    return { ref: null, input: null };
  }

  showInputError(error, map) {
    this.clearMarks();
    this.results.classList.remove("calc-results--pending");
    this.results.classList.add("calc-results--stale");
    // The last totals no longer match the draft: the CSV export and the printout must not
    // present them as this budget's (calculateurs.css hides the stale totals table too).
    this.last = null;
    this.printBox.replaceChildren(el("p", { text: "Budget non calculé : une saisie est à corriger." }));
    const lineKey = /^actions\[(\d+)\]\.lines\[(\d+)\]/.exec(error.field ?? "");
    const key = lineKey && this.keyFor(map, Number(lineKey[1]), Number(lineKey[2]));
    if (key && !this.refs.has(key)) {
      this.pinned.add(key); // the line to correct is shown, even among lines not displayed yet
      this.renderForm();
    }
    const { ref, input } = this.fieldElement(map, error.field ?? "");
    const id = "calc-erreur-saisie";
    const label = input ? input.labels?.[0]?.textContent ?? "" : "";
    const node = el("p", { class: "calc-input-error", id }, el("strong", { text: "Saisie à corriger : " }), `${label ? `${label} — ` : ""}${error.message}`);
    if (ref) {
      ref.notes.append(node);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        this.describe(ref, [id], [input]);
      }
    } else {
      this.budgetFindings.append(node);
    }
    this.summary.textContent = "Totaux non recalculés : corrigez la saisie signalée.";
    this.summary.dataset.ok = "false";
    this.problems.replaceChildren();
    this.updateBar("—", "—", 1, false);
  }

  showFailure(error) {
    this.results.classList.remove("calc-results--pending");
    this.results.classList.add("calc-results--stale");
    this.summary.textContent = `Calcul impossible : ${error.message}.`;
  }

  // -------------------------------------------------------------- annex table (CSV, print)

  lineDescription(line) {
    if (line.category === "personnel") {
      const who = this.vocabulary.professions[line.profession] ?? "Intervenant non précisé";
      const hours = line.hours.trim() && line.hourly_rate.trim() ? ` — ${line.hours} h × ${line.hourly_rate} €/h` : "";
      return `${who}${hours}${line.label.trim() ? ` — ${line.label}` : ""}`;
    }
    const category = sectionOf(line.category) === "autres" ? `${this.vocabulary.expense_categories[line.category] ?? line.category} — ` : "";
    return `${category}${line.label.trim() || "(sans libellé)"}`;
  }

  /** Rows of the annex's budget table, from the last result; amounts as Python returned them. */
  annexRows() {
    if (!this.last) return null;
    const { result, details, map } = this.last;
    const figures = new Map();
    for (const item of details?.lines ?? []) figures.set(this.keyFor(map, item.action, item.line), item);
    const rows = [];
    for (const sectionInfo of SECTIONS) {
      const lines = [];
      this.draft.actions.forEach((action, index) => {
        for (const line of action.lines) {
          const item = figures.get(line.key);
          if (sectionOf(line.category) !== sectionInfo.id || !item) continue;
          lines.push({ action: `Action n° ${index + 1}${action.title.trim() ? ` : ${action.title}` : ""}`, detail: this.lineDescription(line),
            funder: item.funder, cofunding: item.cofunding, cost: item.cost, inKind: item.in_kind });
        }
      });
      rows.push({ section: sectionInfo.title, lines });
    }
    const cofunders = (details?.cofunders ?? []).map((item) => ({ name: item.name, amount: item.amount, status: item.status }));
    return { rows, totals: result.totals, cofunders, findings: result.findings, inputErrors: result.input_errors ?? [] };
  }

  exportCsv() {
    const table = this.annexRows();
    if (!table) {
      this.say("Le budget n'est pas encore calculé : attendez le démarrage du calculateur ou corrigez la saisie signalée.");
      return;
    }
    const cell = (value) => {
      let textValue = String(value ?? "");
      // A label typed as =HYPERLINK(…), +cmd|…, -2+3 or @SUM(…) would be run as a formula by
      // the spreadsheet that opens the file: an apostrophe makes it text (OWASP « CSV
      // injection »). Amounts written by frenchDecimal (-12,50) stay numbers.
      if (/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(textValue) && !/^-?[0-9]+(,[0-9]+)?$/.test(textValue)) textValue = `'${textValue}`;
      return /[";\n\r]/.test(textValue) ? `"${textValue.replace(/"/g, '""')}"` : textValue;
    };
    const lines = [
      [`Budget prévisionnel — ${this.call.title}`],
      ["Nature et objet des postes de dépenses", "Action", "Détail", "Demandé au financeur (1)", "Cofinancements (2)", "Total (1+2)", "En nature"],
    ];
    for (const block of table.rows) {
      lines.push([block.section]);
      for (const line of block.lines) {
        lines.push(["", line.action, line.detail, frenchDecimal(line.funder), frenchDecimal(line.cofunding), frenchDecimal(line.cost), line.inKind ? "oui" : ""]);
      }
    }
    const totals = table.totals;
    lines.push(["Total du budget demandé", "", "", frenchDecimal(totals.funder), frenchDecimal(totals.cofunding), frenchDecimal(totals.cost), frenchDecimal(totals.in_kind)]);
    lines.push(["Part demandée au financeur", "", "", formatShare(totals.funder_share).replace("\u00a0", " ")]);
    lines.push([]);
    lines.push(["Co-financement(s) du projet"]);
    lines.push(["Nom du cofinanceur", "Montant sollicité (€)", "Montant obtenu (€)"]);
    for (const cofunder of table.cofunders) {
      const amount = frenchDecimal(cofunder.amount);
      lines.push([cofunder.name, cofunder.status === "requested" ? amount : "", cofunder.status === "obtained" ? amount : ""]);
    }
    if (table.inputErrors.length) {
      // Lines left out of the totals above: the file says so rather than dropping them silently.
      lines.push([]);
      lines.push(["Saisies à corriger, non comptées dans les totaux"]);
      lines.push(["Champ", "Message"]);
      for (const item of table.inputErrors) lines.push([item.field, item.message.replace(/\u00a0/g, " ")]);
    }
    if (table.findings.length) {
      lines.push([]);
      lines.push(["Vérification des règles de l'appel"]);
      lines.push(["Gravité", "Action", "Ligne", "Constat", "Référence"]);
      for (const finding of table.findings) {
        lines.push([{ error: "règle non respectée", warning: "à vérifier", info: "information" }[finding.severity],
          finding.action === null ? "" : finding.action + 1, finding.line === null ? "" : finding.line + 1,
          finding.message.replace(/\u00a0/g, " "), finding.reference]);
      }
    }
    const csv = `\ufeff${lines.map((row) => row.map(cell).join(";")).join("\r\n")}\r\n`;
    download(`budget-${this.callId}.csv`, csv, "text/csv;charset=utf-8");
    this.say("Fichier CSV enregistré (séparateur point-virgule, décimales à virgule).");
  }

  exportJson() {
    download(`budget-${this.callId}.json`, `${JSON.stringify(exportable(this.draft), null, 2)}\n`, "application/json");
    this.say("Fichier JSON enregistré : vous pourrez le réimporter ici, ou le passer à « python -m calculators budget ».");
  }

  async importFile(input) {
    const [file] = input.files ?? [];
    input.value = "";
    if (!file) return;
    try {
      const data = JSON.parse(await readFile(file));
      const previous = exportable(this.draft);
      this.draft = draftFromData(data);
      this.renderForm();
      this.changed();
      this.say(`Budget importé depuis « ${file.name} ».`, {
        label: "Annuler l'import", run: () => {
          this.draft = draftFromData(previous);
          this.renderForm();
          this.changed();
          this.say("Import annulé.");
        },
      });
    } catch (error) {
      this.say(`Import impossible : ${error instanceof SyntaxError ? "ce fichier n'est pas un JSON valide" : error.message}.`);
    }
  }

  async copyLink() {
    const link = await linkWithDraft(exportable(this.draft));
    const copied = await copyText(link);
    this.say(copied
      ? "Lien copié : il contient le budget (dans la partie après « # », qui n'est jamais envoyée au serveur)."
      : `Copiez ce lien : ${link}`);
  }

  print() {
    if (this.last) this.renderPrint(this.last.result, this.last.details, this.last.map);
    window.print();
  }

  renderPrint() {
    const table = this.annexRows();
    if (!table) return;
    const money = (value) => el("td", { class: "calc-num", text: formatEuros(value) });
    const body = el("tbody");
    for (const block of table.rows) {
      if (!block.lines.length) continue;
      body.append(el("tr", { class: "calc-print__section" }, el("th", { colspan: "4", scope: "colgroup", text: block.section })));
      for (const line of block.lines.slice(0, PRINTED_LINES_PER_SECTION)) {
        body.append(el("tr", {}, el("td", { text: `${line.action} — ${line.detail}${line.inKind ? " (en nature)" : ""}` }),
          money(line.funder), money(line.cofunding), money(line.cost)));
      }
      const more = block.lines.length - PRINTED_LINES_PER_SECTION;
      if (more > 0) {
        body.append(el("tr", {}, el("td", { colspan: "4", text: `… et ${more.toLocaleString("fr-FR")} autre${more > 1 ? "s" : ""} ligne${more > 1 ? "s" : ""}, détaillée${more > 1 ? "s" : ""} dans l'export CSV.` })));
      }
    }
    const totals = table.totals;
    body.append(el("tr", { class: "calc-print__total" }, el("th", { scope: "row", text: "Total du budget demandé" }),
      money(totals.funder), money(totals.cofunding), money(totals.cost)));
    const cofunders = table.cofunders.length
      ? el("table", { class: "calc-print__table" },
        el("thead", {}, el("tr", {}, ["Cofinanceur", "Sollicité", "Obtenu"].map((label) => el("th", { scope: "col", text: label })))),
        el("tbody", {}, table.cofunders.map((item) => el("tr", {}, el("td", { text: item.name }),
          el("td", { class: "calc-num", text: item.status === "requested" ? formatEuros(item.amount) : "" }),
          el("td", { class: "calc-num", text: item.status === "obtained" ? formatEuros(item.amount) : "" })))))
      : null;
    const findings = table.findings.filter((finding) => finding.severity !== "info");
    const leftOut = table.inputErrors.length
      ? el("p", { text: `Attention : ${count(table.inputErrors.length, "saisie")} à corriger, non comptée${table.inputErrors.length > 1 ? "s" : ""} dans ces totaux.` })
      : null;
    // replaceChildren writes a null as the text « null »: the parts absent are filtered out.
    this.printBox.replaceChildren(...[
      el("h2", { text: `Budget prévisionnel — ${this.call.title}` }),
      leftOut,
      el("p", { text: `Part demandée au financeur : ${formatShare(totals.funder_share)} ; dont contributions en nature : ${formatEuros(totals.in_kind)}. Simulation du ${printDate(new Date())}, sans valeur d'engagement.` }),
      el("table", { class: "calc-print__table" },
        el("thead", {}, el("tr", {}, ["Poste", "Demandé au financeur (1)", "Cofinancements (2)", "Total (1+2)"].map((label) => el("th", { scope: "col", text: label })))),
        body),
      cofunders,
      findings.length ? el("ul", { class: "calc-print__findings" }, findings.map((finding) => el("li", {},
        `${finding.severity === "error" ? "Règle non respectée" : "À vérifier"}${finding.action === null ? "" : ` (action n° ${finding.action + 1})`} : ${finding.message} — ${finding.reference}`))) : null,
    ].filter(Boolean));
  }
}

async function main(mount) {
  const callId = mount.dataset.call;
  preload(callId);
  let vocabulary;
  let call;
  try {
    [vocabulary, call] = await loadCallData(callId);
  } catch (error) {
    mount.replaceChildren(el("p", { class: "calc-status", role: "status", dataset: { phase: "failed" },
      text: `Le simulateur ne peut pas se charger (${error.message}). Les règles de l'appel restent consultables plus bas sur cette page.` }));
    return;
  }
  const simulator = new BudgetSimulator(mount, callId, vocabulary, call);
  simulator.build();
  await simulator.restore();
  simulator.renderForm();
  simulator.schedule.flush();
  mount.dataset.state = "ready";
  window.calculators.budget = simulator; // for tests and integrators
}

const mount = document.getElementById("calculateur");
if (mount?.dataset.kind === "budget") main(mount);
