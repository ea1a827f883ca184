// Outcomes the database did not take: kept in memory and written as soon as it is back.
//
// Why: an SMS the operator accepted while Postgres was down (restart, failover, a network cut)
// used to be forgotten. Its row stayed `sending` until the lease ran out and then went out again
// (the faults test measured 27 to 51 duplicates of 300 across one Postgres restart). Now the
// worker keeps what it could not write, per process, and (1) retries it at the start of every pass
// (every poll, so within `pollMs` of the database coming back; the pool's reconnect delay is capped
// at a second for this, db/client.ts reconnectBackoffSeconds) and (2) claims nothing new while it
// holds any: the first statement a worker sends to a database that is back is the record of what
// it already sent. The writes are idempotent (a `sent` moves a row forward only; every other
// outcome is fenced by the attempt number), so a write that reached Postgres just before the
// connection broke is harmless to repeat.
//
// The bound that remains (docs/operations.md, "Known limits"): a worker cut off from the database
// for longer than the lease (120 s), or one that dies holding outcomes, cannot record them in time;
// another worker may then take the row and send it again. The operator's delivery report (its URL
// names our row) still marks such a row `sent` whenever it reaches any app instance.
import type { Db } from "@/db/client";
import { writeFinals, writeSent, type FinalRow, type SentRow } from "./outcomes";

export type Timed<T> = T & { at: Date };

/** Rows kept at most. A worker stops claiming while it keeps any, so it holds at most what it had
 * in flight (two passes' batches); the cap is only a guard. */
export const DEFAULT_BACKLOG_ROWS = 10_000;

export class OutcomeBacklog {
  private sent: Timed<SentRow>[] = [];
  private finals: Timed<FinalRow>[] = [];
  private flushing: Promise<boolean> | undefined;

  constructor(private readonly opts: { maxRows?: number; log?: (line: string) => void } = {}) {}

  get size(): number {
    return this.sent.length + this.finals.length;
  }

  /** How many kept rows are SMS the operator accepted (those a lost write would send twice). */
  get sentCount(): number {
    return this.sent.length;
  }

  keep(sent: Timed<SentRow>[], finals: Timed<FinalRow>[]): void {
    this.sent.push(...sent);
    this.finals.push(...finals);
    const max = this.opts.maxRows ?? DEFAULT_BACKLOG_ROWS;
    // Over the cap, the not-sent outcomes go first: losing one only delays its row (the lease runs
    // out and it is tried again); losing a `sent` may mean a second SMS.
    const dropFinals = Math.min(this.finals.length, Math.max(0, this.size - max));
    if (dropFinals > 0) this.finals.splice(0, dropFinals);
    const dropSent = Math.max(0, this.size - max);
    if (dropSent > 0) this.sent.splice(0, dropSent);
    if (dropFinals + dropSent > 0)
      this.opts.log?.(`sms worker: outcome backlog full, ${dropFinals + dropSent} outcomes dropped (${dropSent} sent)`);
  }

  /**
   * Writes everything kept; true when nothing is left. One write at a time (the passes of a worker
   * share the backlog); rows kept while a write runs wait for the next call.
   */
  flush(db: Db): Promise<boolean> {
    this.flushing ??= this.write(db).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(db: Db): Promise<boolean> {
    if (this.size === 0) return true;
    const sent = this.sent.splice(0);
    const finals = this.finals.splice(0);
    try {
      await writeSent(db, sent);
      await writeFinals(db, finals);
      this.opts.log?.(`sms worker: ${sent.length + finals.length} kept outcomes stored`);
      return this.size === 0;
    } catch {
      // Put back in front of anything kept meanwhile, oldest first. (writeSent may have landed and
      // writeFinals not: writing the sent rows again is harmless.)
      this.sent.unshift(...sent);
      this.finals.unshift(...finals);
      return false;
    }
  }
}
