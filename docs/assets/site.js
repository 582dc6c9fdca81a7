/*
 * Appels à projets santé — what the pages compute at the visitor's date, in the browser.
 *
 * The build writes a status, a countdown and « passé / en cours / à venir » marks for the
 * day it ran; they stay as the fallback without JavaScript. The pages also carry the instants
 * (UTC, written by calculators/timeline.py) at which each of them changes; this script only
 * compares the visitor's clock with those instants, so a site built in January does not still
 * say « Ouvert » in March, and a deadline stated in La Réunion's time passes at that instant.
 * It also runs the calendar filters and keeps checklist ticks in localStorage. Plain
 * JavaScript, no dependency, no request.
 */
(function () {
  "use strict";

  var PHASE_LABELS = { past: "date passée", current: "en cours", future: "à venir" };
  var DAY = 86400000;

  /** Whether the instant Python wrote ("2025-01-24T23:00:00Z"; "" for the beginning of time) is reached at `time`. */
  function reached(instant, time) {
    return instant === "" || Date.parse(instant) <= time;
  }

  /** Today's date as "YYYY-MM-DD" on the calendar of `zone` (the call's time zone), for « J-n ». */
  function todayIn(zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: zone || "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date())
      .forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  /** Whole days from ISO date a to ISO date b. */
  function daysBetween(a, b) {
    return Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / DAY);
  }

  // --- status badges and countdowns -------------------------------------------------

  /**
   * The status at `time` among the steps Python wrote (calculators.timeline.steps_attribute:
   * "from|status|label;…", each from a UTC instant, the first empty): the last step reached. No rule here.
   */
  function statusOn(time, steps) {
    var chosen = null;
    steps.split(";").forEach(function (step) {
      var parts = step.split("|");
      if (parts.length === 3 && reached(parts[0], time)) chosen = { key: parts[1], label: parts[2] };
    });
    return chosen;
  }

  /**
   * « J-n » to the first deadline not yet past. `deadlines` are Python's "day/instant" pairs
   * (calculators.timeline.countdown_attribute): the deadline day and the instant it passes.
   */
  function countdown(element, time, deadlines, status) {
    var target = element.querySelector(".aap-countdown");
    if (!target) return;
    target.textContent = "";
    if (status !== "open") return;
    var next = deadlines.filter(function (pair) { return pair.length === 2 && !reached(pair[1], time); })[0];
    if (!next) return;
    var n = daysBetween(todayIn(element.getAttribute("data-timezone")), next[0]);
    var hidden = document.createElement("span");
    hidden.className = "aap-sr-only";
    if (n <= 0) {
      target.appendChild(document.createTextNode("Dernier jour"));
      hidden.textContent = " : c'est aujourd'hui la date limite";
    } else {
      target.appendChild(document.createTextNode("J-" + n));
      hidden.textContent = " : " + n + (n > 1 ? " jours" : " jour") + " avant la date limite";
    }
    target.appendChild(hidden);
  }

  /**
   * The calculator pages' status line lists every deadline day (data-next-until: the instant its
   * deadlines pass, in order, written by Python with their hour and time zone): show the first
   * not yet past, or the last one (data-last-deadline) once they all are.
   */
  function nextDeadline(element, time) {
    var days = element.querySelectorAll("[data-next-until]");
    if (!days.length) return;
    var chosen = null;
    days.forEach(function (item) {
      if (!chosen && !reached(item.getAttribute("data-next-until"), time)) chosen = item;
    });
    chosen = chosen || element.querySelector("[data-last-deadline]");
    element.querySelectorAll("[data-next-until], [data-last-deadline]").forEach(function (item) {
      item.hidden = item !== chosen;
    });
  }

  function updateStatuses(time) {
    document.querySelectorAll("[data-status-steps]").forEach(function (element) {
      var found = statusOn(time, element.getAttribute("data-status-steps"));
      if (!found) return;
      var status = found.key;
      var deadlines = (element.getAttribute("data-deadlines") || "").split(" ").filter(Boolean)
        .map(function (pair) { return pair.split("/"); });
      var badge = element.querySelector(".aap-badge");
      if (badge) {
        badge.className = "aap-badge aap-badge--" + status;
        badge.textContent = found.label;
      }
      countdown(element, time, deadlines, status);
      nextDeadline(element, time);
      element.setAttribute("data-status-now", status);
    });
  }

  /**
   * Lists grouped by status (the home page's `.aap-home` sections, `[data-group="open"]`…):
   * an item whose status changed since the build moves to the list of its new status.
   * Items need the same data attributes as the call page's status line.
   */
  function regroupLists() {
    document.querySelectorAll(".aap-home").forEach(function (home) {
      home.querySelectorAll("li[data-status-now]").forEach(function (item) {
        var status = item.getAttribute("data-status-now");
        if (status === "expired") status = "closed"; // listed with the closed calls, as the build lists them
        var section = item.closest("[data-group]");
        if (!section || section.getAttribute("data-group") === status) return;
        var target = home.querySelector('[data-group="' + status + '"] ul');
        if (target) target.appendChild(item);
      });
      home.querySelectorAll("[data-group] ul").forEach(function (list) {
        var any = list.querySelector("li:not(.aap-empty)") !== null;
        var empty = list.querySelector("li.aap-empty");
        if (!empty && !any) {
          empty = document.createElement("li");
          empty.className = "aap-empty";
          empty.textContent = "Aucun pour le moment.";
          list.appendChild(empty);
        }
        if (empty) empty.hidden = any;
      });
    });
  }

  // --- timeline and calendar phases -------------------------------------------------

  /** « passé / en cours / à venir » from the instants a milestone starts and is past (data-from, data-until). */
  function updatePhases(time) {
    document.querySelectorAll(".aap-step[data-from][data-until]").forEach(function (step) {
      var from = step.getAttribute("data-from"), until = step.getAttribute("data-until");
      if (!from || !until) return;
      var phase = reached(until, time) ? "past" : reached(from, time) ? "current" : "future";
      step.classList.remove("aap-step--past", "aap-step--current", "aap-step--future");
      step.classList.add("aap-step--" + phase);
      var mark = step.querySelector(".aap-phase");
      if (mark) mark.textContent = PHASE_LABELS[phase];
    });
  }

  // --- calendar filters -------------------------------------------------------------

  function setupFilters(form) {
    var funder = form.querySelector('[data-filter="funder"]');
    var region = form.querySelector('[data-filter="region"]');
    var groups = form.querySelectorAll('[data-filter="group"]');
    var count = form.querySelector("[data-cal-count]");
    var empty = document.querySelector("[data-cal-empty]");
    var feed = document.querySelector("[data-funder-feed]");
    var root = form.getAttribute("data-root") || "";
    var items = document.querySelectorAll(".aap-cal-item");
    var params = new URLSearchParams(window.location.search);

    if (params.get("financeur") && funder.querySelector('option[value="' + CSS.escape(params.get("financeur")) + '"]')) {
      funder.value = params.get("financeur");
    }
    if (params.get("region") && region.querySelector('option[value="' + CSS.escape(params.get("region")) + '"]')) {
      region.value = params.get("region");
    }
    if (params.has("type")) {
      var wanted = params.getAll("type");
      groups.forEach(function (box) { box.checked = wanted.indexOf(box.value) !== -1; });
    }

    function apply() {
      var chosenFunder = funder.value, chosenRegion = region.value, shown = 0, kinds = {};
      groups.forEach(function (box) { if (box.checked) kinds[box.value] = true; });
      items.forEach(function (item) {
        var visible = (!chosenFunder || item.getAttribute("data-funders").split(" ").indexOf(chosenFunder) !== -1)
          && (!chosenRegion || item.getAttribute("data-regions").split(" ").indexOf(chosenRegion) !== -1)
          && kinds[item.getAttribute("data-group")] === true;
        item.hidden = !visible;
        if (visible) shown += 1;
      });
      document.querySelectorAll(".aap-cal-list").forEach(function (list) {
        var any = list.querySelector(".aap-cal-item:not([hidden])") !== null;
        list.hidden = !any;
        var month = list.getAttribute("data-month");
        var id = month === "inconnu" ? "dates-non-publiees" : "mois-" + month;
        var heading = document.getElementById(id);
        if (heading) heading.hidden = !any;
        // The table of contents lists the months too: keep it in step.
        document.querySelectorAll('.md-nav__link[href="#' + id + '"]').forEach(function (link) {
          if (link.parentElement) link.parentElement.hidden = !any;
        });
        if (month === "inconnu" && list.previousElementSibling && list.previousElementSibling.tagName === "P") {
          list.previousElementSibling.hidden = !any;
        }
      });
      count.textContent = shown === items.length
        ? items.length + (items.length > 1 ? " échéances affichées." : " échéance affichée.")
        : shown + " échéance" + (shown > 1 ? "s" : "") + " sur " + items.length + " correspond" + (shown > 1 ? "ent" : "") + " aux filtres.";
      if (empty) empty.hidden = shown !== 0;
      if (feed) {
        if (chosenFunder) {
          var label = funder.options[funder.selectedIndex].text;
          feed.href = root + "financeurs/" + chosenFunder + "/calendrier.ics";
          feed.textContent = "Ajouter les échéances de « " + label + " » à mon agenda";
          feed.hidden = false;
        } else {
          feed.hidden = true;
        }
      }
      var query = new URLSearchParams();
      if (chosenFunder) query.set("financeur", chosenFunder);
      if (chosenRegion) query.set("region", chosenRegion);
      if (Object.keys(kinds).length !== groups.length) Object.keys(kinds).forEach(function (k) { query.append("type", k); });
      var search = query.toString();
      window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
    }

    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  }

  // --- checklists ---------------------------------------------------------------------

  function storage() {
    try {
      var probe = "aap-probe";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private browsing or storage disabled: ticks simply are not kept
    }
  }

  function setupChecklist(container) {
    var store = storage();
    var key = "aap-checklist:" + container.getAttribute("data-checklist");
    var boxes = container.querySelectorAll("input[type=checkbox][data-key]");
    var progress = container.querySelector(".aap-checklist__progress");
    var saved = {};
    try { saved = JSON.parse((store && store.getItem(key)) || "{}") || {}; } catch (error) { saved = {}; }

    function report() {
      var ticked = 0;
      boxes.forEach(function (box) { if (box.checked) ticked += 1; });
      if (progress) progress.textContent = ticked + " point" + (ticked > 1 ? "s" : "") + " coché" + (ticked > 1 ? "s" : "") + " sur " + boxes.length + ".";
    }

    function save() {
      var state = {};
      boxes.forEach(function (box) { if (box.checked) state[box.getAttribute("data-key")] = true; });
      if (store) {
        try { store.setItem(key, JSON.stringify(state)); } catch (error) { /* quota: keep going */ }
      }
      report();
    }

    boxes.forEach(function (box) {
      box.checked = saved[box.getAttribute("data-key")] === true;
      box.addEventListener("change", save);
    });
    var actions = container.querySelector(".aap-checklist__actions");
    if (actions) actions.hidden = false;
    var print = container.querySelector("[data-checklist-print]");
    if (print) print.addEventListener("click", function () { window.print(); });
    var reset = container.querySelector("[data-checklist-reset]");
    if (reset) reset.addEventListener("click", function () {
      boxes.forEach(function (box) { box.checked = false; });
      save();
    });
    report();
  }

  var DATED = "[data-status-steps], .aap-home, .aap-step[data-from][data-until]";

  /** Everything that depends on the visitor's clock; `window.appelsSante.refresh()` runs it again. */
  function refresh() {
    // Only a countdown reads a time zone (todayIn): the first Intl.DateTimeFormat with a time
    // zone loads the zone data, a main-thread task of tens of milliseconds (over 100 ms on a
    // busy machine); the calculator pages run this once idle (start).
    if (!document.querySelector(DATED)) return;
    var time = Date.now();
    updateStatuses(time);
    regroupLists();
    updatePhases(time);
  }

  // A source text opened at #p-<n> (a reference followed from a call page, a checklist or a
  // calculator): the quotations that paragraph holds are highlighted in full, including their
  // parts in the next paragraphs, and the paragraph takes the focus so that a keyboard or
  // screen-reader user continues from there.
  function showCitation() {
    document.querySelectorAll(".src-cite.is-current").forEach(function (mark) { mark.classList.remove("is-current"); });
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target || !target.closest(".src-texte")) return;
    var cites = {};
    target.querySelectorAll(".src-cite[data-cite]").forEach(function (mark) {
      mark.getAttribute("data-cite").split(" ").forEach(function (k) { cites[k] = true; });
    });
    document.querySelectorAll(".src-texte .src-cite[data-cite]").forEach(function (mark) {
      if (mark.getAttribute("data-cite").split(" ").some(function (k) { return cites[k]; })) mark.classList.add("is-current");
    });
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }

  // The home page's « Quels appels pour ma structure ? »: the answers travel to trouver/ in the
  // URL fragment, which no server receives (the finder reads the code or the name typed).
  function setupFinderStart(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams();
      var type = form.elements.type.value;
      var typed = form.elements.departement.value.trim();
      if (type) params.set("type", type);
      if (typed) params.set("dep", typed); // read by the finder: a code, « 59 — Nord », a name or a postal code
      window.location.href = form.getAttribute("data-finder-start") + (params.toString() ? "#" + params : "");
    });
  }

  function start() {
    // On the calculator pages the status line is not worth a time zone lookup during their
    // start-up (see refresh): it keeps the build's status until the browser is idle.
    if (document.getElementById("calculateur") && window.requestIdleCallback) {
      window.requestIdleCallback(refresh, { timeout: 2000 });
    } else {
      refresh();
    }
    if (document.querySelector(".src-texte")) {
      showCitation();
      window.addEventListener("hashchange", showCitation);
    }
    document.querySelectorAll("[data-cal-filters]").forEach(setupFilters);
    document.querySelectorAll("[data-checklist]").forEach(setupChecklist);
    document.querySelectorAll("[data-finder-start]").forEach(setupFinderStart);
  }

  window.appelsSante = { refresh: refresh };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
