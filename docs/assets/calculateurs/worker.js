// Module Web Worker: runs the calculators' Python rules in Pyodide, off the main thread.
//
// Start-up: read manifest.json (written by the build, see macros/runtime.py), then fetch at
// once every file it lists — Pyodide's two modules, the WebAssembly interpreter, the
// compiled standard library, the rules package, the vocabulary, and on repeat visits the
// memory snapshot of a started Pyodide — each checked by the browser against the SHA-256
// recorded at build time (fetch's `integrity`). A file that does not match stops everything
// before any of it runs: the page says so in French. No CDN, no micropip, no package index,
// no Python package.
//
// Messages in:   {type: "preload", callId}
//                {type: "save-data", on}   the browser asks to save data: the snapshot is never fetched
//                {type: "draft", json}   a draft call's data (the checking page's), used instead of a published one
//                {id, kind: "budget" | "eligibility", callId, input, page}   (input: JSON text;
//                                    page: the simulator's lenient budget evaluation, Bundle.budget_page_text)
// Messages out:  {type: "progress", stage, label, fraction, ms}
//                {type: "ready", ms, snapshot}   snapshot: whether Python was restored from the snapshot
//                {type: "snapshot-cached"}        the snapshot is kept (Cache Storage) for the next visits
//                {type: "failed", message, reason}   reason: "integrity" when a file did not match
//                {id, json}          json: the Bundle's JSON answer ({"result"} or {"error"}; with
//                                    page, {"result", "details"}: the figures of each line and co-funder)
//                {id, failure, reason}  a program error, or a call file that did not match

const SITE_ROOT = new URL("../../", import.meta.url);
const PACKAGE_DIR = "/home/pyodide/calculateurs";
const CALL_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

// The only Python here: put the unpacked package on sys.path and take its entry point. (A
// Python restored from the build's snapshot has both already: macros/stdlib_compile.mjs.)
const GLUE = `import sys\nif ${JSON.stringify(PACKAGE_DIR)} not in sys.path: sys.path.insert(0, ${JSON.stringify(PACKAGE_DIR)})\nfrom calculators.api import BUNDLE\n`;

// fetch as the browser gives it: Pyodide's start-up runs under a stand-in (withCheckedFiles).
const networkFetch = self.fetch.bind(self);

let manifest = null; // set once manifestLoaded resolves
let python = null; // {loadCall, evaluateText, budgetPage}: methods of the Python Bundle, made once
let failure = null; // {message, reason} once start-up has failed
const calls = new Map();
const t0 = performance.now();

function progress(stage, label, fraction) {
  // `at`: when, on the clock both threads share (the page subtracts its own time origin).
  postMessage({ type: "progress", stage, label, fraction, ms: Math.round(performance.now() - t0), at: performance.timeOrigin + performance.now() });
}

/** A file that is not the one the build published: nothing of it may run. */
class IntegrityError extends Error {
  constructor(path) {
    super(`un fichier du calculateur (${path}) ne correspond pas à celui publié avec le site : il a pu être `
      + "modifié, ou le site est en cours de mise à jour. Par sécurité, aucun calcul n'est lancé. "
      + "Rechargez la page dans quelques minutes ; si ce message persiste, signalez-le aux responsables du site");
    this.name = "IntegrityError";
  }
}

/** "ab12…" (hex, as in the manifest) → "sha256-qxI…" (a Subresource Integrity value). */
function integrityOf(hex) {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return `sha256-${btoa(binary)}`;
}

/**
 * Fetch `path` (relative to the site root), a file of the manifest, checked by the browser
 * against the SHA-256 the build recorded: the promise resolves only once the whole body has
 * arrived and matched. A file missing from the manifest is never fetched.
 */
async function checked(path) {
  const digest = manifest.files?.[path];
  if (!digest) throw new IntegrityError(path);
  const url = new URL(path, SITE_ROOT);
  try {
    const response = await networkFetch(url, { integrity: integrityOf(digest), credentials: "same-origin" });
    if (response.ok) return response;
    throw Object.assign(new Error(`${path} : erreur HTTP ${response.status}`), { status: response.status });
  } catch (error) {
    if (error.status) throw error;
    // fetch rejects alike for a lost connection and for bytes that do not match: ask once
    // more without the check (from the cache) to tell which, and say the right thing.
    const plain = await networkFetch(url, { credentials: "same-origin" }).catch(() => null);
    if (plain?.ok) throw new IntegrityError(path);
    throw new Error(plain ? `${path} : erreur HTTP ${plain.status}` : `${path} : téléchargement impossible (${error.message})`);
  }
}

/** Import an ES module of the site once its bytes have matched the manifest. */
async function checkedImport(path) {
  await (await checked(path)).arrayBuffer();
  // The import reads the bytes just checked from the HTTP cache (a worker cannot give an
  // `integrity` to import(), and a blob: module would need `blob:` in script-src).
  return import(new URL(path, SITE_ROOT).href);
}

const SNAPSHOT_CACHE = "calculateurs-instantane";

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function gunzip(buffer) {
  const body = new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** Whether this browser can keep and use the memory snapshot (Cache Storage is for secure contexts). */
const snapshotUsable = (path) => Boolean(path && typeof DecompressionStream === "function" && self.caches && self.crypto?.subtle);

/**
 * The memory snapshot (gzip), uncompressed, but only when this browser already keeps it: on a
 * first visit the calculator does not wait for 5 MB more (Python starts the ordinary way; the
 * snapshot is fetched in the background once the first result is out, for the next visits:
 * keepSnapshot; never when the browser asks to save data). Null then. The kept copy is
 * checked against the manifest like any file: one that does not match stops everything.
 */
async function keptSnapshot(path) {
  if (!snapshotUsable(path)) return null;
  const digest = manifest.files?.[path];
  if (!digest) throw new IntegrityError(path);
  let response;
  try {
    response = await (await caches.open(SNAPSHOT_CACHE)).match(new URL(path, SITE_ROOT).href);
  } catch {
    return null; // storage refused (private mode, quota): start the ordinary way
  }
  if (!response) return null;
  const bytes = await response.arrayBuffer();
  if ((await sha256Hex(bytes)) !== digest) throw new IntegrityError(path);
  return gunzip(bytes);
}

/**
 * Fetch the snapshot (checked) into the Cache Storage for the next visits, replacing those of
 * earlier publications; tell the page when it is there. A snapshot on the server that does
 * not match the manifest is a file that does not match: the calculator stops and says so.
 */
async function keepSnapshot(path) {
  if (!snapshotUsable(path) || savesData()) return;
  let response;
  try {
    response = await checked(path);
  } catch (error) {
    if (error instanceof IntegrityError) stop(error);
    else console.warn(`calculateurs : ${error.message}`);
    return;
  }
  try {
    const url = new URL(path, SITE_ROOT).href;
    const cache = await caches.open(SNAPSHOT_CACHE);
    await cache.put(url, response);
    for (const request of await cache.keys()) if (request.url !== url) await cache.delete(request);
    postMessage({ type: "snapshot-cached" });
  } catch (error) {
    console.warn(`calculateurs : instantané non conservé (${error.message})`); // quota, private mode: no matter
  }
}

/** Compile the checked interpreter; V8 keeps its machine code for the next visit (code cache). */
async function checkedWasm(path) {
  const response = await checked(path);
  const type = response.headers.get("Content-Type") ?? "";
  // Streaming compilation needs the host to serve .wasm as application/wasm (README, "Hosting").
  if (type.startsWith("application/wasm")) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Run `load` (loadPyodide) while Pyodide's own requests are answered with checked files.
 *
 * loadPyodide fetches two files itself: the interpreter (given to WebAssembly.instantiateStreaming)
 * and the standard library (its stdLibURL). For the length of the call, fetch answers the
 * standard library's URL with the checked bytes and the interpreter's with an empty body,
 * and instantiateStreaming instantiates the module compiled from the checked bytes instead;
 * any other request is refused. Both are restored as soon as Pyodide has started.
 */
async function withCheckedFiles({ wasmURL, module, stdlibURL, stdlib }, load) {
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  self.fetch = async (input) => {
    const url = new URL(input instanceof Request ? input.url : input, self.location.href).href;
    if (url === stdlibURL) return new Response(stdlib);
    if (url === wasmURL) return new Response(null, { headers: { "Content-Type": "application/wasm" } });
    throw new Error(`requête imprévue pendant le démarrage : ${url}`);
  };
  WebAssembly.instantiateStreaming = async (source, imports) => {
    await source;
    return { instance: await WebAssembly.instantiate(module, imports), module };
  };
  try {
    return await load();
  } finally {
    self.fetch = networkFetch;
    WebAssembly.instantiateStreaming = instantiateStreaming;
  }
}

async function loadManifest() {
  progress("manifest", "Préparation du calculateur", 0.02);
  // The manifest changes with every publication: always revalidated, never taken stale.
  const response = await networkFetch(new URL("manifest.json", import.meta.url), { cache: "no-cache", credentials: "same-origin" });
  if (!response.ok) throw new Error(`manifest.json : erreur HTTP ${response.status}`);
  manifest = await response.json();
}

const manifestLoaded = loadManifest();

async function start() {
  await manifestLoaded;
  const pyodidePath = manifest.pyodide.path;
  const wasmPath = `${pyodidePath}pyodide.asm.wasm`;
  const bundlePath = `assets/calculateurs/${manifest.bundle}`;

  progress("pyodide", "Téléchargement et préparation du moteur de calcul", 0.05);
  // Everything at once; each file is checked before it is used. Calls asked for meanwhile
  // (preload) are fetched in parallel too.
  const files = Promise.all([
    checkedImport(`${pyodidePath}pyodide.mjs`),
    checkedImport(`${pyodidePath}pyodide.asm.mjs`),
    checkedWasm(wasmPath),
    checked(manifest.stdlib).then((r) => r.arrayBuffer()),
    checked(bundlePath).then((r) => r.arrayBuffer()),
    checked("donnees/vocabulaire.json").then((r) => r.text()),
    keptSnapshot(manifest.snapshot),
  ]);
  const [{ loadPyodide }, glue, module, stdlib, bundle, vocabulary, snapshot] = await files;

  progress("python", "Démarrage de Python", 0.6);
  const stdlibURL = new URL(manifest.stdlib, SITE_ROOT).href;
  const load = (image) => withCheckedFiles(
    { wasmURL: new URL(wasmPath, SITE_ROOT).href, module, stdlibURL, stdlib },
    () => loadPyodide({
      indexURL: new URL(pyodidePath, SITE_ROOT).href,
      stdLibURL: stdlibURL,
      createPyodideModule: glue.default, // already imported and checked: Pyodide does not import it again
      lockFileContents: { info: manifest.pyodide.lock, packages: {} }, // no package is ever loaded
      packages: [],
      stdout: () => {},
      stderr: (text) => console.warn(text),
      // The memory of a Pyodide started the same way at build time (macros/stdlib_compile.mjs):
      // Python's own start-up, ~150 module imports, is skipped. (An option Pyodide marks as
      // internal: if the restore fails, Python starts the ordinary way below.)
      ...(image ? { _loadSnapshot: image } : {}),
    }),
  );
  let instance;
  let restored = Boolean(snapshot);
  try {
    instance = await load(snapshot);
  } catch (error) {
    if (!snapshot) throw error;
    console.warn("calculateurs : instantané de Python inutilisable, démarrage ordinaire", error);
    restored = false;
    instance = await load(null);
  }

  progress("bundle", "Chargement des règles de calcul", 0.9);
  instance.unpackArchive(bundle, "zip", { extractDir: PACKAGE_DIR });
  instance.runPython(GLUE);
  const bundleProxy = instance.globals.get("BUNDLE"); // kept alive: the methods below are borrowed from it
  bundleProxy.load_vocabulary(vocabulary);
  python = {
    loadCall: bundleProxy.load_call,
    evaluateText: bundleProxy.evaluate_text,
    budgetPage: bundleProxy.budget_page_text,
  };
  progress("ready", "Calculateur prêt", 1);
  postMessage({ type: "ready", ms: Math.round(performance.now() - t0), snapshot: restored });
  if (!restored) afterFirstResult().then(() => keepSnapshot(manifest.snapshot));
}

/** Time given to the first result before the snapshot's download starts anyway (a page that evaluates nothing yet). */
const SNAPSHOT_DELAY_MS = 5_000;
let firstAnswered;
const firstAnswer = new Promise((resolve) => { firstAnswered = resolve; });

/**
 * Resolves once the first answer has been posted (or SNAPSHOT_DELAY_MS after ready): the 5 MB
 * of the memory snapshot are for the next visits and must not compete with the first result.
 */
function afterFirstResult() {
  return Promise.race([firstAnswer, new Promise((resolve) => setTimeout(resolve, SNAPSHOT_DELAY_MS))]);
}

let pageSavesData = false; // as the page sees it: {type: "save-data", on}

/** Whether the visitor's browser asks to save data (« Économiseur de données »): then no snapshot is fetched. */
function savesData() {
  return pageSavesData || Boolean(self.navigator?.connection?.saveData);
}

/** Start-up failed, or a file turned out not to match: from now on, nothing is evaluated. */
function stop(error) {
  if (failure) return;
  failure = { message: error?.message || String(error), reason: error instanceof IntegrityError ? "integrity" : "start" };
  python = null;
  postMessage({ type: "failed", ...failure });
}

const ready = start().catch((error) => {
  stop(error);
  throw error;
});
ready.catch(() => {});

/** Fetch (checked) and parse a call once; false when the site publishes no such call. */
function loadCall(callId) {
  if (!calls.has(callId)) {
    const loading = (async () => {
      await manifestLoaded;
      const path = `donnees/appels/${callId}.json`;
      if (!manifest.files?.[path]) return false; // unknown call: the Bundle says so in French
      const text = await (await checked(path)).text();
      await ready;
      python.loadCall(text);
      return true;
    })();
    loading.catch(() => calls.delete(callId)); // a network hiccup may be retried
    calls.set(callId, loading);
  }
  return calls.get(callId);
}

async function evaluate({ id, kind, callId, input, page }) {
  if (typeof callId !== "string" || !CALL_ID.test(callId)) {
    return { id, json: JSON.stringify({ error: { field: "", message: `appel inconnu « ${String(callId).slice(0, 80)} »` } }) };
  }
  await loadCall(callId);
  await ready;
  if (failure) throw new Error(failure.message);
  const text = typeof input === "string" ? input : JSON.stringify(input ?? {});
  // One Python call per evaluation: the simulator's answer carries the per-line figures too.
  const json = page === true && kind === "budget" ? python.budgetPage(callId, text) : python.evaluateText(String(kind), callId, text);
  return { id, json };
}

self.onmessage = (event) => {
  const message = event.data || {};
  if (message.type === "save-data") {
    pageSavesData = message.on === true;
    return;
  }
  if (message.type === "draft") {
    // A call file checked in the page (« Vérifier un fichier d'appel »), as the build would publish it.
    let callId = null;
    try {
      callId = JSON.parse(String(message.json)).id;
    } catch {
      return;
    }
    if (typeof callId !== "string" || !CALL_ID.test(callId)) return;
    const loading = ready.then(() => {
      python.loadCall(String(message.json));
      return true;
    });
    loading.catch(() => {});
    calls.set(callId, loading);
    return;
  }
  if (message.type === "preload") {
    if (typeof message.callId === "string" && CALL_ID.test(message.callId)) loadCall(message.callId).catch(() => {});
    return;
  }
  evaluate(message).then(
    (answer) => {
      postMessage(answer);
      firstAnswered();
    },
    (error) => postMessage({
      id: message.id,
      failure: failure?.message || error?.message || String(error),
      reason: failure?.reason ?? (error instanceof IntegrityError ? "integrity" : "program"),
    }),
  );
};
