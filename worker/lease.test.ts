// The channel claim (worker/lease.ts): rows whose lease ran out come first, then due rows oldest
// first, never another channel's rows or a row whose lease still runs; and each of its statements
// reads only its own channel's rows, however many of the other channel are due (an SMS burst once
// made every empty push claim walk all of them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import * as s from "@/db/schema";
import { rowsOf } from "@/db/client";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makePatient } from "@/test/fixtures";
import { claimDuePush } from "./push/lease";
import { claimStatements } from "./lease";

requirePostgresInCi();

const now = new Date("2030-05-06T08:00:00Z");
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
let keySeq = 0;

describe.each(testDatabases)("channel claim on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let patientId: string;

  beforeAll(async () => {
    handle = await target.open();
    patientId = (await makePatient(handle.db)).id;
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  async function message(
    channel: "sms" | "push",
    status: "queued" | "sending",
    dueAt: Date,
    leaseExpiresAt: Date | null = null,
  ): Promise<string> {
    const [row] = await handle.db
      .insert(s.messages)
      .values({
        patientId,
        channel,
        purpose: "reminder",
        idempotencyKey: `lease-test-${keySeq++}`,
        status,
        dueAt,
        leaseExpiresAt,
        attempts: status === "sending" ? 1 : 0,
      })
      .returning({ id: s.messages.id });
    return row!.id;
  }

  it("takes push rows whose lease ran out first, then due ones oldest first, and nothing else", async () => {
    await handle.db.delete(s.messages);
    const smsDue = await message("sms", "queued", minutes(-30));
    const smsLapsed = await message("sms", "sending", minutes(-40), minutes(-1));
    const dueLate = await message("push", "queued", minutes(-5));
    const dueEarly = await message("push", "queued", minutes(-20));
    const lapsed = await message("push", "sending", minutes(-10), minutes(-1));
    const running = await message("push", "sending", minutes(-50), minutes(1));
    const notYet = await message("push", "queued", minutes(5));

    const first = await claimDuePush(handle.db, { now, batchSize: 2 });
    expect(first.map((r) => r.id)).toEqual([lapsed, dueEarly]);
    expect(first.map((r) => r.attempts)).toEqual([2, 1]);
    const second = await claimDuePush(handle.db, { now, batchSize: 10 });
    expect(second.map((r) => r.id)).toEqual([dueLate]);
    expect(await claimDuePush(handle.db, { now, batchSize: 10 })).toEqual([]);

    const statuses = new Map(
      (await handle.db.select({ id: s.messages.id, status: s.messages.status }).from(s.messages)).map((r) => [
        r.id,
        r.status,
      ]),
    );
    expect(statuses.get(smsDue)).toBe("queued");
    expect(statuses.get(smsLapsed)).toBe("sending");
    expect(statuses.get(notYet)).toBe("queued");
    const [kept] = await handle.db.select().from(s.messages).where(eq(s.messages.id, running));
    expect(kept).toMatchObject({ attempts: 1, leaseExpiresAt: minutes(1) });
  });

  it("reads only the push rows while thousands of SMS are due", async () => {
    await handle.db.delete(s.messages);
    await handle.db.execute(sql`
      insert into messages (patient_id, channel, purpose, idempotency_key, status, due_at)
      select ${patientId}::uuid, 'sms', 'reminder', 'lease-burst-' || i, 'queued', ${minutes(-30).toISOString()}::timestamptz
      from generate_series(1, 5000) i`);
    await handle.db.execute(sql`analyze messages`);
    const pushDue = await message("push", "queued", minutes(-1));
    const claims = claimStatements(handle.db, { channel: "push", now, leaseMs: 60_000 }, { id: s.messages.id });

    for (const statement of [claims.expired(25), claims.due(25)]) {
      const { sql: text, params } = statement.toSQL();
      const [plan] = rowsOf<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
        await handle.db.execute(sql.raw(`explain (analyze, format json) ${inline(text, params)}`)),
      )[0]!["QUERY PLAN"];
      // Rows the statement looked at in messages, over every scan of it in the plan: a handful,
      // not the 5 000 due SMS (an OR of queued and lapsed read them all, and sorted them).
      expect(messageRowsRead(plan.Plan)).toBeLessThan(10);
    }
    // The EXPLAIN ANALYZE ran the claim: the push row is taken, every SMS row still queued.
    const [pushRow] = await handle.db.select().from(s.messages).where(eq(s.messages.id, pushDue));
    expect(pushRow!.status).toBe("sending");
    const [queued] = rowsOf<{ n: number }>(
      await handle.db.execute(sql`select count(*)::int as n from messages where channel = 'sms' and status = 'queued'`),
    );
    expect(queued!.n).toBe(5000);
  });
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

/** Rows every scan of `messages` in the plan produced or filtered away. */
function messageRowsRead(node: PlanNode): number {
  const own =
    node["Relation Name"] === "messages" && /Scan/.test(node["Node Type"])
      ? (node["Actual Rows"] + (node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Index Recheck"] ?? 0)) *
        node["Actual Loops"]
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + messageRowsRead(child), 0);
}

/** The statement with its parameters written in as literals (EXPLAIN takes no bind parameters here). */
function inline(text: string, params: unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = params[Number(n) - 1];
    if (v === null || v === undefined) return "null";
    if (typeof v === "number") return String(v);
    const str = v instanceof Date ? v.toISOString() : String(v);
    return `'${str.replaceAll("'", "''")}'`;
  });
}
