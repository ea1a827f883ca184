// The webhook queue's verbs, one SQL statement family each: fan an outbox event out to its
// subscribers, claim due dispatches, record how a try went, hand back a claimed one unsent, and
// take a failed one back (replay).
//
// In order, per receiver and appointment: a dispatch is claimed only when no earlier event of the
// same appointment is still open for the same endpoint, and no earlier event of it is still
// waiting to be fanned out. Events of one appointment are numbered in commit order (`seq`, taken
// under the appointment's row lock), so "earlier" is well defined. A `failed` event no longer
// holds the later ones back (it stays visible and can be replayed).
import { and, eq, inArray, sql } from "drizzle-orm";
import { rowsOf, type Db } from "@/db/client";
import { webhookDeliveries, webhookDispatches } from "@/db/schema";
import { subscribedPairsSql } from "./subscribers";

/** A timestamp parameter both drivers accept in raw SQL (postgres.js will not bind a Date there). */
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** The dispatch is still held by this claim: sending, at the attempt the claim made. */
const stillClaimed = (c: { id: string; attempts: number }) =>
  and(
    eq(webhookDispatches.id, c.id),
    eq(webhookDispatches.status, "sending"),
    eq(webhookDispatches.attempts, c.attempts),
  );

/** Fans out up to `limit` pending outbox events (oldest first); returns how many. */
export async function fanOutEvents(db: Db, now: Date, limit = 200): Promise<number> {
  return db.transaction(async (tx) => {
    const events = await tx
      .select({ id: webhookDeliveries.id, body: webhookDeliveries.body })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.status, "pending"))
      .orderBy(webhookDeliveries.seq)
      .limit(limit)
      .for("update", { skipLocked: true });
    if (events.length === 0) return 0;
    // Rows written before events carried their body have nothing to send.
    const legacy = events.filter((e) => e.body === null).map((e) => e.id);
    const ready = events.filter((e) => e.body !== null).map((e) => e.id);
    if (legacy.length > 0)
      await tx.update(webhookDeliveries).set({ status: "dead" }).where(inArray(webhookDeliveries.id, legacy));
    if (ready.length > 0) {
      // One dispatch per event and endpoint, whoever runs this (the unique index makes a second
      // fan-out of the same event a no-op).
      await tx.execute(sql`
        insert into webhook_dispatches
          (event_id, endpoint_id, event_seq, appointment_id, next_attempt_at, window_started_at, created_at, updated_at)
        select p.event_id, p.endpoint_id, p.event_seq, p.appointment_id, ${ts(now)}, ${ts(now)}, ${ts(now)}, ${ts(now)}
        from (${subscribedPairsSql(ready)}) p
        on conflict (event_id, endpoint_id) do nothing`);
      await tx
        .update(webhookDeliveries)
        .set({ status: "dispatched", deliveredAt: now })
        .where(inArray(webhookDeliveries.id, ready));
    }
    return events.length;
  });
}

export interface ClaimedDispatch {
  id: string;
  eventId: string;
  endpointId: string;
  attempts: number;
  windowStartedAt: Date;
  /** Until when this claim owns the row: after that another worker may claim and send it. */
  leaseExpiresAt: Date;
}

/** Claims up to `limit` due dispatches (and ones whose worker's lease ran out): attempts+1, a lease. */
export async function claimDispatches(db: Db, now: Date, opts: { limit: number; leaseMs: number }) {
  const lease = new Date(now.getTime() + opts.leaseMs);
  const result = await db.execute(sql`
    update webhook_dispatches d
    set status = 'sending', attempts = d.attempts + 1, lease_expires_at = ${ts(lease)}, updated_at = ${ts(now)}
    where d.id in (
      select c.id from webhook_dispatches c
      where ((c.status = 'pending' and c.next_attempt_at <= ${ts(now)})
          or (c.status = 'sending' and c.lease_expires_at <= ${ts(now)}))
        and not exists (
          select 1 from webhook_dispatches p
          where p.endpoint_id = c.endpoint_id and p.appointment_id = c.appointment_id
            and p.event_seq < c.event_seq and p.status in ('pending', 'sending'))
        and not exists (
          select 1 from webhook_deliveries o
          where o.appointment_id = c.appointment_id and o.seq < c.event_seq and o.status = 'pending')
      order by c.next_attempt_at
      limit ${opts.limit}
      for update skip locked)
    returning d.id, d.event_id, d.endpoint_id, d.attempts, d.window_started_at, d.lease_expires_at`);
  return rowsOf<{
    id: string;
    event_id: string;
    endpoint_id: string;
    attempts: number;
    window_started_at: Date | string;
    lease_expires_at: Date | string;
  }>(result).map((r): ClaimedDispatch => ({
    id: r.id,
    eventId: r.event_id,
    endpointId: r.endpoint_id,
    attempts: Number(r.attempts),
    windowStartedAt: new Date(r.window_started_at),
    leaseExpiresAt: new Date(r.lease_expires_at),
  }));
}

export type DispatchOutcome =
  | { kind: "delivered"; status: number }
  | { kind: "retry"; at: Date; status: number | null; error: string | null }
  | { kind: "failed"; status: number | null; error: string | null };

/**
 * Stores a try's outcome, fenced on (status sending, attempts): if the lease ran out and another
 * worker took the row meanwhile, this late answer changes nothing. Returns whether it was stored.
 */
export async function recordOutcome(db: Db, c: ClaimedDispatch, outcome: DispatchOutcome, now: Date) {
  const common = {
    leaseExpiresAt: null,
    updatedAt: now,
    lastStatus: outcome.status,
    lastError: outcome.kind === "delivered" ? null : outcome.error,
  };
  const set =
    outcome.kind === "delivered"
      ? { ...common, status: "delivered" as const, deliveredAt: now }
      : outcome.kind === "retry"
        ? { ...common, status: "pending" as const, nextAttemptAt: outcome.at }
        : { ...common, status: "failed" as const, failedAt: now };
  const updated = await db
    .update(webhookDispatches)
    .set(set)
    .where(stillClaimed(c))
    .returning({ id: webhookDispatches.id });
  return updated.length === 1;
}

/**
 * Hands a claimed dispatch back unsent (its lease would run out before a try could end): pending
 * again, due as it was, and the claim's attempt taken back since no try was made. Fenced like
 * recordOutcome, so it only ever undoes the latest claim, and only while that claim still holds
 * the row: the caller must not touch the row afterwards. Returns whether it was handed back.
 */
export async function releaseDispatch(db: Db, c: ClaimedDispatch, now: Date) {
  const released = await db
    .update(webhookDispatches)
    .set({ status: "pending", attempts: c.attempts - 1, leaseExpiresAt: null, updatedAt: now })
    .where(stillClaimed(c))
    .returning({ id: webhookDispatches.id });
  return released.length === 1;
}
