// `npm run worker`: the job worker as its own process (production). Any number may run at once:
// they claim rows with FOR UPDATE SKIP LOCKED. SIGTERM/SIGINT finish the current pass, then exit.
//
// Tuning flags (tests use them): --poll-ms, --batch-size, --concurrency, --lease-seconds,
// --send-timeout-seconds. The lease must be well above the send timeout: a send still in flight
// when its lease runs out could be sent again by another worker. The webhook sender claims at most
// what its senders get through within one lease (webhookClaimLimit), so a --batch-size sized for
// SMS cannot make a webhook batch outlive its lease.
import { parseArgs } from "node:util";
import { databaseOptionsFromEnv, migrationStatus, openDatabase } from "@/db/client";
import { scheduleAuditChainCheck } from "@/lib/audit/chain-status";
import { envOrExit } from "@/lib/env";
import { purgeExpired } from "@/lib/privacy/retention";
import { vapidKeysFor } from "@/lib/push/vapid";
import { smsDispatchConfig } from "./config";
import { startAuditSequencer } from "./audit-sequencer";
import { startOfferWorker } from "./offers";
import { startPushWorker } from "./push-dispatch";
import { DEFAULT_SMS_BATCH_SIZE, DEFAULT_SMS_CONCURRENCY, startSmsWorker } from "./sms-dispatch";
import { LEASE_MARGIN_MS, startWebhookWorker, webhookClaimLimit } from "./webhook-dispatch";

const { values } = parseArgs({
  options: {
    "poll-ms": { type: "string", default: "2000" },
    "batch-size": { type: "string", default: String(DEFAULT_SMS_BATCH_SIZE) },
    concurrency: { type: "string", default: String(DEFAULT_SMS_CONCURRENCY) },
    "lease-seconds": { type: "string", default: "120" },
    "send-timeout-seconds": { type: "string", default: "10" },
  },
});

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`Worker: --${name} must be a positive whole number`);
    process.exit(1);
  }
  return n;
}

const e = envOrExit();
const leaseSeconds = positive("lease-seconds", values["lease-seconds"]);
const sendTimeoutSeconds = positive("send-timeout-seconds", values["send-timeout-seconds"]);
if (leaseSeconds < 2 * sendTimeoutSeconds) {
  console.error("Worker: --lease-seconds must be at least twice --send-timeout-seconds");
  process.exit(1);
}
// Webhooks: every claimed row is sent `webhookConcurrency` at a time, so a batch takes up to
// ceil(batch / concurrency) × timeout. Its claim is capped to what fits in the lease (with a
// margin); a capped batch is said once here, since it means more passes than the flags suggest.
const webhookConcurrency = Math.min(positive("concurrency", values.concurrency), 16);
const webhookBatch = webhookClaimLimit({
  batchSize: positive("batch-size", values["batch-size"]),
  concurrency: webhookConcurrency,
  leaseMs: leaseSeconds * 1000,
  timeoutMs: sendTimeoutSeconds * 1000,
});
if (Math.ceil(webhookBatch / webhookConcurrency) * sendTimeoutSeconds * 1000 + LEASE_MARGIN_MS > leaseSeconds * 1000) {
  // webhookClaimLimit guarantees this; a change there must not silently break it.
  console.error("Worker: a webhook batch would outlive its lease; raise --lease-seconds");
  process.exit(1);
}
if (webhookBatch < positive("batch-size", values["batch-size"]))
  console.log(
    `Worker: webhook batches capped at ${webhookBatch} (${webhookConcurrency} at a time, ${sendTimeoutSeconds} s each, within a ${leaseSeconds} s lease)`,
  );
// Sends no longer hold a connection each (a pass's database work is a few batched statements),
// so the pool need not grow with --concurrency.
const handle = openDatabase({
  ...databaseOptionsFromEnv(e),
  max: Math.min(positive("concurrency", values.concurrency), 8) + 2,
});
const status = await migrationStatus(handle.db);
if (status.applied < status.expected) {
  console.error(
    `Worker: the database has ${status.applied} of ${status.expected} migrations; run npm run migrate first.`,
  );
  process.exit(1);
}
const worker = startSmsWorker(
  smsDispatchConfig(
    handle.db,
    e,
    { sendTimeoutMs: sendTimeoutSeconds * 1000 },
    {
      batchSize: positive("batch-size", values["batch-size"]),
      concurrency: positive("concurrency", values.concurrency),
      leaseMs: leaseSeconds * 1000,
    },
  ),
  { pollMs: positive("poll-ms", values["poll-ms"]) },
);
// Push reminders (push first, SMS fallback) when VAPID keys are configured.
const vapid = vapidKeysFor(e);
const pushWorker = vapid
  ? startPushWorker(
      { db: handle.db, vapid, log: (line) => console.log(line) },
      { pollMs: positive("poll-ms", values["poll-ms"]) },
    )
  : null;
const base = smsDispatchConfig(handle.db, e);
const offerWorker = startOfferWorker(
  { db: handle.db, keys: base.keys, publicBaseUrl: base.publicBaseUrl, log: base.log },
  { pollMs: positive("poll-ms", values["poll-ms"]) },
);
// The audit trail's sequencer: chains the rows requests inserted (one pass at a time cluster-wide).
const auditSequencer = startAuditSequencer(handle.db, { log: (line) => console.error(line) });
// The audit trail's hash chain, verified hourly (AUDIT_VERIFY_MINUTES); a break is logged loudly.
const stopAuditCheck = scheduleAuditChainCheck(
  handle.db,
  Math.max(1, Number(process.env.AUDIT_VERIFY_MINUTES ?? 60)) * 60_000,
  (line) => console.error(line),
);
// Retention: expired links, closed offers, ended sessions and old message details, daily.
const retentionTimer = setInterval(
  () =>
    void purgeExpired(handle.db, new Date())
      .then((r) => console.log(`retention: ${JSON.stringify(r)}`))
      .catch((error) => console.error("retention failed:", error instanceof Error ? error.name : "unknown")),
  24 * 3_600_000,
);
retentionTimer.unref();
// The booking systems' webhooks: the same lease and timeout, a batch that fits the lease (above).
const webhookWorker = startWebhookWorker(
  {
    db: handle.db,
    keys: base.keys,
    production: e.isProduction,
    leaseMs: leaseSeconds * 1000,
    timeoutMs: sendTimeoutSeconds * 1000,
    batchSize: webhookBatch,
    concurrency: webhookConcurrency,
    log: base.log,
  },
  { pollMs: positive("poll-ms", values["poll-ms"]) },
);
console.log(`Worker started (${handle.driver}, pid ${process.pid}${vapid ? ", with push" : ""}).`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  // A pass stuck on a dead database must not keep the process alive forever.
  setTimeout(() => process.exit(1), 15_000).unref();
  stopAuditCheck();
  clearInterval(retentionTimer);
  await Promise.all([
    worker.stop(),
    pushWorker?.stop(),
    offerWorker.stop(),
    webhookWorker.stop(),
    auditSequencer.stop(),
  ]);
  await handle.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
