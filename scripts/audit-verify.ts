// `npm run audit:verify`: checks the audit trail's hash chain in the configured database. Exit code
// 0 when intact, 2 when broken (every problem listed by sequence number), 1 on other errors.
import { openDatabase } from "@/db/client";
import { checkAuditChain } from "@/lib/audit/chain-status";
import { envOrExit } from "@/lib/env";

const e = envOrExit();
const handle = openDatabase({ url: e.DATABASE_URL, dataDir: e.PGLITE_DATA_DIR, max: 1 });
try {
  const status = await checkAuditChain(handle.db);
  if (status.intact) {
    console.log(`Audit chain intact (checked in ${status.ms} ms).`);
  } else {
    for (const p of status.problems) console.error(`  seq ${p.seq}: ${p.kind}`);
    if (status.problemCount > status.problems.length)
      console.error(`  … and ${status.problemCount - status.problems.length} more`);
  }
  await handle.close();
  process.exit(status.intact ? 0 : 2);
} catch (error) {
  console.error("audit:verify failed:", error instanceof Error ? error.message : "unknown error");
  await handle.close();
  process.exit(1);
}
