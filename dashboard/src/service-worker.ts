/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';

/**
 * Haven works in a basement without signal: the app's shell (its built code and static files) is
 * cached at install, and opening a Haven page offline serves the cached shell. Data requests
 * (REST, auth, storage, the platform API) always go to the network; the app queues captures itself.
 */
const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `haven-shell-${version}`;
const SHELL = [...build, ...files];

worker.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => worker.skipWaiting()));
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((cached) => cached ?? fetch(request)));
    return;
  }
  // a Haven page: the network first (fresh code), the last shell seen when offline
  if (request.mode === 'navigate' && url.pathname.startsWith('/app/')) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          if (response.ok) void caches.open(CACHE).then((cache) => cache.put('/app-shell', copy));
          return response;
        })
        .catch(async () => (await caches.match('/app-shell')) ?? Response.error()),
    );
  }
});
