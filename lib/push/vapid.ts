// VAPID keys identify our server to browser push services. Production reads them from the
// environment (`npm run vapid` prints a fresh pair); demo mode makes its own pair once and keeps
// it next to the PGlite data, so subscriptions survive a restart.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import webpush from "web-push";
import type { Env } from "@/lib/env";

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export function vapidKeysFor(e: Env): VapidKeys | null {
  if (e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY) {
    return {
      publicKey: e.VAPID_PUBLIC_KEY,
      privateKey: e.VAPID_PRIVATE_KEY,
      subject: e.VAPID_SUBJECT ?? "mailto:drift@vardtid.invalid",
    };
  }
  if (e.isProduction) return null; // push is simply off until configured
  const file = path.join(path.dirname(path.resolve(/*turbopackIgnore: true*/ e.PGLITE_DATA_DIR)), "vapid-demo.json");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(webpush.generateVAPIDKeys()), { mode: 0o600 });
  }
  const keys = JSON.parse(readFileSync(file, "utf8")) as { publicKey: string; privateKey: string };
  return { ...keys, subject: "mailto:demo@vardtid.invalid" };
}
