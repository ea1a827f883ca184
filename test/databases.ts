// Integration tests run against PGlite always, and against a real Postgres when TEST_DATABASE_URL
// is set. Each Postgres run gets a fresh database of its own, so parallel runs never collide.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { migrateDatabase, openDatabase, type DatabaseHandle } from "@/db/client";

export interface TestDatabase {
  name: "pglite" | "postgres";
  open(): Promise<DatabaseHandle & { dispose(): Promise<void> }>;
}

export const testDatabases: TestDatabase[] = [
  {
    name: "pglite",
    async open() {
      const handle = openDatabase({ dataDir: "memory" });
      await migrateDatabase(handle);
      return { ...handle, dispose: () => handle.close() };
    },
  },
];

const adminUrl = process.env.TEST_DATABASE_URL;
if (adminUrl) {
  testDatabases.push({
    name: "postgres",
    async open() {
      const dbName = `vardtid_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${dbName}`);
      const url = new URL(adminUrl);
      url.pathname = `/${dbName}`;
      const handle = openDatabase({ url: url.toString(), max: 20 });
      await migrateDatabase(handle);
      return {
        ...handle,
        async dispose() {
          await handle.close();
          await admin.unsafe(`drop database if exists ${dbName} with (force)`);
          await admin.end();
        },
      };
    },
  });
}

/** Fails loudly in CI if the real-Postgres half silently did not run. */
export function requirePostgresInCi(): void {
  if (process.env.CI && !adminUrl)
    throw new Error("CI must set TEST_DATABASE_URL: the real-Postgres tests did not run");
}
