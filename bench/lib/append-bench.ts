// The audit append in isolation: N connections doing nothing but the audit transaction a page
// view does, for a fixed time, with the global chain lock (main's design: lock, read the last row,
// insert the chained row, commit with the lock held) and without it (insert only, as the request
// path of the sequencer design does). No app, no HTTP: whether the lock caps appends/s here does
// not depend on how much CPU the app leaves over on a two-core machine.
//
// Both variants write to a scratch copy of audit_events (`like … including all`: same columns,
// indexes and checks), so the measurement does not depend on which design the database has.
import postgres from "postgres";
import { auditHash, GENESIS_HASH } from "@/lib/audit/hash-chain";

export type AppendMode = "lock" | "noLock";

export interface AppendResult {
  mode: AppendMode;
  connections: number;
  seconds: number;
  appends: number;
  /** Rows counted in the table afterwards: must equal `appends`. */
  rowsInTable: number;
  perSecond: number;
  latencyMs: { p50: number; p99: number };
  /** Lock mode only: does the scratch chain verify (seq 1…n, each prev_hash the previous hash)? */
  chainIntact: boolean | null;
}

const LOCK = 7_270_001;
const TABLE = "bench_audit_append";

function fields(seq: number, now: Date) {
  return {
    seq,
    at: now,
    actorType: "patient",
    actorId: "00000000-0000-4000-8000-000000000001",
    actorRole: null,
    hashVersion: 2,
    action: "appointment.list",
    resourceType: "appointment",
    resourceId: null,
    patientId: "00000000-0000-4000-8000-000000000001",
    ip: "127.0.0.1",
    userAgent: "vardtid-bench",
    details: { count: 10 },
  };
}

const INSERT = `insert into ${TABLE} (seq, at, actor_type, actor_id, action, resource_type, resource_id, patient_id, ip, user_agent, details, hash_version, prev_hash, hash)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`;

async function appendOnce(sql: postgres.Sql, mode: AppendMode): Promise<void> {
  const now = new Date();
  await sql.begin(async (tx) => {
    let seq: number;
    let prev: string;
    if (mode === "lock") {
      // Exactly main's recordAudit: the lock is held until this transaction commits.
      await tx.unsafe("select pg_advisory_xact_lock($1)", [LOCK]);
      const [last] = await tx.unsafe(`select seq, hash from ${TABLE} order by seq desc limit 1`);
      seq = (last ? Number(last.seq) : 0) + 1;
      prev = (last?.hash as string | undefined) ?? GENESIS_HASH;
    } else {
      // Insert only: the row takes its seq from the sequence; no read, no lock. The hash here only
      // fills the column (unique per row); the sequencer design seals rows afterwards.
      const [n] = await tx.unsafe(`select nextval(pg_get_serial_sequence('${TABLE}', 'seq')) as seq`);
      seq = Number(n!.seq);
      prev = GENESIS_HASH;
    }
    const f = fields(seq, now);
    await tx.unsafe(INSERT, [
      seq,
      now.toISOString(),
      f.actorType,
      f.actorId,
      f.action,
      f.resourceType,
      null,
      f.patientId,
      f.ip,
      f.userAgent,
      JSON.stringify(f.details),
      2,
      prev,
      auditHash(prev, f),
    ]);
  });
}

export async function appendBench(
  url: string,
  opts: { mode: AppendMode; connections: number; seconds: number },
): Promise<AppendResult> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const sql = postgres(url, { max: opts.connections, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    await admin.unsafe(`drop table if exists ${TABLE}`);
    await admin.unsafe(`create table ${TABLE} (like audit_events including all)`);
    // Its own sequence (including all shares audit_events' one), so each run starts at 1.
    await admin.unsafe(`create sequence ${TABLE}_seq owned by ${TABLE}.seq`);
    await admin.unsafe(`alter table ${TABLE} alter column seq set default nextval('${TABLE}_seq')`);
    // Open every connection first, so connection setup is not in the measurement.
    await Promise.all(Array.from({ length: opts.connections }, () => sql`select 1`));
    const latencies: number[] = [];
    const end = performance.now() + opts.seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: opts.connections }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          await appendOnce(sql, opts.mode);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const [{ n }] = (await admin.unsafe(`select count(*)::int as n from ${TABLE}`)) as unknown as [{ n: number }];
    let chainIntact: boolean | null = null;
    if (opts.mode === "lock") {
      const [{ bad }] = (await admin.unsafe(
        `select count(*)::int as bad from (select seq, prev_hash, lag(hash) over (order by seq) as lh,
           row_number() over (order by seq) as rn from ${TABLE}) x
         where seq <> rn or (rn > 1 and prev_hash <> lh)`,
      )) as unknown as [{ bad: number }];
      chainIntact = bad === 0;
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]! * 100) / 100;
    return {
      mode: opts.mode,
      connections: opts.connections,
      seconds: Math.round(seconds * 100) / 100,
      appends: latencies.length,
      rowsInTable: n,
      perSecond: Math.round((latencies.length / seconds) * 10) / 10,
      latencyMs: { p50: pct(0.5), p99: pct(0.99) },
      chainIntact,
    };
  } finally {
    await admin.unsafe(`drop table if exists ${TABLE}`).catch(() => {});
    await sql.end({ timeout: 5 });
    await admin.end({ timeout: 5 });
  }
}
