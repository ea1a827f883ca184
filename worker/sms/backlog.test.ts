// The outcome backlog: an SMS the operator accepted while the database was away is recorded when
// it is back, before anything new is claimed, so its row is never taken again after its lease and
// sent twice. Unit tests on a fake database, then a pass on a real one that "goes down" the moment
// the operator accepts the SMS (the database errors are injected; the clock is the pass's `now`).
import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import { encryptPii } from "@/lib/privacy/crypto";
import type { OutgoingSms, SmsGateway } from "@/lib/sms/types";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makePatient, testKeys } from "@/test/fixtures";
import { BacklogNotStored, runDueSms, type SmsDispatchConfig } from "../sms-dispatch";
import { OutcomeBacklog } from "./backlog";

requirePostgresInCi();

/** A database that records statements, or refuses them all while `down`. */
function fakeDb() {
  const state = { down: true, statements: [] as string[] };
  const db = {
    execute: async (query: { queryChunks?: unknown[] }) => {
      if (state.down) throw Object.assign(new Error("connect ECONNREFUSED"), { name: "Error" });
      state.statements.push(JSON.stringify(query.queryChunks ?? query));
    },
  } as unknown as Db;
  return { db, state };
}

const at = new Date("2030-03-04T09:00:00Z");
const sentRow = (id: string) => ({ id, providerId: `p-${id}`, parts: 1, at });
const finalRow = (id: string) => ({
  id,
  attempts: 1,
  status: "queued" as const,
  dueAt: at,
  lastError: "503",
  at,
});

describe("OutcomeBacklog", () => {
  it("keeps what the database refused and writes it once it is back", async () => {
    const { db, state } = fakeDb();
    const backlog = new OutcomeBacklog();
    backlog.keep([sentRow("a"), sentRow("b")], [finalRow("c")]);
    expect(await backlog.flush(db)).toBe(false);
    expect(await backlog.flush(db)).toBe(false);
    expect(backlog.size).toBe(3);
    expect(backlog.sentCount).toBe(2);

    state.down = false;
    expect(await backlog.flush(db)).toBe(true);
    expect(backlog.size).toBe(0);
    expect(state.statements).toHaveLength(2); // one statement for the sent rows, one for the rest
    expect(state.statements[0]).toContain("p-a");
    expect(state.statements[0]).toContain("p-b");
    expect(state.statements[1]).toContain("503");
    // Nothing left: no statement at all.
    expect(await backlog.flush(db)).toBe(true);
    expect(state.statements).toHaveLength(2);
  });

  it("two passes flushing at once write once", async () => {
    const { db, state } = fakeDb();
    state.down = false;
    const backlog = new OutcomeBacklog();
    backlog.keep([sentRow("a")], []);
    expect(await Promise.all([backlog.flush(db), backlog.flush(db)])).toEqual([true, true]);
    expect(state.statements).toHaveLength(1);
  });

  it("is bounded: over the cap the not-sent outcomes go first, and the drop is logged", () => {
    const lines: string[] = [];
    const backlog = new OutcomeBacklog({ maxRows: 3, log: (l) => lines.push(l) });
    backlog.keep([sentRow("a"), sentRow("b")], [finalRow("c"), finalRow("d")]);
    expect(backlog.size).toBe(3);
    expect(backlog.sentCount).toBe(2);
    backlog.keep([sentRow("e"), sentRow("f")], []);
    expect(backlog.size).toBe(3);
    expect(backlog.sentCount).toBe(3);
    expect(lines).toEqual([
      "sms worker: outcome backlog full, 1 outcomes dropped (0 sent)",
      "sms worker: outcome backlog full, 2 outcomes dropped (1 sent)",
    ]);
  });
});

describe.each(testDatabases)("a pass whose database goes away while the operator accepts ($name)", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("records the sent SMS when the database is back, after the lease ran out, and sends nothing twice", async () => {
    const patient = await makePatient(handle.db);
    const total = 3;
    await handle.db.insert(s.messages).values(
      Array.from({ length: total }, (_, i) => ({
        patientId: patient.id,
        channel: "sms",
        purpose: "verification",
        idempotencyKey: `backlog-test:${i}`,
        toEnc: encryptPii(`+4670174050${i}`, testKeys),
        bodyEnc: encryptPii(`Kod ${i}`, testKeys),
        dueAt: at,
      })) as (typeof s.messages.$inferInsert)[],
    );

    let down = false;
    // Every statement fails while `down`, as on a Postgres that was stopped.
    const db = new Proxy(handle.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const sends: string[] = [];
    const gateway: SmsGateway = {
      async send(msg: OutgoingSms) {
        sends.push(msg.idempotencyKey);
        down = true; // the operator has it; the database is gone before we can say so
        return { providerId: `elks-${msg.idempotencyKey}`, parts: 1 };
      },
      parseDeliveryReport: () => null,
      parseIncoming: () => null,
    };
    let clock = at;
    const leaseMs = 120_000;
    const config: SmsDispatchConfig = {
      db,
      gateway,
      keys: testKeys,
      sender: "Vardtid",
      publicBaseUrl: "https://vardtid.test",
      webhookSecret: "secret",
      now: () => clock,
      leaseMs,
      concurrency: 1,
    };
    const rows = () =>
      handle.db
        .select({ status: s.messages.status, providerId: s.messages.providerId, attempts: s.messages.attempts })
        .from(s.messages)
        .where(like(s.messages.idempotencyKey, "backlog-test:%"));

    const backlog = new OutcomeBacklog();
    expect(await runDueSms(config, { backlog })).toMatchObject({ claimed: total, sent: total });
    expect(sends).toHaveLength(total);
    expect(backlog.sentCount).toBe(total);
    expect((await rows()).map((r) => r.status)).toEqual(["sending", "sending", "sending"]);

    // Still down when the leases run out: the worker claims nothing and sends nothing.
    clock = new Date(at.getTime() + leaseMs + 1_000);
    await expect(runDueSms(config, { backlog })).rejects.toBeInstanceOf(BacklogNotStored);
    expect(sends).toHaveLength(total);

    // Back: the first thing written is what was sent; the expired leases are not taken again.
    down = false;
    expect(await runDueSms(config, { backlog })).toMatchObject({ claimed: 0 });
    expect(backlog.size).toBe(0);
    const after = await rows();
    expect(after.map((r) => r.status)).toEqual(["sent", "sent", "sent"]);
    expect(after.every((r) => r.attempts === 1 && r.providerId?.startsWith("elks-backlog-test:"))).toBe(true);
    // A second worker that comes along later finds nothing to send either.
    expect(await runDueSms({ ...config, db: handle.db })).toMatchObject({ claimed: 0 });
    expect(sends).toHaveLength(total);
    expect(new Set(sends).size).toBe(total);
    await handle.db.delete(s.messages).where(eq(s.messages.patientId, patient.id));
  });
});
