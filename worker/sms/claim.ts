// Claiming: which rows a pass owns. One statement takes up to a batch of due rows (and rows whose
// worker died: lease run out) with FOR UPDATE SKIP LOCKED, so any number of workers share the queue;
// the claim raises `attempts`, and (id, attempts) is the fencing token every later write checks
// (worker/lease.ts, shared with the push worker).
import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm";
import { messages } from "@/db/schema";
import type { Claimed } from "../lease";
import { DEFAULT_SMS_BATCH_SIZE, leaseOf, type SmsDispatchConfig } from "./types";

/** Claims up to a batch of due rows in one statement: attempts + 1 and a fresh lease. */
export async function claimDueSms(config: SmsDispatchConfig, now: Date): Promise<Claimed[]> {
  const due = config.db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.channel, "sms"),
        or(
          and(eq(messages.status, "queued"), lte(messages.dueAt, now)),
          // The worker that claimed it is gone (or very late): take it over.
          and(eq(messages.status, "sending"), lte(messages.leaseExpiresAt, now)),
        ),
      ),
    )
    .orderBy(asc(messages.dueAt))
    .limit(config.batchSize ?? DEFAULT_SMS_BATCH_SIZE)
    .for("update", { skipLocked: true });
  return config.db
    .update(messages)
    .set({
      status: "sending",
      attempts: sql`${messages.attempts} + 1`,
      leaseExpiresAt: new Date(now.getTime() + leaseOf(config)),
      updatedAt: now,
    })
    .where(inArray(messages.id, due))
    .returning({ id: messages.id, attempts: messages.attempts });
}
