// Budget simulator: the draft (actions, lines, co-funders) as the form edits it, and the
// calculators' input built from it. No DOM here.

export const STORAGE_PREFIX = "appels-sante:budget:";
export const DRAFT_FORMAT = 1;
export const LINE_FIELDS = ["category", "profession", "label", "hours", "hourly_rate", "amount", "funder", "in_kind"];

export const SECTIONS = [
  { id: "personnel", title: "Moyens humains", categories: ["personnel"],
    hint: "Nombre d'heures d'intervention et qualification de l'intervenant (vacation ou salarié, institution d'origine). Exemple : 6 ateliers d'une heure par un médecin = 6 h × 75 €." },
  { id: "materiel", title: "Moyens matériels", categories: ["materiel"], hint: "Type et quantité." },
  { id: "communication", title: "Communication", categories: ["communication"],
    hint: "Conception, impression, diffusion : une ligne par poste, prix TTC." },
  { id: "formation", title: "Formation", categories: ["formation"], hint: "" },
  { id: "autres", title: "Autres postes", categories: null, hint: "Déplacements, location de salle, coordination…" },
];
export const SECTION_OF = { personnel: "personnel", materiel: "materiel", communication: "communication", formation: "formation" };
export const sectionOf = (category) => SECTION_OF[category] ?? "autres";

let keyCounter = 0;
export const newKey = (prefix) => `${prefix}${(keyCounter += 1)}`;

export const text = (value) => (value === null || value === undefined ? "" : String(value));

export function blankLine(category) {
  return { key: newKey("l"), category, profession: "", label: "", hours: "", hourly_rate: "", amount: "", funder: "", in_kind: false };
}
export function blankAction() {
  return { key: newKey("a"), title: "", lines: [] };
}
export function blankCofunder() {
  return { key: newKey("c"), name: "", amount: "", status: "requested", public: "" };
}
export function emptyDraft() {
  const action = blankAction();
  action.lines.push(blankLine("personnel"));
  return { actions: [action], cofunders: [] };
}

/** Accept the calculators' input JSON (or a saved draft) and make an editable draft of it. */
export function draftFromData(data) {
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("un objet JSON avec une liste « actions » est attendu");
  const actions = data.actions ?? [];
  const cofunders = data.cofunders ?? [];
  if (!Array.isArray(actions) || !Array.isArray(cofunders)) throw new Error("« actions » et « cofunders » doivent être des listes");
  return {
    actions: actions.map((item) => {
      const action = blankAction();
      action.title = text(item?.title);
      for (const lineData of Array.isArray(item?.lines) ? item.lines : []) {
        const line = blankLine(text(lineData?.category) || "autre");
        for (const name of LINE_FIELDS) {
          if (name === "category" || lineData?.[name] === undefined || lineData?.[name] === null) continue;
          line[name] = name === "in_kind" ? lineData[name] === true : text(lineData[name]);
        }
        action.lines.push(line);
      }
      if (!action.lines.length) action.lines.push(blankLine("personnel")); // somewhere to type
      sortLines(action);
      return action;
    }),
    cofunders: cofunders.map((item) => {
      const cofunder = blankCofunder();
      cofunder.name = text(item?.name);
      cofunder.amount = text(item?.amount);
      cofunder.status = item?.status === "obtained" ? "obtained" : "requested";
      cofunder.public = item?.public === true ? "oui" : item?.public === false ? "non" : "";
      return cofunder;
    }),
  };
}

/** Lines in the order of the sections, as displayed (stable within a section). */
export function sortLines(action) {
  const order = Object.fromEntries(SECTIONS.map((section, index) => [section.id, index]));
  action.lines = action.lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => order[sectionOf(a.line.category)] - order[sectionOf(b.line.category)] || a.index - b.index)
    .map(({ line }) => line);
}

export const isBlank = (line) => ["hours", "hourly_rate", "amount", "funder"].every((name) => line[name].trim() === "");

/**
 * The calculators' input for the draft, as typed, and where each sent item comes from:
 * fully blank lines and co-funders are left out, so `map` turns Python's indexes back into
 * the draft's keys.
 */
export function buildInput(draft) {
  const input = { actions: [], cofunders: [] };
  const map = { actions: [], cofunders: [] };
  for (const action of draft.actions) {
    const lines = [];
    const keys = [];
    for (const line of action.lines) {
      if (isBlank(line)) continue;
      const item = { category: line.category };
      const put = (name) => {
        if (line[name].trim() !== "") item[name] = line[name];
      };
      if (line.category === "personnel") {
        if (line.profession) item.profession = line.profession;
        put("hours");
        put("hourly_rate");
      }
      put("amount");
      put("label");
      if (line.in_kind) item.in_kind = true;
      else put("funder");
      lines.push(item);
      keys.push(line.key);
    }
    input.actions.push(action.title.trim() ? { title: action.title, lines } : { lines });
    map.actions.push({ key: action.key, lines: keys });
  }
  for (const cofunder of draft.cofunders) {
    if (!cofunder.name.trim() && !cofunder.amount.trim()) continue;
    const item = { amount: cofunder.amount, status: cofunder.status };
    if (cofunder.public) item.public = cofunder.public === "oui";
    if (cofunder.name.trim()) item.name = cofunder.name;
    input.cofunders.push(item);
    map.cofunders.push(cofunder.key);
  }
  return { input, map };
}

/** The draft as the calculators' input JSON (blank lines kept out), for export and links. */
export function exportable(draft) {
  return buildInput(draft).input;
}
