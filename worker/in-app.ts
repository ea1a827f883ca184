// Demo mode: the worker runs inside the Next.js server and shares its database handle (PGlite
// allows one process per data folder). A globalThis guard starts it once per process, whatever
// the bundler does with modules.
import { processDatabaseHandle } from "@/db/handle";
import type { Env } from "@/lib/env";
import { vapidKeysFor } from "@/lib/push/vapid";
import { smsDispatchConfig } from "./config";
import { startOfferWorker } from "./offers";
import { startPushWorker } from "./push-dispatch";
import { startSmsWorker, type SmsWorker } from "./sms-dispatch";
import { startWebhookWorker } from "./webhook-dispatch";

const globalForWorker = globalThis as unknown as { vardtidInAppWorker?: SmsWorker };

export function startInAppWorker(e: Env): void {
  if (globalForWorker.vardtidInAppWorker) return;
  const db = processDatabaseHandle().db;
  const smsConfig = smsDispatchConfig(db, e);
  globalForWorker.vardtidInAppWorker = startSmsWorker(smsConfig, { pollMs: 1_000 });
  startOfferWorker(
    { db, keys: smsConfig.keys, publicBaseUrl: smsConfig.publicBaseUrl, log: smsConfig.log },
    { pollMs: 1_000 },
  );
  startWebhookWorker({ db, keys: smsConfig.keys, production: e.isProduction, log: smsConfig.log }, { pollMs: 1_000 });
  const vapid = vapidKeysFor(e);
  if (vapid) startPushWorker({ db, vapid, log: (line) => console.log(line) }, { pollMs: 1_000 });
  console.log("Worker running inside the app (RUN_WORKER_IN_APP).");
}
