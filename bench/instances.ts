// Phase `instances`: does the audit trail cap page throughput across app instances?
//   1. The logged-in page view with one app process and with two (the app server on ports.app and
//      ports.app2, one database), the load generator's connections split over both; rounds
//      alternate. While the load runs, pg_stat_activity is sampled for backends waiting on an
//      advisory lock (the audit chain's lock in main's design): by Little's law, the mean number
//      waiting × the round's time / the requests is the lock wait per page view.
//   2. The audit append alone (bench/lib/append-bench.ts): N connections, with and without the lock.
// One worker (the snapshot's worker/main.ts, where the sequencer runs in that design) runs beside
// the apps throughout, as in production. Every response is checked (status, marker) and each must
// have written exactly one audit row; afterwards the rows the sequencer has not chained yet are
// counted (until it has caught up, at most 30 s) and the snapshot's `npm run audit:verify` must
// pass on the whole table.
import { existsSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type { BenchConfig } from "./lib/config";
import { appendBench, type AppendResult } from "./lib/append-bench";
import { groupCpuSeconds, startChild, stopChild, waitFor, type Child } from "./lib/proc";
import { mergeLoadResults, type LoadConfig, type LoadResult } from "./load";

/** What "a page view" is: the URL path and a marker only the logged-in response contains. */
// A returning patient's view of Mina tider: the audited data request (the shell is static and, for
// a returning patient, comes from the service worker).
export const PAGE_VIEW = { path: "/api/appointments", marker: '{"upcoming":[' } as const;

export interface LockWaits {
  samples: number;
  /** Mean number of backends of the bench database waiting on an advisory lock. */
  meanWaiting: number;
  maxWaiting: number;
  /** Share of samples with at least one backend waiting. */
  shareWithWaiters: number;
}

export interface InstancesRun {
  processes: number;
  load: LoadResult;
  auditRowsPerResponse: number;
  serverCpuMsPerRequest: number | null;
  lockWaits: LockWaits;
  /** meanWaiting × seconds / ok responses: the time a page view spent queued on the lock. */
  lockWaitMsPerRequest: number;
}

export interface AuditAfterLoad {
  /** The database has audit_chain (the sequencer design). */
  sequenced: boolean;
  /** Version-3 rows not in audit_chain right after the last round, and when the worker had caught up. */
  unsealedAtEnd: number | null;
  secondsToCatchUp: number | null;
  /**
   * The sequencer's own rate: `sealBurst` rows inserted at once (as version-3 rows, by SQL), and
   * how fast the worker chained them (null in main's design, or when it did not within 60 s).
   */
  sealBurst: number;
  sealRatePerSecond: number | null;
  /** Links in audit_chain afterwards (the sequencer did run), and audit rows in all. */
  chained: number | null;
  auditRows: number;
  /** `npm run audit:verify` of the snapshot: exit code (0 intact, 2 broken) and its last line. */
  verifyExitCode: number | null;
  verifyOutput: string;
}

export interface InstancesPhase {
  connections: number;
  audit: AuditAfterLoad;
  page: InstancesRun[];
  /** two processes / one. */
  scaling: number;
  append: AppendResult[];
  /** noLock / lock appends per second, per connection count. */
  appendRatio: Record<string, number>;
}

export interface InstancesDeps {
  c: BenchConfig;
  dbUrl: string;
  cookie: string;
  appDir: string;
  env: (port: number) => NodeJS.ProcessEnv;
  loadOnce: (name: string, lc: LoadConfig) => Promise<LoadResult>;
  log: (s: string) => void;
}

async function startApp(d: InstancesDeps, name: string, port: number): Promise<Child> {
  const child = startChild(
    name,
    process.execPath,
    // The app as deployed: our server around the build (it answers the data route itself).
    ["--import", "tsx", "server/main.ts"],
    { cwd: d.appDir, env: d.env(port), quiet: true },
  );
  const url = `http://127.0.0.1:${port}${PAGE_VIEW.path}`;
  await waitFor(
    `${name} to show the logged-in page`,
    async () => {
      const res = await fetch(url, { headers: { cookie: d.cookie }, redirect: "manual" });
      return res.status === 200 && (await res.text()).includes(PAGE_VIEW.marker);
    },
    { timeoutMs: 90_000, child },
  );
  return child;
}

/** Samples pg_stat_activity every 10 ms until stopped. */
function sampleLockWaits(dbUrl: string): { stop: () => Promise<LockWaits> } {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  let running = true;
  const counts: number[] = [];
  const loop = (async () => {
    while (running) {
      const [r] = await sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'`;
      counts.push(r!.n);
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await sql.end({ timeout: 5 });
      const n = counts.length || 1;
      return {
        samples: counts.length,
        meanWaiting: Math.round((counts.reduce((a, b) => a + b, 0) / n) * 1000) / 1000,
        maxWaiting: Math.max(0, ...counts),
        shareWithWaiters: Math.round((counts.filter((x) => x > 0).length / n) * 1000) / 1000,
      };
    },
  };
}

async function auditRows(dbUrl: string): Promise<number> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
    return r!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Splits `total` connections over `parts` generators (5 + 5 for 10 over two). */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

const SEAL_BURST = 20_000;

/** Version-3 rows not yet chained, or null in main's design (no audit_chain). */
async function unsealedRows(dbUrl: string): Promise<number | null> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [d] = await sql<{ sequenced: boolean }[]>`select to_regclass('audit_chain') is not null as sequenced`;
    if (!d!.sequenced) return null;
    const [r] = await sql<{ n: number }[]>`
      select count(*)::int as n from audit_events e
      where e.hash_version = 3 and not exists (select 1 from audit_chain c where c.audit_seq = e.seq)`;
    return r!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function auditAfterLoad(d: InstancesDeps, worker: Child): Promise<AuditAfterLoad> {
  const atEnd = await unsealedRows(d.dbUrl);
  let secondsToCatchUp: number | null = null;
  if (atEnd !== null) {
    const started = performance.now();
    for (let left = atEnd; left > 0 && performance.now() - started < 30_000; left = (await unsealedRows(d.dbUrl))!)
      await new Promise((r) => setTimeout(r, 200));
    if ((await unsealedRows(d.dbUrl)) === 0) secondsToCatchUp = Math.round((performance.now() - started) / 100) / 10;
  }
  let sealRatePerSecond: number | null = null;
  if (atEnd !== null) {
    const burst = postgres(d.dbUrl, { max: 1, onnotice: () => {} });
    try {
      await burst`
        insert into audit_events (at, actor_type, action, resource_type, details, hash_version)
        select now(), 'system', 'bench.seal_burst', 'audit_events', jsonb_build_object('i', i), 3
        from generate_series(1, ${SEAL_BURST}::int) i`;
    } finally {
      await burst.end({ timeout: 5 });
    }
    const started = performance.now();
    while ((await unsealedRows(d.dbUrl))! > 0 && performance.now() - started < 60_000)
      await new Promise((r) => setTimeout(r, 100));
    if ((await unsealedRows(d.dbUrl)) === 0)
      sealRatePerSecond = Math.round(SEAL_BURST / ((performance.now() - started) / 1000));
  }
  if (worker.proc.exitCode !== null)
    throw new Error(`the worker exited (code ${worker.proc.exitCode}):\n${worker.output()}`);
  const verify = startChild("audit-verify", process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], {
    cwd: d.appDir,
    env: { ...d.env(d.c.ports.extra), RUN_WORKER_IN_APP: "false" },
    quiet: true,
    capture: true,
  });
  const code = await verify.exited;
  const out = `${verify.stdout()}\n${verify.output()}`.trim().split("\n").filter(Boolean);
  // audit_chain is only named when it exists (main's design has none: the statement would fail).
  const sql = postgres(d.dbUrl, { max: 1, onnotice: () => {} });
  const counts = await (async () => {
    const [rows] = await sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
    if (atEnd === null) return { chained: null, rows: rows!.n };
    const [chained] = await sql<{ n: number }[]>`select count(*)::int as n from audit_chain`;
    return { chained: chained!.n, rows: rows!.n };
  })().finally(() => sql.end({ timeout: 5 }));
  return {
    sequenced: atEnd !== null,
    unsealedAtEnd: atEnd,
    secondsToCatchUp,
    sealBurst: atEnd !== null ? SEAL_BURST : 0,
    sealRatePerSecond,
    chained: counts.chained,
    auditRows: counts.rows,
    verifyExitCode: code,
    verifyOutput: out.slice(-3).join(" | "),
  };
}

export async function runInstancesPhase(d: InstancesDeps): Promise<InstancesPhase> {
  const { c, log } = d;
  if (!existsSync(path.join(d.appDir, "worker", "main.ts"))) throw new Error("the snapshot has no worker/main.ts");
  // Nothing is due, so it sends nothing; the SMS port is one nobody listens on.
  const worker = startChild("worker", process.execPath, ["--import", "tsx", path.join("worker", "main.ts")], {
    cwd: d.appDir,
    env: { ...d.env(c.ports.extra), SMS_BASE_URL: `http://127.0.0.1:${c.ports.extra}`, RUN_WORKER_IN_APP: "false" },
    quiet: true,
  });
  const apps = [await startApp(d, "app-1", c.ports.app), await startApp(d, "app-2", c.ports.app2)];
  const ports = [c.ports.app, c.ports.app2];
  const base = {
    headers: { cookie: d.cookie, "user-agent": "vardtid-bench" },
    marker: PAGE_VIEW.marker,
    keepSamples: true,
  };
  const url = (i: number) => `http://127.0.0.1:${ports[i]}${PAGE_VIEW.path}`;
  const runs: Record<number, { load: LoadResult[]; audit: number; cpu: number | null; waits: LockWaits[] }> = {
    1: { load: [], audit: 0, cpu: 0, waits: [] },
    2: { load: [], audit: 0, cpu: 0, waits: [] },
  };
  const roundFor = async (processes: number, seconds: number, name: string) =>
    Promise.all(
      split(c.connections, processes).map((connections, i) =>
        d.loadOnce(`${name}-${i + 1}`, { ...base, url: url(i), connections, durationMs: seconds * 1000 }),
      ),
    );
  try {
    log(`instances: warm-up ${c.warmupSeconds} s on both processes …`);
    await roundFor(2, c.warmupSeconds, "warmup");
    for (let r = 1; r <= c.rounds; r++) {
      for (const processes of [1, 2]) {
        const before = await auditRows(d.dbUrl);
        const cpuBefore = apps.map((a) => groupCpuSeconds(a.proc.pid!));
        const sampler = sampleLockWaits(d.dbUrl);
        const parts = await roundFor(processes, c.roundSeconds, `instances-${processes}`);
        const waits = await sampler.stop();
        const cpuAfter = apps.map((a) => groupCpuSeconds(a.proc.pid!));
        const run = runs[processes]!;
        const used = cpuBefore.map((b, i) => (b !== null && cpuAfter[i] !== null ? cpuAfter[i]! - b : null));
        run.cpu = run.cpu !== null && !used.includes(null) ? run.cpu + used.reduce((a, b) => a! + b!, 0)! : null;
        run.audit += (await auditRows(d.dbUrl)) - before;
        const merged = mergeLoadResults(parts);
        // Two generators run side by side: the round lasted as long as one of them, not the sum.
        const seconds = Math.max(...parts.map((p) => p.seconds));
        const round = { ...merged, seconds, rps: Math.round((merged.ok / seconds) * 100) / 100 };
        run.load.push({ ...round, samples: parts.flatMap((p) => p.samples ?? []) });
        run.waits.push(waits);
        log(
          `instances: ${processes} process${processes > 1 ? "es" : ""}, round ${r}/${c.rounds}: ${round.rps} req/s, p50 ${round.latencyMs.p50} ms, p99 ${round.latencyMs.p99} ms, ${round.ok}/${round.requests} ok, advisory-lock waiters ${waits.meanWaiting} on average (max ${waits.maxWaiting})`,
        );
        if (round.ok !== round.requests) log(`instances: bad responses, first: ${round.firstProblem}`);
      }
    }
  } finally {
    await Promise.all(apps.map((a) => stopChild(a)));
  }
  const audit = await auditAfterLoad(d, worker).finally(() => stopChild(worker));
  log(
    `instances: audit after the load: ${audit.sequenced ? `${audit.unsealedAtEnd} rows not yet chained at the end of the load, ${audit.secondsToCatchUp === null ? "NOT caught up within 30 s" : `all chained ${audit.secondsToCatchUp} s later`}; a burst of ${audit.sealBurst} rows chained at ${audit.sealRatePerSecond ?? "— (not within 60 s)"} rows/s; ${audit.chained} of ${audit.auditRows} audit rows in the chain` : "main's design (chained in the request)"}; audit:verify exit ${audit.verifyExitCode}: ${audit.verifyOutput}`,
  );

  const page: InstancesRun[] = [1, 2].map((processes) => {
    const run = runs[processes]!;
    const m = mergeLoadResults(run.load);
    const samples = run.waits.reduce((a, w) => a + w.samples, 0) || 1;
    const waits: LockWaits = {
      samples,
      meanWaiting: Math.round((run.waits.reduce((a, w) => a + w.meanWaiting * w.samples, 0) / samples) * 1000) / 1000,
      maxWaiting: Math.max(0, ...run.waits.map((w) => w.maxWaiting)),
      shareWithWaiters:
        Math.round((run.waits.reduce((a, w) => a + w.shareWithWaiters * w.samples, 0) / samples) * 1000) / 1000,
    };
    const responses = Math.max(1, m.requests - m.errors);
    return {
      processes,
      load: m,
      auditRowsPerResponse: Math.round((run.audit / responses) * 1000) / 1000,
      serverCpuMsPerRequest: run.cpu !== null && m.ok > 0 ? Math.round((run.cpu / m.ok) * 1e4) / 10 : null,
      lockWaits: waits,
      lockWaitMsPerRequest: m.ok > 0 ? Math.round(((waits.meanWaiting * m.seconds * 1000) / m.ok) * 100) / 100 : 0,
    };
  });

  const append: AppendResult[] = [];
  const appendRatio: Record<string, number> = {};
  for (const connections of c.appendConnections) {
    for (const mode of ["lock", "noLock"] as const) {
      const r = await appendBench(d.dbUrl, { mode, connections, seconds: c.roundSeconds });
      append.push(r);
      log(
        `instances: append alone, ${connections} connections, ${mode === "lock" ? "with the chain lock" : "insert only"}: ${r.perSecond}/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms (${r.rowsInTable} rows${r.rowsInTable !== r.appends ? ` but ${r.appends} appends: MISMATCH` : ""}${r.chainIntact === false ? ", CHAIN BROKEN" : ""})`,
      );
    }
    const lock = append.find((a) => a.connections === connections && a.mode === "lock")!;
    const free = append.find((a) => a.connections === connections && a.mode === "noLock")!;
    appendRatio[String(connections)] = Math.round((free.perSecond / lock.perSecond) * 100) / 100;
  }
  return {
    connections: c.connections,
    audit,
    page,
    scaling: Math.round((page[1]!.load.rps / page[0]!.load.rps) * 1000) / 1000,
    append,
    appendRatio,
  };
}
