// Sealing in tests. The sequencer seals only rows of transactions older than the oldest one still
// running on the whole server, so on a shared Postgres (other test runs, other databases) a pass
// can briefly find nothing sealable: retry until the expected rows are chained.
import type { Db } from "@/db/client";
import { auditChainReport, verifyAuditChain } from "@/lib/audit";
import type { ChainProblem } from "@/lib/audit/hash-chain";
import { sealAll } from "@/lib/audit/sequencer";

export async function sealUntil(db: Db, n: number, batch = 1000, timeoutMs = 20_000): Promise<number> {
  let total = 0;
  const deadline = Date.now() + timeoutMs;
  while (total < n && Date.now() < deadline) {
    total += await sealAll(db, batch);
    if (total < n) await new Promise((r) => setTimeout(r, 50));
  }
  return total;
}

/** Chains every row written so far, then verifies the whole chain: what a test of an audited change checks. */
export async function verifySealed(db: Db): Promise<ChainProblem[]> {
  const { unsealed } = await auditChainReport(db);
  await sealUntil(db, unsealed.count);
  return verifyAuditChain(db);
}
