// Every drizzle statement a named prepared statement on Postgres (preparingClient in db/client.ts):
// in and out of transactions and savepoints, and not when prepared statements are off (PgBouncer in
// transaction mode). Raw SQL with several statements still runs (it cannot be prepared).
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import * as s from "@/db/schema";
import { requirePostgresInCi, testDatabases } from "@/test/databases";

requirePostgresInCi();
const postgresTarget = testDatabases.find((t) => t.name === "postgres");

describe.runIf(postgresTarget)("named prepared statements on Postgres", () => {
  const opened: DatabaseHandle[] = [];
  let url = "";
  let migrated: Awaited<ReturnType<NonNullable<typeof postgresTarget>["open"]>>;
  beforeAll(async () => {
    // A migrated database of its own; the handles below open it again with one connection each.
    migrated = await postgresTarget!.open();
    if (migrated.driver !== "postgres") throw new Error("postgres only");
    const o = migrated.sqlClient.options;
    url = `postgres://${o.user}@${o.host[0]}:${o.port[0]}/${o.database}`;
  });
  afterAll(async () => {
    for (const h of opened) await h.close();
    await migrated?.dispose();
  });
  // One connection each, so pg_prepared_statements (per session) shows what ran on it.
  const open = (prepare: boolean) => {
    const h = openDatabase({ url, max: 1, prepare });
    opened.push(h);
    return h.db;
  };
  const preparedTexts = async (db: DatabaseHandle["db"]): Promise<string[]> => {
    // postgres.js answers with the rows themselves (drizzle's result type here is generic).
    const rows = (await db.execute(sql`select statement from pg_prepared_statements`)) as unknown as {
      statement: string;
    }[];
    return rows.map((r) => r.statement);
  };

  it("a query, one in a transaction and one in a savepoint each run as a named statement", async () => {
    const db = open(true);
    await db.select({ id: s.clinics.id }).from(s.clinics).limit(1);
    await db.transaction(async (tx) => {
      await tx.select({ id: s.patients.id }).from(s.patients).limit(2);
      await tx.transaction(async (inner) => {
        await inner.select({ id: s.slots.id }).from(s.slots).limit(3);
      });
    });
    const texts = await preparedTexts(db);
    expect(texts.some((t) => t.includes('from "clinics"'))).toBe(true);
    expect(texts.some((t) => t.includes('from "patients"'))).toBe(true);
    expect(texts.some((t) => t.includes('from "slots"'))).toBe(true);
  });

  it("nothing is prepared when prepared statements are off", async () => {
    const db = open(false);
    await db.select({ id: s.clinics.id }).from(s.clinics).limit(1);
    await db.transaction(async (tx) => {
      await tx.select({ id: s.patients.id }).from(s.patients).limit(2);
    });
    expect(await preparedTexts(db)).toEqual([]);
  });

  it("raw SQL with several statements still runs", async () => {
    const db = open(true);
    await db.execute(sql.raw("select 1; select 2"));
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw("select 1; select 2"));
    });
    const texts = await preparedTexts(db);
    expect(texts.some((t) => t.includes(";"))).toBe(false);
  });
});
