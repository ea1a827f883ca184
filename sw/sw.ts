/// <reference lib="webworker" />
// Vårdtid's service worker, built by Serwist (serwist.config.js) after `next build`.
// Rules: static assets are precached; so are the prerendered app shells (app/(shell): no patient
// data), which open a returning patient's "Mina tider" without asking the server for the page;
// every other page comes from the network (it may carry patient data), with a designed offline
// page as fallback; nothing with patient data is cached here —
// the opt-in offline copy of "Mina tider" is written by the page itself (components/offline-copy.tsx)
// into its own cache, and deleted at logout (below, and by the page logout lands on). The worker
// itself stays registered after logout, so offline still shows our offline page.
import { NetworkFirst, NetworkOnly, Serwist, type PrecacheEntry, type SerwistGlobalConfig } from "serwist";

declare global {
  interface WorkerGlobalScope extends SerwistGlobalConfig {
    __SW_MANIFEST: (PrecacheEntry | string)[] | undefined;
  }
}

declare const self: ServiceWorkerGlobalScope;

// Caches that may hold what a logged-in patient saw: the opt-in copy of "Mina tider", and the start
// page (it greets a logged-in patient by name).
const PATIENT_CACHES = ["vardtid-patient", "public-pages"];

// Paths served by a prerendered shell (lib/http/shell-request.ts names them for the server).
const SHELLS = new Set(["/besok"]);
const LOCALES = new Set(["sv", "en", "ar", "fa", "so", "fi"]);

/**
 * The patient's chosen language, from the NEXT_LOCALE cookie (not HttpOnly for this reason) via
 * the Cookie Store API where the browser has it in workers. Null: let the server choose.
 */
async function chosenLocale(): Promise<string | null> {
  const store = (self as unknown as { cookieStore?: { get(name: string): Promise<{ value: string } | null> } })
    .cookieStore;
  if (!store) return null;
  const cookie = await store.get("NEXT_LOCALE").catch(() => null);
  return cookie && LOCALES.has(cookie.value) ? cookie.value : null;
}

const serwist: Serwist = new Serwist({
  precacheEntries: self.__SW_MANIFEST,
  precacheOptions: { cleanupOutdatedCaches: true },
  // A new version waits until the patient chooses "ladda om" (components/service-worker.tsx).
  skipWaiting: false,
  clientsClaim: true,
  navigationPreload: false,
  runtimeCaching: [
    // The public start page may be shown from cache when the network is slow or gone.
    {
      matcher: ({ request, url }) => request.mode === "navigate" && url.pathname === "/",
      handler: new NetworkFirst({ cacheName: "public-pages", networkTimeoutSeconds: 5 }),
    },
    // Logout: the answer passes through, and this device's patient caches are deleted with it.
    {
      matcher: ({ url }) => url.pathname === "/api/logout",
      method: "POST",
      handler: async ({ request }) => {
        const response = await fetch(request);
        await Promise.all(PATIENT_CACHES.map((name) => caches.delete(name)));
        return response;
      },
    },
    // A shell page: the precached shell in the patient's language, else the network (which also
    // sends a browser without a session to the login). The data always comes from the network.
    {
      matcher: ({ request, url }) => request.mode === "navigate" && SHELLS.has(url.pathname),
      handler: async ({ request, url }): Promise<Response> => {
        const locale = await chosenLocale();
        const shell: Response | undefined = locale
          ? await serwist.matchPrecache(`/shell/${locale}${url.pathname}`)
          : undefined;
        if (shell) return shell;
        try {
          return await fetch(request);
        } catch {
          return (await serwist.matchPrecache("/offline.html")) ?? Response.error();
        }
      },
    },
    // Every other page and every API answer: network only, never stored.
    { matcher: ({ request }) => request.mode === "navigate", handler: new NetworkOnly() },
    { matcher: ({ url }) => url.pathname.startsWith("/api/"), handler: new NetworkOnly() },
  ],
  fallbacks: {
    entries: [{ url: "/offline.html", matcher: ({ request }) => request.destination === "document" }],
  },
});

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});

// Web push: the payload is privacy-minimal (time, clinic's SMS-safe name, an opaque link).
interface PushPayload {
  title: string;
  body: string;
  url: string;
  messageId?: string;
  lang?: string;
}

self.addEventListener("push", (event) => {
  let payload: PushPayload;
  try {
    payload = event.data?.json() as PushPayload;
  } catch {
    return;
  }
  if (!payload?.title) return;
  event.waitUntil(
    self.registration.showNotification(payload.title, {
      body: payload.body,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-64.png",
      lang: payload.lang ?? "sv",
      // One notification per message: a push repeated after a worker crash replaces the first.
      ...(payload.messageId ? { tag: payload.messageId } : {}),
      data: { url: payload.url, messageId: payload.messageId },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = (event.notification.data ?? {}) as { url?: string; messageId?: string };
  // Only our own paths: a payload can never send the patient elsewhere.
  const target = new URL(data.url ?? "/besok", self.location.origin);
  const url = target.origin === self.location.origin ? target.href : `${self.location.origin}/besok`;
  const work = (async () => {
    if (data.messageId) {
      await fetch("/api/push/opened", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ messageId: data.messageId }),
      }).catch(() => undefined);
    }
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const existing = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (existing) {
      await existing.focus().catch(() => undefined);
      await existing.navigate(url);
    } else {
      await self.clients.openWindow(url);
    }
  })();
  // waitUntil refuses events the browser did not dispatch itself; the work runs either way.
  try {
    event.waitUntil(work);
  } catch {
    void work;
  }
});

serwist.addEventListeners();
