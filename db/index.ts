import "server-only";
// The process-wide database for pages, actions and route handlers (see handle.ts).
import type { DatabaseHandle, Db } from "./client";
import { processDatabaseHandle } from "./handle";

export function databaseHandle(): DatabaseHandle {
  return processDatabaseHandle();
}

export function db(): Db {
  return databaseHandle().db;
}
