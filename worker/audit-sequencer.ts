// The audit trail's sequencer loop: chains the audit rows requests have inserted (see
// lib/audit/sequencer.ts). Runs in every worker process and in the app with RUN_WORKER_IN_APP;
// only one pass at a time runs cluster-wide (the others find the lock taken and wait for the next).
import type { Db } from "@/db/client";
import { sealAuditChain } from "@/lib/audit/sequencer";
import { startPollingLoop, type PollingLoop } from "./poll-loop";

export function startAuditSequencer(
  db: Db,
  opts: { pollMs?: number; batchSize?: number; log?: (line: string) => void } = {},
): PollingLoop {
  const limit = opts.batchSize ?? 1000;
  return startPollingLoop(
    "audit sequencer",
    async () => {
      const r = await sealAuditChain(db, { limit });
      // A full batch: more are waiting, so the next pass starts at once.
      return { full: r.sealed === limit };
    },
    { pollMs: opts.pollMs ?? 500, log: opts.log },
  );
}
