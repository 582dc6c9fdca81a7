// Budget simulator, mounted in <div id="calculateur" data-kind="budget" data-call="…">.
//
// Laid out like the budget table of the calls' annexes: actions; in each action, lines by
// category (human means, equipment, communication, training, other); columns « demandé au
// financeur (1) », « cofinancements (2) », « total (1+2) »; then the co-funders and totals.
// Every figure, total and finding comes from the Python calculators (runtime.js); this file
// only keeps the draft, sends it as typed and shows what comes back.
//
// The simulator is one class whose methods live in modules by job (budget/):
//   model.js   — the draft's shape and the calculators' input built from it;
//   form.js    — the form (actions, lines, co-funders) and its events;
//   draft.js   — local storage, the draft link, JSON/CSV import and export;
//   results.js — the summary bar, results (totals, problems), marks, print.

import { preload } from "./runtime.js";
import { debounce, el, latestOnly, loadCallData, rulesById } from "./common.js";
import { STORAGE_PREFIX, emptyDraft } from "./budget/model.js";
import { draftMethods } from "./budget/draft.js";
import { formMethods, readFields, readLineNotes } from "./budget/form.js";
import { resultsMethods } from "./budget/results.js";

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
}
Object.assign(BudgetSimulator.prototype, formMethods, draftMethods, resultsMethods);

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
