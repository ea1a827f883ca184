import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import { recordAudit, verifyAuditChain } from "@/lib/audit";
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
