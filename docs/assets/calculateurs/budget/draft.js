// Budget simulator: the draft kept in this browser (local storage), the draft link, JSON and
// CSV import and export. Mixed into BudgetSimulator (budget.js).

import { clearDraftFragment, copyText, download, draftFromFragment, formatShare, frenchDecimal, linkWithDraft, readFile, storage } from "../common.js";
import { DRAFT_FORMAT, SECTIONS, sectionOf, emptyDraft, draftFromData, exportable } from "./model.js";

/** BudgetSimulator's methods that keep, restore, import and export the draft. */
export const draftMethods = {
  async restore() {
    let fromLink = null;
    try {
      fromLink = await draftFromFragment();
    } catch {
      this.say("Le lien ne contient pas un brouillon lisible ; le brouillon enregistré dans ce navigateur est affiché.");
    }
    const saved = storage.read(this.storageKey);
    if (fromLink) {
      try {
        this.draft = draftFromData(fromLink);
        if (saved?.draft) storage.write(`${this.storageKey}:precedent`, saved);
        this.say("Brouillon chargé depuis le lien.", saved?.draft ? { label: "Revenir à mon brouillon précédent", run: () => this.restorePrevious() } : null);
        clearDraftFragment();
        this.save();
        return;
      } catch (error) {
        this.say(`Le lien ne contient pas un budget lisible (${error.message}).`);
      }
    }
    if (saved?.format === DRAFT_FORMAT && saved.draft) {
      try {
        this.draft = draftFromData(saved.draft);
      } catch {
        this.draft = emptyDraft();
      }
    }
  },

  restorePrevious() {
    const previous = storage.read(`${this.storageKey}:precedent`);
    if (!previous?.draft) return;
    this.draft = draftFromData(previous.draft);
    storage.remove(`${this.storageKey}:precedent`);
    this.renderForm();
    this.changed();
    this.say("Brouillon précédent rétabli.");
  },

  save() {
    const ok = storage.write(this.storageKey, { format: DRAFT_FORMAT, saved: new Date().toISOString(), draft: exportable(this.draft) });
    this.savedNote.textContent = ok
      ? "Brouillon enregistré dans ce navigateur."
      : "Ce navigateur n'autorise pas l'enregistrement : exportez le budget pour le garder.";
  },

  reset() {
    const previous = exportable(this.draft);
    this.draft = emptyDraft();
    this.last = null;
    this.renderForm();
    this.changed();
    this.say("Nouveau budget vide.", {
      label: "Annuler", run: () => {
        this.draft = draftFromData(previous);
        this.renderForm();
        this.changed();
        this.say("Budget rétabli.");
      },
    });
  },

  lineDescription(line) {
    if (line.category === "personnel") {
      const who = this.vocabulary.professions[line.profession] ?? "Intervenant non précisé";
      const hours = line.hours.trim() && line.hourly_rate.trim() ? ` — ${line.hours} h × ${line.hourly_rate} €/h` : "";
      return `${who}${hours}${line.label.trim() ? ` — ${line.label}` : ""}`;
    }
    const category = sectionOf(line.category) === "autres" ? `${this.vocabulary.expense_categories[line.category] ?? line.category} — ` : "";
    return `${category}${line.label.trim() || "(sans libellé)"}`;
  },

  /** Rows of the annex's budget table, from the last result; amounts as Python returned them. */
  annexRows() {
    if (!this.last) return null;
    const { result, details, map } = this.last;
    const figures = new Map();
    for (const item of details?.lines ?? []) figures.set(this.keyFor(map, item.action, item.line), item);
    const rows = [];
    for (const sectionInfo of SECTIONS) {
      const lines = [];
      this.draft.actions.forEach((action, index) => {
        for (const line of action.lines) {
          const item = figures.get(line.key);
          if (sectionOf(line.category) !== sectionInfo.id || !item) continue;
          lines.push({ action: `Action n° ${index + 1}${action.title.trim() ? ` : ${action.title}` : ""}`, detail: this.lineDescription(line),
            funder: item.funder, cofunding: item.cofunding, cost: item.cost, inKind: item.in_kind });
        }
      });
      rows.push({ section: sectionInfo.title, lines });
    }
    const cofunders = (details?.cofunders ?? []).map((item) => ({ name: item.name, amount: item.amount, status: item.status }));
    return { rows, totals: result.totals, cofunders, findings: result.findings, inputErrors: result.input_errors ?? [] };
  },

  exportCsv() {
    const table = this.annexRows();
    if (!table) {
      this.say("Le budget n'est pas encore calculé : attendez le démarrage du calculateur ou corrigez la saisie signalée.");
      return;
    }
    const cell = (value) => {
      let textValue = String(value ?? "");
      // A label typed as =HYPERLINK(…), +cmd|…, -2+3 or @SUM(…) would be run as a formula by
      // the spreadsheet that opens the file: an apostrophe makes it text (OWASP « CSV
      // injection »). Amounts written by frenchDecimal (-12,50) stay numbers.
      if (/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(textValue) && !/^-?[0-9]+(,[0-9]+)?$/.test(textValue)) textValue = `'${textValue}`;
      return /[";\n\r]/.test(textValue) ? `"${textValue.replace(/"/g, '""')}"` : textValue;
    };
    const lines = [
      [`Budget prévisionnel — ${this.call.title}`],
      ["Nature et objet des postes de dépenses", "Action", "Détail", "Demandé au financeur (1)", "Cofinancements (2)", "Total (1+2)", "En nature"],
    ];
    for (const block of table.rows) {
      lines.push([block.section]);
      for (const line of block.lines) {
        lines.push(["", line.action, line.detail, frenchDecimal(line.funder), frenchDecimal(line.cofunding), frenchDecimal(line.cost), line.inKind ? "oui" : ""]);
      }
    }
    const totals = table.totals;
    lines.push(["Total du budget demandé", "", "", frenchDecimal(totals.funder), frenchDecimal(totals.cofunding), frenchDecimal(totals.cost), frenchDecimal(totals.in_kind)]);
    lines.push(["Part demandée au financeur", "", "", formatShare(totals.funder_share).replace("\u00a0", " ")]);
    lines.push([]);
    lines.push(["Co-financement(s) du projet"]);
    lines.push(["Nom du cofinanceur", "Montant sollicité (€)", "Montant obtenu (€)"]);
    for (const cofunder of table.cofunders) {
      const amount = frenchDecimal(cofunder.amount);
      lines.push([cofunder.name, cofunder.status === "requested" ? amount : "", cofunder.status === "obtained" ? amount : ""]);
    }
    if (table.inputErrors.length) {
      // Lines left out of the totals above: the file says so rather than dropping them silently.
      lines.push([]);
      lines.push(["Saisies à corriger, non comptées dans les totaux"]);
      lines.push(["Champ", "Message"]);
      for (const item of table.inputErrors) lines.push([item.field, item.message.replace(/\u00a0/g, " ")]);
    }
    if (table.findings.length) {
      lines.push([]);
      lines.push(["Vérification des règles de l'appel"]);
      lines.push(["Gravité", "Action", "Ligne", "Constat", "Référence"]);
      for (const finding of table.findings) {
        lines.push([{ error: "règle non respectée", warning: "à vérifier", info: "information" }[finding.severity],
          finding.action === null ? "" : finding.action + 1, finding.line === null ? "" : finding.line + 1,
          finding.message.replace(/\u00a0/g, " "), finding.reference]);
      }
    }
    const csv = `\ufeff${lines.map((row) => row.map(cell).join(";")).join("\r\n")}\r\n`;
    download(`budget-${this.callId}.csv`, csv, "text/csv;charset=utf-8");
    this.say("Fichier CSV enregistré (séparateur point-virgule, décimales à virgule).");
  },

  exportJson() {
    download(`budget-${this.callId}.json`, `${JSON.stringify(exportable(this.draft), null, 2)}\n`, "application/json");
    this.say("Fichier JSON enregistré : vous pourrez le réimporter ici, ou le passer à « python -m calculators budget ».");
  },

  async importFile(input) {
    const [file] = input.files ?? [];
    input.value = "";
    if (!file) return;
    try {
      const data = JSON.parse(await readFile(file));
      const previous = exportable(this.draft);
      this.draft = draftFromData(data);
      this.renderForm();
      this.changed();
      this.say(`Budget importé depuis « ${file.name} ».`, {
        label: "Annuler l'import", run: () => {
          this.draft = draftFromData(previous);
          this.renderForm();
          this.changed();
          this.say("Import annulé.");
        },
      });
    } catch (error) {
      this.say(`Import impossible : ${error instanceof SyntaxError ? "ce fichier n'est pas un JSON valide" : error.message}.`);
    }
  },

  async copyLink() {
    const link = await linkWithDraft(exportable(this.draft));
    const copied = await copyText(link);
    this.say(copied
      ? "Lien copié : il contient le budget (dans la partie après « # », qui n'est jamais envoyée au serveur)."
      : `Copiez ce lien : ${link}`);
  },
};
