// The lease on a claimed `messages` row, shared by the SMS and push workers. A claim sets the row
// `sending`, raises `attempts` and sets `lease_expires_at`; a row whose lease has run out (its worker
// died or stalled) may be claimed again, which raises `attempts` once more. So (id, attempts) is a
// fencing token: a write guarded by stillOurs lands only if no later claim has taken the row.
import { and, asc, eq, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import type { SelectedFieldsFlat } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { messages } from "@/db/schema";

/** A row a pass owns: its id and the attempt number its claim gave it. */
export interface Claimed {
  id: string;
  attempts: number;
}

/** `(id, attempts) in (…)`: the rows of this claim, and only while no later claim took them. */
export function stillOurs(rows: Claimed[]): SQL {
  const pairs = rows.map((r) => sql`(${r.id}::uuid, ${r.attempts}::int)`);
  return and(
    eq(messages.status, "sending"),
    sql`(${messages.id}, ${messages.attempts}) in (${sql.join(pairs, sql`, `)})`,
  )!;
}

/**
 * Claims up to `limit` rows of one channel in one statement: due queued rows, and rows whose
 * worker is gone or very late (still `sending` with the lease run out), oldest due first, SKIP
 * LOCKED so workers never wait on each other; each gets attempts + 1 and a fresh lease.
 */
export function claimDueMessages<T extends SelectedFieldsFlat>(
  db: Db,
  opts: { channel: "sms" | "push"; now: Date; limit: number; leaseMs: number },
  returning: T,
) {
  const { now } = opts;
  const due = db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.channel, opts.channel),
        or(
          and(eq(messages.status, "queued"), lte(messages.dueAt, now)),
          and(eq(messages.status, "sending"), lte(messages.leaseExpiresAt, now)),
        ),
      ),
    )
    .orderBy(asc(messages.dueAt))
    .limit(opts.limit)
    .for("update", { skipLocked: true });
  return db
    .update(messages)
    .set({
      status: "sending",
      attempts: sql`${messages.attempts} + 1`,
      leaseExpiresAt: new Date(now.getTime() + opts.leaseMs),
      updatedAt: now,
    })
    .where(inArray(messages.id, due))
    .returning(returning);
}
