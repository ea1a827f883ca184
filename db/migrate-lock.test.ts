// Several processes migrating one fresh database at once (every new pod's init container) must
// all succeed: the advisory lock lets one migrate while the others wait and then find it done.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { requirePostgresInCi } from "@/test/databases";
import { migrateDatabase, migrationStatus, openDatabase } from "./client";

requirePostgresInCi();
const adminUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!adminUrl)("migrations under the advisory lock (postgres)", () => {
  it("four concurrent migrators on a fresh database all succeed and apply each migration once", async () => {
    const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
    const name = `vardtid_migrate_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl!);
    url.pathname = `/${name}`;
    const handles = Array.from({ length: 4 }, () => openDatabase({ url: url.toString(), max: 2 }));
    try {
      const results = await Promise.allSettled(handles.map((h) => migrateDatabase(h)));
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      const status = await migrationStatus(handles[0]!.db);
      expect(status.applied).toBe(status.expected);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
