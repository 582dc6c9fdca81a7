// The draft calculator pages (/publier/verifier/budget/, …/eligibilite/): run the calculators
// on the call file just checked on « Vérifier un fichier d'appel », which left the call's data
// as the build would publish it (computed by Python) in this tab's sessionStorage. Runs before
// the calculator's own script (module scripts run in document order): names the call on the
// mount, or says what to do when there is no draft. runtime.js and common.js read the same
// entry (DRAFT_KEY) to give the worker and the form the draft instead of a published call.

export const DRAFT_KEY = "appels-brouillon";

const mount = document.getElementById("calculateur");
const state = document.getElementById("brouillon-etat");
let draft = null;
try {
  draft = JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? "null");
} catch {
  draft = null;
}
if (!draft?.call) {
  mount.removeAttribute("data-kind"); // the calculator's script then starts nothing
  state.textContent = "Aucun brouillon vérifié dans cet onglet : ouvrez votre fichier sur la page « Vérifier un fichier d'appel », puis suivez son lien vers le simulateur.";
} else {
  const call = JSON.parse(draft.call);
  mount.dataset.call = call.id;
  state.textContent = `Brouillon : ${call.title} (fichier ${draft.name}, vérifié sans problème).`;
  const notes = document.createElement("script");
  notes.type = "application/json"; // data for the budget form, never run
  notes.id = "calc-notes-lignes";
  notes.textContent = draft.notes ?? "[]";
  mount.after(notes);
}
