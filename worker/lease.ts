// The lease on a claimed `messages` row, shared by the SMS and push workers. A claim sets the row
// `sending`, raises `attempts` and sets `lease_expires_at`; a row whose lease has run out (its worker
// died or stalled) may be claimed again, which raises `attempts` once more. So (id, attempts) is a
// fencing token: a write guarded by stillOurs lands only if no later claim has taken the row.
import { and, asc, eq, inArray, lte, sql, type SQL } from "drizzle-orm";
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
 * The claim of one channel's rows, as two statements the caller runs in turn: `expired`, rows whose
 * worker is gone or very late (still `sending` with the lease run out), then `due` for what is left
 * of its batch, queued rows, oldest due first. SKIP LOCKED, so workers never wait on each other;
 * each row gets attempts + 1 and a fresh lease. (Unsent builders: worker/lease.test.ts reads plans.)
 *
 * Two statements, each walking messages_due_idx (channel, status, due_at) in order and stopping at
 * the batch. One statement with an OR of both read every due row of every channel on every pass:
 * during an SMS burst the push worker's empty claim walked the 100 000 queued SMS rows, 105 ms of
 * Postgres each time, five times a second (the reminder bench's statement statistics).
 */
export function claimStatements<T extends SelectedFieldsFlat>(
  db: Db,
  opts: { channel: "sms" | "push"; now: Date; leaseMs: number },
  returning: T,
) {
  const { now } = opts;
  const claim = (where: SQL, limit: number) =>
    db
      .update(messages)
      .set({
        status: "sending",
        attempts: sql`${messages.attempts} + 1`,
        leaseExpiresAt: new Date(now.getTime() + opts.leaseMs),
        updatedAt: now,
      })
      .where(
        inArray(
          messages.id,
          db
            .select({ id: messages.id })
            .from(messages)
            .where(and(eq(messages.channel, opts.channel), where))
            .orderBy(asc(messages.dueAt))
            .limit(limit)
            .for("update", { skipLocked: true }),
        ),
      )
      .returning(returning);
  return {
    expired: (limit: number) => claim(and(eq(messages.status, "sending"), lte(messages.leaseExpiresAt, now))!, limit),
    due: (limit: number) => claim(and(eq(messages.status, "queued"), lte(messages.dueAt, now))!, limit),
  };
}
