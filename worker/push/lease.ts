// The push worker's hold on its rows, the same lease as the SMS worker's (worker/lease.ts): a claim
// takes due rows and rows whose worker died (lease run out); a fence renews the lease right before
// the devices are reached; outcomes are written only while the row is still ours, except `sent`,
// which is true whoever owns the row now (the push is out).
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { messages } from "@/db/schema";
import { claimStatements, stillOurs, type Claimed } from "../lease";

export const DEFAULT_PUSH_BATCH_SIZE = 25;
/** Far above what one row takes (a link and a few HTTPS calls with their own timeouts). */
export const DEFAULT_PUSH_LEASE_MS = 120_000;

export type ClaimedPush = Claimed & { patientId: string; appointmentId: string | null; key: string };

/**
 * Claims up to a batch of push rows: rows whose lease ran out first, then due rows (attempts + 1
 * and a fresh lease; worker/lease.ts says why two statements).
 */
export async function claimDuePush(
  db: Db,
  opts: { now: Date; batchSize?: number; leaseMs?: number },
): Promise<ClaimedPush[]> {
  const limit = opts.batchSize ?? DEFAULT_PUSH_BATCH_SIZE;
  const claims = claimStatements(
    db,
    { channel: "push", now: opts.now, leaseMs: opts.leaseMs ?? DEFAULT_PUSH_LEASE_MS },
    {
      id: messages.id,
      attempts: messages.attempts,
      patientId: messages.patientId,
      appointmentId: messages.appointmentId,
      key: messages.idempotencyKey,
    },
  );
  const expired = await claims.expired(limit);
  return expired.length < limit ? [...expired, ...(await claims.due(limit - expired.length))] : expired;
}

/** The fence: true (and the lease renewed) only while no later claim has taken the row. */
export async function renewPushLease(db: Db, row: Claimed, now: Date, leaseMs = DEFAULT_PUSH_LEASE_MS) {
  const ours = await db
    .update(messages)
    .set({ leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now })
    .where(and(eq(messages.id, row.id), stillOurs([row])))
    .returning({ id: messages.id });
  return ours.length > 0;
}

/**
 * Stores a row's outcome; true when it was written. `sent` needs only that the row is still
 * `sending` (not opened meanwhile); any other outcome also needs the row to be still ours.
 */
export async function finishPush(
  db: Db,
  row: Claimed,
  status: "sent" | "failed" | "cancelled" | "skipped",
  now: Date,
  lastError: string | null,
): Promise<boolean> {
  const written = await db
    .update(messages)
    .set({ status, lastError, sentAt: status === "sent" ? now : null, leaseExpiresAt: null, updatedAt: now })
    .where(
      status === "sent"
        ? and(eq(messages.id, row.id), eq(messages.status, "sending"))
        : and(eq(messages.id, row.id), stillOurs([row])),
    )
    .returning({ id: messages.id });
  return written.length > 0;
}
