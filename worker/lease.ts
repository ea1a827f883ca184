// The lease on a claimed `messages` row, shared by the SMS and push workers. A claim sets the row
// `sending`, raises `attempts` and sets `lease_expires_at`; a row whose lease has run out (its worker
// died or stalled) may be claimed again, which raises `attempts` once more. So (id, attempts) is a
// fencing token: a write guarded by stillOurs lands only if no later claim has taken the row.
import { and, eq, sql, type SQL } from "drizzle-orm";
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
