// Target (c): due SMS reminders sent by the real worker (worker/main.ts, `npm run worker`) at
// ≥ 70 % of the SMS gateway's own rate, with flat memory.
//
// The gateway is the 46elks simulator (simulators/sms). Its "own rate" is measured first: the
// app's ElksGateway adapter sending straight to it with as many sends in flight as the worker
// uses (its --concurrency), no database involved. Then N reminders are made due (messages rows,
// status queued, as lib/reminders/sync.ts writes them, for booked visits of patients with a
// verified phone and SMS consent) and the worker is started against the benchmark database; the
// rate is N over the span of their sent_at times. The worker's resident memory is sampled from
// /proc while it works. Delivery reports are held back (simulator delays of one hour) so the
// measurement is the send path only; the report path is the app's, not the worker's.
import { randomBytes } from "node:crypto";
import path from "node:path";
import postgres from "postgres";
import { encryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { ElksGateway } from "@/lib/sms/elks";
import { reminderText } from "@/lib/sms/reminder-text";
import { groupCpuSeconds, rssBytes, startChild, stopChild, waitFor } from "./lib/proc";

export interface ReminderBenchOptions {
  appDir: string;
  dbUrl: string;
  keys: PiiKeys;
  count: number;
  smsPort: number;
  concurrency: number;
  batchSize: number;
  timeoutSeconds: number;
  log: (s: string) => void;
}

export interface ReminderBenchResult {
  count: number;
  prepareSeconds: number;
  gateway: { sends: number; seconds: number; rate: number; concurrency: number };
  worker: {
    flags: string;
    sent: number;
    otherStatuses: Record<string, number>;
    maxAttempts: number;
    wallSeconds: number;
    sendSpanSeconds: number;
    rate: number;
    timedOut: boolean;
    /** CPU time the worker process used, and per SMS sent. */
    cpuSeconds: number | null;
    cpuMsPerSms: number | null;
  };
  ratio: number;
  memory: {
    rssMiB: { at10: number | null; at50: number | null; at90: number | null; max: number | null };
    growthMiB10to90: number | null;
    samples: { t: number; sent: number; rssMiB: number }[];
  };
}

const mib = (b: number | null) => (b === null ? null : Math.round((b / 1048576) * 10) / 10);

/** N due reminders for N distinct patients' upcoming booked visits. */
export async function makeRemindersDue(url: string, count: number, keys: PiiKeys): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    await sql.unsafe(`
      create temp table rem as
      select distinct on (a.patient_id) a.id as appointment_id, a.patient_id, s.starts_at
      from appointments a join slots s on s.id = a.slot_id
      where a.status = 'booked' and s.starts_at > now() + interval '2 hours'
      order by a.patient_id, s.starts_at
      limit ${count}`);
    const patients = await sql<{ patient_id: string }[]>`select patient_id from rem`;
    // Real ciphertext for the phone numbers the worker decrypts (fictional range +46701740605–99).
    for (let i = 0; i < patients.length; i += 10_000) {
      const chunk = patients.slice(i, i + 10_000);
      const ids = chunk.map((p) => p.patient_id);
      const phones = chunk.map((_, j) => encryptPii(`+467017406${String(5 + ((i + j) % 95)).padStart(2, "0")}`, keys));
      await sql`update patients p set phone_enc = v.enc, phone_verified_at = now() from unnest(${ids}::uuid[], ${phones}::text[]) v(id, enc) where p.id = v.id`;
    }
    await sql.unsafe(`
      insert into notification_preferences (patient_id, sms_enabled, sms_consent_at)
      select patient_id, true, now() from rem
      on conflict (patient_id) do update set sms_enabled = true, sms_consent_at = now();
      insert into messages (patient_id, appointment_id, channel, purpose, idempotency_key, status, due_at)
      select patient_id, appointment_id, 'sms', 'reminder',
             'reminder:' || appointment_id || ':d1:' || to_char(starts_at at time zone 'UTC', 'YYYYMMDD"T"HH24MI') || 'Z:sms',
             'queued', now() - interval '1 minute'
      from rem;
      analyze messages; analyze notification_preferences;`);
    return patients.length;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The gateway's own rate: the adapter straight to the simulator, `concurrency` sends in flight. */
async function gatewayRate(
  baseUrl: string,
  sends: number,
  concurrency: number,
): Promise<{ sends: number; seconds: number; rate: number }> {
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
  return { sends, seconds: Math.round(seconds * 100) / 100, rate: Math.round((sends / seconds) * 10) / 10 };
}

export async function runReminderBench(o: ReminderBenchOptions): Promise<ReminderBenchResult> {
  const prepStarted = Date.now();
  const count = await makeRemindersDue(o.dbUrl, o.count, o.keys);
  const prepareSeconds = (Date.now() - prepStarted) / 1000;
  o.log(`reminders: ${count.toLocaleString("en")} due reminders queued (${prepareSeconds.toFixed(1)} s)`);

  const smsUrl = `http://127.0.0.1:${o.smsPort}`;
  const baseEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production" as const,
    VARDTID_MODE: "demo",
  };
  const sim = startChild("sms-simulator", process.execPath, ["--import", "tsx", "simulators/sms/main.ts"], {
    cwd: o.appDir,
    env: {
      ...baseEnv,
      SMS_SIM_PORT: String(o.smsPort),
      SMS_SIM_DLR_SENT_DELAY_MS: "3600000",
      SMS_SIM_DLR_DELIVERED_DELAY_MS: "3600000",
    },
    quiet: true,
  });
  const sql = postgres(o.dbUrl, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  try {
    await waitFor(
      "the SMS simulator",
      async () => (await fetch(`${smsUrl}/__simulator/messages?to=%2B46701740605`)).ok,
      { timeoutMs: 30_000, child: sim },
    );
    const gwSends = Math.min(o.count, 20_000);
    o.log(`reminders: gateway's own rate (${gwSends.toLocaleString("en")} sends, ${o.concurrency} in flight) …`);
    const gateway = { ...(await gatewayRate(smsUrl, gwSends, o.concurrency)), concurrency: o.concurrency };
    await fetch(`${smsUrl}/__simulator/reset`, { method: "POST" });
    o.log(`reminders: gateway ${gateway.rate} SMS/s; starting the worker …`);

    const flags = ["--poll-ms", "200", "--batch-size", String(o.batchSize), "--concurrency", String(o.concurrency)];
    const started = performance.now();
    const worker = startChild(
      "worker",
      process.execPath,
      ["--import", "tsx", path.join("worker", "main.ts"), ...flags],
      {
        cwd: o.appDir,
        env: {
          ...baseEnv,
          DATABASE_URL: o.dbUrl,
          SMS_BASE_URL: smsUrl,
          PUBLIC_BASE_URL: "http://127.0.0.1:3601",
          RUN_WORKER_IN_APP: "false",
        },
        quiet: true,
      },
    );
    const samples: { t: number; sent: number; rssMiB: number }[] = [];
    let sent = 0;
    let lastProgress = performance.now();
    let timedOut = false;
    let cpu: number | null = null;
    try {
      while (sent < count) {
        await new Promise((r) => setTimeout(r, 1000));
        if (worker.proc.exitCode !== null)
          throw new Error(`the worker exited (code ${worker.proc.exitCode}):\n${worker.output()}`);
        const [row] = await sql<
          { n: number }[]
        >`select count(*)::int as n from messages where purpose = 'reminder' and status = 'sent'`;
        const rss = rssBytes(worker.proc.pid!);
        cpu = groupCpuSeconds(worker.proc.pid!) ?? cpu;
        const t = (performance.now() - started) / 1000;
        if (row!.n > sent) lastProgress = performance.now();
        sent = row!.n;
        if (rss !== null) samples.push({ t: Math.round(t * 10) / 10, sent, rssMiB: mib(rss)! });
        if (samples.length % 15 === 0)
          o.log(
            `reminders: ${sent.toLocaleString("en")} / ${count.toLocaleString("en")} sent after ${t.toFixed(0)} s, worker RSS ${mib(rss)} MiB`,
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
      await stopChild(worker, 15_000);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const statuses = await sql<
      { status: string; n: number }[]
    >`select status, count(*)::int as n from messages where purpose = 'reminder' group by status`;
    const [span] = await sql<{ span: number | null; max_attempts: number | null; n: number }[]>`
      select extract(epoch from max(sent_at) - min(sent_at))::float8 as span, max(attempts)::int as max_attempts, count(sent_at)::int as n
      from messages where purpose = 'reminder'`;
    const sentCount = statuses.find((s) => s.status === "sent")?.n ?? 0;
    const sendSpanSeconds = span?.span ?? wallSeconds;
    const rate = sentCount > 1 ? (sentCount - 1) / sendSpanSeconds : 0;
    // Memory at 10, 50 and 90 % of what was sent (of all N, unless the time limit stopped it).
    const at = (share: number) => {
      const s = samples.find((x) => x.sent >= share * sentCount);
      return s ? s.rssMiB : null;
    };
    const rss = {
      at10: at(0.1),
      at50: at(0.5),
      at90: at(0.9),
      max: samples.length ? Math.max(...samples.map((s) => s.rssMiB)) : null,
    };
    return {
      count,
      prepareSeconds,
      gateway,
      worker: {
        flags: flags.join(" "),
        sent: sentCount,
        otherStatuses: Object.fromEntries(statuses.filter((s) => s.status !== "sent").map((s) => [s.status, s.n])),
        maxAttempts: span?.max_attempts ?? 0,
        wallSeconds: Math.round(wallSeconds * 10) / 10,
        sendSpanSeconds: Math.round(sendSpanSeconds * 10) / 10,
        rate: Math.round(rate * 10) / 10,
        timedOut,
        cpuSeconds: cpu,
        cpuMsPerSms: cpu !== null && sentCount > 0 ? Math.round((cpu / sentCount) * 1e5) / 100 : null,
      },
      ratio: Math.round((rate / gateway.rate) * 1000) / 1000,
      memory: {
        rssMiB: rss,
        growthMiB10to90: rss.at10 !== null && rss.at90 !== null ? Math.round((rss.at90 - rss.at10) * 10) / 10 : null,
        samples,
      },
    };
  } finally {
    await sql.end({ timeout: 5 });
    await stopChild(sim);
  }
}
