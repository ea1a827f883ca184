// Growth (issue 16, item 5): the page and a reminder run at several sizes of the same region
// (default 10 %, 30 % and 100 % of the bench data). The cost per request must stay flat: the right
// indexes, no scan that grows with the tables.
//
// Each size below 100 % gets its own database, filled by the same fillDatabase (shares of the
// patients and free slots; ten visits each), with its own bench patient; 100 % is the run's main
// database when growth runs alone, else a fresh one too. Per size: the app server on its own port, the page view (bench/lib/page-view.ts) after a
// warm-up for one round, with the server's CPU time per view; EXPLAIN (ANALYZE, BUFFERS) of the
// page's statements; then `reminders` reminders queued, EXPLAIN of the worker's claim with the
// queue full, and one worker sending them, with CPU per SMS (worker, Postgres). "Flat": the CPU
// per page view and per SMS, and the buffers the statements touch, at the largest size within 25 %
// of the smallest.
import postgres from "postgres";
import type { PiiKeys } from "@/lib/privacy/crypto";
import { startAppServer } from "./lib/app-server";
import {
  createBenchDatabase,
  createBenchPatient,
  dropBenchDatabase,
  fillDatabase,
  migrateWithSnapshot,
  type BenchDatabase,
  type BenchPatient,
  type FillResult,
} from "./lib/data";
import { startJsonChild } from "./lib/json-child";
import { pageViewSteps } from "./lib/page-view";
import { claimPlans, pagePlans, type PlanCheck } from "./lib/plans";
import { groupCpuSeconds, stopChild } from "./lib/proc";
import type { LoadConfig, LoadResult } from "./load";
import { makeReminderPatients, queueReminders, resetSmsSimulator, sendReminders, startSmsSimulator } from "./reminders";

export interface GrowthOptions {
  repo: string;
  appDir: string;
  pgUrl: string;
  main: { url: string; patient: BenchPatient; fill: FillResult };
  /**
   * Earlier phases wrote to the main database (300 000 reminders sent and deleted, audit rows, the
   * contention's patients): the 100 % point then gets a fresh database of its own, filled like the
   * smaller ones, so all sizes start alike (on the used one, dead rows and a colder cache made the
   * reminder run look 40–80 % dearer per SMS).
   */
  mainUsed: boolean;
  /** Shares of the full data, ascending; 1 is the main database unless `mainUsed`. */
  shares: number[];
  patients: number;
  perPatient: number;
  freeSlots: number;
  keys: PiiKeys;
  appPort: number;
  smsPort: number;
  reminders: number;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  concurrency: number;
  batchSize: number;
  log: (s: string) => void;
  /** Databases made here, for the run's cleanup should it be interrupted. */
  track: (db: BenchDatabase | undefined) => void;
}

export interface GrowthPoint {
  share: number;
  data: { patients: number; appointments: number; slots: number; fillSeconds: number | null };
  page: LoadResult & { serverCpuMsPerRequest: number | null };
  reminders: {
    sent: number;
    of: number;
    rate: number;
    workerMsPerSms: number | null;
    postgresMsPerSms: number | null;
    /** Worker and Postgres together. */
    msPerSms: number | null;
    duplicates: number | null;
  };
  plans: PlanCheck[];
}

export interface GrowthResult {
  points: GrowthPoint[];
  /** Largest size against the smallest: CPU per page view, per SMS (worker + Postgres). */
  flat: {
    pageCpu: { smallest: number | null; largest: number | null; ratio: number | null; met: boolean };
    smsCpu: { smallest: number | null; largest: number | null; ratio: number | null; met: boolean };
    /**
     * Shared buffers (hit + read) the page's three statements touch together, and the claim's
     * read of a batch (EXPLAIN ANALYZE, BUFFERS): the database work per request, which does not
     * pay for cache misses or a busy core as CPU time does.
     */
    pageBuffers: { smallest: number | null; largest: number | null; ratio: number | null; met: boolean };
    claimBuffers: { smallest: number | null; largest: number | null; ratio: number | null; met: boolean };
    maxRatio: number;
  };
  /** "size: statement: table" for every Seq Scan on a big table (none expected). */
  seqScans: string[];
  pass: { allOk: boolean };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Buffers (hit + read) of the point's statements whose name is picked; null if a plan lacks them. */
const buffersOf = (picked: (name: string) => boolean) => (p: GrowthPoint) => {
  const plans = p.plans.filter((pl) => picked(pl.name));
  if (plans.length === 0 || plans.some((pl) => pl.buffers === null)) return null;
  return plans.reduce((sum, pl) => sum + pl.buffers!.hit + pl.buffers!.read, 0);
};

export async function runGrowthBench(o: GrowthOptions): Promise<GrowthResult> {
  const smsUrl = `http://127.0.0.1:${o.smsPort}`;
  const sim = await startSmsSimulator(o.appDir, o.smsPort);
  const points: GrowthPoint[] = [];
  // The same number of reminders at every size: no more than the smallest size has patients with
  // an upcoming visit (about 95 % of them; 90 % to be safe).
  const reminders = Math.min(o.reminders, Math.floor(o.patients * o.shares[0]! * 0.9));
  try {
    for (const share of o.shares) points.push(await measureAt({ ...o, reminders }, share, sim, smsUrl));
  } finally {
    await stopChild(sim);
  }
  const flatOf = (f: (p: GrowthPoint) => number | null) => {
    const smallest = f(points[0]!);
    const largest = f(points.at(-1)!);
    const ratio = smallest !== null && largest !== null && smallest > 0 ? round(largest / smallest, 3) : null;
    return { smallest, largest, ratio, met: ratio !== null && ratio <= 1.25 && points.length > 1 };
  };
  const seqScans = points.flatMap((p) =>
    p.plans.flatMap((pl) => pl.seqScans.map((t) => `${p.share * 100} %: ${pl.name}: ${t}`)),
  );
  return {
    points,
    flat: {
      pageCpu: flatOf((p) => p.page.serverCpuMsPerRequest),
      smsCpu: flatOf((p) => p.reminders.msPerSms),
      pageBuffers: flatOf(buffersOf((name) => name.startsWith("page:"))),
      claimBuffers: flatOf(buffersOf((name) => name === "claim: due")),
      maxRatio: 1.25,
    },
    seqScans,
    pass: {
      allOk: points.every(
        (p) =>
          p.page.ok === p.page.requests &&
          p.page.ok > 0 &&
          p.reminders.sent === p.reminders.of &&
          p.reminders.duplicates === 0,
      ),
    },
  };
}

async function measureAt(
  o: GrowthOptions,
  share: number,
  sim: Parameters<typeof sendReminders>[0]["sim"],
  smsUrl: string,
): Promise<GrowthPoint> {
  const pct = `${round(share * 100, 1)} %`;
  let db: BenchDatabase | undefined;
  let url = o.main.url;
  let patient = o.main.patient;
  let fill: FillResult = o.main.fill;
  let fillSeconds: number | null = null;
  try {
    if (share < 1 || o.mainUsed) {
      db = await createBenchDatabase(o.pgUrl);
      o.track(db);
      url = db.url;
      o.log(`growth ${pct}: database ${db.name}, filling …`);
      migrateWithSnapshot(o.appDir, url);
      fill = await fillDatabase(url, {
        patients: Math.max(1, Math.round(o.patients * share)),
        perPatient: o.perPatient,
        freeSlots: Math.max(1, Math.round(o.freeSlots * share)),
        log: () => {},
      });
      fillSeconds = round(fill.seconds, 1);
      patient = await createBenchPatient(url);
    }
    o.log(`growth ${pct}: ${fill.appointments.toLocaleString("en")} appointments; the page …`);

    const app = await startAppServer("growth-app", o.appDir, o.appPort, url, patient);
    let page: GrowthPoint["page"];
    try {
      const load = (seconds: number): LoadConfig => ({
        steps: pageViewSteps(`http://127.0.0.1:${o.appPort}`),
        connections: o.connections,
        durationMs: seconds * 1000,
        headers: { cookie: patient.cookie, "user-agent": "vardtid-bench" },
      });
      await startJsonChild<LoadResult>(o.repo, "growth-warmup", "load.ts", load(o.warmupSeconds)).result();
      const before = groupCpuSeconds(app.proc.pid!);
      const res = await startJsonChild<LoadResult>(o.repo, "growth-page", "load.ts", load(o.seconds)).result();
      const after = groupCpuSeconds(app.proc.pid!);
      page = {
        ...res,
        serverCpuMsPerRequest:
          before !== null && after !== null && res.ok > 0 ? round(((after - before) / res.ok) * 1000, 1) : null,
      };
    } finally {
      await stopChild(app);
    }
    const plans = await pagePlans(url, patient.patientId, patient.sessionId);

    const count = await makeReminderPatients(url, o.reminders, o.keys);
    const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
    let run;
    try {
      await queueReminders(sql);
      plans.push(...(await claimPlans(url, o.batchSize)));
      await resetSmsSimulator(smsUrl);
      run = await sendReminders({
        appDir: o.appDir,
        dbUrl: url,
        workers: 1,
        count,
        smsUrl,
        sim,
        sql,
        concurrency: o.concurrency,
        batchSize: o.batchSize,
        timeoutSeconds: 300,
        pollMs: 250,
        log: () => {},
      });
    } finally {
      await sql.end({ timeout: 5 });
    }
    // CPU from the first SMS on: the worker's start (tsx compiling it) is a fixed cost that would
    // make the smaller runs look dearer per SMS.
    const workerMsPerSms = run.cpu.afterStart?.workerMsPerSms ?? null;
    const postgresMsPerSms = run.cpu.afterStart?.postgresMsPerSms ?? null;
    const point: GrowthPoint = {
      share,
      data: { patients: fill.patients, appointments: fill.appointments, slots: fill.slots, fillSeconds },
      page,
      reminders: {
        sent: run.sent,
        of: count,
        rate: run.rate,
        workerMsPerSms,
        postgresMsPerSms,
        msPerSms:
          workerMsPerSms !== null && postgresMsPerSms !== null ? round(workerMsPerSms + postgresMsPerSms, 3) : null,
        duplicates: run.gatewaySide?.duplicates ?? null,
      },
      plans,
    };
    const scans = plans.flatMap((p) => p.seqScans.map((t) => `${p.name}: ${t}`));
    o.log(
      `growth ${pct}: page ${page.rps} views/s, p99 ${page.latencyMs.p99} ms, ${page.serverCpuMsPerRequest} ms CPU/view (${page.ok}/${page.requests} ok); ${run.sent}/${count} SMS at ${run.rate} SMS/s, ${workerMsPerSms} + ${postgresMsPerSms} ms CPU/SMS; seq scans on big tables: ${scans.length ? scans.join(", ") : "none"}`,
    );
    return point;
  } finally {
    if (db) {
      await dropBenchDatabase(o.pgUrl, db.name);
      o.track(undefined);
    }
  }
}
