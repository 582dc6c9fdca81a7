// The page side of the calculators: starts the Pyodide worker as soon as it is imported and
// exposes window.calculators.evaluate(kind, callId, input) → Promise of the output object.
//
// No rule lives here: the worker runs the site's Python package and this module only moves
// JSON texts. It also reports start-up progress, and gives up visibly (never an endless
// spinner) when WebAssembly is missing, start-up fails, or takes more than 30 seconds.

import { draftCall } from "./common.js";

export const STARTUP_TIMEOUT_MS = 30_000;

/** Time given to the first result before the background work of a first visit starts anyway. */
export const AFTER_FIRST_RESULT_MS = 5_000;

const listeners = new Set();
const callsUsed = new Set(); // the calls this page evaluated: their data is kept offline with the runtime
let firstAnswered;
const firstAnswer = new Promise((resolve) => { firstAnswered = resolve; });
const pending = new Map();
let nextId = 1;
let worker = null;
let readyResolve;
let readyReject;

/** Start-up state: phase is "starting", "ready", "slow" (over 30 s, still trying) or "failed". */
const status = { phase: "starting", stage: "start", label: "Démarrage du calculateur", fraction: 0, message: "", ms: null };
/** When each start-up stage began: [stage, ms since the worker started, ms since navigation]. */
const timeline = [];

/** Resolves when Python is ready; rejects when the calculator cannot start. */
export const ready = new Promise((resolve, reject) => {
  readyResolve = resolve;
  readyReject = reject;
});
ready.catch(() => {}); // a failure is reported through the status, not as an unhandled rejection

function update(changes) {
  Object.assign(status, changes);
  const snapshot = { ...status };
  for (const listener of listeners) {
    try {
      listener(snapshot);
    } catch (error) {
      console.error(error);
    }
  }
}

function fail(message, { evenIfReady = false } = {}) {
  if (status.phase === "failed" || (status.phase === "ready" && !evenIfReady)) return;
  update({ phase: "failed", message });
  readyReject(new Error(message));
  for (const { reject } of pending.values()) reject(new Error(message));
  pending.clear();
}

function supportsWebAssembly() {
  try {
    return typeof WebAssembly === "object" && typeof WebAssembly.instantiate === "function"
      && WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  } catch {
    return false;
  }
}

function onMessage(event) {
  const message = event.data || {};
  if (message.type === "progress") {
    // When the worker reached the stage (not when this busy thread got the message), in ms since navigation.
    const at = typeof message.at === "number" ? message.at - performance.timeOrigin : performance.now();
    timeline.push([message.stage, message.ms, Math.round(at)]);
    update({ stage: message.stage, label: message.label, fraction: message.fraction });
    return;
  }
  if (message.type === "ready") {
    update({ phase: "ready", stage: "ready", label: "Calculateur prêt", fraction: 1, message: "", ms: message.ms, snapshot: message.snapshot });
    readyResolve();
    return;
  }
  if (message.type === "snapshot-cached") {
    update({ snapshotCached: true });
    return;
  }
  if (message.type === "failed") {
    // A file that did not match its SHA-256 is said as such; anything else is a start-up failure.
    // (A file checked after start-up, such as the memory snapshot, may still turn out not to match.)
    if (message.reason === "integrity") fail(message.message, { evenIfReady: true });
    else fail(`le moteur de calcul n'a pas pu démarrer (${message.message})`);
    return;
  }
  const request = pending.get(message.id);
  if (!request) return;
  pending.delete(message.id);
  firstAnswered();
  if (message.failure) {
    request.reject(new Error(message.failure));
    return;
  }
  let answer;
  try {
    answer = JSON.parse(message.json);
  } catch (error) {
    request.reject(error);
    return;
  }
  if (answer.error) {
    const error = new Error(answer.error.message);
    error.name = "InputError";
    error.field = answer.error.field;
    request.reject(error);
    return;
  }
  request.resolve(request.detailed ? { result: answer.result, details: answer.details } : answer.result);
}

function startWorker() {
  if (!supportsWebAssembly()) {
    fail("ce navigateur ne prend pas en charge WebAssembly, nécessaire au calculateur");
    return;
  }
  if (typeof Worker !== "function") {
    fail("ce navigateur ne permet pas de lancer le calcul en arrière-plan (Web Worker)");
    return;
  }
  try {
    worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "calculateurs" });
  } catch (error) {
    fail(`ce navigateur ne peut pas lancer le calculateur (${error.message})`);
    return;
  }
  worker.addEventListener("message", onMessage);
  // The visitor's « save data » choice as the page sees it (a worker's own view may lag behind).
  worker.postMessage({ type: "save-data", on: Boolean(navigator.connection?.saveData) });
  // A draft call checked on « Vérifier un fichier d'appel » (docs/assets/verifier/brouillon.js):
  // the worker evaluates it instead of fetching a published call.
  const draft = draftCall();
  if (draft) worker.postMessage({ type: "draft", json: draft });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    fail(event.message ? `erreur du moteur de calcul : ${event.message}` : "ce navigateur ne peut pas charger le moteur de calcul (module Web Worker)");
  });
  worker.addEventListener("messageerror", () => fail("message illisible du moteur de calcul"));
  setTimeout(() => {
    if (status.phase === "starting") {
      update({
        phase: "slow",
        message: "le calculateur met plus de 30 secondes à démarrer (connexion lente ou appareil chargé)",
      });
    }
  }, STARTUP_TIMEOUT_MS);
}

function send(kind, callId, input, detailed) {
  if (status.phase === "failed") return Promise.reject(new Error(status.message));
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, detailed });
    if (typeof callId === "string") callsUsed.add(callId);
    const text = typeof input === "string" ? input : JSON.stringify(input ?? {});
    worker.postMessage({ id, kind, callId, input: text, page: detailed });
  });
}

/**
 * Evaluate `input` (an object, or its JSON text) with the calculator `kind` ("budget" or
 * "eligibility") for the call `callId`. Resolves with exactly the output object of the
 * calculator; rejects with an Error whose `.field` names the offending input (e.g.
 * "actions[0].lines[2].hours") and `.message` says what to type, in French.
 */
export function evaluate(kind, callId, input) {
  return send(kind, callId, input, false);
}

/**
 * The budget simulator's evaluation: resolves with {result, details}. Lenient (Python's
 * calculators.api.budget_page): a line that cannot be read is left out of the totals and
 * listed in result.input_errors, and details holds the figures of each line read. Rejects
 * with an InputError only when the input is not shaped like a budget.
 */
export function evaluateDetailed(kind, callId, input) {
  return send(kind, callId, input, true);
}

/** Ask the worker to fetch and parse a call while Python starts. */
export function preload(callId) {
  if (typeof callId === "string") callsUsed.add(callId);
  if (worker) worker.postMessage({ type: "preload", callId });
}

/**
 * Once the calculator is ready and its first result shown (or AFTER_FIRST_RESULT_MS later), ask
 * the site's service worker (sw.js, registered by assets/hors-ligne.js) to keep the whole
 * runtime and this page's calls for offline use. The files were just loaded: the worker takes
 * them from the HTTP cache, and on repeat visits has them all already.
 */
function keepOffline() {
  const container = navigator.serviceWorker;
  if (!container || !window.isSecureContext) return;
  container.ready.then((registration) => {
    registration.active?.postMessage({ type: "garder-calculateurs", calls: [...callsUsed] });
  }, () => {});
}

/** Call `listener(status)` now and on every change; returns a function that unsubscribes. */
export function onStatus(listener) {
  listeners.add(listener);
  listener({ ...status });
  return () => listeners.delete(listener);
}

export function currentStatus() {
  return { ...status, timeline: timeline.map((entry) => [...entry]) };
}

/**
 * Show the start-up state in `element` (a role="status" region): a progress bar while
 * starting, then a short line; a clear French message when the calculator cannot run.
 * `fallbackText` names where the static guidance is on the page.
 */
export function mountStatus(element, fallbackText = "Les règles de l'appel restent consultables plus bas sur cette page.") {
  element.classList.add("calc-status");
  element.setAttribute("role", "status");
  element.setAttribute("aria-live", "polite");
  const text = document.createElement("p");
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.setAttribute("aria-label", "Démarrage du calculateur");
  element.replaceChildren(text, bar);
  return onStatus((state) => {
    element.dataset.phase = state.phase;
    if (state.phase === "starting") {
      // Only the first letter is lowered: a name inside the label keeps its capital (« de Python »).
      text.textContent = `Chargement du calculateur : ${state.label.charAt(0).toLowerCase()}${state.label.slice(1)}… Le calcul se fait entièrement dans votre navigateur ; rien de ce que vous saisissez n'est envoyé.`;
      bar.hidden = false;
      if (state.stage === "pyodide") bar.removeAttribute("value"); // indeterminate: no byte count to show
      else bar.value = state.fraction;
    } else if (state.phase === "ready") {
      text.textContent = "Calculateur prêt : les résultats se mettent à jour pendant la saisie.";
      bar.hidden = true;
    } else if (state.phase === "slow") {
      text.textContent = `Attention : ${state.message}. Vous pouvez continuer la saisie, elle est enregistrée dans ce navigateur, et les résultats s'afficheront dès que le calculateur sera prêt. ${fallbackText}`;
      bar.hidden = true;
    } else {
      text.textContent = `Le calculateur ne peut pas fonctionner ici : ${state.message}. ${fallbackText}`;
      bar.hidden = true;
    }
  });
}

startWorker();
ready.then(() => Promise.race([firstAnswer, new Promise((resolve) => setTimeout(resolve, AFTER_FIRST_RESULT_MS))]))
  .then(keepOffline, () => {});

// The page's public API (PRODUCT.md): integrators and end-to-end tests drive it directly.
window.calculators = Object.assign(window.calculators ?? {}, { evaluate, ready, onStatus, status: currentStatus, preload });
