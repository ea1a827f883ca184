"use client";

import { useEffect, useState } from "react";

// Registers the service worker (production builds only) and offers a reload when a new version
// is waiting, instead of swapping code under the patient's feet.
export function ServiceWorker({ updateText, reloadText }: { updateText: string; reloadText: string }) {
  const [waiting, setWaiting] = useState<ServiceWorker | null>(null);

  useEffect(() => {
    // The offline page (public/offline.js) cannot read the language cookie: remember the page's
    // language for it. Only the language code, nothing about the patient.
    try {
      window.localStorage.setItem("vardtid.lang", document.documentElement.lang);
    } catch {
      /* storage blocked: the offline page falls back to the browser's languages */
    }
  });

  useEffect(() => {
    if (!("serviceWorker" in navigator) || process.env.NODE_ENV !== "production") return;
    // Reload only when the patient asked for the new version; the first install also changes
    // the controller (clientsClaim) and must not reload a page someone is using.
    const onControllerChange = () => {
      if (sessionStorage.getItem("vardtid.sw-update") !== "1") return;
      sessionStorage.removeItem("vardtid.sw-update");
      window.location.reload();
    };
    navigator.serviceWorker
      .register("/sw.js", { scope: "/" })
      .then((registration) => {
        if (registration.waiting && navigator.serviceWorker.controller) setWaiting(registration.waiting);
        registration.addEventListener("updatefound", () => {
          const next = registration.installing;
          next?.addEventListener("statechange", () => {
            if (next.state === "installed" && navigator.serviceWorker.controller) setWaiting(next);
          });
        });
      })
      .catch(() => undefined);
    navigator.serviceWorker.addEventListener("controllerchange", onControllerChange);
    return () => navigator.serviceWorker.removeEventListener("controllerchange", onControllerChange);
  }, []);

  if (!waiting) return null;
  return (
    <div className="update-banner" role="status">
      <span>{updateText}</span>
      <button
        type="button"
        className="button"
        onClick={() => {
          sessionStorage.setItem("vardtid.sw-update", "1");
          waiting.postMessage({ type: "SKIP_WAITING" });
        }}
      >
        {reloadText}
      </button>
    </div>
  );
}
