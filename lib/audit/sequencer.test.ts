// The sequencer design: requests only insert audit rows; the sequencer chains them afterwards.
// On PGlite (one connection: transactions run one after another) and real Postgres (many).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, eq, sql } from "drizzle-orm";
import { auditChain, auditEvents } from "@/db/schema";
import { auditChainReport, recordAudit, sealAll, sealAuditChain, verifyAuditChain } from "@/lib/audit";
import { sealUntil } from "@/test/audit-seal";
import { requirePostgresInCi, testDatabases } from "@/test/databases";

requirePostgresInCi();

/** Audit seqs in chain order. */
async function chainOrder(db: Parameters<typeof verifyAuditChain>[0]): Promise<number[]> {
  const rows = await db.select({ seq: auditChain.auditSeq }).from(auditChain).orderBy(asc(auditChain.position));
  return rows.map((r) => r.seq);
}

describe.each(testDatabases)("audit sequencer on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("concurrent appends from many connections, then sealing: every row chained once, chain verifies", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordAudit(handle.db, { actorType: "system", action: `concurrent.${i}`, details: { i } }),
      ),
    );
    // Visible at once, sealed or not (the patient's access log reads audit_events).
    expect((await handle.db.select().from(auditEvents)).length).toBe(40);
    const before = await auditChainReport(handle.db);
    expect(before.unsealed.count).toBe(40);
    expect(before.problems).toEqual([]);
    expect(await sealUntil(handle.db, 40, 7)).toBe(40);
    const order = await chainOrder(handle.db);
    expect(new Set(order).size).toBe(40);
    const after = await auditChainReport(handle.db);
    expect(after).toEqual({ problems: [], unsealed: { count: 0, oldestSeq: null, oldestAgeSeconds: null } });
    expect(await sealAuditChain(handle.db)).toEqual({ sealed: 0, busy: false });
  });

  it("two sequencers at once never fork the chain", async () => {
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => recordAudit(handle.db, { actorType: "system", action: `two.${i}` })),
      );
      const results = await Promise.all(Array.from({ length: 4 }, () => sealAll(handle.db, 5)));
      // Whatever each got to do, nothing is chained twice and nothing is left behind.
      const done = results.reduce((a, b) => a + b, 0);
      expect(done).toBeLessThanOrEqual(30);
      expect(await sealUntil(handle.db, 30 - done)).toBe(30 - done);
    }
    const order = await chainOrder(handle.db);
    expect(order).toHaveLength(130);
    expect(new Set(order).size).toBe(130);
    expect(await verifyAuditChain(handle.db)).toEqual([]);
  });

  it("a row waiting too long for the sequencer is a problem, a fresh one is not", async () => {
    await recordAudit(handle.db, { actorType: "system", action: "fresh" });
    const fresh = await auditChainReport(handle.db);
    expect(fresh.problems).toEqual([]);
    expect(fresh.unsealed.count).toBe(1);
    const later = await auditChainReport(handle.db, { now: new Date(Date.now() + 3_600_000) });
    expect(later.problems).toEqual([
      expect.objectContaining({ seq: fresh.unsealed.oldestSeq, kind: "unsealed_too_long" }),
    ]);
    expect(await sealUntil(handle.db, 1)).toBe(1);
    expect(await verifyAuditChain(handle.db)).toEqual([]);
  });

  describe("tampering", () => {
    it("an edited row is named (hash_mismatch)", async () => {
      const [victim] = await handle.db.select().from(auditEvents).where(eq(auditEvents.action, "concurrent.3"));
      await handle.db.update(auditEvents).set({ ip: "203.0.113.66" }).where(eq(auditEvents.seq, victim!.seq));
      expect(await verifyAuditChain(handle.db)).toEqual([{ seq: victim!.seq, kind: "hash_mismatch" }]);
      await handle.db.update(auditEvents).set({ ip: null }).where(eq(auditEvents.seq, victim!.seq));
      expect(await verifyAuditChain(handle.db)).toEqual([]);
    });

    it("a row written in behind the chain head is named (not_in_chain)", async () => {
      const [first] = await handle.db.select().from(auditEvents).orderBy(asc(auditEvents.seq)).limit(1);
      // A forged row claiming an old transaction, so the sequencer would never reach it.
      await handle.db.execute(
        sql`insert into audit_events (at, actor_type, action, hash_version, xid)
            values (now(), 'system', 'forged', 3, ${first!.xid}::xid8)`,
      );
      const [forged] = await handle.db.select().from(auditEvents).where(eq(auditEvents.action, "forged"));
      expect(await verifyAuditChain(handle.db)).toContainEqual({ seq: forged!.seq, kind: "not_in_chain" });
      await handle.db.delete(auditEvents).where(eq(auditEvents.seq, forged!.seq));
      expect(await verifyAuditChain(handle.db)).toEqual([]);
    });

    it("a link written in or rewritten breaks the chain (broken_link)", async () => {
      const [last] = await handle.db
        .select()
        .from(auditChain)
        .orderBy(sql`position desc`)
        .limit(1);
      await handle.db
        .update(auditChain)
        .set({ hash: "a".repeat(64) })
        .where(eq(auditChain.position, last!.position - 1));
      expect(await verifyAuditChain(handle.db)).toContainEqual(
        expect.objectContaining({ seq: last!.auditSeq, kind: "broken_link" }),
      );
    });

    it("a removed row is named (missing_row)", async () => {
      const [victim] = await handle.db.select().from(auditChain).where(eq(auditChain.position, 10));
      await handle.db.delete(auditEvents).where(eq(auditEvents.seq, victim!.auditSeq));
      expect(await verifyAuditChain(handle.db)).toContainEqual({
        seq: victim!.auditSeq,
        kind: "missing_row",
        position: 10,
      });
    });
  });
});

// Needs two connections with transactions open at once: real Postgres only.
const postgresOnly = testDatabases.find((t) => t.name === "postgres");
describe.skipIf(!postgresOnly)("audit sequencer on postgres: a transaction that commits late", () => {
  it("a row with a lower seq that commits after a sealed one is sealed, not skipped", async () => {
    const handle = await postgresOnly!.open();
    try {
      const db = handle.db;
      let releaseLate!: () => void;
      const lateMayCommit = new Promise<void>((r) => (releaseLate = r));
      let lateInserted!: () => void;
      const lateHasInserted = new Promise<void>((r) => (lateInserted = r));
      let earlyHasXid!: () => void;
      const earlyXid = new Promise<void>((r) => (earlyHasXid = r));
      let earlyMayInsert!: () => void;
      const earlyGo = new Promise<void>((r) => (earlyMayInsert = r));

      // "early" takes its transaction id first but inserts its audit row last (higher seq) and
      // commits at once; "late" takes a higher transaction id, inserts first (lower seq) and
      // commits only after a sealing pass has run.
      const early = db.transaction(async (tx) => {
        await tx.execute(sql`select pg_current_xact_id()`);
        earlyHasXid();
        await earlyGo;
        await recordAudit(tx, { actorType: "system", action: "early" });
      });
      await earlyXid;
      const late = db.transaction(async (tx) => {
        await tx.execute(sql`select pg_current_xact_id()`);
        await recordAudit(tx, { actorType: "system", action: "late" });
        lateInserted();
        await lateMayCommit;
      });
      await lateHasInserted;
      earlyMayInsert();
      await early;

      const seqOf = async (action: string) =>
        (await db.select().from(auditEvents).where(eq(auditEvents.action, action)))[0]?.seq;
      const earlySeq = (await seqOf("early"))!;
      expect(await sealUntil(db, 1)).toBe(1);
      expect(await chainOrder(db)).toEqual([earlySeq]);
      // The late row stays out while its transaction runs, however often the sequencer passes.
      expect(await sealAll(db)).toBe(0);
      releaseLate();
      await late;
      const lateSeq = (await seqOf("late"))!;
      expect(lateSeq).toBeLessThan(earlySeq);
      expect(await sealUntil(db, 1)).toBe(1);
      expect(await chainOrder(db)).toEqual([earlySeq, lateSeq]);
      expect(await auditChainReport(db)).toEqual({
        problems: [],
        unsealed: { count: 0, oldestSeq: null, oldestAgeSeconds: null },
      });
    } finally {
      await handle.dispose();
    }
  }, 60_000);
});
