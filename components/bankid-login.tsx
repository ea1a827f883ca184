"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

type Method = "qr" | "autostart";
type Phase =
  | { kind: "idle" }
  | { kind: "starting" }
  | { kind: "pending"; launchUrl?: string }
  | { kind: "completing" }
  | { kind: "failed"; message: string };

type StatusView =
  { state: "pending"; rfa: string } | { state: "complete" } | { state: "failed"; rfa: string } | { state: "none" };

export interface BankIdLoginText {
  methodLabel: string;
  otherDevice: string;
  sameDevice: string;
  start: string;
  openApp: string;
  qrAlt: string;
  qrHelp: string;
  cancel: string;
  retry: string;
  starting: string;
  completing: string;
  rateLimited: string;
  rfa: Record<string, string>;
}

async function fetchStatus(): Promise<StatusView> {
  const res = await fetch("/api/bankid/status", { cache: "no-store" });
  if (!res.ok) throw new Error("status");
  return res.json();
}

/** next-auth's credentials callback, called directly: the server reads the binding cookie, nothing else. */
async function completeSignIn(): Promise<boolean> {
  const { csrfToken } = await (await fetch("/api/auth/csrf", { cache: "no-store" })).json();
  const res = await fetch("/api/auth/callback/bankid", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Auth-Return-Redirect": "1" },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
  if (!res.ok) return false;
  const body = (await res.json().catch(() => ({}))) as { url?: string };
  return !body.url?.includes("error=");
}

export function BankIdLogin({
  text,
  defaultMethod,
  returnTo,
}: {
  text: BankIdLoginText;
  defaultMethod: Method;
  returnTo: string;
}) {
  const [method, setMethod] = useState<Method>(defaultMethod);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [qrTick, setQrTick] = useState(0);
  const liveRef = useRef<HTMLParagraphElement>(null);
  const pending = phase.kind === "pending";

  // The poll itself moves the login on: a finished order ends polling in the same callback.
  const status = useQuery({
    queryKey: ["bankid-status"],
    queryFn: async () => {
      const view = await fetchStatus();
      if (view.state === "complete") {
        setPhase({ kind: "completing" });
        const ok = await completeSignIn();
        if (ok) window.location.assign(returnTo);
        else setPhase({ kind: "failed", message: text.rfa.RFA22 ?? "" });
      } else if (view.state === "failed") {
        setPhase({ kind: "failed", message: text.rfa[view.rfa] ?? text.rfa.RFA22 ?? "" });
      } else if (view.state === "none") {
        setPhase({ kind: "failed", message: text.rfa.RFA3 ?? "" });
      }
      return view;
    },
    enabled: pending,
    // Every 2 s, as BankID asks; TanStack Query pauses the interval while the tab is hidden.
    refetchInterval: pending ? 2000 : false,
    refetchIntervalInBackground: false,
    gcTime: 0,
  });

  // The QR code changes every second; the server draws it, the page only reloads the image.
  useEffect(() => {
    if (!pending || method !== "qr") return;
    const id = window.setInterval(() => setQrTick((t) => t + 1), 1000);
    return () => window.clearInterval(id);
  }, [pending, method]);

  // Leaving the page ends the order. Hiding it does not: the patient may open the BankID test app
  // in another tab or switch apps on the same device, and an order lives until BankID ends it or
  // the patient cancels. A page kept in the back-forward cache (persisted) may come back, so only a
  // real unload cancels.
  useEffect(() => {
    if (!pending) return;
    const onLeave = (event: PageTransitionEvent) => {
      if (!event.persisted) navigator.sendBeacon("/api/bankid/cancel?reason=hidden"); // "hidden": the page went away
    };
    window.addEventListener("pagehide", onLeave);
    return () => window.removeEventListener("pagehide", onLeave);
  }, [pending]);

  async function start() {
    setPhase({ kind: "starting" });
    const res = await fetch("/api/bankid/start", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ method }),
    }).catch(() => null);
    if (!res) return setPhase({ kind: "failed", message: text.rfa.RFA5 ?? "" });
    const body = (await res.json().catch(() => ({}))) as { launchUrl?: string; rfa?: string };
    if (res.status === 429) return setPhase({ kind: "failed", message: text.rateLimited });
    if (!res.ok) return setPhase({ kind: "failed", message: text.rfa[body.rfa ?? "RFA22"] ?? text.rfa.RFA22 ?? "" });
    setQrTick(0);
    setPhase({ kind: "pending", launchUrl: body.launchUrl });
  }

  async function cancel() {
    await fetch("/api/bankid/cancel", { method: "POST" }).catch(() => null);
    setPhase({ kind: "failed", message: text.rfa.RFA3 ?? "" });
  }

  const liveMessage =
    phase.kind === "starting"
      ? text.starting
      : phase.kind === "completing"
        ? text.completing
        : phase.kind === "failed"
          ? phase.message
          : phase.kind === "pending"
            ? status.data?.state === "pending"
              ? (text.rfa[status.data.rfa] ?? "")
              : method === "autostart"
                ? (text.rfa.RFA13 ?? "")
                : (text.rfa.RFA1 ?? "")
            : "";

  return (
    <div className="bankid">
      {phase.kind === "idle" || phase.kind === "failed" ? (
        <fieldset className="segmented">
          <legend>{text.methodLabel}</legend>
          <label>
            <input
              type="radio"
              name="method"
              value="autostart"
              checked={method === "autostart"}
              onChange={() => setMethod("autostart")}
            />
            <span>{text.sameDevice}</span>
          </label>
          <label>
            <input type="radio" name="method" value="qr" checked={method === "qr"} onChange={() => setMethod("qr")} />
            <span>{text.otherDevice}</span>
          </label>
        </fieldset>
      ) : null}

      <p
        ref={liveRef}
        className={`bankid__status${phase.kind === "failed" ? " notice notice--error" : ""}`}
        role="status"
        aria-live="polite"
        data-testid="bankid-status"
      >
        {liveMessage}
      </p>

      {pending && method === "qr" ? (
        <figure className="bankid__qr">
          {/* eslint-disable-next-line @next/next/no-img-element -- a fresh server-drawn SVG every second */}
          <img src={`/api/bankid/qr?n=${qrTick}`} alt={text.qrAlt} width={220} height={220} />
          <figcaption>{text.qrHelp}</figcaption>
        </figure>
      ) : null}

      {pending && phase.launchUrl ? (
        <a className="button button--block" href={phase.launchUrl} target="_blank" rel="noopener noreferrer">
          {text.openApp}
        </a>
      ) : null}

      <div className="bankid__actions">
        {phase.kind === "idle" ? (
          <button type="button" className="button button--block" onClick={start}>
            {text.start}
          </button>
        ) : null}
        {phase.kind === "failed" ? (
          <button type="button" className="button button--block" onClick={start}>
            {text.retry}
          </button>
        ) : null}
        {pending ? (
          <button type="button" className="button button--secondary button--block" onClick={cancel}>
            {text.cancel}
          </button>
        ) : null}
        {phase.kind === "starting" || phase.kind === "completing" ? (
          <div className="spinner" aria-hidden="true" />
        ) : null}
      </div>
    </div>
  );
}
