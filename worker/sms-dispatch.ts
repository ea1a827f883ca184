// Sends due SMS. The `messages` table is the queue: a row is written (status `queued`, `due_at`) in
// the same transaction as the booking, rebook or cancel that makes it due or void, and workers
// claim due rows with FOR UPDATE SKIP LOCKED, so any number of workers can share one database.
//
// Why a claim loop on `messages` rather than pg-boss jobs: the row that proves "this reminder was
// promised" is the row that records what happened to it. A separate job table would be a second
// state machine that can disagree with it (a job done, a message still queued), and enqueueing
// would need pg-boss inside drizzle's transaction on both drivers. The loop is 100 lines, behaves
// the same on PGlite and Postgres, and its due index serves both the worker and the patient's list.
//
// Life of a row: queued → (claim: attempts+1, lease) sending → gateway → sent → delivered/failed
// (delivery report). A retryable error puts it back to queued with exponential backoff; after
// `maxAttempts` it is `dead` (shown to the patient and countable by operations). A 4xx is `failed`.
//
// Never twice: the gateway call carries the idempotency key. A worker that dies after the operator
// accepted an SMS but before storing the answer leaves the row `sending`; the operator's `sent`
// report (its callback URL names our row) marks it sent meanwhile. Only when the lease has run out
// with no report is it sent again, with the same key and the same text. A worker that lives but
// cannot reach the database (Postgres restarting) keeps what it sent and records it first thing
// when the database is back, claiming nothing before (worker/sms/backlog.ts). Residual risk with
// the real 46elks, which does not de-duplicate: a worker dead or cut off for longer than the lease
// (default 120 s) with no report arriving by then means a second SMS. The simulator de-duplicates
// and counts it, so tests catch it.
//
// Throughput: the work around each send is done per batch, not per message, because the worker
// is CPU-bound on round trips (each costs more CPU in drizzle and postgres.js than the SQL does
// in Postgres), and every row is written twice only: claimed (with its text) and sent. A pass is
// one transaction that reads the due rows with everything the checks need, locked FOR UPDATE SKIP
// LOCKED, and claims them in one statement (attempts + 1 and a lease, the texts still unset and
// their deep links, or the final status of a row not to send); fences for chunks of rows just
// before they are sent; and the outcomes written as they come, a batch of rows per statement.
// The sends go over a keep-alive connection pool to the operator (lib/sms/elks.ts).
//
// This file is the loop only; each step is a file of its own in worker/sms/ (graphile-worker
// style): claim.ts, eligibility.ts (the pure "is it still wanted" rule), prepare.ts, fix-texts.ts,
// fences.ts, send.ts, retry-policy.ts (pure backoff and dead letter), outcomes.ts.
import { claimAndPrepare } from "./sms/claim";
import { OutcomeBacklog } from "./sms/backlog";
import { OutcomeWriter } from "./sms/outcomes";
import { SendSlots, sendAll } from "./sms/send";
import {
  concurrencyOf,
  DEFAULT_SMS_BATCH_SIZE,
  type PassResult,
  type Ready,
  type SmsDispatchConfig,
} from "./sms/types";
import { startPollingLoop, type PollingLoop } from "./poll-loop";

export { DEFAULT_SMS_BATCH_SIZE, DEFAULT_SMS_CONCURRENCY } from "./sms/types";
export type { PassResult, SmsDispatchConfig } from "./sms/types";
export { SendSlots } from "./sms/send";
export { OutcomeBacklog } from "./sms/backlog";

/**
 * One pass: claim due rows (and rows whose worker died), send them, store the outcome. A worker
 * passes its own `backlog` to every pass: outcomes the database did not take are kept there, and a
 * pass first writes them and claims nothing while that fails (worker/sms/backlog.ts). Without one,
 * the pass keeps them for its own life only.
 */
export async function runDueSms(
  config: SmsDispatchConfig,
  shared: { slots?: SendSlots; backlog?: OutcomeBacklog } = {},
): Promise<PassResult> {
  const now = config.now ?? (() => new Date());
  const result: PassResult = { claimed: 0, sent: 0, retried: 0, failed: 0, dead: 0, skipped: 0 };
  const backlog = shared.backlog ?? new OutcomeBacklog({ log: config.log });
  // What this worker sent but could not record comes before any new claim: while the database is
  // still away the pass ends here (the poll loop tries again), so nothing new is sent meanwhile.
  if (!(await backlog.flush(config.db))) throw new BacklogNotStored(backlog.size);
  const claimedAt = performance.now();
  const { claimed, prepared } = await claimAndPrepare(config, now());
  result.claimed = claimed;
  if (claimed === 0) return result;
  const writer = new OutcomeWriter(config, backlog);
  try {
    const ready: Ready[] = [];
    for (const p of prepared) {
      if (p.kind === "ready") ready.push(p);
      else result.skipped += 1; // stored with its final status by the claim itself
    }
    const slots = shared.slots ?? new SendSlots(concurrencyOf(config));
    await sendAll(config, ready, claimedAt, writer, slots, now, (outcome) => (result[outcome] += 1));
  } finally {
    await writer.close();
  }
  // Without a worker's backlog, this is the last chance to store what the pass kept.
  if (!shared.backlog) await backlog.flush(config.db);
  return result;
}

/** The pass stopped before claiming: outcomes of earlier sends could not be stored yet. */
export class BacklogNotStored extends Error {
  constructor(readonly rows: number) {
    super(`${rows} SMS outcomes not yet stored`);
    this.name = "BacklogNotStored";
  }
}

export type SmsWorker = PollingLoop;

/**
 * Polls until stopped; a full batch is followed at once by the next pass. Two passes overlap, so
 * one claims and prepares its batch (database round trips, during which it sends nothing) while
 * the other sends; they share the send slots, so `concurrency` stays the bound on calls in flight.
 */
export function startSmsWorker(config: SmsDispatchConfig, opts: { pollMs?: number } = {}): SmsWorker {
  const slots = new SendSlots(concurrencyOf(config));
  const backlog = new OutcomeBacklog({ log: config.log });
  const loops = Array.from({ length: 2 }, () =>
    startPollingLoop(
      "sms worker",
      async () => {
        const r = await runDueSms(config, { slots, backlog });
        if (r.claimed > 0)
          config.log?.(
            `sms worker: ${r.sent} sent, ${r.retried} to retry, ${r.failed} failed, ${r.dead} dead, ${r.skipped} skipped`,
          );
        return { full: r.claimed >= (config.batchSize ?? DEFAULT_SMS_BATCH_SIZE) };
      },
      { pollMs: opts.pollMs, log: config.log },
    ),
  );
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
      // A last try; what is still kept is lost with the process (the delivery reports remain).
      if (!(await backlog.flush(config.db)))
        config.log?.(`sms worker: stopped with ${backlog.size} outcomes not stored (${backlog.sentCount} sent)`);
    },
  };
}
