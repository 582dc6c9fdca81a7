// Service worker of the site (written at the site's root as sw.js by macros/offline.py, which
// fills in VERSION and RUNTIME): the pages a visitor has read, the calendars and the
// calculators' runtime stay available offline.
//
// - Pages, calendars, data, scripts and styles: network first; each answer is kept, and when
//   the network fails the kept copy is served (the page then says, in French, that it is the
//   offline copy and how old it is: hors-ligne.js asks here with {type: "copie"}).
// - Files whose name changes with their content (pyodide/<version>/…, *-<hash12>.zip, Material's
//   *.<hash8>.min.js|css): cache first, so that a repeat visit of a calculator touches the
//   network only for the page, its scripts and the manifest.
// - The memory snapshot (snapshot-<hash12>.bin) is left alone: the calculators' worker keeps
//   it itself in the Cache Storage (cache « calculateurs-instantane »), checked on every use.
// - Only GET requests to this site under this worker's scope; nothing else is ever fetched,
//   nothing is sent. A new build writes a new VERSION (derived from the calculators' manifest
//   and this file): the new worker carries over what the visitor kept (fresh copies from the
//   network, the unchanged runtime files as they are) and deletes the old caches.
//
// Messages in:  {type: "garder", urls: [...]}   keep these addresses (a first visit, made
//                                                before this worker controlled the page)
//               {type: "garder-calculateurs", calls: [id, ...]}   keep the calculators' runtime
//                                                and these calls' data (once a calculator is ready)
//               {type: "copie"}                  was this page served from the kept copy?
// Messages out: {type: "copie", fromCopy, storedAt}   fromCopy: served from the kept copy;
//                                                storedAt: when it was kept (ms since the epoch)
//               {type: "garde", count}          how many addresses are now kept (after "garder…")

const VERSION = "__VERSION__";
const RUNTIME = __RUNTIME__; // the calculators' runtime, paths relative to the site root
const PREFIX = "appels-sante-";
const CACHE = PREFIX + VERSION;
const ROOT = new URL("./", self.location.href);
const STORED_AT = "X-Copie-Enregistree"; // added to kept pages: when (ms since the epoch)
const IMMUTABLE = /\/pyodide\/[^/]+\/[^/]+$|-[0-9a-f]{12}\.(?:zip|bin)$|\.[0-9a-f]{8}\.min\.(?:js|css)$/;
const WORKER_KEEPS = /\/snapshot-[0-9a-f]{12}\.bin$/;
const CALL_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** Pages served from the kept copy, by client id: when the copy was stored. */
const servedFromCopy = new Map();

function ours(url) {
  return url.origin === ROOT.origin && url.href.startsWith(ROOT.href) && !WORKER_KEEPS.test(url.pathname)
    && url.pathname !== new URL("sw.js", ROOT).pathname;
}

function isPage(request, response) {
  return request.mode === "navigate" || (response?.headers.get("Content-Type") || "").startsWith("text/html");
}

/** Keep `response` for `request`; a page gets the time it was stored. */
async function store(cache, request, response) {
  if (!response.ok || response.type !== "basic" || response.status !== 200) return;
  if (isPage(request, response)) {
    const headers = new Headers(response.headers);
    headers.set(STORED_AT, String(Date.now()));
    response = new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
  }
  await cache.put(request.url, response);
}

const OFFLINE_PAGE = `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Hors ligne</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Page non disponible hors ligne</h1>
<p>Vous êtes hors ligne et cette page n'a pas été consultée sur cet appareil : aucune copie n'en a été gardée.
Les pages déjà lues, leurs calendriers et les calculateurs déjà ouverts restent disponibles.</p>
<p><a href="${ROOT.pathname}">Revenir à l'accueil</a></p></body></html>`;

async function networkFirst(event) {
  const { request } = event;
  const cache = await caches.open(CACHE);
  try {
    // A navigation's request was started while this worker woke up (navigation preload).
    const response = (request.mode === "navigate" && await event.preloadResponse) || await fetch(request);
    event.waitUntil(store(cache, request, response.clone()).catch(() => {}));
    return response;
  } catch (error) {
    const kept = await cache.match(request.url);
    if (kept) {
      if (request.mode === "navigate") {
        const storedAt = Number(kept.headers.get(STORED_AT)) || null;
        servedFromCopy.set(event.resultingClientId || event.clientId, storedAt);
      }
      return kept;
    }
    if (request.mode === "navigate") {
      return new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    }
    throw error;
  }
}

async function cacheFirst(event) {
  const { request } = event;
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request.url);
  if (kept) return kept;
  const response = await fetch(request);
  event.waitUntil(store(cache, request, response.clone()).catch(() => {}));
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || request.headers.has("Range")) return;
  const url = new URL(request.url);
  if (!ours(url)) return; // another origin (there is none), the snapshot, this file: the browser's own way
  event.respondWith(IMMUTABLE.test(url.pathname) ? cacheFirst(event) : networkFirst(event));
});

/** Keep each of `urls` not kept yet (from the HTTP cache when the page just loaded it). */
async function keep(urls) {
  const cache = await caches.open(CACHE);
  await Promise.all(urls.map(async (href) => {
    const url = new URL(href, ROOT);
    url.hash = "";
    if (!ours(url) || await cache.match(url.href)) return;
    try {
      await store(cache, new Request(url.href, { credentials: "same-origin" }), await fetch(url.href, { credentials: "same-origin" }));
    } catch {
      // offline meanwhile: kept on the next visit
    }
  }));
  return (await cache.keys()).length;
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  const reply = (answer) => event.source?.postMessage(answer);
  if (message.type === "copie") {
    const id = event.source?.id;
    reply({ type: "copie", fromCopy: servedFromCopy.has(id), storedAt: servedFromCopy.get(id) ?? null });
    return;
  }
  let urls = null;
  if (message.type === "garder" && Array.isArray(message.urls)) urls = message.urls.filter((url) => typeof url === "string").slice(0, 200);
  if (message.type === "garder-calculateurs") {
    const calls = Array.isArray(message.calls) ? message.calls.filter((id) => typeof id === "string" && CALL_ID.test(id)) : [];
    urls = [...RUNTIME, ...calls.map((id) => `donnees/appels/${id}.json`)];
  }
  if (urls) event.waitUntil(keep(urls).then((count) => reply({ type: "garde", count }), () => {}));
});

/**
 * A new build's worker: carry over what the visitor kept under earlier versions. Runtime files
 * whose name holds their content or version are copied as they are when this build still uses
 * them; anything else is fetched again (a fresh copy), and a page that cannot be fetched keeps
 * its old copy (its age is shown). When the calculators were kept, this build's runtime is
 * fetched too, so that they keep working offline.
 */
async function carryOver() {
  const cache = await caches.open(CACHE);
  const runtime = new Set(RUNTIME.map((path) => new URL(path, ROOT).href));
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const old = await caches.open(name);
    const requests = await old.keys();
    let calculators = false;
    await Promise.all(requests.map(async (request) => {
      const url = new URL(request.url);
      if (!ours(url) || await cache.match(url.href)) return;
      if (IMMUTABLE.test(url.pathname)) {
        calculators = true;
        if (runtime.has(url.href)) await cache.put(url.href, await old.match(request));
        return;
      }
      try {
        await store(cache, new Request(url.href), await fetch(url.href, { cache: "no-cache", credentials: "same-origin" }));
      } catch {
        const kept = await old.match(request);
        if (kept && (kept.headers.get("Content-Type") || "").startsWith("text/html")) await cache.put(url.href, kept);
      }
    }));
    if (calculators) await keep(RUNTIME);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(carryOver().catch(() => {}).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.registration.navigationPreload?.enable();
    await self.clients.claim();
  })());
});
