"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

// The patient's own opt-in copy of upcoming appointments, kept in this browser's Cache Storage
// (read by public/offline.js when there is no network). Off by default, per device.
const CACHE = "vardtid-patient";
const KEY = "/offline-data/mina-tider.json";
const FLAG = "vardtid.offline";

export async function saveOfflineCopy(): Promise<string | null> {
  const res = await fetch("/api/offline/appointments", { cache: "no-store" });
  if (!res.ok) return null;
  const body = await res.text();
  const cache = await caches.open(CACHE);
  await cache.put(KEY, new Response(body, { headers: { "Content-Type": "application/json" } }));
  return (JSON.parse(body) as { savedAtLabel: string }).savedAtLabel;
}

/**
 * On the page logout lands on: deletes what this app kept on the device for the patient (the
 * offline copy, the cached start page that greeted them by name, the opt-in flag). The service
 * worker does the same as the logout passes; this covers a browser where it was not running.
 */
export function ForgetOfflineCopy() {
  useEffect(() => {
    try {
      window.localStorage.removeItem(FLAG);
      window.sessionStorage.clear();
    } catch {
      /* storage blocked: nothing was kept there */
    }
    if ("caches" in window)
      void Promise.all([caches.delete(CACHE), caches.delete("public-pages")]).catch(() => undefined);
  }, []);
  return null;
}

const subscribe = (onChange: () => void) => {
  window.addEventListener("storage", onChange);
  return () => window.removeEventListener("storage", onChange);
};
const isOn = () => window.localStorage.getItem(FLAG) === "1";

/** On "Mina tider": refreshes the saved copy each visit, if the patient opted in on this device. */
export function OfflineCopyRefresher() {
  const enabled = useSyncExternalStore(subscribe, isOn, () => false);
  useEffect(() => {
    if (enabled && "caches" in window) void saveOfflineCopy().catch(() => undefined);
  }, [enabled]);
  return null;
}

export interface OfflineToggleText {
  title: string;
  text: string;
  on: string;
  saved: string; // contains {time}
  cleared: string;
  unsupported: string;
}

export function OfflineToggle({ text }: { text: OfflineToggleText }) {
  const enabled = useSyncExternalStore(subscribe, isOn, () => false);
  const supported = useSyncExternalStore(
    subscribe,
    () => "caches" in window,
    () => true,
  );
  const [message, setMessage] = useState("");

  async function change(on: boolean) {
    // The choice shows at once; saving or deleting the copy follows.
    if (on) window.localStorage.setItem(FLAG, "1");
    else window.localStorage.removeItem(FLAG);
    window.dispatchEvent(new StorageEvent("storage", { key: FLAG }));
    if (on) {
      const time = await saveOfflineCopy().catch(() => null);
      setMessage(time ? text.saved.replace("{time}", time) : "");
    } else {
      await caches.delete(CACHE);
      setMessage(text.cleared);
    }
  }

  return (
    <section className="card" aria-labelledby="offline-title">
      <h2 id="offline-title">{text.title}</h2>
      <p>{text.text}</p>
      {supported ? (
        <label className="toggle">
          <input type="checkbox" checked={enabled} onChange={(e) => void change(e.target.checked)} />
          <span>{text.on}</span>
        </label>
      ) : (
        <p className="notice">{text.unsupported}</p>
      )}
      <p role="status" aria-live="polite">
        {message}
      </p>
    </section>
  );
}
