"use client";

import { useEffect, useState } from "react";

export interface PushToggleText {
  title: string;
  text: string;
  on: string;
  enabled: string;
  disabled: string;
  denied: string;
  unsupported: string;
  failed: string;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

// Web push on this device: subscribes through the browser's own push service and hands the
// subscription (endpoint and keys, no personal data) to our server.
export function PushToggle({ publicKey, text }: { publicKey: string | null; text: PushToggleText }) {
  const [state, setState] = useState<"unknown" | "on" | "off" | "unsupported">("unknown");
  const [message, setMessage] = useState("");

  useEffect(() => {
    if (!publicKey || !("serviceWorker" in navigator) || !("PushManager" in window)) {
      queueMicrotask(() => setState("unsupported"));
      return;
    }
    navigator.serviceWorker.ready
      .then((reg) => reg.pushManager.getSubscription())
      .then((sub) => setState(sub ? "on" : "off"))
      .catch(() => setState("unsupported"));
  }, [publicKey]);

  async function change(on: boolean) {
    setMessage("");
    try {
      const reg = await navigator.serviceWorker.ready;
      if (on) {
        if ((await Notification.requestPermission()) !== "granted") {
          setMessage(text.denied);
          return;
        }
        const sub = await reg.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(publicKey!),
        });
        const res = await fetch("/api/push/subscription", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(sub.toJSON()),
        });
        if (!res.ok) throw new Error(String(res.status));
        setState("on");
        setMessage(text.enabled);
      } else {
        const sub = await reg.pushManager.getSubscription();
        if (sub) {
          await fetch("/api/push/subscription", {
            method: "DELETE",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ endpoint: sub.endpoint }),
          });
          await sub.unsubscribe();
        }
        setState("off");
        setMessage(text.disabled);
      }
    } catch {
      setMessage(text.failed);
    }
  }

  return (
    <section className="card" aria-labelledby="push-title">
      <h2 id="push-title">{text.title}</h2>
      <p>{text.text}</p>
      {state === "unsupported" ? (
        <p className="notice">{text.unsupported}</p>
      ) : (
        <label className="toggle">
          <input
            type="checkbox"
            checked={state === "on"}
            disabled={state === "unknown"}
            onChange={(e) => void change(e.target.checked)}
          />
          <span>{text.on}</span>
        </label>
      )}
      <p role="status" aria-live="polite">
        {message}
      </p>
    </section>
  );
}
