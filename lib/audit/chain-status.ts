// Is the audit trail intact? Checked by `npm run audit:verify`, by the worker on a schedule and,
// cached, for /api/health and the metrics. A broken chain is logged loudly and reported, but never
// fails readiness: it is an incident to investigate, not a reason to stop serving patients.
import type { Db } from "@/db/client";
import { auditChainReport, type UnsealedRows } from "./index";
import type { ChainProblem } from "./hash-chain";
import { sealAll } from "./sequencer";

export interface AuditChainStatus {
  checkedAt: string;
  intact: boolean;
  /** The first few problems (sequence numbers and kinds only: no patient data). */
  problems: ChainProblem[];
  problemCount: number;
  /** Rows the sequencer has not chained yet (after this check's own sealing pass). */
  unsealed: UnsealedRows;
  ms: number;
}

let last: AuditChainStatus | null = null;
let running: Promise<AuditChainStatus> | null = null;

/** The latest result in this process, or null before the first check (for /api/metrics). */
export function auditChainStatus(): AuditChainStatus | null {
  return last;
}

/** Verifies the whole chain now, remembers the result and logs a broken chain loudly. */
export async function checkAuditChain(
  db: Db,
  log: (line: string) => void = (line) => console.error(line),
): Promise<AuditChainStatus> {
  const started = Date.now();
  // Chain what can be chained first, so the check covers everything committed so far even where
  // no sequencer runs. A failing pass (e.g. the head's row removed) is for the check to name.
  await sealAll(db).catch(() => 0);
  const { problems, unsealed } = await auditChainReport(db);
  last = {
    checkedAt: new Date().toISOString(),
    intact: problems.length === 0,
    problems: problems.slice(0, 10),
    problemCount: problems.length,
    unsealed,
    ms: Date.now() - started,
  };
  if (!last.intact)
    log(
      `AUDIT CHAIN BROKEN: ${problems.length} problem(s), first at seq ${problems[0]!.seq} (${problems[0]!.kind}). ` +
        "Audit rows were changed or removed outside the app: treat as a security incident.",
    );
  return last;
}

/**
 * For /api/health: the last result, refreshing it in the background when older than `maxAgeMs`
 * (a full check reads the whole table; health must stay fast).
 */
export function cachedAuditChainStatus(db: Db, maxAgeMs = 15 * 60_000): AuditChainStatus | null {
  const stale = !last || Date.now() - Date.parse(last.checkedAt) > maxAgeMs;
  if (stale && !running) {
    running = checkAuditChain(db)
      .catch(() => last!)
      .finally(() => {
        running = null;
      });
  }
  return last;
}

/** Runs checkAuditChain every `everyMs` until stopped (the worker's schedule). */
export function scheduleAuditChainCheck(db: Db, everyMs: number, log?: (line: string) => void): () => void {
  const tick = () => void checkAuditChain(db, log).catch((e) => log?.(`audit check failed: ${String(e)}`));
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
