import "server-only";
// The process-wide database. A globalThis guard keeps one client across hot reloads and across
// the separately bundled chunks of the Next server (PGlite must only be opened once per folder).
import { env } from "@/lib/env";
import { openDatabase, type DatabaseHandle, type Db } from "./client";

const globalForDb = globalThis as unknown as { vardtidDb?: DatabaseHandle };

export function databaseHandle(): DatabaseHandle {
  if (!globalForDb.vardtidDb) {
    const e = env();
    globalForDb.vardtidDb = openDatabase({ url: e.DATABASE_URL, dataDir: e.PGLITE_DATA_DIR });
  }
  return globalForDb.vardtidDb;
}

export function db(): Db {
  return databaseHandle().db;
}
