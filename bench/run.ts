// `npm run bench`: measures Vårdtid against its performance targets on this machine.
//   (a) GET /besok (logged in) vs a bare node:http server running the same SQL, 2 M appointments
//   (b) first-load JS of /besok and /login vs a bare Next.js page
//   (c) 100 000 due SMS reminders through worker/main.ts vs the SMS gateway's own rate
//   burst: the reminders sent while patients load the page and open their links (bench/burst.ts)
//   growth: the page and reminders at 10 / 30 / 100 % of the data, cost per request (bench/growth.ts)
// Prints a table and writes bench/results/latest.json. See bench/README.md for what each number
// means and the settings (BENCH_* environment variables).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { benchConfig, type BenchConfig } from "./lib/config";
import {
  createBenchDatabase,
  createBenchPatient,
  demoEnv,
  dropBenchDatabase,
  fillDatabase,
  migrateWithSnapshot,
  type BenchPatient,
} from "./lib/data";
import {
  assertPortFree,
  groupCpuSeconds,
  killAllChildrenNow,
  startChild,
  stopAllChildren,
  stopChild,
  waitFor,
  type Child,
} from "./lib/proc";
import { runtimeEnv } from "./lib/app-server";
import { buildAppSnapshot, buildBareNext } from "./lib/snapshot";
import { mergeLoadResults, type LoadConfig, type LoadResult } from "./load";
import { measurePageScripts, withBrowser, type PageScripts } from "./first-load-js";
import { runReminderBench, type ReminderBenchResult } from "./reminders";
import { contentionRows, runContentionBench, type ContentionResult } from "./contention";
import { runBurstBench, type BurstResult } from "./burst";
import { runGrowthBench, type GrowthResult } from "./growth";
import { startAppServer } from "./lib/app-server";
import { runInstancesPhase, type InstancesPhase } from "./instances";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

const repo = process.cwd();
const cfg = benchConfig();
const t0 = Date.now();
const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);
const MARKER = "<h1>Mina tider</h1>";
/** In the JSON of GET /api/appointments (the data of "Mina tider"); a 401 answer does not have it. */
const DATA_MARKER = '{"upcoming":[';

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  command: "npm run bench",
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  },
  config: { ...cfg, pgUrl: cfg.pgUrl.replace(/\/\/[^@]*@/, "//…@") },
  loadavg: [] as { at: string; load1: number }[],
};
const notes: string[] = [];

function noteLoad(at: string): void {
  const load1 = Math.round(os.loadavg()[0]! * 100) / 100;
  (results.loadavg as { at: string; load1: number }[]).push({ at, load1 });
}

/** One line on how busy the machine was before the measurements (the bench's own load included). */
function loadNote(): void {
  const loads = (results.loadavg as { at: string; load1: number }[]).map((l) => l.load1);
  if (!loads.length) return;
  const max = Math.max(...loads);
  const cpus = os.cpus().length;
  if (max > 0.7 * cpus) {
    notes.push(
      `machine busy: 1-minute load average ${Math.min(...loads)}–${max} on ${cpus} CPUs before the measurements (other processes compete; all servers alike, but absolute figures are lower than on an idle machine)`,
    );
  }
}

let db: { name: string; url: string } | undefined;
// The growth phase's smaller database while it exists (dropped here if the run is interrupted).
let growthDb: { name: string; url: string } | undefined;
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await stopAllChildren();
  if (growthDb) await dropBenchDatabase(cfg.pgUrl, growthDb.name).catch(() => {});
  if (db && !cfg.keepDb) {
    await dropBenchDatabase(cfg.pgUrl, db.name).catch((e: unknown) =>
      console.error(`could not drop ${db!.name}: ${String(e)}`),
    );
    log(`dropped database ${db.name}`);
  } else if (db) log(`kept database ${db.name} (BENCH_KEEP_DB=1)`);
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on("exit", killAllChildrenNow);

async function loadOnce(name: string, lc: LoadConfig): Promise<LoadResult> {
  const child = startChild(
    `load:${name}`,
    process.execPath,
    ["--import", "tsx", path.join(repo, "bench", "load.ts"), JSON.stringify(lc)],
    { cwd: repo, env: process.env, quiet: true, capture: true },
  );
  const code = await child.exited;
  const line = child
    .stdout()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (code !== 0 || !line) throw new Error(`load generator failed (${code}):\n${child.output()}`);
  return JSON.parse(line) as LoadResult;
}

async function auditCount(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
    return r!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function get(url: string, cookie?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  return { status: res.status, body: await res.text() };
}

/**
 * data: a returning patient's view of "Mina tider" (the shell comes from the service worker's
 * precache, so the server sees only GET /api/appointments); firstVisit: the shell /besok, then the
 * data, one after the other on one connection, as a browser with an empty cache asks for them.
 */
type Target = "data" | "firstVisit" | "nextSql" | "bare";
type TargetResult = LoadResult & {
  auditRowsPerResponse: number;
  /** CPU time of the server's processes per good response: a measure the machine's other load hardly moves. */
  serverCpuMsPerRequest: number | null;
  rounds: LoadResult[];
};

interface PagePhase {
  /** A returning patient's view: the app's GET /api/appointments. */
  data: TargetResult;
  /** A first visit: the app's GET /besok (the shell), then GET /api/appointments. */
  firstVisit: TargetResult;
  /** The bare Next.js app's /besok: same database work, a plain list (the framework's own floor). */
  nextSql: TargetResult;
  /** bench/bare-server.ts: same database work on node:http. */
  bare: TargetResult;
  /** data / bare and firstVisit / bare (views per second): the target, for each kind of view. */
  ratio: { data: number; firstVisit: number };
  /** p99 of each view / bare node's p99 in the same run. */
  p99Ratio: { data: number; firstVisit: number };
  /** nextSql / bare: the framework's own floor for a page doing the same work. */
  nextSqlRatio: number;
  connections: number;
  targets: { ratioMin: number; p99MaxRatio: number };
  pass: { ratio: { data: boolean; firstVisit: boolean }; p99: { data: boolean; firstVisit: boolean } };
}

async function pagePhase(
  c: BenchConfig,
  dbUrl: string,
  patient: BenchPatient,
  servers: { app: Child; nextSql: Child },
): Promise<PagePhase> {
  const appBase = `http://127.0.0.1:${c.ports.app}`;
  const dataStep = { url: `${appBase}/api/appointments`, marker: DATA_MARKER };
  const steps: Record<Target, { url: string; marker: string }[]> = {
    data: [dataStep],
    firstVisit: [{ url: `${appBase}/besok`, marker: MARKER }, dataStep],
    nextSql: [{ url: `http://127.0.0.1:${c.ports.bareNext}/besok`, marker: MARKER }],
    bare: [{ url: `http://127.0.0.1:${c.ports.bare}/besok`, marker: MARKER }],
  };
  const urls = { bare: steps.bare[0]!.url, nextSql: steps.nextSql[0]!.url };
  const bare = startChild(
    "bare-server",
    process.execPath,
    ["--import", "tsx", path.join(repo, "bench", "bare-server.ts")],
    { cwd: repo, env: runtimeEnv(c.ports.bare, dbUrl, patient) },
  );
  await waitFor("the bare server", async () => (await get(urls.bare, patient.cookie)).body.includes(MARKER), {
    timeoutMs: 30_000,
    child: bare,
  });
  for (const t of ["bare", "nextSql"] as const) {
    const anon = await get(urls[t]);
    if (anon.body.includes(MARKER)) throw new Error(`${t} shows the logged-in page without a session`);
    const ok = await get(urls[t], patient.cookie);
    if (ok.status !== 200 || !ok.body.includes(MARKER))
      throw new Error(
        `${t} /besok with the bench session: status ${ok.status}, marker ${ok.body.includes(MARKER) ? "present" : "missing"}`,
      );
  }

  const base = {
    connections: c.connections,
    headers: { cookie: patient.cookie, "user-agent": "vardtid-bench" },
    keepSamples: true,
  };
  const targets: Target[] = ["data", "firstVisit", "nextSql", "bare"];
  log(`page: warm-up ${c.warmupSeconds} s each …`);
  for (const t of targets)
    await loadOnce(`${t}-warmup`, { ...base, steps: steps[t], durationMs: c.warmupSeconds * 1000 });
  const rounds: Record<Target, LoadResult[]> = { data: [], firstVisit: [], nextSql: [], bare: [] };
  const audit: Record<Target, number> = { data: 0, firstVisit: 0, nextSql: 0, bare: 0 };
  const cpu: Record<Target, number | null> = { data: 0, firstVisit: 0, nextSql: 0, bare: 0 };
  const pids: Record<Target, number> = {
    data: servers.app.proc.pid!,
    firstVisit: servers.app.proc.pid!,
    nextSql: servers.nextSql.proc.pid!,
    bare: bare.proc.pid!,
  };
  // Alternating rounds, so that whatever else the machine does falls on all alike.
  for (let r = 1; r <= c.rounds; r++) {
    for (const t of targets) {
      noteLoad(`page ${t} round ${r}`);
      const before = await auditCount(dbUrl);
      const cpuBefore = groupCpuSeconds(pids[t]);
      const res = await loadOnce(t, { ...base, steps: steps[t], durationMs: c.roundSeconds * 1000 });
      const cpuAfter = groupCpuSeconds(pids[t]);
      cpu[t] = cpu[t] !== null && cpuBefore !== null && cpuAfter !== null ? cpu[t]! + (cpuAfter - cpuBefore) : null;
      audit[t] += (await auditCount(dbUrl)) - before;
      rounds[t].push(res);
      log(
        `page: ${t.padEnd(10)} round ${r}/${c.rounds}: ${res.rps} req/s, p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms, ${res.ok}/${res.requests} ok`,
      );
      if (res.ok !== res.requests)
        log(`page: ${t}: ${res.requests - res.ok} bad responses, first: ${res.firstProblem}`);
    }
  }
  await stopChild(bare);
  const strip = (r: LoadResult) => ({ ...r, samples: undefined });
  const merged = (t: Target): TargetResult => {
    const m = mergeLoadResults(rounds[t]);
    return {
      ...m,
      auditRowsPerResponse: Math.round((audit[t] / Math.max(1, m.requests - m.errors)) * 1000) / 1000,
      serverCpuMsPerRequest: cpu[t] !== null && m.ok > 0 ? Math.round((cpu[t]! / m.ok) * 1e4) / 10 : null,
      rounds: rounds[t].map(strip),
    };
  };
  const [d, f, n, b] = [merged("data"), merged("firstVisit"), merged("nextSql"), merged("bare")];
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const ratio = { data: r3(d.rps / b.rps), firstVisit: r3(f.rps / b.rps) };
  const p99Ratio = { data: r3(d.latencyMs.p99 / b.latencyMs.p99), firstVisit: r3(f.latencyMs.p99 / b.latencyMs.p99) };
  return {
    data: d,
    firstVisit: f,
    nextSql: n,
    bare: b,
    ratio,
    p99Ratio,
    nextSqlRatio: r3(n.rps / b.rps),
    connections: c.connections,
    targets: { ratioMin: 0.5, p99MaxRatio: 1.5 },
    pass: {
      ratio: { data: ratio.data >= 0.5, firstVisit: ratio.firstVisit >= 0.5 },
      p99: { data: p99Ratio.data <= 1.5, firstVisit: p99Ratio.firstVisit <= 1.5 },
    },
  };
}

interface JsPhase {
  besok: PageScripts;
  login: PageScripts;
  bare: PageScripts;
  diffKB: { besok: number; login: number };
  targetKB: number;
  pass: { besok: boolean; login: boolean };
}

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

async function jsPhase(c: BenchConfig, patient: BenchPatient): Promise<JsPhase> {
  const jwt = patient.cookie.slice(patient.cookie.indexOf("=") + 1);
  return withBrowser(async (browser) => {
    const besok = await measurePageScripts(browser, `http://127.0.0.1:${c.ports.app}/besok`, [
      { name: "vardtid.session", value: jwt },
    ]);
    const login = await measurePageScripts(browser, `http://127.0.0.1:${c.ports.app}/login`);
    const bare = await measurePageScripts(browser, `http://127.0.0.1:${c.ports.bareNext}/`);
    const diff = (p: PageScripts) => kb(p.total.gzipBytes - bare.total.gzipBytes);
    return {
      besok,
      login,
      bare,
      diffKB: { besok: diff(besok), login: diff(login) },
      targetKB: 40,
      pass: { besok: diff(besok) <= 40, login: diff(login) <= 40 },
    };
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  log(`Vårdtid benchmark: ${cfg.phases.join(", ")} on ${os.cpus().length} CPUs`);
  for (const port of Object.values(cfg.ports)) await assertPortFree(port);
  noteLoad("start");

  // Builds first (CPU-bound), then the database (I/O-bound).
  const buildEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production" as const,
    VARDTID_MODE: "demo",
    RUN_WORKER_IN_APP: "false",
  };
  const app = buildAppSnapshot(repo, {
    ref: cfg.ref,
    rebuild: cfg.rebuild,
    build: cfg.phases.some((p) => ["page", "js", "contention", "burst", "growth", "instances"].includes(p)),
    env: buildEnv,
    log,
  });
  results.app = { source: app.source, dir: app.dir, buildSeconds: app.buildSeconds, reusedBuild: app.reused };
  log(`app: ${app.source}${app.buildSeconds ? `, built in ${app.buildSeconds.toFixed(0)} s` : ""}`);
  const bareNext =
    cfg.phases.includes("js") || cfg.phases.includes("page") || cfg.phases.includes("contention")
      ? buildBareNext(repo, { rebuild: cfg.rebuild, env: buildEnv, log })
      : undefined;
  if (bareNext)
    results.bareNext = { source: bareNext.source, buildSeconds: bareNext.buildSeconds, reusedBuild: bareNext.reused };

  db = await createBenchDatabase(cfg.pgUrl);
  log(`database ${db.name}: migrating (the snapshot's migrateDatabase) …`);
  migrateWithSnapshot(app.dir, db.url);
  const fill = await fillDatabase(db.url, {
    patients: cfg.patients,
    perPatient: cfg.perPatient,
    freeSlots: cfg.freeSlots,
    log,
  });
  results.data = fill;
  log(
    `database: ${fill.appointments.toLocaleString("en")} appointments, ${fill.slots.toLocaleString("en")} slots, ${fill.patients.toLocaleString("en")} patients in ${fill.seconds.toFixed(0)} s`,
  );
  const patient = await createBenchPatient(db.url);
  results.benchPatient = { appointments: patient.appointments };

  if (cfg.phases.includes("page") || cfg.phases.includes("js") || cfg.phases.includes("contention")) {
    // The app as deployed: our server (server/main.ts) around the build.
    // Quiet: it logs a JSON line per request (as in production); forwarding those through the
    // bench's own output would cost the bench CPU during the app's rounds only.
    // BENCH_APP_NODE_ARGS as in lib/app-server.ts (e.g. a CPU profile of the app under load).
    const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean);
    const appServer = startChild("app", process.execPath, [...nodeArgs, "--import", "tsx", "server/main.ts"], {
      cwd: app.dir,
      env: runtimeEnv(cfg.ports.app, db.url, patient),
      quiet: true,
    });
    const besok = `http://127.0.0.1:${cfg.ports.app}/besok`;
    await waitFor("the app server", async () => (await get(besok, patient.cookie)).status > 0, {
      timeoutMs: 60_000,
      child: appServer,
    });
    const first = await get(besok, patient.cookie);
    if (first.status !== 200 || !first.body.includes(MARKER))
      throw new Error(
        `GET /besok with the bench session: status ${first.status}, logged-in marker ${first.body.includes(MARKER) ? "present" : "missing"}:\n${first.body.slice(0, 500)}`,
      );
    const anon = await get(besok);
    if (anon.body.includes(MARKER))
      throw new Error("GET /besok without a session shows the logged-in page: the marker check would prove nothing");
    const dataUrl = `http://127.0.0.1:${cfg.ports.app}/api/appointments`;
    const data = await get(dataUrl, patient.cookie);
    const anonData = await get(dataUrl);
    if (data.status !== 200 || !data.body.startsWith(DATA_MARKER) || !data.body.includes('"id":"'))
      throw new Error(
        `GET /api/appointments with the bench session: status ${data.status}: ${data.body.slice(0, 300)}`,
      );
    if (anonData.status !== 401 || anonData.body.includes(DATA_MARKER))
      throw new Error(`GET /api/appointments without a session: status ${anonData.status} (401 expected)`);
    log(`app: /api/appointments answers the bench patient's visits (${data.body.length} bytes), 401 without a session`);
    log(
      `app: /besok answers 200 with "${MARKER}" for the bench session (${first.body.length} bytes), and not without it (status ${anon.status})`,
    );

    const bareNextServer = startChild(
      "bare-next",
      process.execPath,
      [
        path.join(bareNext!.dir, "node_modules/next/dist/bin/next"),
        "start",
        "-p",
        String(cfg.ports.bareNext),
        "-H",
        "127.0.0.1",
      ],
      {
        cwd: bareNext!.dir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
          DATABASE_URL: db.url,
          AUTH_SECRET: patient.secret,
        },
        quiet: true,
      },
    );
    await waitFor(
      "the bare Next.js app",
      async () => (await get(`http://127.0.0.1:${cfg.ports.bareNext}/`)).status === 200,
      { timeoutMs: 60_000, child: bareNextServer },
    );

    if (cfg.phases.includes("page")) {
      const page = await pagePhase(cfg, db.url, patient, { app: appServer, nextSql: bareNextServer });
      results.page = page;
      log(
        `page: audit rows per view ${page.data.auditRowsPerResponse} / ${page.firstVisit.auditRowsPerResponse} / ${page.nextSql.auditRowsPerResponse} / ${page.bare.auditRowsPerResponse}, bytes per view ${page.data.bytesPerResponse} / ${page.firstVisit.bytesPerResponse} / ${page.nextSql.bytesPerResponse} / ${page.bare.bytesPerResponse}, server CPU ms per view ${page.data.serverCpuMsPerRequest} / ${page.firstVisit.serverCpuMsPerRequest} / ${page.nextSql.serverCpuMsPerRequest} / ${page.bare.serverCpuMsPerRequest} (returning / first visit / bare Next.js / bare node)`,
      );
    }
    if (cfg.phases.includes("js")) {
      log("js: loading /besok, /login and the bare page in Chromium …");
      noteLoad("js");
      results.js = await jsPhase(cfg, patient);
    }
    if (cfg.phases.includes("contention")) {
      noteLoad("contention");
      results.contention = await runContentionBench({
        appDir: app.dir,
        dbUrl: db.url,
        baseUrl: `http://127.0.0.1:${cfg.ports.app}`,
        requests: cfg.contentionRequests,
        offers: cfg.contentionOffers,
        appPid: appServer.proc.pid!,
        log,
      });
    }
    await stopChild(bareNextServer);
    await stopChild(appServer, process.env.BENCH_APP_NODE_ARGS ? 60_000 : undefined); // a CPU profile takes a while to write
  }

  if (cfg.phases.includes("instances")) {
    noteLoad("instances");
    const dbUrl = db.url;
    results.instances = await runInstancesPhase({
      c: cfg,
      dbUrl,
      cookie: patient.cookie,
      appDir: app.dir,
      env: (port) => runtimeEnv(port, dbUrl, patient),
      loadOnce,
      log,
    });
  }

  if (cfg.phases.includes("reminders")) {
    noteLoad("reminders");
    const e = demoEnv();
    results.reminders = await runReminderBench({
      appDir: app.dir,
      dbUrl: db.url,
      keys: piiKeysFromEnv(e),
      count: cfg.reminders,
      smsPort: cfg.ports.sms,
      concurrency: cfg.workerConcurrency,
      batchSize: cfg.workerBatchSize,
      timeoutSeconds: cfg.reminderTimeoutSeconds,
      workers: cfg.reminderWorkers,
      gatewayLatencyMs: cfg.gatewayLatencyMs,
      log,
    });
  }

  if (cfg.phases.includes("burst")) {
    noteLoad("burst");
    const appServer = await startAppServer("app", app.dir, cfg.ports.app, db.url, patient);
    try {
      results.burst = await runBurstBench({
        repo,
        appDir: app.dir,
        dbUrl: db.url,
        keys: piiKeysFromEnv(demoEnv()),
        app: appServer,
        appBase: `http://127.0.0.1:${cfg.ports.app}`,
        cookie: patient.cookie,
        count: cfg.reminders,
        workers: cfg.burst.workers,
        smsPort: cfg.ports.sms,
        concurrency: cfg.workerConcurrency,
        batchSize: cfg.workerBatchSize,
        timeoutSeconds: cfg.reminderTimeoutSeconds,
        pageConnections: cfg.connections,
        linkConnections: cfg.burst.linkConnections,
        warmupSeconds: cfg.warmupSeconds,
        baselineSeconds: cfg.roundSeconds,
        log,
      });
    } finally {
      await stopChild(appServer);
    }
  }

  if (cfg.phases.includes("growth")) {
    noteLoad("growth");
    results.growth = await runGrowthBench({
      repo,
      appDir: app.dir,
      pgUrl: cfg.pgUrl,
      main: { url: db.url, patient, fill },
      // Every phase but (b) writes to the main database before this one.
      mainUsed: cfg.phases.some((p) => p !== "growth" && p !== "js"),
      shares: cfg.growth.shares,
      patients: cfg.patients,
      perPatient: cfg.perPatient,
      freeSlots: cfg.freeSlots,
      keys: piiKeysFromEnv(demoEnv()),
      appPort: cfg.ports.app2,
      smsPort: cfg.ports.sms,
      reminders: Math.min(cfg.growth.reminders, cfg.reminders),
      connections: cfg.connections,
      warmupSeconds: Math.min(cfg.warmupSeconds, 3),
      seconds: cfg.growth.seconds,
      concurrency: cfg.workerConcurrency,
      batchSize: cfg.workerBatchSize,
      log,
      track: (d) => (growthDb = d),
    });
  }
  noteLoad("end");
}

function report(): void {
  const rows: string[][] = [["target", "measured", "goal", "result"]];
  const page = results.page as PagePhase | undefined;
  if (page) {
    const line = (r: TargetResult) =>
      `${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, server CPU ${r.serverCpuMsPerRequest ?? "?"} ms/req`;
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    rows.push([`(a) returning patient: GET /api/appointments, ${page.connections} conn.`, line(page.data), "", ""]);
    rows.push(["    first visit: GET /besok (shell), then the data", line(page.firstVisit), "", ""]);
    rows.push(["    bare Next.js page, same SQL", line(page.nextSql), "", ""]);
    rows.push(["    bare node:http, same SQL", line(page.bare), "", ""]);
    for (const k of ["data", "firstVisit"] as const) {
      const name = k === "data" ? "returning" : "first visit";
      rows.push([`    ${name} / bare node`, pct(page.ratio[k]), "≥ 50 %", page.pass.ratio[k] ? "PASS" : "MISS"]);
      rows.push([
        `    ${name} p99 / bare node's p99`,
        `${page[k].latencyMs.p99} / ${page.bare.latencyMs.p99} ms = ${page.p99Ratio[k]}×`,
        "≤ 1.5×",
        page.pass.p99[k] ? "PASS" : "MISS",
      ]);
    }
    rows.push(["    (bare Next.js / bare node)", pct(page.nextSqlRatio), "", ""]);
  }
  const js = results.js as JsPhase | undefined;
  if (js) {
    const line = (p: PageScripts) =>
      `${kb(p.total.gzipBytes)} KB gzip (${p.total.files} files, ${kb(p.total.rawBytes)} KB raw)`;
    rows.push(["(b) first-load JS, bare Next.js page", line(js.bare), "", ""]);
    rows.push(["    /besok", `${line(js.besok)}, +${js.diffKB.besok} KB`, "≤ +40 KB", js.pass.besok ? "PASS" : "MISS"]);
    rows.push(["    /login", `${line(js.login)}, +${js.diffKB.login} KB`, "≤ +40 KB", js.pass.login ? "PASS" : "MISS"]);
  }
  const rem = results.reminders as ReminderBenchResult | undefined;
  if (rem) {
    const answers = (ms: number) => (ms > 0 ? `, answers after ${ms} ms` : "");
    for (const g of rem.gateway)
      rows.push([
        `(c) SMS gateway alone, ${g.concurrency} in flight${answers(g.latencyMs ?? 0)}`,
        `${g.rate} SMS/s`,
        "",
        "",
      ]);
    for (const run of rem.runs) {
      const n = `${run.workers} worker${run.workers > 1 ? "s" : ""}${answers(run.gatewayLatencyMs ?? 0)}`;
      rows.push([
        `    ${n}, ${run.sent.toLocaleString("en")} of ${rem.count.toLocaleString("en")} sent${run.timedOut ? " (time limit)" : ""}`,
        `${run.rate} SMS/s = ${(run.ratio * 100).toFixed(1)} % of ${run.gatewayRate} (${run.gatewayConcurrency} in flight)`,
        "≥ 70 %",
        run.ratio >= 0.7 && !run.timedOut ? "PASS" : "MISS",
      ]);
      rows.push([
        "      CPU per SMS: workers / Postgres / simulator",
        `${run.cpu.workerMsPerSms ?? "?"} / ${run.cpu.postgresMsPerSms ?? "?"} / ${run.cpu.simulatorMsPerSms ?? "?"} ms`,
        "",
        "",
      ]);
      rows.push([
        "      sent twice (simulator: repeated key)",
        `${run.gatewaySide?.duplicates ?? "?"} (${run.gatewaySide?.messages ?? "?"} messages, max attempts ${run.maxAttempts})`,
        "0",
        run.gatewaySide?.duplicates === 0 ? "PASS" : "MISS",
      ]);
      const m = run.memory.perWorker.map(
        (w) => `${w.rssMiB.at10}/${w.rssMiB.at50}/${w.rssMiB.at90}, max ${w.rssMiB.max}`,
      );
      rows.push([
        "      RSS MiB at 10/50/90 % sent, per worker",
        m.join("; "),
        "flat",
        run.memory.growthMiB10to90 !== null && run.memory.growthMiB10to90 <= 32 ? "PASS" : "MISS",
      ]);
    }
  }
  const con = results.contention as ContentionResult | undefined;
  if (con) rows.push(...contentionRows(con));
  burstRows(rows, results.burst as BurstResult | undefined, rem);
  growthRows(rows, results.growth as GrowthResult | undefined);
  const inst = results.instances as InstancesPhase | undefined;
  if (inst) {
    for (const run of inst.page)
      rows.push([
        `(6) page view, ${run.processes} app process${run.processes > 1 ? "es" : ""}, ${inst.connections} connections`,
        `${run.load.rps} req/s, p50 ${run.load.latencyMs.p50} ms, p99 ${run.load.latencyMs.p99} ms, ${run.load.ok}/${run.load.requests} ok, ${run.auditRowsPerResponse} audit rows/response, lock wait ${run.lockWaitMsPerRequest} ms/req, server CPU ${run.serverCpuMsPerRequest ?? "?"} ms/req`,
        "",
        run.load.ok === run.load.requests && run.auditRowsPerResponse === 1 ? "" : "CHECK",
      ]);
    rows.push(["    two processes / one", `${(inst.scaling * 100).toFixed(1)} %`, "", ""]);
    const a = inst.audit;
    rows.push([
      "    audit trail after the load",
      `${a.sequenced ? `${a.unsealedAtEnd} waiting at the end, chained ${a.secondsToCatchUp ?? "> 30"} s later; burst of ${a.sealBurst} sealed at ${a.sealRatePerSecond ?? "?"}/s; ${a.chained} of ${a.auditRows} rows chained; ` : ""}audit:verify exit ${a.verifyExitCode}`,
      "exit 0",
      a.verifyExitCode === 0 &&
      (!a.sequenced || (a.secondsToCatchUp !== null && a.sealRatePerSecond !== null && a.chained === a.auditRows))
        ? "PASS"
        : "MISS",
    ]);
    for (const a of inst.append)
      rows.push([
        `    audit append alone, ${a.connections} conn., ${a.mode === "lock" ? "chain lock" : "insert only"}`,
        `${a.perSecond}/s, p50 ${a.latencyMs.p50} ms, p99 ${a.latencyMs.p99} ms`,
        "",
        a.rowsInTable === a.appends && a.chainIntact !== false ? "" : "CHECK",
      ]);
  }
  console.log(`\n${table(rows)}\n`);
  for (const n of notes) console.log(`note: ${n}`);
}

function burstRows(rows: string[][], b: BurstResult | undefined, rem: ReminderBenchResult | undefined): void {
  if (!b) return;
  const lat = (r: LoadResult) => `${r.rps} views/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`;
  const alone = rem?.runs.find((r) => r.workers === b.workers && !r.gatewayLatencyMs);
  rows.push([
    `(burst) ${b.sms.sent.toLocaleString("en")} of ${b.count.toLocaleString("en")} reminders, ${b.workers} workers, under load`,
    `${b.sms.rate} SMS/s${alone ? ` (without page load: ${alone.rate} SMS/s)` : ""}; CPU/SMS ${b.sms.cpu.workerMsPerSms ?? "?"} / ${b.sms.cpu.postgresMsPerSms ?? "?"} ms workers / Postgres`,
    "all sent",
    b.pass.allSent ? "PASS" : "MISS",
  ]);
  rows.push([`    page alone, ${b.pageConnections} connections`, lat(b.pageAlone), "", ""]);
  rows.push([
    `    page during the burst (${b.loadSeconds} s)`,
    `${lat(b.page)}, ${b.page.ok}/${b.page.requests} ok`,
    "",
    "",
  ]);
  rows.push([
    `    link opens, ${b.linkConnections} connections`,
    `${b.links.opensPerSecond} opens/s (${b.links.ok} of ${b.links.linksSeen} links seen), /l/ p50 ${b.links.linkMs.p50} ms, p99 ${b.links.linkMs.p99} ms; with the login page p99 ${b.links.openMs.p99} ms`,
    "",
    "",
  ]);
  rows.push([
    "    errors (page, links)",
    `${b.page.requests - b.page.ok}, ${b.links.wrongAnswer + b.links.errors}`,
    "0",
    b.pass.noErrors ? "PASS" : "MISS",
  ]);
  rows.push([
    "    sent twice (simulator: repeated key)",
    `${b.sms.gatewaySide?.duplicates ?? "?"} (max attempts ${b.sms.maxAttempts})`,
    "0",
    b.pass.noDuplicates ? "PASS" : "MISS",
  ]);
}

function growthRows(rows: string[][], g: GrowthResult | undefined): void {
  if (!g) return;
  for (const p of g.points)
    rows.push([
      `(growth) ${Math.round(p.share * 1000) / 10} %: ${p.data.appointments.toLocaleString("en")} appointments`,
      `page ${p.page.rps} views/s, p99 ${p.page.latencyMs.p99} ms, ${p.page.serverCpuMsPerRequest ?? "?"} ms CPU/view; ${p.reminders.sent.toLocaleString("en")} SMS at ${p.reminders.rate} SMS/s, ${p.reminders.workerMsPerSms ?? "?"} + ${p.reminders.postgresMsPerSms ?? "?"} ms CPU/SMS (worker + Postgres)`,
      "",
      "",
    ]);
  // One row per flatness figure: smallest → largest size, and the ratio judged against ×1.25.
  const flatRow = (label: string, f: GrowthResult["flat"]["pageCpu"], unit: string) =>
    rows.push([
      `    ${label}, smallest → largest`,
      `${f.smallest ?? "?"} → ${f.largest ?? "?"}${unit} (${f.ratio === null ? "?" : `×${f.ratio}`})`,
      "≤ ×1.25",
      f.met ? "PASS" : "MISS",
    ]);
  flatRow("CPU per page view", g.flat.pageCpu, " ms");
  flatRow("CPU per SMS", g.flat.smsCpu, " ms");
  flatRow("buffers, page's 3 statements", g.flat.pageBuffers, "");
  flatRow("buffers, claim's read of a batch", g.flat.claimBuffers, "");
  rows.push([
    "    Seq Scans on big tables (page, claim)",
    g.seqScans.length ? g.seqScans.join("; ") : "none",
    "none",
    g.seqScans.length ? "MISS" : "PASS",
  ]);
  rows.push([
    "    every answer and SMS checked",
    g.pass.allOk ? "all ok" : "problems (see JSON)",
    "",
    g.pass.allOk ? "PASS" : "MISS",
  ]);
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`\nbenchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  results.error = error instanceof Error ? error.message : String(error);
} finally {
  await cleanup();
}
loadNote();
results.notes = notes;
results.seconds = Math.round((Date.now() - t0) / 1000);
try {
  results.git = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: repo }).toString().trim();
} catch {
  // not a git checkout
}
mkdirSync(path.join(repo, "bench", "results"), { recursive: true });
writeFileSync(path.join(repo, "bench", "results", "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
report();
log(`results written to bench/results/latest.json (${results.seconds} s in all)`);
process.exit(failed ? 1 : 0);
