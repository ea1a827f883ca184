// Outcomes: what happened to each claimed row, stored a batch of rows per statement. A `sent` is
// written whoever owns the row now (the SMS is out); every other outcome only while the row is
// still ours (same attempt number, still sending), so a worker that lost its lease changes nothing.
// What the database does not take (it is down) is kept in the worker's OutcomeBacklog and written
// as soon as it is back (worker/sms/backlog.ts).
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { OutcomeBacklog } from "./backlog";
import { leaseOf, type Claimed, type SmsDispatchConfig } from "./types";

export type SentRow = { id: string; providerId: string; parts: number };
export type FinalRow = Claimed & {
  status: "queued" | "failed" | "dead" | "cancelled" | "skipped";
  dueAt: Date | null;
  lastError: string;
};

const FLUSH_ROWS = 100;
const FLUSH_MS = 1_000;

/**
 * Gathers outcomes and flushes them when FLUSH_ROWS have gathered or the oldest has waited FLUSH_MS
 * (at most an eighth of the lease): a sent row must be marked sent long before its lease could run
 * out, or another worker would send it again.
 */
export class OutcomeWriter {
  private sentRows: (SentRow & { at: Date })[] = [];
  private finalRows: (FinalRow & { at: Date })[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly config: SmsDispatchConfig,
    private readonly backlog: OutcomeBacklog,
  ) {}

  sent(row: SentRow, at: Date): void {
    this.sentRows.push({ ...row, at });
    this.schedule();
  }

  final(row: FinalRow, at: Date): void {
    this.finalRows.push({ ...row, at });
    this.schedule();
  }

  async close(): Promise<void> {
    this.flush();
    while (this.writing.size > 0) await Promise.all(this.writing);
  }

  private schedule(): void {
    if (this.sentRows.length + this.finalRows.length >= FLUSH_ROWS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), Math.min(FLUSH_MS, leaseOf(this.config) / 8));
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const sent = this.sentRows.splice(0);
    const finals = this.finalRows.splice(0);
    if (sent.length === 0 && finals.length === 0) return;
    const write = Promise.all([writeSent(this.config.db, sent), writeFinals(this.config.db, finals)])
      .then(() => undefined)
      .catch((error: unknown) => {
        // The database is away: keep the outcomes and write them the moment it is back, before
        // the rows' leases can run out (otherwise a sent row would be taken and sent again).
        this.backlog.keep(sent, finals);
        this.config.log?.(
          `sms worker: ${sent.length + finals.length} outcomes kept to store later (${error instanceof Error ? error.name : "unknown"})`,
        );
      })
      .finally(() => this.writing.delete(write));
    this.writing.add(write);
  }
}

/** Accepted by the operator: sent. No fence: the SMS is out whoever owns the row now. */
export async function writeSent(db: Db, rows: (SentRow & { at: Date })[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    (r) => sql`(${r.id}::uuid, ${r.providerId}::text, ${r.parts}::int, ${r.at.toISOString()}::timestamptz)`,
  );
  // A delivery report may already have moved a row on (to sent or delivered): never back.
  await db.execute(sql`
    update messages m set
      status = case when m.status in ('sending', 'queued', 'dead') then 'sent' else m.status end,
      provider_id = coalesce(m.provider_id, v.provider_id),
      parts = v.parts,
      sent_at = coalesce(m.sent_at, v.at),
      last_error = null,
      lease_expires_at = null,
      updated_at = v.at
    from (values ${sql.join(values, sql`, `)}) as v(id, provider_id, parts, at)
    where m.id = v.id`);
}
/** Not sent (void, failed, dead, or back to the queue): only while the row is still ours. */
export async function writeFinals(db: Db, rows: (FinalRow & { at: Date })[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    (r) =>
      sql`(${r.id}::uuid, ${r.attempts}::int, ${r.status}::text, ${r.dueAt?.toISOString() ?? null}::timestamptz, ${r.lastError}::text, ${r.at.toISOString()}::timestamptz)`,
  );
  await db.execute(sql`
    update messages m set
      status = v.status,
      due_at = coalesce(v.due_at, m.due_at),
      last_error = v.last_error,
      lease_expires_at = null,
      updated_at = v.at
    from (values ${sql.join(values, sql`, `)}) as v(id, attempts, status, due_at, last_error, at)
    where m.id = v.id and m.attempts = v.attempts and m.status = 'sending'`);
}
