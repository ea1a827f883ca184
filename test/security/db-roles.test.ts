// The app's role can append to the audit trail and read it, but not change or remove a row: proven
// on a real Postgres, with a database and a role created for this run only.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditChain, auditEvents } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { verifySealed } from "@/test/audit-seal";
import { requirePostgresInCi } from "@/test/databases";
import { migrateDatabase, openDatabase, type DatabaseHandle } from "@/db/client";
import { applyRoles, rolesSql } from "@/db/roles";

requirePostgresInCi();
const adminUrl = process.env.TEST_DATABASE_URL;

/** The database's own refusal (drizzle wraps it as the error's cause). */
async function refusal(query: PromiseLike<unknown>): Promise<string> {
  try {
    await query;
  } catch (error) {
    const e = error as Error & { cause?: Error };
    return `${e.message} ${e.cause?.message ?? ""}`;
  }
  return "not refused";
}

describe("db:roles", () => {
  it("refuses a role name that is not a plain identifier", () => {
    expect(() => rolesSql('app"; drop table x; --')).toThrow(/plain/);
    expect(rolesSql("vardtid_app")).toContain('GRANT SELECT, INSERT ON audit_events TO "vardtid_app"');
    expect(rolesSql("vardtid_app")).toContain('GRANT SELECT, INSERT ON audit_chain TO "vardtid_app"');
  });
});

describe.skipIf(!adminUrl)("audit_events is append-only for the app role, on real Postgres", () => {
  const suffix = `${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const dbName = `vardtid_roles_${suffix}`;
  const role = `vardtid_app_${suffix}`;
  let admin: postgres.Sql;
  let owner: DatabaseHandle;
  let app: DatabaseHandle;

  const urlFor = (user: string) => {
    const url = new URL(adminUrl!);
    url.pathname = `/${dbName}`;
    url.username = user;
    return url.toString();
  };

  beforeAll(async () => {
    admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${dbName}`);
    await admin.unsafe(`create role ${role} login`);
    owner = openDatabase({ url: urlFor(new URL(adminUrl!).username || "postgres"), max: 2 });
    await migrateDatabase(owner);
    await recordAudit(owner.db, { actorType: "system", action: "test.before_roles" });
    if (owner.driver !== "postgres") throw new Error("expected postgres");
    await applyRoles(owner.sqlClient, role);
    app = openDatabase({ url: urlFor(role), max: 2 });
  });
  afterAll(async () => {
    await app?.close();
    await owner?.close();
    await admin?.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin?.unsafe(`drop role if exists ${role}`);
    await admin?.end();
  });

  it("inserts and reads audit rows as the app role", async () => {
    await recordAudit(app.db, { actorType: "system", action: "test.as_app" });
    const rows = await app.db.select().from(auditEvents);
    expect(rows.map((r) => r.action)).toEqual(["test.before_roles", "test.as_app"]);
    expect(await verifySealed(app.db)).toEqual([]);
  });

  it("refuses UPDATE, DELETE and TRUNCATE of audit rows by the app role", async () => {
    expect(
      await refusal(
        app.db
          .update(auditEvents)
          .set({ action: "x" })
          .where(sql`true`),
      ),
    ).toMatch(/permission denied/);
    expect(await refusal(app.db.delete(auditEvents).where(sql`true`))).toMatch(/permission denied/);
    expect(await refusal(app.db.execute(sql`truncate audit_events`))).toMatch(/permission denied/);
    // The chain the sequencer writes as this role: appended to above (verifySealed), never changed.
    expect(
      await refusal(
        app.db
          .update(auditChain)
          .set({ hash: "x" })
          .where(sql`true`),
      ),
    ).toMatch(/permission denied/);
    expect(await refusal(app.db.delete(auditChain).where(sql`true`))).toMatch(/permission denied/);
    expect(await refusal(app.db.execute(sql`truncate audit_chain`))).toMatch(/permission denied/);
  });

  it("even the owner cannot edit a recent row without dropping the trigger", async () => {
    expect(
      await refusal(
        owner.db
          .update(auditEvents)
          .set({ action: "x" })
          .where(sql`true`),
      ),
    ).toMatch(/append-only/);
    expect(await refusal(owner.db.delete(auditEvents).where(sql`true`))).toMatch(/append-only/);
    expect(await refusal(owner.db.delete(auditChain).where(sql`true`))).toMatch(/append-only/);
  });

  it("the app role still reads and writes patient data", async () => {
    await expect(app.db.execute(sql`select count(*) from patients`)).resolves.toBeTruthy();
    await expect(app.db.execute(sql`delete from deep_links where false`)).resolves.toBeTruthy();
  });
});
