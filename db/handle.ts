// The process-wide database, without the `server-only` marker so that instrumentation.ts (which
// starts the in-app worker) can share it. A globalThis guard keeps one client across hot reloads
// and across the separately bundled chunks of the Next server (PGlite must only be opened once per
// folder, so the app and its in-app worker must use the same handle).
import { env } from "@/lib/env";
import { databaseOptionsFromEnv, openDatabase, type DatabaseHandle } from "./client";

const globalForDb = globalThis as unknown as { vardtidDb?: DatabaseHandle };

export function processDatabaseHandle(): DatabaseHandle {
  if (!globalForDb.vardtidDb) {
    const e = env();
    globalForDb.vardtidDb = openDatabase(databaseOptionsFromEnv(e));
  }
  return globalForDb.vardtidDb;
}
