// `npm run audit:verify`: checks the audit trail's hash chain in the configured database. Exit code
// 0 when intact, 2 when broken (every problem listed by sequence number), 1 on other errors. Goes
// through the running app's admin channel when `npm start` holds the embedded database.
import { invokeAdmin } from "@/lib/admin/channel-client";
import type { AuditChainStatus } from "@/lib/audit/chain-status";
import { envOrExit } from "@/lib/env";

const e = envOrExit();
try {
  const answer = await invokeAdmin(
    { databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR },
    "audit.verify",
    {},
  );
  if (!answer.ok) {
    console.error("audit:verify failed:", answer.error);
    process.exit(1);
  }
  const status = answer.result as AuditChainStatus;
  // Rows the sequencer has not chained yet (normal for a moment; too old ones are problems below).
  const waiting = status.unsealed?.count
    ? ` ${status.unsealed.count} row(s) not yet sealed, the oldest ${status.unsealed.oldestAgeSeconds} s old (seq ${status.unsealed.oldestSeq}).`
    : "";
  if (status.intact) {
    console.log(`Audit chain intact (checked in ${status.ms} ms).${waiting}`);
  } else {
    console.error(`AUDIT CHAIN BROKEN: ${status.problemCount} problem(s).${waiting}`);
    for (const p of status.problems) console.error(`  seq ${p.seq}: ${p.kind}`);
    if (status.problemCount > status.problems.length)
      console.error(`  … and ${status.problemCount - status.problems.length} more`);
  }
  process.exit(status.intact ? 0 : 2);
} catch (error) {
  console.error("audit:verify failed:", error instanceof Error ? error.message : "unknown error");
  process.exit(1);
}
