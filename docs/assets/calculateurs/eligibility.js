// Eligibility checker, mounted in <div id="calculateur" data-kind="eligibility" data-call="…">.
//
// Asks, in plain French, only what the call's eligibility rules need — the controls each rule
// declares in Python (calculators.rules, written by the build into #calc-champs) — and shows
// the verdict the Python calculators return: eligible, not eligible, or incomplete with the
// list of what is still unanswered, and which questions do not concern her (not_asked). No
// rule is decided here.

import { evaluate, mountStatus, preload } from "./runtime.js";
import { clearDraftFragment, draftFromFragment, el, findingElement, latestOnly, loadCallData, referenceElement, rulesById, storage } from "./common.js";

const STORAGE_PREFIX = "appels-sante:eligibilite:";
const DRAFT_FORMAT = 1;
/** How long the verdict of earlier answers may stay on screen while the newest are checked. */
const PENDING_DELAY_MS = 250;
/** rule id → the form controls Python declares for it (Field.to_data), written by the build. */
function readFields() {
  try {
    return JSON.parse(document.getElementById("calc-champs")?.textContent ?? "{}");
  } catch {
    return {};
  }
}

/** The one-value inputs this call's rules read (a choice, a date, an amount), by name. */
const SCALARS = [...new Set(Object.values(readFields()).flat()
  .filter((field) => ["select", "date", "amount"].includes(field.control)).map((field) => field.name))];

function emptyAnswers() {
  return { ...Object.fromEntries(SCALARS.map((name) => [name, ""])), axes: [], answers: {} };
}

function answersFromData(data) {
  const state = emptyAnswers();
  if (!data || typeof data !== "object") return state;
  for (const name of SCALARS) if (typeof data[name] === "string") state[name] = data[name];
  if (Array.isArray(data.axes)) state.axes = data.axes.filter((axis) => typeof axis === "string");
  if (data.answers && typeof data.answers === "object") {
    for (const [key, value] of Object.entries(data.answers)) if (typeof value === "boolean") state.answers[key] = value;
  }
  return state;
}

class EligibilityChecker {
  constructor(mount, callId, vocabulary, call, linked = null) {
    this.mount = mount;
    this.callId = callId;
    this.vocabulary = vocabulary;
    this.call = call;
    this.rules = rulesById(call);
    this.storageKey = STORAGE_PREFIX + callId;
    // Answers carried by a link (the finder's « Vérifier mon éligibilité », #brouillon=…) win over
    // the ones kept in this browser for the questions they answer.
    const kept = storage.read(this.storageKey)?.answers;
    this.state = answersFromData(linked ? { ...(kept ?? {}), ...linked } : kept);
    this.controls = new Map(); // input field ("department", "answers.x", "axes") → element to focus / describe
    this.ruleNotes = new Map(); // rule id → notes element
    this.fields = new Set(); // the input fields this call asks for
    this.fieldsByRule = readFields();
    this.scoped = new Map(); // field → {box, notFor}: questions put only to some kinds of structures
    // Answers are numbered: `sequence` counts the answers given, `shown` is the number of the
    // answers the verdict on screen was computed from. A reply for older answers than the
    // newest is dropped, whatever order the worker replies in.
    this.sequence = 0;
    this.shown = 0;
    this.pendingTimer = null;
    // Recalculate on every input (Python answers in a few ms); see latestOnly.
    this.schedule = latestOnly(() => this.evaluate());
  }

  build() {
    this.mount.replaceChildren();
    this.mount.classList.add("calc", "calc--eligibility");
    document.documentElement.classList.add("calc-active");
    const statusBox = el("div");
    this.form = el("form", { class: "calc-form", novalidate: true, "aria-label": "Questions d'éligibilité" });
    this.form.addEventListener("submit", (event) => event.preventDefault());
    const rules = this.call.rules?.eligibility ?? [];
    for (const rule of rules) this.form.append(this.renderRule(rule));
    if (!rules.length) this.form.append(el("p", { text: "Cet appel ne publie pas de règle d'éligibilité vérifiable en ligne." }));
    this.verdict = el("section", { class: "calc-verdict", "aria-labelledby": "calc-verdict-title" });
    this.verdictTitle = el("h3", { id: "calc-verdict-title", text: "Résultat" });
    this.verdictStatus = el("div", { role: "status", "aria-live": "polite", class: "calc-verdict__status" },
      el("p", { text: "Le résultat s'affichera ici dès que le calculateur sera prêt." }));
    this.verdictDetails = el("div", { class: "calc-verdict__details" });
    this.verdict.append(this.verdictTitle, this.verdictStatus, this.verdictDetails);
    const reset = el("button", { type: "button", class: "calc-button calc-button--tool", text: "Effacer mes réponses" });
    reset.addEventListener("click", () => this.reset());
    this.savedNote = el("p", { class: "calc-saved" });
    this.mount.append(statusBox, el("p", { class: "calc-hint", text: "Répondez aux questions : le résultat se met à jour à chaque réponse. Vos réponses restent dans ce navigateur." }),
      this.form, this.verdict, el("div", { class: "calc-toolbar" }, reset), this.savedNote);
    mountStatus(statusBox, "Les conditions d'éligibilité restent consultables plus bas sur cette page.");
    this.form.addEventListener("input", (event) => this.onInput(event));
    this.form.addEventListener("change", (event) => this.onInput(event));
  }

  renderRule(rule) {
    const notes = el("div", { class: "calc-notes", id: `calc-notes-${rule.id}` });
    this.ruleNotes.set(rule.id, notes);
    const box = el("fieldset", { class: "calc-rule", id: `regle-${rule.id}`, dataset: { rule: rule.id } },
      // A desirable condition (severity "info") says so, as on the call page, unless its label already does.
      el("legend", { text: rule.severity === "info" && !/souhaitable/i.test(rule.label) ? `${rule.label} (souhaitable)` : rule.label }),
      el("p", { class: "calc-rule__reference" }, "Référence : ", referenceElement(rule.id, rule.reference)));
    const controls = this.controlsFor(rule);
    box.append(...controls);
    if (!controls.length) box.append(el("p", { class: "calc-hint", text: "Déjà demandé plus haut." }));
    if (rule.quote) {
      box.append(el("details", { class: "calc-quote" }, el("summary", { text: "Texte de l'appel" }), el("blockquote", { text: rule.quote })));
    }
    box.append(notes);
    return box;
  }

  controlsFor(rule) {
    const out = [];
    for (const field of this.fieldsByRule[rule.id] ?? []) {
      if (this.fields.has(field.name)) continue; // asked once, under the first rule that reads it
      this.fields.add(field.name);
      out.push(this.control(field));
    }
    if (!(this.fieldsByRule[rule.id] ?? []).length) {
      out.push(el("p", { class: "calc-hint", text: "Condition vérifiée par le financeur à l'examen du dossier." }));
    }
    return out;
  }

  control(field) {
    switch (field.control) {
      case "select": return this.selectField(field);
      case "amount": return this.textField(field);
      case "date": return this.dateField(field);
      case "checkboxes": return this.checkboxesField(field);
      default: return this.yesNo(field);
    }
  }

  register(field, element) {
    this.fields.add(field);
    this.controls.set(field, element);
    element.dataset.describedby = element.getAttribute("aria-describedby") ?? "";
  }

  selectField({ name, label, groups }) {
    const id = `elig-${name}`;
    const select = el("select", { id, dataset: { field: name } }, el("option", { value: "", text: "— choisir —" }),
      (groups ?? []).filter((group) => group.options.length).map((group) => el("optgroup", { label: group.label },
        group.options.map(([value, text]) => el("option", { value, text })))));
    select.value = this.state[name];
    this.register(name, select);
    return el("div", { class: "calc-field" }, el("label", { for: id, class: "calc-field__label", text: label }), select);
  }

  textField({ name, label, hint }) {
    const id = `elig-${name}`;
    const hintId = `${id}-aide`;
    const input = el("input", { type: "text", id, inputmode: "decimal", autocomplete: "off", "aria-describedby": hint ? hintId : undefined, dataset: { field: name } });
    input.value = this.state[name];
    this.register(name, input);
    return el("div", { class: "calc-field" }, el("label", { for: id, class: "calc-field__label", text: label }), input,
      hint ? el("span", { class: "calc-hint", id: hintId, text: hint }) : null);
  }

  dateField({ name, label, hint }) {
    const id = `elig-${name}`;
    const hintId = `${id}-aide`;
    const input = el("input", { type: "date", id, "aria-describedby": hint ? hintId : undefined, dataset: { field: name } });
    input.value = this.state[name];
    this.register(name, input);
    return el("div", { class: "calc-field" }, el("label", { for: id, class: "calc-field__label", text: label }), input,
      hint ? el("span", { class: "calc-hint", id: hintId, text: hint }) : null);
  }

  checkboxesField({ name, label, groups }) {
    const id = `elig-${name}`;
    const options = (groups ?? []).flatMap((group) => group.options);
    const box = el("fieldset", { class: "calc-choices", id },
      el("legend", { text: label }),
      options.map(([value, text]) => {
        const inputId = `elig-axe-${value}`;
        return el("div", { class: "calc-choice" },
          el("input", { type: "checkbox", id: inputId, value, checked: this.state.axes.includes(value), dataset: { field: name } }),
          el("label", { for: inputId, text }));
      }));
    this.register(name, box);
    return box;
  }

  yesNo({ name, label, hint, scope }) {
    const questionId = name.slice("answers.".length);
    const id = `elig-q-${questionId}`;
    const radioName = `q-${questionId}`;
    const current = this.state.answers[questionId];
    const hintId = hint ? `${id}-aide` : null;
    const scopeId = scope ? `${id}-public` : null;
    const option = (value, text, checked) => {
      const inputId = `${id}-${value}`;
      return el("div", { class: "calc-choice" },
        el("input", { type: "radio", id: inputId, name: radioName, value, checked, dataset: { field: name } }),
        el("label", { for: inputId, text }));
    };
    const describedBy = [hintId, scopeId].filter(Boolean).join(" ") || undefined;
    const box = el("fieldset", { class: "calc-choices calc-choices--inline", id, "aria-describedby": describedBy },
      el("legend", { text: label }),
      scope ? el("p", { class: "calc-hint", id: scopeId, text: scope }) : null,
      hint ? el("p", { class: "calc-hint", id: hintId, text: hint }) : null,
      option("oui", "Oui", current === true),
      option("non", "Non", current === false),
      option("", "Je ne sais pas encore", current === undefined));
    this.register(name, box);
    if (!scope) return box;
    // Python says, with each result, which questions do not concern her structure (not_asked).
    const notFor = el("p", { class: "calc-hint", hidden: true, text: "Cette question ne concerne pas votre type de structure." });
    this.scoped.set(name, { box, notFor });
    return el("div", {}, box, notFor);
  }

  /** Hide the questions the last result says do not concern her structure. */
  applyScope(notAsked) {
    const hidden = new Set(notAsked ?? []);
    for (const [name, { box, notFor }] of this.scoped) {
      box.hidden = hidden.has(name);
      notFor.hidden = !hidden.has(name);
    }
  }

  onInput(event) {
    const field = event.target.dataset?.field;
    if (!field) return;
    if (field === "axes") {
      this.state.axes = [...this.form.querySelectorAll('input[data-field="axes"]:checked')].map((input) => input.value);
    } else if (field.startsWith("answers.")) {
      const id = field.slice("answers.".length);
      const value = this.form.querySelector(`input[name="q-${CSS.escape(id)}"]:checked`)?.value ?? "";
      if (value === "") delete this.state.answers[id];
      else this.state.answers[id] = value === "oui";
    } else {
      this.state[field] = event.target.value;
    }
    this.save();
    this.sequence += 1; // an answer to older answers is not shown (evaluate)
    this.markPending();
    this.schedule();
  }

  /**
   * The verdict on screen was computed from older answers: if the new one takes more than an
   * instant (a busy phone, a slow start), it is withdrawn rather than left beside new answers.
   */
  markPending() {
    clearTimeout(this.pendingTimer);
    this.verdict.dataset.pending = "true";
    this.pendingTimer = setTimeout(() => {
      if (this.shown === this.sequence) return;
      this.clearMarks();
      this.verdictDetails.replaceChildren();
      this.showVerdict("pending", "Vérification de vos réponses en cours…");
    }, PENDING_DELAY_MS);
  }

  /** The reply for answers number `sequence` is on screen: the verdict is current again. */
  settled(sequence) {
    this.shown = sequence;
    clearTimeout(this.pendingTimer);
    delete this.verdict.dataset.pending;
  }

  save() {
    const ok = storage.write(this.storageKey, { format: DRAFT_FORMAT, saved: new Date().toISOString(), answers: this.buildInput() });
    this.savedNote.textContent = ok ? "Réponses enregistrées dans ce navigateur." : "Ce navigateur n'autorise pas l'enregistrement des réponses.";
  }

  reset() {
    this.state = emptyAnswers();
    storage.remove(this.storageKey);
    const fields = new Set();
    this.fields = fields;
    this.controls.clear();
    this.ruleNotes.clear();
    this.scoped.clear();
    const rules = this.call.rules?.eligibility ?? [];
    this.form.replaceChildren(...rules.map((rule) => this.renderRule(rule)));
    this.sequence += 1; // the cleared answers are new answers
    this.markPending();
    this.schedule.flush();
    this.form.querySelector("select, input")?.focus();
  }

  /** The calculators' input: only the questions this call asks, only what is answered. */
  buildInput() {
    const input = {};
    for (const name of SCALARS) {
      if (this.fields.has(name) && this.state[name].trim() !== "") input[name] = this.state[name];
    }
    if (this.fields.has("axes") && this.state.axes.length) input.axes = this.state.axes;
    const answers = {};
    for (const [key, value] of Object.entries(this.state.answers)) {
      if (this.fields.has(`answers.${key}`)) answers[key] = value;
    }
    if (Object.keys(answers).length) input.answers = answers;
    return input;
  }

  async evaluate() {
    const sequence = this.sequence; // the answers this request is made of
    try {
      const result = await evaluate("eligibility", this.callId, this.buildInput());
      if (sequence !== this.sequence) return; // newer answers were given meanwhile: their request follows
      this.settled(sequence);
      this.show(result);
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.settled(sequence);
      if (error.name === "InputError") this.showInputError(error);
      else this.showVerdict("failed", `Vérification impossible : ${error.message}.`);
    }
  }

  clearMarks() {
    for (const notes of this.ruleNotes.values()) notes.replaceChildren();
    for (const control of this.controls.values()) {
      control.removeAttribute("aria-invalid");
      if (control.dataset.describedby) control.setAttribute("aria-describedby", control.dataset.describedby);
      else control.removeAttribute("aria-describedby");
    }
    this.form.querySelectorAll(".calc-rule").forEach((box) => box.removeAttribute("data-severity"));
  }

  describe(control, id) {
    const ids = new Set((control.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean));
    ids.add(id);
    control.setAttribute("aria-describedby", [...ids].join(" "));
  }

  showVerdict(kind, message) {
    this.verdict.dataset.verdict = kind;
    this.verdictStatus.replaceChildren(el("p", { class: "calc-verdict__headline", text: message }));
  }

  show(result) {
    this.clearMarks();
    this.applyScope(result.not_asked);
    const headline = result.eligible === true
      ? "Éligible : au vu de vos réponses, le projet remplit les conditions vérifiées ici. Le financeur reste seul juge à l'examen du dossier."
      : result.eligible === false
        ? "Non éligible : au vu de vos réponses, au moins une condition de l'appel n'est pas remplie."
        : "Incomplet : aucune condition n'est enfreinte pour l'instant, mais des réponses manquent pour conclure.";
    this.showVerdict(result.eligible === true ? "eligible" : result.eligible === false ? "not-eligible" : "incomplete", headline);
    const blocks = [];
    const reasons = result.findings.filter((finding) => finding.severity === "error");
    const others = result.findings.filter((finding) => finding.severity !== "error");
    result.findings.forEach((finding, index) => {
      const id = `calc-constat-${index}`;
      const notes = this.ruleNotes.get(finding.rule);
      if (notes) notes.append(findingElement(finding, this.rules, id));
      const box = notes?.closest(".calc-rule");
      if (!box) return;
      box.setAttribute("data-severity", finding.severity);
      for (const control of this.controls.values()) if (box.contains(control)) this.describe(control, id);
    });
    if (reasons.length) {
      blocks.push(el("h4", { text: "Pourquoi" }), el("ul", {}, reasons.map((finding) => el("li", {}, finding.message, " ",
        el("a", { href: `#regle-${finding.rule}`, text: `(${finding.reference})` })))));
    }
    if (result.missing.length) {
      blocks.push(el("h4", { text: "Encore à renseigner" }), el("ul", { class: "calc-missing" }, result.missing.map((item) => {
        const control = this.controls.get(item.question) ?? this.controls.get(`answers.${item.question}`);
        const link = el("a", { href: control ? `#${control.id}` : "#calculateur", text: item.label });
        link.addEventListener("click", (event) => {
          if (!control) return;
          event.preventDefault();
          const target = control.matches("fieldset") ? control.querySelector("input:checked, input") : control;
          target?.focus();
          control.scrollIntoView({ block: "center" });
        });
        return el("li", {}, link);
      })));
    }
    if (others.length) {
      blocks.push(el("h4", { text: "À noter" }), el("ul", {}, others.map((finding) => el("li", {}, finding.message, " ",
        el("a", { href: `#regle-${finding.rule}`, text: `(${finding.reference})` })))));
    }
    this.verdictDetails.replaceChildren(...blocks);
  }

  showInputError(error) {
    this.clearMarks();
    this.verdictDetails.replaceChildren(); // nothing computed from earlier answers stays beside the error
    const control = this.controls.get(error.field) ?? null;
    const id = "calc-erreur-saisie";
    const node = el("p", { class: "calc-input-error", id }, el("strong", { text: "Réponse à corriger : " }), error.message);
    if (control) {
      control.setAttribute("aria-invalid", "true");
      this.describe(control, id);
      const box = control.closest(".calc-rule");
      box?.querySelector(".calc-notes")?.append(node);
    } else {
      this.verdictDetails.replaceChildren(node);
    }
    this.showVerdict("input-error", `Réponse à corriger avant de conclure : ${error.message}.`);
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
      text: `Le questionnaire ne peut pas se charger (${error.message}). Les conditions d'éligibilité restent consultables plus bas sur cette page.` }));
    return;
  }
  let linked = null;
  try {
    linked = await draftFromFragment();
  } catch {
    linked = null; // an unreadable link: start from what this browser kept
  }
  const checker = new EligibilityChecker(mount, callId, vocabulary, call, linked && typeof linked === "object" ? linked : null);
  clearDraftFragment();
  checker.build();
  checker.schedule.flush();
  mount.dataset.state = "ready";
  window.calculators.eligibility = checker;
}

const mount = document.getElementById("calculateur");
if (mount?.dataset.kind === "eligibility") main(mount);
