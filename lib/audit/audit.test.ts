import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import { recordAudit, runActingAs, verifyAuditChain } from "@/lib/audit";
import { auditHash, GENESIS_HASH } from "@/lib/audit/hash-chain";
import { requirePostgresInCi, testDatabases } from "@/test/databases";

requirePostgresInCi();

describe.each(testDatabases)("audit hash chain on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
    for (let i = 0; i < 5; i++) {
      await recordAudit(handle.db, {
        actorType: "patient",
        actorId: `actor-${i}`,
        action: "appointment.read",
        resourceType: "appointment",
        resourceId: `a-${i}`,
        ip: "192.0.2.1",
        userAgent: "test",
        details: { b: 1, a: { z: true, y: [1, 2] } },
      });
    }
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("an untouched chain verifies", async () => {
    expect(await verifyAuditChain(handle.db)).toEqual([]);
  });

  it("records inside a caller's transaction and rolls back with it", async () => {
    const before = (await handle.db.select().from(auditEvents)).length;
    await expect(
      handle.db.transaction(async (tx) => {
        await recordAudit(tx, { actorType: "system", action: "test.rollback" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect((await handle.db.select().from(auditEvents)).length).toBe(before);
    expect(await verifyAuditChain(handle.db)).toEqual([]);
  });

  it("concurrent writers keep one unbroken chain", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => recordAudit(handle.db, { actorType: "system", action: `concurrent.${i}` })),
    );
    expect(await verifyAuditChain(handle.db)).toEqual([]);
  });

  it("detects an edited row", async () => {
    await handle.db.update(auditEvents).set({ action: "appointment.nothing_to_see" }).where(eq(auditEvents.seq, 3));
    const problems = await verifyAuditChain(handle.db);
    expect(problems).toContainEqual({ seq: 3, kind: "hash_mismatch" });
  });

  it("detects a removed row", async () => {
    await handle.db.delete(auditEvents).where(eq(auditEvents.seq, 2));
    const problems = await verifyAuditChain(handle.db);
    expect(problems.some((p) => p.seq === 3 && p.kind === "gap")).toBe(true);
    expect(problems.some((p) => p.seq === 3 && p.kind === "broken_link")).toBe(true);
  });

  it("detects a row rewritten with a recomputed hash (the next link breaks)", async () => {
    // An attacker who recomputes one row's hash still breaks the following row's prev_hash link.
    await handle.db.execute(sql`update audit_events set hash = repeat('a', 64) where seq = 4`);
    const problems = await verifyAuditChain(handle.db);
    expect(problems.some((p) => p.seq === 5 && p.kind === "broken_link")).toBe(true);
  });
});

describe.each(testDatabases)("audit hash versions on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("old version-1 rows followed by version-2 rows verify; an edited new field or version breaks it", async () => {
    // Rows as the code before hash version 2 wrote them: no actor_role, hash over the original fields.
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 3; seq++) {
      const fields = {
        seq,
        at: new Date(Date.UTC(2026, 0, seq)),
        actorType: "patient" as const,
        actorId: "p-old",
        action: "appointment.read",
        resourceType: "appointment",
        resourceId: `a-${seq}`,
        patientId: null,
        ip: "192.0.2.1",
        userAgent: "old",
        details: null,
      };
      const hash = auditHash(prev, fields);
      // Inserted without hash_version: the column default (1) is what old rows got from the migration.
      await handle.db.insert(auditEvents).values({ ...fields, prevHash: prev, hash });
      prev = hash;
    }
    const guardianId = "00000000-0000-4000-8000-000000000001";
    const childId = "00000000-0000-4000-8000-000000000002";
    await runActingAs({ actorPatientId: guardianId, subjectPatientId: childId }, () =>
      recordAudit(handle.db, {
        actorType: "patient",
        actorId: childId,
        action: "appointment.cancel",
        resourceType: "appointment",
        patientId: childId,
      }),
    );
    await recordAudit(handle.db, { actorType: "system", action: "test.after" });
    const rows = await handle.db.select().from(auditEvents).orderBy(auditEvents.seq);
    expect(rows.map((r) => r.hashVersion)).toEqual([1, 1, 1, 2, 2]);
    expect(rows[3]).toMatchObject({ actorId: guardianId, actorRole: "guardian", patientId: childId });
    expect(await verifyAuditChain(handle.db)).toEqual([]);

    // Dropping the guardian role from a version-2 row breaks it…
    await handle.db.update(auditEvents).set({ actorRole: null }).where(eq(auditEvents.seq, 4));
    expect(await verifyAuditChain(handle.db)).toContainEqual({ seq: 4, kind: "hash_mismatch" });
    // …and so does passing it off as a version-1 row (the version is hashed too).
    await handle.db.update(auditEvents).set({ hashVersion: 1 }).where(eq(auditEvents.seq, 4));
    expect(await verifyAuditChain(handle.db)).toContainEqual({ seq: 4, kind: "hash_mismatch" });
    await handle.db.update(auditEvents).set({ hashVersion: 2, actorRole: "guardian" }).where(eq(auditEvents.seq, 4));
    expect(await verifyAuditChain(handle.db)).toEqual([]);
    // An old row given an actor role it never had is caught as well.
    await handle.db.update(auditEvents).set({ actorRole: "guardian" }).where(eq(auditEvents.seq, 2));
    expect(await verifyAuditChain(handle.db)).toContainEqual({ seq: 2, kind: "hash_mismatch" });
  });
});
