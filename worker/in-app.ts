// Demo mode: the worker runs inside the Next.js server and shares its database handle (PGlite
// allows one process per data folder). A globalThis guard starts it once per process, whatever
// the bundler does with modules.
import { processDatabaseHandle } from "@/db/handle";
import type { Env } from "@/lib/env";
import { logger } from "@/lib/log/logger";
import { vapidKeysFor } from "@/lib/push/vapid";
import { smsDispatchConfig } from "./config";
import { startAuditSequencer } from "./audit-sequencer";
import { startOfferWorker } from "./offers";
import { startPushWorker } from "./push-dispatch";
import { startSmsWorker, type SmsWorker } from "./sms-dispatch";
import { startWebhookWorker } from "./webhook-dispatch";

const globalForWorker = globalThis as unknown as {
  vardtidInAppWorker?: SmsWorker;
  /** Read by the server's graceful shutdown: finishes the passes in flight, then stops polling. */
  vardtidStopInAppWorker?: () => Promise<void>;
};

export function startInAppWorker(e: Env): void {
  if (globalForWorker.vardtidInAppWorker) return;
  const db = processDatabaseHandle().db;
  const smsConfig = smsDispatchConfig(db, e);
  const sms = startSmsWorker(smsConfig, { pollMs: 1_000 });
  globalForWorker.vardtidInAppWorker = sms;
  const offers = startOfferWorker(
    { db, keys: smsConfig.keys, publicBaseUrl: smsConfig.publicBaseUrl, log: smsConfig.log },
    { pollMs: 1_000 },
  );
  const webhooks = startWebhookWorker(
    { db, keys: smsConfig.keys, production: e.isProduction, log: smsConfig.log },
    { pollMs: 1_000 },
  );
  const sequencer = startAuditSequencer(db, { log: smsConfig.log });
  const vapid = vapidKeysFor(e);
  const push = vapid ? startPushWorker({ db, vapid, log: smsConfig.log }, { pollMs: 1_000 }) : null;
  // Every loop stops, the webhook sender too: a pass still sending when the database closes would
  // leave its rows `sending` until their lease runs out, and its outcomes unstored.
  globalForWorker.vardtidStopInAppWorker = async () => {
    await Promise.all([sms.stop(), offers.stop(), webhooks.stop(), push?.stop(), sequencer.stop()]);
  };
  logger().info("worker running inside the app (RUN_WORKER_IN_APP)");
}
