// Budget simulator: what Python computed — the summary bar, the results (totals, problems
// list, marks on the fields) and the printed summary. Mixed into BudgetSimulator (budget.js).

import { evaluateDetailed } from "../runtime.js";
import { el, findingElement, formatEuros, formatShare } from "../common.js";
import { text, buildInput } from "./model.js";

/** Findings about lines not shown yet, listed in the results before « … et N autres ». */
const HIDDEN_FINDINGS_LISTED = 20;
/** Items listed per kind of problem in the results (« … et N autres » beyond). */
const PROBLEMS_LISTED = 100;
/** Lines per section in the printed summary; the CSV export has them all. */
const PRINTED_LINES_PER_SECTION = 30;

/** « 1 point », « 3 points »: a count and its noun (plural with an s unless given). */
const count = (n, noun, plural = `${noun}s`) => `${n.toLocaleString("fr-FR")} ${n > 1 ? plural : noun}`;

const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
/**
 * « 28 février 2026 », « 1er mars 2026 »: the date of the printed summary. Written by hand: the
 * first Intl.DateTimeFormat of a page loads locale data, a main-thread task of tens of
 * milliseconds just after the first result.
 */
const printDate = (date) => `${date.getDate() === 1 ? "1er" : date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}`;

/** BudgetSimulator's methods that evaluate the draft and show the calculators' answer. */
export const resultsMethods = {
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
  },

  keepAboveBar(target) {
    if (!this.bar || !target?.getBoundingClientRect) return;
    const bar = this.bar.getBoundingClientRect();
    const field = target.getBoundingClientRect();
    if (bar.top < window.innerHeight && field.bottom > bar.top - 8) window.scrollBy(0, field.bottom - bar.top + 16);
  },

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
  },

  buildResults() {
    const box = el("section", { class: "calc-results", "aria-labelledby": "calc-results-title" });
    this.summary = el("p", { class: "calc-summary", role: "status", "aria-live": "polite" });
    this.problems = el("div", { class: "calc-problems", id: "calc-problemes", tabindex: "-1", "aria-label": "Points à revoir" });
    this.budgetFindings = el("div", { class: "calc-findings", id: "calc-budget-findings" });
    this.totals = el("div", { class: "calc-totals" });
    box.append(el("h3", { id: "calc-results-title", tabindex: "-1", text: "Total du budget et vérification des règles" }),
      this.summary, this.problems, this.budgetFindings, this.totals);
    return box;
  },

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
  },

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
  },

  describe(ref, ids, inputs = [...ref.inputs.values()]) {
    for (const input of inputs) {
      const base = input.dataset.describedby ? input.dataset.describedby.split(" ") : [];
      const current = (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
      input.setAttribute("aria-describedby", [...new Set([...base, ...current, ...ids])].join(" "));
    }
  },

  /** The draft key for Python's (action, line) indexes. */
  keyFor(map, action, line) {
    const entry = map.actions[action];
    if (!entry) return null;
    if (line === null || line === undefined) return entry.key;
    return entry.lines[line] ?? null;
  },

  showResult({ result, details, map }) {
    const inputErrors = result.input_errors ?? [];
    // A line left out for an input error is shown even among lines not displayed yet
    // (LINES_PER_PAGE in form.js), so that its field can be marked and corrected.
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
        // A line not shown yet (see LINES_PER_PAGE in form.js): listed here, with where it is.
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
  },

  /** Where a finding or an input error is: the line's name as the form gives it, or the budget. */
  placeName(ref, item) {
    if (item.cofunder !== null && item.cofunder !== undefined) return ref?.row.getAttribute("aria-label") ?? `Cofinanceur ${item.cofunder + 1}`;
    if (item.action === null || item.action === undefined) return "Budget entier";
    if (item.line === null || item.line === undefined) return `Action n° ${item.action + 1}`;
    return ref?.row.getAttribute("aria-label") ?? `Action n° ${item.action + 1}, ligne ${item.line + 1} (non affichée)`;
  },

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
  },

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
  },

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
  },

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
  },

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
  },

  showFailure(error) {
    this.results.classList.remove("calc-results--pending");
    this.results.classList.add("calc-results--stale");
    this.summary.textContent = `Calcul impossible : ${error.message}.`;
  },

  print() {
    if (this.last) this.renderPrint(this.last.result, this.last.details, this.last.map);
    window.print();
  },

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
  },
};
