// Claiming: which rows a pass owns, and what is done with each, written in one transaction. The due
// rows (and rows whose worker died: lease run out) are read with everything the checks need and
// locked FOR UPDATE SKIP LOCKED, so any number of workers share the queue; each is judged
// (prepare.ts), the new reminders get their text (fix-texts.ts), and one statement then claims them
// all: attempts + 1 and a fresh lease for the rows to send, with their recipient and text where
// still unset and their deep links; the final status at once for the rows not to send. (id,
// attempts) is the fencing token every later write checks (worker/lease.ts).
//
// Why one transaction: claiming and fixing the text used to be two writes of every row, two
// commits, and a race between them (another worker could fix a text first). Now a row is written
// once before its send and once after (`sent`), and the lock makes the read the truth until the
// claim commits.
import { and, asc, eq, lte, sql, type SQL } from "drizzle-orm";
import { rowsOf, type DbOrTx } from "@/db/client";
import { messages } from "@/db/schema";
import { prepareRows, selectRows, type BatchRow } from "./prepare";
import { DEFAULT_SMS_BATCH_SIZE, leaseOf, type Prepared, type SmsDispatchConfig } from "./types";

/** Claims up to a batch of due rows and prepares them, in one transaction. */
export async function claimAndPrepare(
  config: SmsDispatchConfig,
  now: Date,
): Promise<{ claimed: number; prepared: Prepared[] }> {
  const limit = config.batchSize ?? DEFAULT_SMS_BATCH_SIZE;
  return config.db.transaction(async (tx) => {
    // Rows whose lease ran out first (they are the oldest), then due rows, oldest due first. Two
    // statements, so each walks messages_due_idx (channel, status, due_at) in order and stops at the batch:
    // one with an OR of both would sort every due row again on every pass.
    const expired = await lockRows(tx, leaseRunOut(now), limit);
    const due = expired.length < limit ? await lockRows(tx, isDue(now), limit - expired.length) : [];
    const rows = [...expired, ...due];
    if (rows.length === 0) return { claimed: 0, prepared: [] };
    const prepared = await prepareRows(config, tx, rows, now);
    const written = await writeClaims(tx, prepared, new Date(now.getTime() + leaseOf(config)), now);
    // Every row is locked by this transaction, so every one is written; a row that was not is
    // left alone (its lease, if any, runs out as after a crash).
    return {
      claimed: written.size,
      prepared: prepared.filter((p) => written.get(p.claimed.id) === p.claimed.attempts),
    };
  });
}

function lockRows(tx: DbOrTx, where: SQL, limit: number): Promise<BatchRow[]> {
  return lockRowsQuery(tx, where, limit);
}

const leaseRunOut = (now: Date) => and(eq(messages.status, "sending"), lte(messages.leaseExpiresAt, now))!;
const isDue = (now: Date) => and(eq(messages.status, "queued"), lte(messages.dueAt, now))!;

/** The claim's two reads as statements (bench/growth.ts runs EXPLAIN on exactly these). */
export function claimReads(tx: DbOrTx, now: Date, limit: number) {
  return { expired: lockRowsQuery(tx, leaseRunOut(now), limit), due: lockRowsQuery(tx, isDue(now), limit) };
}

function lockRowsQuery(tx: DbOrTx, where: SQL, limit: number) {
  return selectRows(tx)
    .where(and(eq(messages.channel, "sms"), where))
    .orderBy(asc(messages.dueAt))
    .limit(limit)
    .for("update", { of: messages, skipLocked: true });
}

/**
 * One statement: the claim of every row (attempts + 1), `sending` with a lease for the rows to
 * send (with their text where this pass wrote one, and its deep link), the final status and reason
 * for the others. Returns the attempt number each row now has.
 */
async function writeClaims(
  tx: DbOrTx,
  prepared: Prepared[],
  leaseUntil: Date,
  now: Date,
): Promise<Map<string, number>> {
  const at = now.toISOString();
  const values = prepared.map((p) => {
    const fix = p.kind === "ready" ? p.fix : undefined;
    const status = p.kind === "ready" ? "sending" : p.status;
    const reason = p.kind === "void" ? p.reason : null;
    return sql`(${p.claimed.id}::uuid, ${status}::text, ${reason}::text, ${fix?.toEnc ?? null}::text, ${fix?.bodyEnc ?? null}::text, ${fix?.tokenHash ?? null}::text, ${fix?.appointmentId ?? null}::uuid, ${fix?.expiresAt.toISOString() ?? null}::timestamptz)`;
  });
  const result = await tx.execute(sql`
    with v(id, status, reason, to_enc, body_enc, token_hash, appointment_id, expires_at) as (
      values ${sql.join(values, sql`, `)}
    ),
    claimed as (
      update messages m set
        status = v.status,
        attempts = m.attempts + 1,
        lease_expires_at = case when v.status = 'sending' then ${leaseUntil.toISOString()}::timestamptz end,
        last_error = coalesce(v.reason, m.last_error),
        to_enc = coalesce(m.to_enc, v.to_enc),
        body_enc = coalesce(m.body_enc, v.body_enc),
        updated_at = ${at}::timestamptz
      from v
      where m.id = v.id
      returning m.id, m.attempts
    ),
    links as (
      insert into deep_links (token_hash, purpose, appointment_id, expires_at, created_at)
      select v.token_hash, 'appointment', v.appointment_id, v.expires_at, ${at}::timestamptz
      from v join claimed on claimed.id = v.id
      where v.token_hash is not null
    )
    select id, attempts from claimed`);
  return new Map(rowsOf<{ id: string; attempts: number }>(result).map((r) => [r.id, Number(r.attempts)]));
}
