// Module Web Worker: runs the calculators' Python rules in Pyodide, off the main thread.
//
// Start-up: read manifest.json (written by the build, see macros/runtime.py), import the
// site's own copy of pyodide.mjs, unpack the calculators package onto sys.path, load the
// shared vocabulary. No CDN, no micropip, no Python package is loaded.
//
// Messages in:   {type: "preload", callId}
//                {id, kind: "budget" | "eligibility", callId, input}   (input: JSON text or object)
// Messages out:  {type: "progress", stage, label, fraction}
//                {type: "ready", ms}
//                {type: "failed", message}
//                {id, json, details} json: the Bundle's JSON answer ({"result"} or {"error"});
//                                    details: a budget's per-line and per-co-funder figures
//                                    as parsed by Python ({lines, cofunders}), else null
//                {id, failure}       a program error (never a rule violation)

const SITE_ROOT = new URL("../../", import.meta.url);
const PACKAGE_DIR = "/home/pyodide/calculateurs";
const CALL_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

// The glue between JSON texts and the calculators package. It holds no rule: it calls the
// package's entry points, and adds the per-line figures the budget table displays (the
// package computes them in parse_budget; the output contract has only the totals).
// TODO(calculators): this belongs in calculators.api, e.g. Bundle.budget_details_text().
const GLUE = `
import json, sys
if ${JSON.stringify(PACKAGE_DIR)} not in sys.path:
    sys.path.insert(0, ${JSON.stringify(PACKAGE_DIR)})
from calculators.api import BUNDLE, decode_input
from calculators.budget import parse_budget
from calculators.money import plain
from calculators.report import InputError

def _page_budget_details(text):
    try:
        budget = parse_budget(decode_input(text), BUNDLE.vocabulary)
    except InputError:
        return "null"
    return json.dumps({
        "lines": [{"action": l.action, "line": l.index, "cost": plain(l.cost), "funder": plain(l.funder),
                   "cofunding": plain(l.cofunding), "in_kind": l.in_kind} for l in budget.lines],
        "cofunders": [{"name": c.name, "amount": plain(c.amount), "status": c.status} for c in budget.cofunders],
    }, ensure_ascii=False)
`;

let python = null; // {loadVocabulary, loadCall, evaluateText, budgetDetails}: Python callables, created once
let failure = null;
const calls = new Map();
const t0 = performance.now();

function progress(stage, label, fraction) {
  postMessage({ type: "progress", stage, label, fraction, ms: Math.round(performance.now() - t0) });
}

async function fetchOk(url, kind = "text") {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) {
    const error = new Error(`${new URL(url).pathname} : erreur HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return kind === "buffer" ? response.arrayBuffer() : response.text();
}

async function sha256Hex(buffer) {
  if (!globalThis.crypto?.subtle) return null; // not a secure context: nothing to check with
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function start() {
  progress("manifest", "Préparation du calculateur", 0.02);
  const manifest = JSON.parse(await fetchOk(new URL("manifest.json", import.meta.url)));
  const indexURL = new URL(manifest.pyodide.path, SITE_ROOT).href;
  const bundlePath = `assets/calculateurs/${manifest.bundle}`;
  // Fetch the small files while Pyodide downloads and compiles.
  const bundle = fetchOk(new URL(bundlePath, SITE_ROOT), "buffer");
  const vocabulary = fetchOk(new URL("donnees/vocabulaire.json", SITE_ROOT));
  bundle.catch(() => {});
  vocabulary.catch(() => {});

  progress("pyodide", "Téléchargement et démarrage de Python (WebAssembly)", 0.05);
  const { loadPyodide } = await import(new URL("pyodide.mjs", indexURL).href);
  const options = { indexURL, packages: [], stdout: () => {}, stderr: (text) => console.warn(text) };
  if (manifest.pyodide.lock) {
    // The worker loads no package: an empty index with the right ABI spares the download
    // of the 120 kB package list.
    options.lockFileContents = { info: manifest.pyodide.lock, packages: {} };
  }
  const instance = await loadPyodide(options);

  progress("bundle", "Chargement des règles de calcul", 0.85);
  const buffer = await bundle;
  const expected = manifest.files?.[bundlePath];
  const actual = expected ? await sha256Hex(buffer) : null;
  if (expected && actual && actual !== expected) {
    throw new Error("le paquet des règles ne correspond pas au manifeste (mise à jour du site en cours ?) ; rechargez la page");
  }
  instance.unpackArchive(buffer, "zip", { extractDir: PACKAGE_DIR });
  instance.runPython(GLUE);
  const bundleProxy = instance.globals.get("BUNDLE");
  const api = {
    loadVocabulary: bundleProxy.load_vocabulary,
    loadCall: bundleProxy.load_call,
    evaluateText: bundleProxy.evaluate_text,
    budgetDetails: instance.globals.get("_page_budget_details"),
  };
  // bundleProxy stays alive: the methods above are borrowed from it.
  api.loadVocabulary(await vocabulary);
  python = api;
  progress("ready", "Calculateur prêt", 1);
  postMessage({ type: "ready", ms: Math.round(performance.now() - t0) });
}

const ready = start().catch((error) => {
  failure = error?.message || String(error);
  postMessage({ type: "failed", message: failure });
  throw error;
});
ready.catch(() => {});

function loadCall(callId) {
  if (!calls.has(callId)) {
    const loading = (async () => {
      let text;
      try {
        text = await fetchOk(new URL(`donnees/appels/${callId}.json`, SITE_ROOT));
      } catch (error) {
        if (error.status === 404) return false; // unknown call: the Bundle says so in French
        throw error;
      }
      await ready;
      python.loadCall(text);
      return true;
    })();
    loading.catch(() => calls.delete(callId)); // a network hiccup may be retried
    calls.set(callId, loading);
  }
  return calls.get(callId);
}

async function evaluate({ id, kind, callId, input }) {
  if (typeof callId !== "string" || !CALL_ID.test(callId)) {
    return { id, json: JSON.stringify({ error: { field: "", message: `appel inconnu « ${String(callId).slice(0, 80)} »` } }), details: null };
  }
  await ready;
  await loadCall(callId);
  const text = typeof input === "string" ? input : JSON.stringify(input ?? {});
  const json = python.evaluateText(String(kind), callId, text);
  let details = null;
  if (kind === "budget" && !json.startsWith('{"error"')) details = JSON.parse(python.budgetDetails(text));
  return { id, json, details };
}

self.onmessage = (event) => {
  const message = event.data || {};
  if (message.type === "preload") {
    if (typeof message.callId === "string" && CALL_ID.test(message.callId)) loadCall(message.callId).catch(() => {});
    return;
  }
  evaluate(message).then(
    (answer) => postMessage(answer),
    (error) => postMessage({ id: message.id, failure: failure || error?.message || String(error) }),
  );
};
