// The 08:00 burst (issue 16, item 3): N reminders due at once, sent by worker processes, while
// logged-in patients load their page and recipients open the links of the texts already sent.
//
// The app (`next start`) is already running against the bench database. First the page alone is
// measured on it (warm-up, one round: the baseline of the same server, just before). Then N
// reminders are queued and the workers started with the app's address as the link base; as soon
// as the first SMS is sent, two load processes start: the page view on `pageConnections`
// connections (bench/lib/page-view.ts), and bench/link-opener.ts, which opens each sent text's
// /l/<token> link (redirect to the login page for that link, then the login page) on
// `linkConnections` connections. Both stop when the last reminder is sent, so their rates and
// latencies are during the burst only. Everything is checked: every page answer (status, marker),
// every link (the login redirect for its own token), every reminder sent exactly once.
import postgres from "postgres";
import type { PiiKeys } from "@/lib/privacy/crypto";
import { startJsonChild, type JsonChild } from "./lib/json-child";
import { pageViewSteps } from "./lib/page-view";
import { groupCpuSeconds, stopChild, type Child } from "./lib/proc";
import type { LinkOpenResult } from "./link-opener";
import type { LoadConfig, LoadResult } from "./load";
import {
  makeReminderPatients,
  queueReminders,
  resetSmsSimulator,
  sendReminders,
  startSmsSimulator,
  type SendRun,
} from "./reminders";

export interface BurstOptions {
  repo: string;
  appDir: string;
  dbUrl: string;
  keys: PiiKeys;
  app: Child;
  appBase: string;
  cookie: string;
  count: number;
  workers: number;
  smsPort: number;
  concurrency: number;
  batchSize: number;
  timeoutSeconds: number;
  pageConnections: number;
  linkConnections: number;
  warmupSeconds: number;
  baselineSeconds: number;
  log: (s: string) => void;
}

export interface BurstResult {
  count: number;
  workers: number;
  pageConnections: number;
  linkConnections: number;
  /** The page alone on the same server just before the burst. */
  pageAlone: LoadResult;
  /** During the burst: from the first SMS sent to the last. */
  page: LoadResult;
  links: LinkOpenResult;
  sms: Omit<SendRun, "memory"> & { maxRssMiB: number | null };
  /** Seconds the page load and the link opener ran (inside the sending). */
  loadSeconds: number;
  /** The app server's CPU time during the burst per answered page view or link open (link + login page). */
  appCpuMsPerRequest: number | null;
  pass: { allSent: boolean; noErrors: boolean; noDuplicates: boolean };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

export async function runBurstBench(o: BurstOptions): Promise<BurstResult> {
  const steps = pageViewSteps(o.appBase);
  const load = (durationMs: number): LoadConfig => ({
    steps,
    connections: o.pageConnections,
    durationMs,
    headers: { cookie: o.cookie, "user-agent": "vardtid-bench" },
  });
  o.log(`burst: the page alone first (warm-up ${o.warmupSeconds} s, ${o.baselineSeconds} s) …`);
  await startJsonChild<LoadResult>(o.repo, "burst-warmup", "load.ts", load(o.warmupSeconds * 1000)).result();
  const pageAlone = await startJsonChild<LoadResult>(
    o.repo,
    "burst-baseline",
    "load.ts",
    load(o.baselineSeconds * 1000),
  ).result();
  o.log(
    `burst: page alone ${pageAlone.rps} views/s, p50 ${pageAlone.latencyMs.p50} ms, p99 ${pageAlone.latencyMs.p99} ms`,
  );

  const count = await makeReminderPatients(o.dbUrl, o.count, o.keys);
  const smsUrl = `http://127.0.0.1:${o.smsPort}`;
  const sim = await startSmsSimulator(o.appDir, o.smsPort);
  const sql = postgres(o.dbUrl, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  let pageLoad: JsonChild<LoadResult> | undefined;
  let opener: JsonChild<LinkOpenResult> | undefined;
  let loadStarted = 0;
  let cpuBefore: number | null = null;
  try {
    await queueReminders(sql);
    await resetSmsSimulator(smsUrl);
    o.log(
      `burst: ${count.toLocaleString("en")} reminders due; ${o.workers} worker(s), page and link load from the first SMS …`,
    );
    const sms = await sendReminders({
      appDir: o.appDir,
      dbUrl: o.dbUrl,
      workers: o.workers,
      count,
      smsUrl,
      sim,
      sql,
      concurrency: o.concurrency,
      batchSize: o.batchSize,
      timeoutSeconds: o.timeoutSeconds,
      log: o.log,
      publicBaseUrl: o.appBase,
      pollMs: 250,
      onProgress: (sent) => {
        if (sent === 0 || pageLoad) return;
        loadStarted = performance.now();
        cpuBefore = groupCpuSeconds(o.app.proc.pid!);
        // Open-ended (an hour at most): stopped when the last reminder is sent.
        pageLoad = startJsonChild(o.repo, "burst-page", "load.ts", { ...load(3_600_000), keepSamples: false });
        opener = startJsonChild(o.repo, "burst-links", "link-opener.ts", {
          smsUrl,
          appBase: o.appBase,
          connections: o.linkConnections,
        });
      },
    });
    if (!pageLoad || !opener) throw new Error("burst: no reminder was sent, so no load was started");
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const [page, links] = await Promise.all([pageLoad.stop(), opener.stop()]);
    const cpuAfter = groupCpuSeconds(o.app.proc.pid!);
    const answered = page.ok + links.ok;
    const appCpuMsPerRequest =
      cpuBefore !== null && cpuAfter !== null && answered > 0
        ? round(((cpuAfter - cpuBefore) / answered) * 1000, 1)
        : null;
    const { memory, ...rest } = sms;
    const pageBad = page.requests - page.ok;
    const linkBad = links.wrongAnswer + links.errors;
    o.log(
      `burst: ${sms.sent.toLocaleString("en")} sent at ${sms.rate} SMS/s; page ${page.rps} views/s, p50 ${page.latencyMs.p50} ms, p99 ${page.latencyMs.p99} ms (${pageBad} bad); links ${links.opensPerSecond} opens/s, p99 ${links.linkMs.p99} ms (${links.ok} of ${links.linksSeen} seen, ${linkBad} bad)`,
    );
    if (pageBad || linkBad)
      o.log(`burst: first problem: page ${page.firstProblem ?? "none"}; links ${links.firstProblem ?? "none"}`);
    return {
      count,
      workers: o.workers,
      pageConnections: o.pageConnections,
      linkConnections: o.linkConnections,
      pageAlone,
      page,
      links,
      sms: { ...rest, maxRssMiB: memory.samples.length ? Math.max(...memory.samples.flatMap((s) => s.rssMiB)) : null },
      loadSeconds: round(loadSeconds, 1),
      appCpuMsPerRequest,
      pass: {
        allSent: sms.sent === count && !sms.timedOut,
        noErrors: pageBad === 0 && page.errors === 0 && linkBad === 0 && links.ok > 0,
        noDuplicates: sms.gatewaySide?.duplicates === 0,
      },
    };
  } finally {
    // On a failure: nothing keeps running into the next phase.
    await Promise.all([pageLoad?.stop().catch(() => null), opener?.stop().catch(() => null)]);
    await sql.end({ timeout: 5 });
    await stopChild(sim);
  }
}
