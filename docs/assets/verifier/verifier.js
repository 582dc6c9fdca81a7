// « Vérifier un fichier d'appel »: the page side. Starts the worker (worker.js), hands it the
// visitor's file (opened, dropped or pasted) and shows what Python answered: the build's
// problems beside the numbered lines of the file, the call page's preview, the starter file.
// No rule here: every message, the preview and the starter's YAML come from Python.

const MAX_FILE_BYTES = 20 * 1024 * 1024; // beyond this the browser is not asked to read it at all
const SHOWN_LINES = 2000; // a longer file is refused by the check anyway; laying out more lines takes seconds

const $ = (id) => document.getElementById(id);
const state = $("verif-etat");
const pending = new Map();
let nextId = 1;
let ready = false;
let worker;
let runs = 0;

function say(text, phase) {
  state.textContent = text;
  state.dataset.phase = phase;
}

function call(message, transfer = []) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...message }, transfer);
  });
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function showLines(text, problems) {
  const list = $("verif-lignes");
  const byLine = new Map();
  for (const problem of problems) if (problem.own) byLine.set(problem.line, [...(byLine.get(problem.line) ?? []), problem]);
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  // A problem at the end of the file (« got '<stream end>' ») is on the line after the last one.
  while (lines.length < Math.max(0, ...byLine.keys())) lines.push("");
  const hidden = Math.max(0, lines.length - SHOWN_LINES);
  const items = lines.slice(0, SHOWN_LINES).map((line, index) => {
    const number = index + 1;
    const item = el("li", { id: `ligne-${number}` }, el("code", { text: line || " " }));
    const found = byLine.get(number);
    if (found) {
      item.classList.add("verif-ligne--probleme");
      for (const problem of found) item.append(el("span", { class: "verif-ligne-note", text: `↑ ${problem.path ? `${problem.path} : ` : ""}${problem.message}` }));
    }
    return item;
  });
  list.replaceChildren(...items);
  const more = $("verif-lignes-suite");
  more.hidden = hidden === 0;
  more.textContent = hidden ? `… et ${hidden} lignes de plus, non affichées.` : "";
}

function showProblems(answer) {
  const list = $("verif-problemes");
  const count = answer.problems.length;
  $("verif-bilan").textContent = count === 0
    ? `Aucun problème : le fichier ${answer.name} sera accepté par la construction du site.`
    : `${count} problème${count > 1 ? "s" : ""} dans ${answer.name} : corrigez-${count > 1 ? "les" : "le"} dans votre fichier, puis vérifiez-le à nouveau. Chaque message dit ce qui était attendu et ce qui a été trouvé.`;
  $("verif-bilan").dataset.count = String(count);
  list.replaceChildren(...answer.problems.map((problem) => {
    const text = el("span", { class: "verif-message", text: problem.text });
    if (!problem.own) return el("li", { class: "verif-probleme" }, text);
    const link = el("a", { href: `#ligne-${problem.line}`, class: "verif-lien-ligne", text: `Ligne ${problem.line}, colonne ${problem.column}` });
    return el("li", { class: "verif-probleme", "data-line": String(problem.line) }, link, " — ", text);
  }));
}

async function check(bytes, filename) {
  if (!ready) say("La vérification démarre encore ; votre fichier sera vérifié dès qu'elle sera prête…", "starting");
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  let answer;
  try {
    answer = JSON.parse(await call({ op: "check", data: bytes.buffer, filename }, [bytes.buffer]));
  } catch (error) {
    say(`La vérification a échoué : ${error.message}. Rechargez la page ; si le problème persiste, vérifiez le fichier en local (bash scripts/dev.sh preview).`, "failed");
    return;
  }
  say("Vérification terminée.", "done");
  showProblems(answer);
  showLines(text, answer.problems);
  const result = $("verif-resultat");
  result.hidden = false;
  result.dataset.valid = String(answer.valid);
  result.dataset.run = String(++runs); // tests and integrators: a new answer is shown
  const preview = $("verif-apercu");
  if (answer.valid && answer.preview) {
    const page = $("verif-page");
    page.innerHTML = answer.preview; // HTML made by the build's templates (autoescaped) from the file
    for (const script of page.querySelectorAll("script")) script.remove();
    preview.hidden = false;
    // The draft calculator pages (brouillon.js) read the call's data, as the build would publish it, from this tab.
    const tools = answer.tools ?? {};
    try {
      sessionStorage.setItem("appels-brouillon", JSON.stringify({ name: answer.name, call: answer.call, notes: answer.notes }));
    } catch {
      tools.budget = tools.eligibility = false; // storage refused (private mode): no link that would lead nowhere
    }
    $("verif-budget").hidden = !tools.budget;
    $("verif-eligibilite").hidden = !tools.eligibility;
    $("verif-outils").hidden = !(tools.budget || tools.eligibility);
  } else {
    preview.hidden = true;
    $("verif-page").replaceChildren();
  }
  result.focus();
  return answer;
}

async function readFile(file) {
  if (!file) return;
  if (file.size > MAX_FILE_BYTES) {
    say(`Le fichier ${file.name} pèse ${file.size} octets : un fichier d'appel en fait quelques milliers. Vérifiez que vous avez choisi le bon fichier.`, "failed");
    return;
  }
  await check(new Uint8Array(await file.arrayBuffer()), file.name);
}

function setupInputs() {
  $("verif-fichier").addEventListener("change", (event) => readFile(event.target.files?.[0]));
  const zone = $("verif-depot");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("verif-depot--survol");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("verif-depot--survol"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("verif-depot--survol");
    readFile(event.dataTransfer?.files?.[0]);
  });
  $("verif-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("verif-texte").value;
    if (!text.trim()) {
      say("Collez d'abord le contenu de votre fichier d'appel dans la zone de texte, ou ouvrez le fichier.", "empty");
      $("verif-texte").focus();
      return;
    }
    check(new TextEncoder().encode(text), null);
  });
}

async function setupStarter() {
  const options = JSON.parse(await call({ op: "options" }));
  const fill = (select, items) => select.append(...items.map((item) => el("option", { value: item.id, text: item.label })));
  fill($("nouveau-financeur"), options.funders);
  fill($("nouveau-regions"), options.regions);
  fill($("nouveau-departements"), options.departments);
  $("nouveau-structures").append(...options.structure_types.map((item) => el("label", { class: "verif-case" },
    el("input", { type: "checkbox", name: "structure_types", value: item.id }), ` ${item.label}`)));
  const form = $("verif-nouveau");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const fields = {};
    for (const key of ["title", "funder", "date", "time", "summary", "url"]) fields[key] = String(data.get(key) ?? "").trim();
    for (const key of ["regions", "departments", "structure_types"]) fields[key] = data.getAll(key).map(String);
    const out = $("nouveau-resultat");
    let answer;
    try {
      answer = JSON.parse(await call({ op: "starter", form: JSON.stringify(fields) }));
    } catch (error) {
      out.replaceChildren(el("p", { text: `Le fichier n'a pas pu être créé : ${error.message}.` }));
      return;
    }
    const blob = new Blob([answer.yaml], { type: "application/yaml" });
    const link = el("a", { href: URL.createObjectURL(blob), download: answer.name, class: "md-button", text: `Télécharger ${answer.name}` });
    const parts = [];
    if (answer.problems.length) {
      parts.push(el("p", { text: "Le fichier a encore des problèmes ; complétez le formulaire ou corrigez-les dans le fichier :" }),
        el("ul", {}, ...answer.problems.map((p) => el("li", { text: p.text }))));
    } else {
      parts.push(el("p", { text: `Fichier créé : il passe la vérification de la construction. Enregistrez-le sous le nom ${answer.name} dans calls/, puis complétez-le.` }));
    }
    parts.push(el("p", {}, link), el("pre", { class: "verif-yaml" }, el("code", { text: answer.yaml })));
    out.replaceChildren(...parts);
  });
}

function start() {
  if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
    say("Ce navigateur ne peut pas lancer la vérification (WebAssembly ou Web Worker absent). Vérifiez le fichier en local : bash scripts/dev.sh preview <identifiant>.", "failed");
    return;
  }
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "verifier" });
  worker.addEventListener("message", (event) => {
    const message = event.data || {};
    if (message.type === "progress") {
      say(`Chargement de la vérification : ${message.label.charAt(0).toLowerCase()}${message.label.slice(1)}… Vous pouvez déjà choisir votre fichier.`, "starting");
      return;
    }
    if (message.type === "ready") {
      ready = true;
      say("Vérification prête : ouvrez ou déposez votre fichier, ou collez son contenu.", "ready");
      return;
    }
    if (message.type === "failed") {
      say(`La vérification ne peut pas fonctionner ici : ${message.message}.`, "failed");
      for (const { reject } of pending.values()) reject(new Error(message.message));
      pending.clear();
      return;
    }
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    if (message.failure) request.reject(new Error(message.failure));
    else request.resolve(message.json);
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    say("Ce navigateur ne peut pas charger la vérification (module Web Worker).", "failed");
  });
  setupInputs();
  setupStarter().catch((error) => console.warn("verifier: starter form", error));
}

start();
