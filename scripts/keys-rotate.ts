// `npm run keys:rotate [-- --batch-size=N]`: re-encrypts every encrypted column to the current key
// version (PII_ENCRYPTION_KEY / PII_ENCRYPTION_KEY_VERSION), in batches, while the app keeps
// serving; see docs/operations.md "Key rotation". Prints counts per column. Exit code 0 when every
// value is under the current key, 2 when some could not be re-encrypted (no key configured for
// their version), 1 on other errors. Goes through the running app's admin channel when `npm start`
// holds the embedded database (then the app's keys are used: restart it with the new keys first).
import { invokeAdmin } from "@/lib/admin/channel-client";
import { envOrExit } from "@/lib/env";
import type { RotationResult } from "@/lib/privacy/rotate-keys";

const e = envOrExit();
const batchArg = process.argv.find((a) => a.startsWith("--batch-size="));
try {
  const answer = await invokeAdmin(
    { databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR },
    "keys.rotate",
    batchArg ? { batchSize: Number(batchArg.split("=")[1]) } : {},
  );
  if (!answer.ok) {
    console.error("keys:rotate failed:", answer.error);
    process.exit(1);
  }
  const r = answer.result as RotationResult;
  console.log(
    `Re-encrypting to key version ${r.keyVersion} (${answer.via === "channel" ? "through the running app" : "on the database"}):`,
  );
  for (const c of r.columns)
    console.log(
      `  ${c.column.padEnd(36)} found ${c.found}, re-encrypted ${c.reencrypted}, changed meanwhile ${c.changedMeanwhile}, failed ${c.failed}`,
    );
  console.log(
    `Re-encrypted ${r.reencrypted}, failed ${r.failed}, not yet under version ${r.keyVersion}: ${r.remaining} (${r.ms} ms).`,
  );
  if (r.failed > 0)
    console.error(
      "Some values have no configured key: add their key version to PII_ENCRYPTION_OLD_KEYS and run again.",
    );
  else if (r.remaining > 0) console.log("Rows changed while the run went on: run it again.");
  process.exit(r.failed > 0 ? 2 : 0);
} catch (error) {
  console.error("keys:rotate failed:", error instanceof Error ? error.message : "unknown error");
  process.exit(1);
}
