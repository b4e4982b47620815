// The service worker: mnist-viz works offline after the first visit.
//
// Two caches, both named by a hash that scripts/post_build.sh writes below at build time:
// - the app's cache (`mnist-viz-app-<hash of the app's files>`): index.html and every file trunk
//   built (script, wasm, styles, the training worker), fetched whole when this worker installs.
//   A page is always served the index.html of the worker that controls it and the files of the
//   same build, so old and new files never mix; a new deploy installs a new worker beside the
//   old one, and the page offers to reload (src/app/offline.rs) once it is waiting.
// - the data cache (`mnist-viz-data-<hash of data/>`): the test sets and the models on install;
//   a training set (10–30 MB) only when a page first asks for it. It survives deploys that leave
//   data/ unchanged.
// Only the files the build lists are ever cached: BOUND_BYTES in all (the build prints it).
'use strict';

const APP_HASH = 'dev';
const DATA_HASH = 'dev';
/** The app's files, relative to the site ('./' is index.html). */
const APP_FILES = ['./'];
/** data/ files fetched on install; the other data/ files are cached when first used. */
const DATA_ON_INSTALL = [];
/** Every data/ file this build ships (nothing else under data/ is cached). */
const DATA_FILES = [];
/** The most the two caches can hold: the app's files and every data/ file. */
const BOUND_BYTES = 0;

const APP_CACHE = `mnist-viz-app-${APP_HASH}`;
const DATA_CACHE = `mnist-viz-data-${DATA_HASH}`;
const SCOPE = new URL(self.registration.scope).pathname;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const app = await caches.open(APP_CACHE);
    await app.addAll(APP_FILES.map((f) => new Request(f, { cache: 'reload' })));
    const data = await caches.open(DATA_CACHE);
    const missing = [];
    for (const f of DATA_ON_INSTALL) if (!(await data.match(f))) missing.push(f);
    await data.addAll(missing);
    // The very first worker takes over at once; an update waits until the page says so.
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([APP_CACHE, DATA_CACHE]);
    for (const name of await caches.keys()) {
      if (name.startsWith('mnist-viz-') && !keep.has(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page's "reload" on the new-version notice.
self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return;
  const path = url.pathname.slice(SCOPE.length) || './';
  if (request.mode === 'navigate') {
    // Every route is the app's index.html (as 404.html is on the host).
    event.respondWith(fromCache(APP_CACHE, './', request));
  } else if (DATA_FILES.includes(path)) {
    event.respondWith(dataFile(event, path));
  } else if (APP_FILES.includes(path)) {
    // The worker's files carry ?v=…&root=…: its cached copy is of the same build.
    event.respondWith(fromCache(APP_CACHE, path, request));
  }
});

/** The cached copy of `key`, else the network's answer. */
async function fromCache(cacheName, key, request) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(key);
  return hit || fetch(request);
}

/** A data file: cached, else fetched and cached (a copy, stored while the page reads it). */
async function dataFile(event, path) {
  const cache = await caches.open(DATA_CACHE);
  const hit = await cache.match(path);
  if (hit) return hit;
  const response = await fetch(event.request);
  if (response.status === 200) {
    event.waitUntil(cache.put(path, response.clone()).catch(() => {}));
  }
  return response;
}
