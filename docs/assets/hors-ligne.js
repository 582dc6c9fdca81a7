/*
 * Appels à projets santé — offline copies of the pages read (the service worker, sw.js at the
 * site's root, is written by the build: macros/sw.js, macros/offline.py).
 *
 * Registers the service worker with the site's root as scope (the root is found from this
 * script's own address, so a sub-path such as GitHub Pages' /<repo>/ works). On a first visit
 * the page was loaded before the worker existed: it asks the worker to keep it with the files
 * it loaded; every page asks it to keep the calendar files (.ics) it links to. When the page was served from the kept copy because the network failed, it says
 * so at the top of the content, with the date of the copy and its age. No request to any
 * other host; nothing is sent anywhere (the messages stay in this browser).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.isSecureContext) return;
  var root = new URL("../", script.src);
  var container = navigator.serviceWorker;

  /** "il y a 3 heures", "hier"… for a time in the past (ms since the epoch). */
  function age(storedAt) {
    var seconds = Math.max(0, (Date.now() - storedAt) / 1000);
    var format = new Intl.RelativeTimeFormat("fr", { numeric: "auto" });
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][1]) return format.format(-Math.floor(seconds / units[i][1]), units[i][0]);
    }
    return "à l'instant";
  }

  function showCopy(storedAt) {
    if (document.querySelector(".aap-hors-ligne")) return;
    var notice = document.createElement("p");
    notice.className = "aap-hors-ligne";
    notice.setAttribute("role", "status");
    var when = "";
    if (storedAt) {
      var date = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeStyle: "short" }).format(new Date(storedAt));
      when = " enregistrée sur cet appareil le " + date + " (" + age(storedAt) + ")";
      notice.dataset.storedAt = new Date(storedAt).toISOString();
    }
    notice.textContent = "Hors ligne : vous lisez la copie de cette page" + when
      + ". Elle a pu changer depuis ; rechargez la page une fois connecté pour la version à jour.";
    var place = document.querySelector(".md-content__inner") || document.body;
    place.insertBefore(notice, place.firstChild);
  }

  container.addEventListener("message", function (event) {
    var message = event.data || {};
    if (message.type === "copie" && message.fromCopy) showCopy(message.storedAt);
  });

  if (container.controller) {
    container.controller.postMessage({ type: "copie" });
  }

  function register() {
    var firstVisit = !container.controller;
    container.register(new URL("sw.js", root).href, { scope: root.pathname }).catch(function (error) {
      console.warn("Copie hors ligne indisponible : " + error.message);
    });
    container.ready.then(function (registration) {
      // The calendar files (.ics) this page links to, so that they open offline too.
      var urls = Array.prototype.map.call(document.querySelectorAll('a[href$=".ics"]'), function (link) { return link.href; })
        .filter(function (url) { return url.indexOf(root.href) === 0; }).slice(0, 20);
      if (firstVisit) {
        // This page and its files were loaded before the worker existed.
        urls.push(location.href.split("#")[0]);
        performance.getEntriesByType("resource").forEach(function (entry) {
          if (entry.name.indexOf(root.href) === 0) urls.push(entry.name);
        });
      }
      if (urls.length && registration.active && navigator.onLine !== false) {
        registration.active.postMessage({ type: "garder", urls: urls });
      }
    });
  }

  // After the page's own loading, so that the worker never competes with it; on a calculator
  // page, after its first result too (runtime.js then asks the worker to keep the runtime).
  function start() {
    var calculator = window.calculators && window.calculators.ready;
    Promise.resolve(calculator).catch(function () {}).then(function () {
      setTimeout(register, calculator ? 2000 : 0);
    });
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
