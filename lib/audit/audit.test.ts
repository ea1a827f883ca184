import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditChain, auditEvents } from "@/db/schema";
import { recordAudit, runActingAs, verifyAuditChain } from "@/lib/audit";
import { auditHash, GENESIS_HASH } from "@/lib/audit/hash-chain";
import { sealUntil } from "@/test/audit-seal";
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
    expect(await sealUntil(handle.db, 5)).toBe(5);
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
    expect(await sealUntil(handle.db, 20)).toBe(20);
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
    expect(problems).toContainEqual({ seq: 2, kind: "missing_row", position: 2 });
  });

  it("detects a link rewritten with a recomputed hash (the next link breaks)", async () => {
    // An attacker who recomputes one link's hash still breaks the following link's prev_hash.
    await handle.db.execute(sql`update audit_chain set hash = repeat('a', 64) where position = 4`);
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

  it("old version-1 and version-2 rows followed by sequenced version-3 rows verify as one chain", async () => {
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
    // A version-2 row as the code before the sequencer wrote it: the link in the row.
    const v2 = {
      seq: 4,
      at: new Date(Date.UTC(2026, 0, 4)),
      actorType: "patient" as const,
      actorId: guardianId,
      actorRole: "guardian" as const,
      hashVersion: 2,
      action: "appointment.cancel",
      resourceType: "appointment",
      resourceId: null,
      patientId: childId,
      ip: null,
      userAgent: null,
      details: null,
    };
    const v2Hash = auditHash(prev, v2);
    await handle.db.insert(auditEvents).values({ ...v2, prevHash: prev, hash: v2Hash });
    // The migration's own rows end here; the sequence continues after them.
    await handle.db.execute(sql`select setval(pg_get_serial_sequence('audit_events', 'seq'), 4)`);
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
    expect(await sealUntil(handle.db, 2)).toBe(2);
    const rows = await handle.db.select().from(auditEvents).orderBy(auditEvents.seq);
    expect(rows.map((r) => r.hashVersion)).toEqual([1, 1, 1, 2, 3, 3]);
    expect(rows[4]).toMatchObject({ actorId: guardianId, actorRole: "guardian", patientId: childId, hash: null });
    const [firstLink] = await handle.db.select().from(auditChain).where(eq(auditChain.position, 1));
    expect(firstLink).toMatchObject({ auditSeq: 5, prevHash: v2Hash });
    expect(await verifyAuditChain(handle.db)).toEqual([]);

    // Dropping the guardian role from a sequenced row breaks it…
    await handle.db.update(auditEvents).set({ actorRole: null }).where(eq(auditEvents.seq, 5));
    expect(await verifyAuditChain(handle.db)).toContainEqual({ seq: 5, kind: "hash_mismatch" });
    await handle.db.update(auditEvents).set({ actorRole: "guardian" }).where(eq(auditEvents.seq, 5));
    expect(await verifyAuditChain(handle.db)).toEqual([]);
    // …as it does from a version-2 row, and passing that off as version 1 (the version is hashed).
    await handle.db.update(auditEvents).set({ actorRole: null }).where(eq(auditEvents.seq, 4));
    expect(await verifyAuditChain(handle.db)).toContainEqual({ seq: 4, kind: "hash_mismatch" });
    await handle.db.update(auditEvents).set({ hashVersion: 1 }).where(eq(auditEvents.seq, 4));
    expect(await verifyAuditChain(handle.db)).toContainEqual({ seq: 4, kind: "hash_mismatch" });
    await handle.db.update(auditEvents).set({ hashVersion: 2, actorRole: "guardian" }).where(eq(auditEvents.seq, 4));
    expect(await verifyAuditChain(handle.db)).toEqual([]);
    // An old row given an actor role it never had is caught as well.
    await handle.db.update(auditEvents).set({ actorRole: "guardian" }).where(eq(auditEvents.seq, 2));
    expect(await verifyAuditChain(handle.db)).toContainEqual({ seq: 2, kind: "hash_mismatch" });
  });
});
