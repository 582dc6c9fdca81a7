// Helpers shared by the budget simulator and the eligibility checker: DOM building, French
// display of the amounts Python returns (string manipulation only, never arithmetic),
// data loading, drafts in localStorage and in the URL fragment, downloads.

const NBSP = "\u00a0";

/** The site root, from this file's own address (assets/calculateurs/ is two levels down). */
export const SITE_ROOT = new URL("../../", import.meta.url);

/** el("p", {class: "x", text: "…"}, child…) — small DOM builder; never parses HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let uniqueCounter = 0;
export function uniqueId(prefix) {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** "1150.00" → "1 150,00 €"; `cents: false` drops ",00" on round amounts. Null → "—". */
export function formatEuros(value, { cents = true } = {}) {
  if (value === null || value === undefined || value === "") return "—";
  const text = String(value);
  const negative = text.startsWith("-");
  const [integer, fraction = ""] = text.replace(/^[-+]/, "").split(".");
  let decimals = fraction.padEnd(2, "0");
  if (!cents && /^0*$/.test(decimals)) decimals = "";
  return `${negative ? "-" : ""}${groupThousands(integer)}${decimals ? `,${decimals}` : ""}${NBSP}€`;
}

/** "0.5652" → "56,52 %" (a share as Python writes it, shifted by two places as text). */
export function formatShare(value) {
  if (value === null || value === undefined || value === "") return "—";
  const [integer, fraction = ""] = String(value).split(".");
  const padded = fraction.padEnd(2, "0");
  const whole = `${integer}${padded.slice(0, 2)}`.replace(/^0+(?=\d)/, "");
  const rest = padded.slice(2).replace(/0+$/, "");
  return `${groupThousands(whole)}${rest ? `,${rest}` : ""}${NBSP}%`;
}

/** "1234.5" → "1234,5": an amount from Python in a French CSV cell. */
export function frenchDecimal(value) {
  return value === null || value === undefined ? "" : String(value).replace(".", ",");
}

let manifest = null;

/** The build's list of the calculators' files with their SHA-256 (macros/runtime.py), fetched once. */
function calculatorManifest() {
  manifest ??= fetch(new URL("assets/calculateurs/manifest.json", SITE_ROOT), { cache: "no-cache", credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(`manifest.json : erreur HTTP ${response.status}`);
      return response.json();
    });
  return manifest;
}

/** "ab12…" (hex) → "sha256-qxI…" (Subresource Integrity), as the worker does. */
function integrityOf(hex) {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return `sha256-${btoa(binary)}`;
}

/**
 * A JSON file of the site (donnees/…), checked by the browser against the SHA-256 in the
 * calculators' manifest, like every file the worker loads: a file that does not match is
 * never used.
 */
export async function fetchJson(path) {
  const digest = (await calculatorManifest()).files?.[path];
  if (!digest) throw new Error(`${path} n'est pas publié avec le calculateur`);
  const url = new URL(path, SITE_ROOT);
  let response;
  try {
    response = await fetch(url, { integrity: integrityOf(digest), credentials: "same-origin" });
  } catch (error) {
    const plain = await fetch(url, { credentials: "same-origin" }).catch(() => null);
    if (plain?.ok) {
      throw new Error(`le fichier ${path} ne correspond pas à celui publié avec le site (modifié, ou mise à jour du site en cours) ; rechargez la page dans quelques minutes`);
    }
    throw new Error(plain ? `${path} : erreur HTTP ${plain.status}` : `${path} : téléchargement impossible (${error.message})`);
  }
  if (!response.ok) throw new Error(`${path} : erreur HTTP ${response.status}`);
  return response.json();
}

/** The call data of the page's draft (JSON text), on the draft calculator pages only; else null. */
export function draftCall() {
  try {
    if (!document.querySelector("#calculateur[data-draft]")) return null;
    return JSON.parse(sessionStorage.getItem("appels-brouillon") ?? "null")?.call ?? null;
  } catch {
    return null;
  }
}

/** The shared vocabulary and the call's published data (donnees/…), or the page's draft call. */
export function loadCallData(callId) {
  const draft = draftCall(); // the draft calculator pages of « Vérifier un fichier d'appel »
  if (draft) return Promise.all([fetchJson("donnees/vocabulaire.json"), JSON.parse(draft)]);
  return Promise.all([fetchJson("donnees/vocabulaire.json"), fetchJson(`donnees/appels/${callId}.json`)]);
}

/**
 * Run the async `task` now or, if a run is still in flight, once more as soon as it ends:
 * every input recalculates at once (no debounce delay), and a burst of inputs queues at
 * most one more run, made with the latest input. The caller drops the answers of runs
 * overtaken by a newer input.
 */
export function latestOnly(task) {
  let running = null;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        await task();
      } finally {
        running = null;
        if (again) {
          again = false;
          run();
        }
      }
    })();
    return running;
  };
  run.flush = run;
  return run;
}

export function debounce(fn, delay) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), delay);
  };
  wrapped.flush = (...args) => {
    clearTimeout(timer);
    fn(...args);
  };
  return wrapped;
}

// ------------------------------------------------------------------ drafts

export const storage = {
  read(key) {
    try {
      const text = localStorage.getItem(key);
      return text ? JSON.parse(text) : null;
    } catch {
      return null; // storage disabled, or a draft of an older format
    }
  },
  write(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch {
      return false; // private mode or full: the calculator still works, without saving
    }
  },
  remove(key) {
    try {
      localStorage.removeItem(key);
    } catch {
      /* nothing saved anyway */
    }
  },
};

function toBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function pipe(bytes, stream) {
  const response = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await response.arrayBuffer());
}

const FRAGMENT_KEY = "brouillon";

/**
 * Encode a draft for the URL fragment: "z" + base64url(deflate-raw(JSON)) where the browser
 * can compress, else "j" + base64url(JSON). The fragment never reaches any server.
 */
export async function encodeDraft(value) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  if (typeof CompressionStream === "function") {
    try {
      return `z${toBase64Url(await pipe(bytes, new CompressionStream("deflate-raw")))}`;
    } catch {
      /* fall through to the uncompressed form */
    }
  }
  return `j${toBase64Url(bytes)}`;
}

export async function decodeDraft(text) {
  const kind = text[0];
  let bytes = fromBase64Url(text.slice(1));
  if (kind === "z") bytes = await pipe(bytes, new DecompressionStream("deflate-raw"));
  else if (kind !== "j") throw new Error("lien de brouillon illisible");
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The fragment carrying `value` uncompressed (`brouillon=j…`), for a link built synchronously
 *  (the finder's links to the eligibility checker, one per result). */
export function plainDraftFragment(value) {
  return `${FRAGMENT_KEY}=j${toBase64Url(new TextEncoder().encode(JSON.stringify(value)))}`;
}

/** The draft carried by the page's fragment (#brouillon=…), or null. */
export async function draftFromFragment() {
  const hash = window.location.hash.slice(1);
  if (!hash.startsWith(`${FRAGMENT_KEY}=`)) return null;
  return decodeDraft(decodeURIComponent(hash.slice(FRAGMENT_KEY.length + 1)));
}

/** The page's address with the draft in its fragment (never in the query string). */
export async function linkWithDraft(value) {
  const url = new URL(window.location.href);
  url.hash = `${FRAGMENT_KEY}=${await encodeDraft(value)}`;
  return url.href;
}

/** Remove #brouillon=… from the address bar once the draft is loaded (keeps history clean). */
export function clearDraftFragment() {
  if (window.location.hash.startsWith(`#${FRAGMENT_KEY}=`)) {
    history.replaceState(history.state, "", window.location.pathname + window.location.search);
  }
}

export async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      /* permission refused: fall back below */
    }
  }
  const area = el("textarea", { class: "calc-offscreen", "aria-hidden": "true", readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand("copy");
  } catch {
    done = false;
  }
  area.remove();
  return done;
}

export function download(filename, content, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = el("a", { href: url, download: filename, class: "calc-offscreen" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Read a file chosen in an <input type=file> as text. */
export function readFile(file) {
  return file.text();
}

/** "# Finding" block: severity word, message, the rule's label and its reference. */
export const SEVERITY = {
  error: { word: "Règle non respectée", className: "calc-finding--error" },
  warning: { word: "À vérifier", className: "calc-finding--warning" },
  info: { word: "Information", className: "calc-finding--info" },
};

/** The call's rules by id (label, quote…), to name the rule beside each finding. */
export function rulesById(call) {
  const rules = new Map();
  for (const family of ["budget", "eligibility"]) {
    for (const rule of call.rules?.[family] ?? []) rules.set(rule.id, rule);
  }
  return rules;
}

/** The links from each rule to its sentence in the call's source text, by rule id: written by the
 *  build beside the calculator (`data-references`), relative to the site root. */
let referenceLinks;

/** A rule's reference: a link to the paragraph of the source text that holds its quote, when the
 *  build found one, else the reference as text. */
export function referenceElement(ruleId, text) {
  if (referenceLinks === undefined) {
    try {
      referenceLinks = JSON.parse(document.querySelector("[data-references]")?.dataset.references || "{}");
    } catch {
      referenceLinks = {};
    }
  }
  const href = Object.hasOwn(referenceLinks, ruleId) ? referenceLinks[ruleId] : null;
  return href ? el("a", { class: "aap-ref-link", href: new URL(href, SITE_ROOT).href, text })
    : el("cite", { text });
}

export function findingElement(finding, rules, id) {
  const severity = SEVERITY[finding.severity] ?? SEVERITY.info;
  const rule = rules.get(finding.rule);
  return el("div", { class: `calc-finding ${severity.className}`, id, dataset: { rule: finding.rule, severity: finding.severity } },
    el("p", { class: "calc-finding__message" }, el("strong", { text: `${severity.word} : ` }), finding.message),
    el("p", { class: "calc-finding__reference" },
      rule ? `${rule.label} — ` : "", "Référence : ", referenceElement(finding.rule, finding.reference)));
}
