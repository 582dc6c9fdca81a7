// Module Web Worker of « Vérifier un fichier d'appel »: runs the build's own call-file check
// (Python: callfiles.draft through macros.draft_page) in Pyodide, off the main thread.
//
// Start-up as the calculators' worker (docs/assets/calculateurs/worker.js): read this folder's
// manifest.json (macros/verifier.py), fetch every file it lists, each checked by the browser
// against the SHA-256 recorded at build time, start Pyodide on them. Nothing else is fetched:
// no CDN, no package index. The visitor's file never leaves the page: it is posted to this
// worker, and the only requests made for it are for the site's own published files it names
// (its framework, its source text).
//
// Messages in:   {id, op: "check", data: ArrayBuffer, filename}   → {id, json}  (Verifier.check)
//                {id, op: "options"}                              → {id, json}  (Verifier.options)
//                {id, op: "starter", form: JSON text}             → {id, json}  (Verifier.starter)
// Messages out:  {type: "progress", label, fraction} · {type: "ready", ms} · {type: "failed", message}
//                {id, failure}   a program error

const SITE_ROOT = new URL("../../", import.meta.url);
const PACKAGE_DIR = "/home/pyodide/verifier";
const GLUE = `import sys\nif ${JSON.stringify(PACKAGE_DIR)} not in sys.path: sys.path.insert(0, ${JSON.stringify(PACKAGE_DIR)})\nfrom macros.draft_page import Verifier\nVERIFIER = Verifier()\n`;
const networkFetch = self.fetch.bind(self);
const t0 = performance.now();

let manifest = null;
let verifier = null;
const fetched = new Set();

function progress(label, fraction) {
  postMessage({ type: "progress", label, fraction, ms: Math.round(performance.now() - t0) });
}

function integrityOf(hex) {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return `sha256-${btoa(binary)}`;
}

/** A file of the manifest, checked by the browser against its SHA-256; never a file outside it. */
async function checked(path) {
  const digest = manifest.files?.[path];
  if (!digest) throw new Error(`fichier non publié : ${path}`);
  const url = new URL(path, SITE_ROOT);
  let response;
  try {
    response = await networkFetch(url, { integrity: integrityOf(digest), credentials: "same-origin" });
  } catch (error) {
    const plain = await networkFetch(url, { credentials: "same-origin" }).catch(() => null);
    if (plain?.ok) {
      throw new Error(`un fichier de la vérification (${path}) ne correspond pas à celui publié avec le site ; `
        + "rechargez la page dans quelques minutes");
    }
    throw new Error(`${path} : téléchargement impossible (${error.message})`);
  }
  if (!response.ok) throw new Error(`${path} : erreur HTTP ${response.status}`);
  return response;
}

async function checkedImport(path) {
  await (await checked(path)).arrayBuffer();
  return import(new URL(path, SITE_ROOT).href);
}

async function checkedWasm(path) {
  const response = await checked(path);
  if ((response.headers.get("Content-Type") ?? "").startsWith("application/wasm")) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** loadPyodide fetches the interpreter and the standard library itself: answer with the checked bytes. */
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

async function start() {
  progress("Préparation de la vérification", 0.02);
  const response = await networkFetch(new URL("manifest.json", import.meta.url), { cache: "no-cache", credentials: "same-origin" });
  if (!response.ok) throw new Error(`manifest.json : erreur HTTP ${response.status}`);
  manifest = await response.json();
  const pyodidePath = manifest.pyodide.path;
  const wasmPath = `${pyodidePath}pyodide.asm.wasm`;
  progress("Téléchargement du moteur de vérification", 0.05);
  const [{ loadPyodide }, glue, module, stdlib, bundle, vocabulary, funders] = await Promise.all([
    checkedImport(`${pyodidePath}pyodide.mjs`),
    checkedImport(`${pyodidePath}pyodide.asm.mjs`),
    checkedWasm(wasmPath),
    checked(manifest.stdlib).then((r) => r.arrayBuffer()),
    checked(manifest.bundle).then((r) => r.arrayBuffer()),
    checked("donnees/referentiel/vocabulaire.yaml").then((r) => r.arrayBuffer()),
    checked("donnees/referentiel/financeurs.yaml").then((r) => r.arrayBuffer()),
  ]);
  progress("Démarrage de Python", 0.6);
  const stdlibURL = new URL(manifest.stdlib, SITE_ROOT).href;
  const python = await withCheckedFiles(
    { wasmURL: new URL(wasmPath, SITE_ROOT).href, module, stdlibURL, stdlib },
    () => loadPyodide({
      indexURL: new URL(pyodidePath, SITE_ROOT).href,
      stdLibURL: stdlibURL,
      createPyodideModule: glue.default,
      lockFileContents: { info: manifest.pyodide.lock, packages: {} },
      packages: [],
      stdout: () => {},
      stderr: (text) => console.warn(text),
    }),
  );
  progress("Chargement des règles de vérification", 0.9);
  python.unpackArchive(bundle, "zip", { extractDir: PACKAGE_DIR });
  python.runPython(GLUE);
  verifier = python.globals.get("VERIFIER");
  verifier.add_file("_referentiel/vocabulaire.yaml", new Uint8Array(vocabulary));
  verifier.add_file("_referentiel/financeurs.yaml", new Uint8Array(funders));
  postMessage({ type: "ready", ms: Math.round(performance.now() - t0) });
}

const ready = start().catch((error) => {
  postMessage({ type: "failed", message: error?.message || String(error) });
  throw error;
});
ready.catch(() => {});

/** Add the published files `bytes` leads to (calls it names, transitively, and their source texts). */
async function addNeeded(bytes) {
  const pending = [bytes];
  while (pending.length) {
    const needs = JSON.parse(verifier.needs(pending.shift()));
    const paths = [];
    if (needs.source) paths.push([`donnees/sources/${needs.source}`, `_sources/${needs.source}`]);
    for (const id of needs.calls) paths.push([`donnees/appels/${id}.yaml`, `${id}.yaml`]);
    for (const [published, inside] of paths) {
      if (fetched.has(published) || !manifest.files[published]) continue; // not published: the check says so
      fetched.add(published);
      const data = new Uint8Array(await (await checked(published)).arrayBuffer());
      verifier.add_file(inside, data);
      if (inside.endsWith(".yaml")) pending.push(data);
    }
  }
}

async function handle(message) {
  await ready;
  if (message.op === "check") {
    const bytes = new Uint8Array(message.data);
    await addNeeded(bytes);
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}`;
    return verifier.check(bytes, message.filename || null, day);
  }
  if (message.op === "options") return verifier.options();
  if (message.op === "starter") {
    return verifier.starter(String(message.form));
  }
  throw new Error(`opération inconnue : ${message.op}`);
}

self.onmessage = (event) => {
  const message = event.data || {};
  handle(message).then(
    (json) => postMessage({ id: message.id, json }),
    (error) => postMessage({ id: message.id, failure: error?.message || String(error) }),
  );
};
