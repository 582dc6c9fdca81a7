// Budget simulator: the form — actions, their lines by section, co-funders — and its events.
// Mixed into BudgetSimulator (budget.js); every method runs with `this` the simulator.

import { mountStatus } from "../runtime.js";
import { el, uniqueId } from "../common.js";
import { SECTIONS, sectionOf, text, blankLine, blankAction, blankCofunder, sortLines } from "./model.js";

/**
 * Lines of a section shown at first, then at each « Afficher … lignes de plus ». An imported
 * budget of thousands of lines would otherwise build hundreds of thousands of fields in one
 * go and freeze the page for seconds; the totals and findings always cover every line.
 */
const LINES_PER_PAGE = 50;

/**
 * What the call's rules say on some lines (calculators.rules.budget.line_notes), written into
 * the page by the build: [{category, profession, text, rule, reference}].
 */
/** rule id → the inputs Python declares for it beyond lines and co-funders' amounts (Field.to_data). */
export function readFields() {
  try {
    return JSON.parse(document.getElementById("calc-champs")?.textContent ?? "{}");
  } catch {
    return {};
  }
}

export function readLineNotes() {
  try {
    return JSON.parse(document.getElementById("calc-notes-lignes")?.textContent ?? "[]");
  } catch {
    return [];
  }
}

/** BudgetSimulator's methods that build the form and handle what the visitor does in it. */
export const formMethods = {
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
  },

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
  },

  renderForm() {
    this.refs.clear();
    this.more.clear();
    this.actionsBox.replaceChildren(...this.draft.actions.map((action, index) => this.renderAction(action, index)));
    this.renderCofunders();
    if (this.last) this.showResult(this.last);
  },

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
  },

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
  },

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
  },

  renderHeader(sectionInfo) {
    const cells = sectionInfo.id === "personnel"
      ? ["Intervenant", "Heures", "Taux horaire", "Précisions"]
      : sectionInfo.id === "autres" ? ["Poste", "Nature de la dépense"] : ["Nature de la dépense"];
    return el("div", { class: "calc-line calc-line--header", "aria-hidden": "true" },
      el("div", { class: "calc-line__fields" }, cells.map((cell) => el("span", { text: cell }))),
      el("div", { class: "calc-line__money" },
        el("span", { text: "Demandé au financeur (1)" }), el("span", { text: "Cofinancements (2)" }), el("span", { text: "Total (1+2)" })),
      el("span", { text: "En nature" }), el("span"));
  },

  field(line, name, label, attributes = {}, describedBy = []) {
    const id = `${line.key}-${name}`;
    const input = el("input", { type: "text", id, autocomplete: "off", ...attributes, dataset: { key: line.key, name } });
    input.value = line[name];
    if (describedBy.length) input.setAttribute("aria-describedby", describedBy.join(" "));
    input.dataset.describedby = describedBy.join(" ");
    return [el("label", { class: `calc-field calc-field--${name}`, for: id }, el("span", { class: "calc-field__label", text: label })), input];
  },

  select(line, name, label, options) {
    const id = `${line.key}-${name}`;
    const select = el("select", { id, dataset: { key: line.key, name, describedby: "" } },
      options.map(([value, optionLabel]) => el("option", { value, text: optionLabel })));
    if (!options.some(([value]) => value === line[name])) {
      select.append(el("option", { value: line[name], text: `${line[name]} (inconnu)` }));
    }
    select.value = line[name];
    return [el("label", { class: `calc-field calc-field--${name}`, for: id }, el("span", { class: "calc-field__label", text: label })), select];
  },

  wrap(pair) {
    return el("div", { class: "calc-cell" }, ...pair);
  },

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
  },

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
  },

  /** The hourly cap Python states for this profession (or, before one is chosen, that it depends on it). */
  capText(profession) {
    const note = this.caps.find((item) => item.profession === (profession || null)) ?? this.caps.find((item) => item.profession === null);
    return note?.text ?? "";
  },

  renderCofunders() {
    const rows = this.draft.cofunders.map((cofunder, index) => {
      const inputs = new Map();
      const name = this.field(cofunder, "name", "Nom du cofinanceur");
      const amount = this.field(cofunder, "amount", "Montant (€)", { inputmode: "decimal" });
      const status = this.select(cofunder, "status", "Statut", [["requested", "Sollicité"], ["obtained", "Obtenu"]]);
      // Asked only when a rule of the call reads it (public funding share).
      const isPublic = this.ruleFields.has("cofunders.public")
        ? this.select(cofunder, "public", "Financeur public ?", [["", "Je ne sais pas"], ["oui", "Oui (État, collectivité, CAF…)"], ["non", "Non (fondation, entreprise…)"]])
        : null;
      inputs.set("name", name[1]).set("amount", amount[1]).set("status", status[1]);
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
  },

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
  },

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
  },

  focus(key, name) {
    const ref = this.refs.get(key);
    const target = name ? ref?.inputs.get(name) : ref?.inputs.values().next().value;
    target?.focus();
  },

  addAction() {
    const action = blankAction();
    action.lines.push(blankLine("personnel"));
    this.draft.actions.push(action);
    this.renderForm();
    this.focus(action.key, "title");
    this.changed();
  },

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
  },

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
  },

  removeLine(key) {
    const { action, line } = this.find(key);
    if (!line) return;
    const section = sectionOf(line.category);
    action.lines = action.lines.filter((item) => item !== line);
    this.renderForm();
    this.changed();
    this.mount.querySelector(`[data-action="add-line"][data-key="${action.key}"][data-section="${section}"]`)?.focus();
  },

  addCofunder() {
    const cofunder = blankCofunder();
    this.draft.cofunders.push(cofunder);
    this.renderCofunders();
    if (this.last) this.showResult(this.last);
    this.focus(cofunder.key, "name");
    this.changed();
  },

  removeCofunder(key) {
    this.draft.cofunders = this.draft.cofunders.filter((item) => item.key !== key);
    this.renderCofunders();
    this.changed();
    this.mount.querySelector('[data-action="add-cofunder"]')?.focus();
  },

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
  },
};
