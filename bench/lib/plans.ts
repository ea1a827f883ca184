// EXPLAIN (ANALYZE, BUFFERS) of the statements whose cost must not grow with the data: the page's
// (bench/lib/besok-sql.ts: session, appointment list, the audit chain's last row) and the SMS
// worker's claim (worker/sms/claim.ts, built by the worker's own code). A plan that reads a big
// table with a Seq Scan costs more as the table grows; the growth phase reports each.
import postgres from "postgres";
import { openDatabase } from "@/db/client";
import { sha256Hex } from "@/lib/privacy/crypto";
import { claimReads } from "@/worker/sms/claim";
import { LAST_AUDIT_SQL, LIST_SQL, SESSION_SQL } from "./besok-sql";

/** Tables that grow with the region (patients, their visits, messages, audit): never scanned whole. */
export const BIG_TABLES = [
  "appointments",
  "slots",
  "patients",
  "messages",
  "deep_links",
  "audit_events",
  "sessions",
  "notification_preferences",
];

export interface PlanCheck {
  name: string;
  executionMs: number;
  /** Big tables read by a Seq Scan in this plan. */
  seqScans: string[];
  /**
   * Shared buffers the statement touched (the plan's top node: found in Postgres's cache + read
   * from the OS or disk): the work it does, which the right indexes keep flat as tables grow,
   * unlike its CPU time, which also pays for cache misses and for the other process on the core.
   */
  buffers: { hit: number; read: number } | null;
  plan: string[];
}

async function explain(sql: postgres.Sql, name: string, text: string, params: unknown[]): Promise<PlanCheck> {
  const rows = await sql.unsafe(`explain (analyze, buffers) ${text}`, params as never[], { prepare: false });
  const plan = rows.map((r) => String(r["QUERY PLAN"]));
  const seqScans = [
    ...new Set(
      plan.flatMap((line) => {
        const m = /Seq Scan on (\w+)/.exec(line);
        return m && BIG_TABLES.includes(m[1]!) ? [m[1]!] : [];
      }),
    ),
  ];
  const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join("\n"))?.[1] ?? NaN);
  return { name, executionMs: ms, seqScans, buffers: topBuffers(plan), plan };
}

/** The first "Buffers:" line of a text plan is its top node's, which includes every node below. */
export function topBuffers(plan: string[]): { hit: number; read: number } | null {
  const planning = plan.findIndex((l) => /^Planning/.test(l)); // its Buffers line is the planner's own
  const nodes = planning < 0 ? plan : plan.slice(0, planning);
  const line = nodes.find((l) => /^\s*Buffers: shared /.test(l));
  if (!line) return null;
  const count = (what: string) => Number(new RegExp(`${what}=(\\d+)`).exec(line)?.[1] ?? 0);
  return { hit: count("hit"), read: count("read") };
}

/** The page's statements for the bench patient and its session. */
export async function pagePlans(url: string, patientId: string, sessionId: string): Promise<PlanCheck[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    return [
      await explain(sql, "page: session", SESSION_SQL, [sha256Hex(sessionId), 1]),
      await explain(sql, "page: appointment list", LIST_SQL, [patientId, 500]),
      await explain(sql, "page: last audit row", LAST_AUDIT_SQL, [1]),
    ];
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The worker's two claim reads, as it builds them (run with the queue full). */
export async function claimPlans(url: string, batchSize: number): Promise<PlanCheck[]> {
  const handle = openDatabase({ url, max: 1 });
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    const reads = claimReads(handle.db, new Date(), batchSize);
    const out: PlanCheck[] = [];
    for (const [name, q] of [
      ["claim: lease run out", reads.expired],
      ["claim: due", reads.due],
    ] as const) {
      const { sql: text, params } = q.toSQL();
      // FOR UPDATE locks what it reads: in a transaction that is rolled back.
      await sql
        .begin(async (tx) => {
          out.push(await explain(tx as unknown as postgres.Sql, name, text, params));
          throw new Rollback();
        })
        .catch((e: unknown) => {
          if (!(e instanceof Rollback)) throw e;
        });
    }
    return out;
  } finally {
    await sql.end({ timeout: 5 });
    await handle.close();
  }
}

class Rollback extends Error {}
