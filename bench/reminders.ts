// Target (c): due SMS reminders sent by the real worker (worker/main.ts, `npm run worker`) at
// ≥ 70 % of the SMS gateway's own rate, with flat memory and no SMS sent twice, by one worker
// process and by two side by side (the production shape: any number share the queue).
//
// The gateway is the 46elks simulator (simulators/sms). Its "own rate" is measured first: the
// app's ElksGateway adapter sending straight to it, no database involved, with as many sends in
// flight as the workers of a run have together (--concurrency each: 16 for one worker, 32 for
// two). Then, per run, N reminders are made due (messages rows, status queued, as
// lib/reminders/sync.ts writes them, for booked visits of patients with a verified phone and SMS
// consent; the previous run's rows and links are deleted first) and the workers are started
// against the benchmark database; the rate is N over the span of their sent_at times. Each
// worker's resident memory is sampled from /proc while it works; the CPU time of the workers, of
// Postgres and of the simulator is read from /proc before and after. Duplicates are counted by
// the simulator (a repeated Idempotency-Key). Delivery reports are held back (simulator delays of
// one hour) so the measurement is the send path only; the report path is the app's, not the worker's.
import { randomBytes } from "node:crypto";
import path from "node:path";
import postgres from "postgres";
import { encryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { ElksGateway } from "@/lib/sms/elks";
import { reminderText } from "@/lib/sms/reminder-text";
import { commCpuSeconds, groupCpuSeconds, rssBytes, startChild, stopChild, waitFor, type Child } from "./lib/proc";

export interface ReminderBenchOptions {
  appDir: string;
  dbUrl: string;
  keys: PiiKeys;
  count: number;
  smsPort: number;
  concurrency: number;
  batchSize: number;
  timeoutSeconds: number;
  /** Worker processes per run, one run each (default [1, 2]). */
  workers: number[];
  /**
   * A further run with the simulator answering each send after this many ms, as a gateway across a
   * network does (0 = none): the gateway's own rate and the workers' are then both measured with it.
   */
  gatewayLatencyMs: number;
  log: (s: string) => void;
}

export interface GatewayRate {
  sends: number;
  seconds: number;
  rate: number;
  concurrency: number;
  /** The simulator's answer delay while measured (ms). */
  latencyMs: number;
}

export interface RssFigures {
  at10: number | null;
  at50: number | null;
  at90: number | null;
  max: number | null;
}

export interface WorkerRun {
  workers: number;
  flags: string;
  sent: number;
  otherStatuses: Record<string, number>;
  maxAttempts: number;
  wallSeconds: number;
  sendSpanSeconds: number;
  rate: number;
  timedOut: boolean;
  /** The gateway's own rate at the same number of sends in flight, and the run's share of it. */
  gatewayRate: number;
  /** How long the simulator waited before answering each send (0: at once, localhost). */
  gatewayLatencyMs: number;
  gatewayConcurrency: number;
  ratio: number;
  /** CPU time per SMS sent: the workers together, Postgres (all its processes), the simulator. */
  cpu: {
    workerSeconds: number | null;
    workerMsPerSms: number | null;
    postgresMsPerSms: number | null;
    simulatorMsPerSms: number | null;
    /**
     * Workers and Postgres from the first read that found SMS sent to the end, over the SMS sent
     * in between: without the workers' start (tsx compiling them: a fixed cost that weighs on
     * small runs).
     */
    afterStart: { sent: number; workerMsPerSms: number | null; postgresMsPerSms: number | null } | null;
  };
  /** What the simulator received: messages stored, and sends that repeated a key (0 expected). */
  gatewaySide: { messages: number; duplicates: number } | null;
  memory: {
    perWorker: { rssMiB: RssFigures; growthMiB10to90: number | null }[];
    /** The largest growth of any worker between 10 % and 90 % of the messages sent. */
    growthMiB10to90: number | null;
    samples: { t: number; sent: number; rssMiB: number[] }[];
  };
}

/** A run as the workers did it, without the comparison with the gateway (burst and growth use it). */
export type SendRun = Omit<WorkerRun, "gatewayRate" | "gatewayLatencyMs" | "gatewayConcurrency" | "ratio">;

export interface SendOptions {
  appDir: string;
  dbUrl: string;
  workers: number;
  count: number;
  smsUrl: string;
  sim: Child;
  sql: postgres.Sql;
  concurrency: number;
  batchSize: number;
  timeoutSeconds: number;
  log: (s: string) => void;
  /** The base of the links in the texts (default http://127.0.0.1:3601: nothing opens them). */
  publicBaseUrl?: string;
  /** How often the sent count is read (default 1000 ms). */
  pollMs?: number;
  /** Called with the sent count after every read. */
  onProgress?: (sent: number) => void;
}

export interface ReminderBenchResult {
  count: number;
  prepareSeconds: number;
  gateway: GatewayRate[];
  runs: WorkerRun[];
}

const mib = (b: number | null) => (b === null ? null : Math.round((b / 1048576) * 10) / 10);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Picks N upcoming booked visits of N distinct patients (kept in bench_reminder_visits) and gives
 * those patients a verified phone (real ciphertext) and SMS consent.
 */
export async function makeReminderPatients(url: string, count: number, keys: PiiKeys): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    await sql.unsafe(`
      drop table if exists bench_reminder_visits;
      create table bench_reminder_visits as
      select distinct on (a.patient_id) a.id as appointment_id, a.patient_id, s.starts_at
      from appointments a join slots s on s.id = a.slot_id
      where a.status = 'booked' and s.starts_at > now() + interval '2 hours'
      order by a.patient_id, s.starts_at
      limit ${count}`);
    const patients = await sql<{ patient_id: string }[]>`select patient_id from bench_reminder_visits`;
    // Real ciphertext for the phone numbers the worker decrypts (fictional range +46701740605–99).
    for (let i = 0; i < patients.length; i += 10_000) {
      const chunk = patients.slice(i, i + 10_000);
      const ids = chunk.map((p) => p.patient_id);
      const phones = chunk.map((_, j) => encryptPii(`+467017406${String(5 + ((i + j) % 95)).padStart(2, "0")}`, keys));
      await sql`update patients p set phone_enc = v.enc, phone_verified_at = now() from unnest(${ids}::uuid[], ${phones}::text[]) v(id, enc) where p.id = v.id`;
    }
    await sql.unsafe(`
      insert into notification_preferences (patient_id, sms_enabled, sms_consent_at)
      select patient_id, true, now() from bench_reminder_visits
      on conflict (patient_id) do update set sms_enabled = true, sms_consent_at = now();
      analyze notification_preferences;`);
    return patients.length;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** One due reminder per picked visit (a `messages` row, queued a minute ago); earlier runs' rows and links go first. */
export function afterStart(
  first: { sent: number; worker: number | null; pg: number | null },
  sentCount: number,
  workerCpu: number | null,
  pgCpu: number | null,
): NonNullable<WorkerRun["cpu"]["afterStart"]> {
  const n = sentCount - first.sent;
  const ms = (a: number | null, b: number | null) => (a !== null && b !== null ? round(((b - a) / n) * 1000, 3) : null);
  return { sent: n, workerMsPerSms: ms(first.worker, workerCpu), postgresMsPerSms: ms(first.pg, pgCpu) };
}

export async function queueReminders(sql: postgres.Sql): Promise<void> {
  // Fresh statistics first: deep_links was analysed while still empty, and with that estimate the
  // planner joins 100 000 links against 100 000 visits in a nested loop (it ran for hours once).
  await sql.unsafe(`analyze deep_links; analyze messages; analyze bench_reminder_visits;`);
  await sql.unsafe(`
    delete from deep_links where purpose = 'appointment'
      and appointment_id in (select appointment_id from bench_reminder_visits);
    delete from messages where purpose = 'reminder';
    insert into messages (patient_id, appointment_id, channel, purpose, idempotency_key, status, due_at)
    select patient_id, appointment_id, 'sms', 'reminder',
           'reminder:' || appointment_id || ':d1:' || to_char(starts_at at time zone 'UTC', 'YYYYMMDD"T"HH24MI') || 'Z:sms',
           'queued', now() - interval '1 minute'
    from bench_reminder_visits`);
  // Every run starts from the same table state (no dead rows of the run before).
  await sql.unsafe(`vacuum analyze messages`);
  await sql.unsafe(`vacuum analyze deep_links`);
}

/** The gateway's own rate: the adapter straight to the simulator, `concurrency` sends in flight. */
async function gatewayRate(
  baseUrl: string,
  sends: number,
  concurrency: number,
  latencyMs: number,
): Promise<GatewayRate> {
  const gateway = new ElksGateway({ baseUrl, username: "demo", password: "demo" });
  // A text like the worker's: same template, an opaque link of the same length.
  const text = reminderText({
    lang: "sv",
    startsAt: new Date(Date.now() + 3 * 86_400_000),
    timeZone: "Europe/Stockholm",
    clinicSmsName: "Vårdcentralen Bench 7",
    link: `http://127.0.0.1:3601/l/${randomBytes(24).toString("base64url")}`,
    offersChange: true,
  });
  const run = async (n: number, tag: string) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          await gateway.send({
            idempotencyKey: `bench:${tag}:${i}`,
            from: "Vardtid",
            to: `+467017406${String(5 + (i % 95)).padStart(2, "0")}`,
            text,
            callbackUrl: `http://127.0.0.1:3601/api/sms/delivery?secret=demo-only-sms-webhook-secret&m=${randomBytes(16).toString("hex")}`,
          });
        }
      }),
    );
  };
  await run(Math.min(1000, sends), `warmup-${Date.now()}`);
  const started = performance.now();
  await run(sends, `rate-${Date.now()}`);
  const seconds = (performance.now() - started) / 1000;
  return { sends, seconds: round(seconds, 2), rate: round(sends / seconds, 1), concurrency, latencyMs };
}

export async function runReminderBench(o: ReminderBenchOptions): Promise<ReminderBenchResult> {
  const prepStarted = Date.now();
  const count = await makeReminderPatients(o.dbUrl, o.count, o.keys);
  const prepareSeconds = (Date.now() - prepStarted) / 1000;
  o.log(`reminders: ${count.toLocaleString("en")} visits with a phone and consent (${prepareSeconds.toFixed(1)} s)`);

  const smsUrl = `http://127.0.0.1:${o.smsPort}`;
  const sim = await startSmsSimulator(o.appDir, o.smsPort);
  const sql = postgres(o.dbUrl, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  // Every reset clears the simulator's faults; the answer delay is set again after each.
  const reset = async (latencyMs: number) => {
    await resetSmsSimulator(smsUrl);
    if (latencyMs > 0) await setSmsSimulatorFaults(smsUrl, { delayMs: latencyMs });
  };
  try {
    const gwSends = Math.min(o.count, 20_000);
    // The runs as configured on a simulator that answers at once, then (where asked) the largest
    // worker count again with the answer delay.
    const plan = o.workers.map((workers) => ({ workers, latencyMs: 0 }));
    if (o.gatewayLatencyMs > 0) plan.push({ workers: Math.max(...o.workers), latencyMs: o.gatewayLatencyMs });
    const gateway: GatewayRate[] = [];
    const wanted = new Map(plan.map((p) => [`${p.workers * o.concurrency}:${p.latencyMs}`, p]));
    for (const { workers, latencyMs } of [...wanted.values()].sort(
      (a, b) => a.latencyMs - b.latencyMs || a.workers - b.workers,
    )) {
      const inFlight = workers * o.concurrency;
      // With a delay the sends take longer: as many as take a few seconds at that pace.
      const sends = latencyMs > 0 ? Math.min(gwSends, Math.ceil((inFlight * 10_000) / latencyMs)) : gwSends;
      await reset(latencyMs);
      o.log(
        `reminders: gateway's own rate (${sends.toLocaleString("en")} sends, ${inFlight} in flight, answers after ${latencyMs} ms) …`,
      );
      gateway.push(await gatewayRate(smsUrl, sends, inFlight, latencyMs));
      o.log(`reminders: gateway ${gateway.at(-1)!.rate} SMS/s at ${inFlight} in flight, answers after ${latencyMs} ms`);
    }
    const runs: WorkerRun[] = [];
    for (const { workers, latencyMs } of plan) {
      await queueReminders(sql);
      await reset(latencyMs);
      const gw = gateway.find((g) => g.concurrency === workers * o.concurrency && g.latencyMs === latencyMs)!;
      o.log(
        `reminders: ${count.toLocaleString("en")} due; starting ${workers} worker(s), gateway answers after ${latencyMs} ms …`,
      );
      const done = await sendReminders({ ...o, workers, count, smsUrl, sim, sql });
      const run: WorkerRun = {
        ...done,
        gatewayRate: gw.rate,
        gatewayLatencyMs: latencyMs,
        gatewayConcurrency: gw.concurrency,
        ratio: round(done.rate / gw.rate, 3),
      };
      runs.push(run);
      o.log(
        `reminders: ${workers} worker(s), answers after ${latencyMs} ms: ${run.sent.toLocaleString("en")} sent at ${run.rate} SMS/s = ${(run.ratio * 100).toFixed(1)} % of the gateway at ${gw.concurrency} in flight; CPU per SMS ${run.cpu.workerMsPerSms} ms workers, ${run.cpu.postgresMsPerSms} ms Postgres, ${run.cpu.simulatorMsPerSms} ms simulator; ${run.gatewaySide?.duplicates ?? "?"} duplicates`,
      );
    }
    return { count, prepareSeconds, gateway, runs };
  } finally {
    await sql.end({ timeout: 5 });
    await stopChild(sim);
  }
}

/**
 * The SMS simulator of the app snapshot, delivery reports held back an hour (the measurement is the
 * send path only), once it answers.
 */
export async function startSmsSimulator(appDir: string, port: number): Promise<Child> {
  const sim = startChild("sms-simulator", process.execPath, ["--import", "tsx", "simulators/sms/main.ts"], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      VARDTID_MODE: "demo",
      SMS_SIM_PORT: String(port),
      SMS_SIM_DLR_SENT_DELAY_MS: "3600000",
      SMS_SIM_DLR_DELIVERED_DELAY_MS: "3600000",
    },
    quiet: true,
  });
  await waitFor(
    "the SMS simulator",
    async () => (await fetch(`http://127.0.0.1:${port}/__simulator/messages?to=%2B46701740605`)).ok,
    { timeoutMs: 30_000, child: sim },
  );
  return sim;
}

/** Sets the simulator's whole fault set (its control API), e.g. an answer delay. */
export async function setSmsSimulatorFaults(smsUrl: string, faults: { delayMs?: number }): Promise<void> {
  const res = await fetch(`${smsUrl}/__simulator/faults`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(faults),
  });
  if (!res.ok) throw new Error(`SMS simulator faults: status ${res.status}`);
}

export async function resetSmsSimulator(smsUrl: string): Promise<void> {
  const res = await fetch(`${smsUrl}/__simulator/reset`, { method: "POST" });
  if (!res.ok) throw new Error(`SMS simulator reset: status ${res.status}`);
}

/**
 * Starts `workers` worker processes on the queued reminders and waits until `count` are sent (or
 * no progress for 60 s, or the time limit); CPU, memory and what the simulator received.
 */
export async function sendReminders(r: SendOptions): Promise<SendRun> {
  const { count, sql } = r;
  const o = r;
  const flags = ["--poll-ms", "200", "--batch-size", String(o.batchSize), "--concurrency", String(o.concurrency)];
  // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const pgCpuBefore = commCpuSeconds("postgres");
  const simCpuBefore = groupCpuSeconds(r.sim.proc.pid!);
  const started = performance.now();
  const procs = Array.from({ length: r.workers }, (_, i) =>
    startChild(
      `worker-${i + 1}`,
      process.execPath,
      [...nodeArgs, "--import", "tsx", path.join("worker", "main.ts"), ...flags],
      {
        cwd: o.appDir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: "production",
          VARDTID_MODE: "demo",
          DATABASE_URL: o.dbUrl,
          SMS_BASE_URL: r.smsUrl,
          PUBLIC_BASE_URL: r.publicBaseUrl ?? "http://127.0.0.1:3601",
          RUN_WORKER_IN_APP: "false",
        },
        quiet: true,
      },
    ),
  );
  const samples: { t: number; sent: number; rssMiB: number[] }[] = [];
  let sent = 0;
  let lastProgress = performance.now();
  let lastCount = 0;
  let timedOut = false;
  const cpu: (number | null)[] = procs.map(() => null);
  let pgCpuAfter: number | null = null;
  let simCpuAfter: number | null = null;
  let first: { sent: number; worker: number | null; pg: number | null } | undefined;
  try {
    while (sent < count) {
      await new Promise((res) => setTimeout(res, r.pollMs ?? 1000));
      for (const w of procs)
        if (w.proc.exitCode !== null) throw new Error(`a worker exited (code ${w.proc.exitCode}):\n${w.output()}`);
      // The count walks every sent row (90 ms of Postgres at 100 000): every third poll only, so the
      // bench's own reads take a third of the CPU from the run they measure. The rate comes from
      // the rows' sent_at, not from when the count saw them.
      let row = { n: sent };
      // Every poll until the first SMS is seen: CPU per SMS is counted from that read on.
      if (!first || performance.now() - lastCount >= 3 * (r.pollMs ?? 1000) - 50) {
        lastCount = performance.now();
        row = (
          await sql<{ n: number }[]>`
          select count(*)::int as n from messages where channel = 'sms' and status = 'sent' and purpose = 'reminder'`
        )[0]!;
      }
      const rss = procs.map((w) => mib(rssBytes(w.proc.pid!)));
      procs.forEach((w, i) => (cpu[i] = groupCpuSeconds(w.proc.pid!) ?? cpu[i]!));
      pgCpuAfter = commCpuSeconds("postgres") ?? pgCpuAfter;
      simCpuAfter = groupCpuSeconds(r.sim.proc.pid!) ?? simCpuAfter;
      const t = (performance.now() - started) / 1000;
      if (row.n > sent) lastProgress = performance.now();
      sent = row.n;
      if (sent > 0 && !first) {
        const w = cpu.every((c) => c !== null) ? cpu.reduce((a, b) => a! + b!, 0)! : null;
        first = { sent, worker: w, pg: pgCpuAfter };
      }
      r.onProgress?.(sent);
      if (rss.every((x) => x !== null)) samples.push({ t: round(t, 1), sent, rssMiB: rss as number[] });
      if (samples.length % Math.round(15_000 / (r.pollMs ?? 1000)) === 0)
        o.log(
          `reminders: ${sent.toLocaleString("en")} / ${count.toLocaleString("en")} sent after ${t.toFixed(0)} s, worker RSS ${rss.join(" / ")} MiB`,
        );
      if (performance.now() - lastProgress > 60_000 || (o.timeoutSeconds > 0 && t > o.timeoutSeconds)) {
        timedOut = true;
        o.log(
          `reminders: stopping: ${performance.now() - lastProgress > 60_000 ? "no progress for 60 s" : `time limit of ${o.timeoutSeconds} s`}`,
        );
        break;
      }
    }
  } finally {
    await Promise.all(procs.map((w) => stopChild(w, 15_000)));
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const statuses = await sql<
    { status: string; n: number }[]
  >`select status, count(*)::int as n from messages where purpose = 'reminder' group by status`;
  const [span] = await sql<{ span: number | null; max_attempts: number | null }[]>`
    select extract(epoch from max(sent_at) - min(sent_at))::float8 as span, max(attempts)::int as max_attempts
    from messages where purpose = 'reminder'`;
  let gatewaySide: WorkerRun["gatewaySide"] = null;
  try {
    const list = (await (await fetch(`${r.smsUrl}/__simulator/messages`)).json()) as {
      messages: { duplicates: number }[];
    };
    gatewaySide = {
      messages: list.messages.length,
      duplicates: list.messages.reduce((n, m) => n + m.duplicates, 0),
    };
  } catch (error) {
    o.log(`reminders: could not read the simulator's messages (${error instanceof Error ? error.message : error})`);
  }
  const sentCount = statuses.find((s) => s.status === "sent")?.n ?? 0;
  const sendSpanSeconds = span?.span ?? wallSeconds;
  const rate = sentCount > 1 ? (sentCount - 1) / sendSpanSeconds : 0;
  // Memory at 10, 50 and 90 % of what was sent (of all N, unless the time limit stopped it).
  const perWorker = procs.map((_, i) => {
    const at = (share: number) => samples.find((x) => x.sent >= share * sentCount)?.rssMiB[i] ?? null;
    const rss: RssFigures = {
      at10: at(0.1),
      at50: at(0.5),
      at90: at(0.9),
      max: samples.length ? Math.max(...samples.map((s) => s.rssMiB[i]!)) : null,
    };
    return {
      rssMiB: rss,
      growthMiB10to90: rss.at10 !== null && rss.at90 !== null ? round(rss.at90 - rss.at10, 1) : null,
    };
  });
  const growths = perWorker.map((w) => w.growthMiB10to90);
  const workerCpu = cpu.every((c) => c !== null) ? cpu.reduce((a, b) => a! + b!, 0)! : null;
  const perSms = (seconds: number | null) =>
    seconds !== null && sentCount > 0 ? round((seconds / sentCount) * 1000, 3) : null;
  return {
    workers: r.workers,
    flags: flags.join(" "),
    sent: sentCount,
    otherStatuses: Object.fromEntries(statuses.filter((s) => s.status !== "sent").map((s) => [s.status, s.n])),
    maxAttempts: span?.max_attempts ?? 0,
    wallSeconds: round(wallSeconds, 1),
    sendSpanSeconds: round(sendSpanSeconds, 1),
    rate: round(rate, 1),
    timedOut,
    cpu: {
      workerSeconds: workerCpu,
      workerMsPerSms: perSms(workerCpu),
      postgresMsPerSms: perSms(pgCpuBefore !== null && pgCpuAfter !== null ? pgCpuAfter - pgCpuBefore : null),
      simulatorMsPerSms: perSms(simCpuBefore !== null && simCpuAfter !== null ? simCpuAfter - simCpuBefore : null),
      afterStart: first && sentCount > first.sent ? afterStart(first, sentCount, workerCpu, pgCpuAfter) : null,
    },
    gatewaySide,
    memory: {
      perWorker,
      growthMiB10to90: growths.every((g) => g !== null) ? Math.max(...(growths as number[])) : null,
      samples,
    },
  };
}
