// Gauges computed from the database when Prometheus scrapes, not counters scattered through the
// code: the rows are the truth (a reminder is `sent` in `messages`, a webhook `delivered` in
// `webhook_dispatches`), they cover every app and worker process at once, and they survive
// restarts. Every replica reports the same values: aggregate with max(), not sum().
//
// Counts are over a recent window (WINDOW, by the row's due or creation time) so a scrape stays
// an index-range read on a large table; queue depths and ages are over all open rows.
import { sql } from "drizzle-orm";
import { Gauge, type Registry } from "prom-client";
import { rowsOf, type Db } from "@/db/client";
import { verifyAuditChain } from "@/lib/audit";

const WINDOW = "24 hours";
const AUDIT_VERIFY_EVERY_MS = 10 * 60_000;

interface DatabaseGauges {
  up: Gauge;
  queueDepth: Gauge<"queue" | "status">;
  queueAge: Gauge<"queue">;
  messages: Gauge<"channel" | "purpose" | "status">;
  offers: Gauge<"status">;
  webhooks: Gauge<"status">;
  bankid: Gauge<"status" | "hint">;
  auditOk: Gauge;
  auditVerifiedAt: Gauge;
  auditRows: Gauge;
}

const globalForGauges = globalThis as unknown as {
  vardtidDbGauges?: WeakMap<Registry, DatabaseGauges>;
  vardtidAuditCheck?: { at: number; ok: boolean; rows: number; running?: Promise<void> };
};

function gauges(registry: Registry): DatabaseGauges {
  const known = (globalForGauges.vardtidDbGauges ??= new WeakMap());
  const existing = known.get(registry);
  if (existing) return existing;
  const r = [registry];
  const created: DatabaseGauges = {
    up: new Gauge({ name: "vardtid_database_up", help: "1 if the last scrape could read the database", registers: r }),
    queueDepth: new Gauge({
      name: "vardtid_queue_depth",
      help: "Open rows per job queue and status (messages, waitlist_jobs, webhook_deliveries not yet fanned out, webhook_dispatches)",
      labelNames: ["queue", "status"] as const,
      registers: r,
    }),
    queueAge: new Gauge({
      name: "vardtid_queue_oldest_due_age_seconds",
      help: "How long the oldest row that is due (and not done) has waited, per queue; for webhook_dispatches the oldest not yet delivered (pending, in backoff included, or sending); 0 when none",
      labelNames: ["queue"] as const,
      registers: r,
    }),
    messages: new Gauge({
      name: "vardtid_messages_recent",
      help: `Messages due in the last ${WINDOW} by channel (sms, push), purpose (reminder, offer, …) and status (sent, delivered, failed, dead, …)`,
      labelNames: ["channel", "purpose", "status"] as const,
      registers: r,
    }),
    offers: new Gauge({
      name: "vardtid_slot_offers_recent",
      help: `Earlier-time offers made in the last ${WINDOW} by status (accepted, pending, expired, …)`,
      labelNames: ["status"] as const,
      registers: r,
    }),
    webhooks: new Gauge({
      name: "vardtid_webhook_deliveries_recent",
      help: `Webhook dispatches (one per event and receiving client) created in the last ${WINDOW} by status (pending, sending, delivered, failed)`,
      labelNames: ["status"] as const,
      registers: r,
    }),
    bankid: new Gauge({
      name: "vardtid_bankid_orders_recent",
      help: "BankID login orders still kept (the last hour or so) by status and hint code",
      labelNames: ["status", "hint"] as const,
      registers: r,
    }),
    auditOk: new Gauge({
      name: "vardtid_audit_chain_ok",
      help: "1 if the audit hash chain verified intact, 0 if broken (an incident), -1 before the first check",
      registers: r,
    }),
    auditVerifiedAt: new Gauge({
      name: "vardtid_audit_chain_verified_timestamp_seconds",
      help: "When the audit chain was last verified (Unix seconds)",
      registers: r,
    }),
    auditRows: new Gauge({ name: "vardtid_audit_events", help: "Rows in the verified audit chain", registers: r }),
  };
  created.auditOk.set(-1);
  known.set(registry, created);
  return created;
}

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

/** Re-reads every database gauge; on a database error only `vardtid_database_up` changes (to 0). */
export async function refreshDatabaseGauges(db: Db, registry: Registry): Promise<void> {
  const g = gauges(registry);
  try {
    const depth = await rows<{ queue: string; status: string; n: number }>(
      db,
      // `channel in (…)`: both channels, named so messages_due_idx (channel, status, due_at) serves it.
      sql`select 'messages' as queue, status, count(*)::int as n from messages
            where channel in ('sms', 'push') and status in ('queued', 'sending') group by status
          union all
          select 'waitlist_jobs', status, count(*)::int from waitlist_jobs where status = 'queued' group by status
          union all
          select 'webhook_deliveries', status, count(*)::int from webhook_deliveries
            where status = 'pending' group by status
          union all
          select 'webhook_dispatches', status, count(*)::int from webhook_dispatches
            where status in ('pending', 'sending') group by status`,
    );
    // Webhook dispatches: the oldest not yet delivered, not only the rows due now (a receiver in
    // backoff would read 0 between its retries), as `npm run webhooks -- counts` reports it.
    const ages = await rows<{ queue: string; age: number | null }>(
      db,
      sql`select 'messages' as queue, extract(epoch from now() - min(due_at))::float8 as age
            from messages where channel in ('sms', 'push') and status = 'queued' and due_at <= now()
          union all
          select 'waitlist_jobs', extract(epoch from now() - min(run_at))::float8
            from waitlist_jobs where status = 'queued' and run_at <= now()
          union all
          select 'webhook_deliveries', extract(epoch from now() - min(created_at))::float8
            from webhook_deliveries where status = 'pending'
          union all
          select 'webhook_dispatches', extract(epoch from now() - min(created_at))::float8
            from webhook_dispatches where status in ('pending', 'sending')`,
    );
    const messageCounts = await rows<{ channel: string; purpose: string; status: string; n: number }>(
      db,
      sql`select channel, purpose, status, count(*)::int as n from messages
          where due_at > now() - ${WINDOW}::interval and due_at <= now() + interval '1 minute'
          group by channel, purpose, status`,
    );
    const offerCounts = await rows<{ status: string; n: number }>(
      db,
      sql`select status, count(*)::int as n from slot_offers where created_at > now() - ${WINDOW}::interval group by status`,
    );
    const webhookCounts = await rows<{ status: string; n: number }>(
      db,
      // One row per event and receiving client: `delivered`, `failed` (retry window over) or still open.
      sql`select status, count(*)::int as n from webhook_dispatches where created_at > now() - ${WINDOW}::interval group by status`,
    );
    const bankidCounts = await rows<{ status: string; hint: string | null; n: number }>(
      db,
      sql`select status, hint_code as hint, count(*)::int as n from login_orders group by status, hint_code`,
    );
    g.queueDepth.reset();
    // An empty queue still reports its depth (0), so an alert on it never goes silent.
    g.queueDepth.set({ queue: "messages", status: "queued" }, 0);
    g.queueDepth.set({ queue: "waitlist_jobs", status: "queued" }, 0);
    g.queueDepth.set({ queue: "webhook_deliveries", status: "pending" }, 0);
    g.queueDepth.set({ queue: "webhook_dispatches", status: "pending" }, 0);
    for (const r of depth) g.queueDepth.set({ queue: r.queue, status: r.status }, Number(r.n));
    for (const r of ages) g.queueAge.set({ queue: r.queue }, Math.max(Number(r.age ?? 0), 0));
    g.messages.reset();
    for (const r of messageCounts)
      g.messages.set({ channel: r.channel, purpose: r.purpose, status: r.status }, Number(r.n));
    g.offers.reset();
    for (const r of offerCounts) g.offers.set({ status: r.status }, Number(r.n));
    g.webhooks.reset();
    for (const r of webhookCounts) g.webhooks.set({ status: r.status }, Number(r.n));
    g.bankid.reset();
    for (const r of bankidCounts) g.bankid.set({ status: r.status, hint: r.hint ?? "" }, Number(r.n));
    g.up.set(1);
  } catch {
    g.up.set(0);
  }
  await refreshAuditGauges(db, g);
}

/**
 * The whole chain is read to verify it, so not at every scrape: at most every ten minutes, in the
 * background; a scrape waits for a running check two seconds at most and otherwise reports the last.
 */
async function refreshAuditGauges(db: Db, g: DatabaseGauges): Promise<void> {
  const state = (globalForGauges.vardtidAuditCheck ??= { at: 0, ok: true, rows: 0 });
  if (!state.running && Date.now() - state.at > AUDIT_VERIFY_EVERY_MS) {
    state.running = (async () => {
      try {
        const problems = await verifyAuditChain(db);
        const [count] = await rows<{ n: number }>(db, sql`select count(*)::int as n from audit_events`);
        state.ok = problems.length === 0;
        state.rows = Number(count?.n ?? 0);
        state.at = Date.now();
        g.auditOk.set(state.ok ? 1 : 0);
        g.auditVerifiedAt.set(Math.floor(state.at / 1000));
        g.auditRows.set(state.rows);
      } catch {
        // Database unreachable: try again at the next scrape; the last result stands.
      } finally {
        state.running = undefined;
      }
    })();
  }
  if (state.running) await Promise.race([state.running, new Promise((resolve) => setTimeout(resolve, 2_000))]);
}

/** For tests: forget the cached audit check so the next scrape verifies again. */
export function resetAuditCheck(): void {
  globalForGauges.vardtidAuditCheck = undefined;
}
