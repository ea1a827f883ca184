// Many instances and faults on a Postgres of the test's own (initdb into a temporary folder, run
// as an unprivileged user; never the machine's shared server): two app processes and two workers
// from the standalone build. Postgres is restarted while the workers send: both apps' health goes
// 503 and back to 200 without restarting them, and every SMS goes out exactly once. Then the SMS
// operator is down for a while: the queue holds (nothing dead) and drains once it is back.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, rowsOf, type DatabaseHandle } from "@/db/client";
import * as s from "@/db/schema";
import { encryptPii } from "@/lib/privacy/crypto";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { makePatient, testKeys } from "@/test/fixtures";
import { exitOf, prepareStandalone } from "./test/image";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const PG_PORT = 55420;
const APP_PORTS = [3521, 3522];
const NOBODY = 65534;
const canRun = existsSync(path.join(PG_BIN, "initdb")) && process.getuid?.() === 0;
if (process.env.CI && !canRun) throw new Error("CI must run the fault tests (postgres binaries, root for setpriv)");

const asNobody = (cmd: string, args: string[]) =>
  ["setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", cmd, ...args]] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe.skipIf(!canRun)(
  "two apps and two workers on a Postgres that restarts, and an SMS operator that goes down",
  () => {
    let dataDir: string;
    let postgresProc: ChildProcess;
    let handle: DatabaseHandle;
    let sim: SmsSimulator;
    const apps: ChildProcess[] = [];
    const workers: ChildProcess[] = [];
    const output: string[] = [];
    const dbUrl = `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`;

    function startPostgres(): ChildProcess {
      const [cmd, args] = asNobody(path.join(PG_BIN, "postgres"), [
        "-D",
        dataDir,
        "-p",
        String(PG_PORT),
        "-k",
        dataDir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "max_connections=60",
      ]);
      const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
      child.stderr!.on("data", (d: Buffer) => output.push(`[postgres] ${String(d)}`));
      return child;
    }
    const health = async (port: number) => (await fetch(`http://127.0.0.1:${port}/api/health`)).status;
    const count = async (where: string) =>
      Number(
        rowsOf<{ n: number }>(
          await handle.db.execute(sql.raw(`select count(*)::int as n from messages where ${where}`)),
        )[0]!.n,
      );
    async function simMessages() {
      const res = await fetch(`${sim.url}/__simulator/messages`);
      return ((await res.json()) as { messages: { idempotencyKey: string | null; duplicates: number }[] }).messages;
    }
    async function queueSms(n: number, tag: string) {
      const patient = await makePatient(handle.db);
      const dueAt = new Date(Date.now() - 1000);
      const rows = Array.from({ length: n }, (_, i) => ({
        patientId: patient.id,
        channel: "sms",
        purpose: "verification",
        idempotencyKey: `fault-test:${tag}:${i}`,
        toEnc: encryptPii(`+4670174${String(i).padStart(4, "0")}`, testKeys),
        bodyEnc: encryptPii(`Testmeddelande ${tag} ${i}`, testKeys),
        dueAt,
      }));
      await handle.db.insert(s.messages).values(rows as (typeof s.messages.$inferInsert)[]);
    }

    beforeAll(async () => {
      const tree = prepareStandalone();
      dataDir = mkdtempSync(path.join(tmpdir(), "vardtid-pg-"));
      chownSync(dataDir, NOBODY, NOBODY);
      const [cmd, args] = asNobody(path.join(PG_BIN, "initdb"), [
        "-D",
        dataDir,
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
      ]);
      const init = spawnSync(cmd, args, { encoding: "utf8" });
      if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
      postgresProc = startPostgres();
      handle = openDatabase({ url: dbUrl, max: 4 });
      await until("postgres to accept connections", async () =>
        (await handle.db.execute(sql`select 1`)) ? true : undefined,
      );
      await migrateDatabase(handle);
      sim = await startSmsSimulator({ dlrDeliveredDelayMs: 50 });

      const env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        NODE_ENV: "production",
        VARDTID_MODE: "production",
        DATABASE_URL: dbUrl,
        PUBLIC_BASE_URL: "https://vardtid.test",
        AUTH_SECRET: randomBytes(32).toString("hex"),
        PII_ENCRYPTION_KEY: testKeys.encryptionKey,
        PII_HMAC_KEY: testKeys.hmacKey,
        BANKID_BASE_URL: "http://127.0.0.1:9/rp/v6.0/",
        BANKID_PFX_PATH: "/nonexistent",
        BANKID_PFX_PASSPHRASE: "x",
        BANKID_CA_PATH: "/nonexistent",
        SMS_BASE_URL: sim.url,
        SMS_USERNAME: "demo",
        SMS_PASSWORD: "demo",
        SMS_WEBHOOK_SECRET: randomBytes(16).toString("hex"),
        RUN_WORKER_IN_APP: "false",
        LOG_LEVEL: "warn",
      };
      const run = (name: string, args: string[], extra: Record<string, string> = {}) => {
        const child = spawn(process.execPath, args, {
          cwd: tree,
          env: { ...env, ...extra } as unknown as NodeJS.ProcessEnv,
          stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout!.on("data", (d: Buffer) => output.push(`[${name}] ${String(d)}`));
        child.stderr!.on("data", (d: Buffer) => output.push(`[${name}] ${String(d)}`));
        return child;
      };
      for (const port of APP_PORTS) apps.push(run(`app:${port}`, ["dist/server.mjs"], { PORT: String(port) }));
      for (const n of [1, 2])
        workers.push(run(`worker${n}`, ["dist/worker.mjs", "--poll-ms", "300", "--batch-size", "20"]));
      for (const port of APP_PORTS)
        await until(`app ${port} healthy`, async () => ((await health(port)) === 200 ? true : undefined), 90_000);
    }, 20 * 60_000);

    afterAll(async () => {
      for (const child of [...apps, ...workers]) child.kill("SIGTERM");
      await Promise.all([...apps, ...workers].map((c) => Promise.race([exitOf(c), sleep(15_000)])));
      await sim?.close();
      await handle?.close();
      if (postgresProc && postgresProc.exitCode === null) {
        postgresProc.kill("SIGINT");
        await exitOf(postgresProc);
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it("restarting Postgres under load: health 503 then 200 on both apps without a restart; nothing lost, duplicates bounded", async () => {
      // Slow sends, so the restart lands in the middle of the run.
      await fetch(`${sim.url}/__simulator/faults`, { method: "POST", body: JSON.stringify({ delayMs: 30 }) });
      const total = 300;
      await queueSms(total, "restart");
      await until("a third sent", async () => ((await simMessages()).length >= total / 3 ? true : undefined));
      const appPids = apps.map((a) => a.pid);
      const inFlight = await count("status = 'sending'");

      postgresProc.kill("SIGINT"); // fast shutdown: the connections of every process are cut
      await exitOf(postgresProc);
      for (const port of APP_PORTS) {
        await until(`app ${port} 503`, async () => ((await health(port)) === 503 ? true : undefined), 20_000);
      }
      await sleep(2_000);
      postgresProc = startPostgres();
      for (const port of APP_PORTS) {
        await until(`app ${port} back to 200`, async () => ((await health(port)) === 200 ? true : undefined), 60_000);
      }
      expect(apps.map((a) => a.exitCode)).toEqual([null, null]);
      expect(apps.map((a) => a.pid)).toEqual(appPids);

      await until(
        "the queue to drain",
        async () => ((await count("status in ('queued', 'sending')")) === 0 ? true : undefined),
        120_000,
      );
      const sent = await simMessages();
      // Nothing lost: every message reached the operator once by key, and is recorded as sent.
      expect(sent).toHaveLength(total);
      expect(new Set(sent.map((m) => m.idempotencyKey)).size).toBe(total);
      expect(await count("idempotency_key like 'fault-test:restart:%' and status in ('sent', 'delivered')")).toBe(
        total,
      );
      expect(await count("status = 'dead'")).toBe(0);
      // Sent twice: a send the operator accepted while Postgres was down could not be recorded, so
      // its row stayed `sending` until the lease ran out and went out again (same Idempotency-Key;
      // the simulator counts it, the real 46elks would deliver it twice). That is the README's
      // residual risk, here caused by a database outage rather than a crash, bounded by what was in
      // flight when Postgres stopped. Making it zero is the worker's job: keep unrecorded outcomes
      // and write them once the database is back, before the lease runs out (docs/operations.md).
      const duplicates = sent.reduce((n, m) => n + m.duplicates, 0);
      console.log(
        `Postgres restart: ${duplicates} duplicate send(s) of ${total}; ${inFlight} rows sending at the stop`,
      );
      expect(duplicates).toBeLessThanOrEqual(2 * 2 * 20); // workers × overlapping passes × batch size
      expect(workers.map((w) => w.exitCode)).toEqual([null, null]);
    }, 300_000);

    it("with the SMS operator down the queue holds (nothing dead, nothing lost) and drains when it is back", async () => {
      await fetch(`${sim.url}/__simulator/reset`, { method: "POST" });
      await fetch(`${sim.url}/__simulator/faults`, {
        method: "POST",
        body: JSON.stringify({ failRate: 1, status: 503 }),
      });
      const total = 40;
      await queueSms(total, "operator-down");
      await until("every message tried once", async () =>
        (await count("idempotency_key like 'fault-test:operator-down:%' and attempts >= 1")) === total
          ? true
          : undefined,
      );
      await sleep(2_000);
      expect(await count("idempotency_key like 'fault-test:operator-down:%' and status = 'queued'")).toBe(total);
      expect(await count("status = 'dead'")).toBe(0);

      await fetch(`${sim.url}/__simulator/faults`, { method: "POST", body: JSON.stringify({}) });
      // The first retry comes after the worker's backoff (30 s).
      await until(
        "the queue to drain after the operator is back",
        async () => ((await count("status in ('queued', 'sending')")) === 0 ? true : undefined),
        150_000,
      );
      const sent = (await simMessages()).filter((m) => m.idempotencyKey?.startsWith("fault-test:operator-down:"));
      expect(new Set(sent.map((m) => m.idempotencyKey)).size).toBe(total);
      expect(sent).toHaveLength(total);
      expect(sent.every((m) => m.duplicates === 0)).toBe(true);
    }, 300_000);
  },
);
