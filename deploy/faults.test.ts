// Many instances and faults on a Postgres of the test's own (initdb into a temporary folder, run
// as an unprivileged user; never the machine's shared server): two app processes and two workers
// from the standalone build, the apps behind ONE port (a round-robin proxy: each request to the
// next app, so a patient's consecutive requests land on different instances).
//
// 1. Over HTTP through both apps: BankID logins (start, collect and next-auth's callback on
//    different instances), two patients racing to rebook the same slot from different instances
//    (exactly one wins), an earlier-time wish, a cancel that frees a slot, the worker's offer and
//    its acceptance racing another patient's rebook into that slot (exactly one booked), then the
//    reminders those bookings queued sent by both workers: none twice, none for an old time.
// 2. Postgres is restarted while the workers send: both apps' health goes 503 and back to 200
//    without restarting them, and every SMS goes out exactly once (worker/sms/backlog.ts).
// 3. The SMS operator is down for a while: the queue holds (nothing dead) and drains once back.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, rowsOf, type DatabaseHandle } from "@/db/client";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { encryptPii, keyedHash } from "@/lib/privacy/crypto";
import { keyMatchesStart } from "@/lib/reminders/sync";
import { TEST_IDENTITIES } from "@/simulators/bankid/identities";
import { startBankIdSimulator, type BankIdSimulator } from "@/simulators/bankid/server";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { consentToSms } from "@/test/sms-harness";
import {
  HttpPatient,
  serverActionIds,
  startRoundRobinProxy,
  type RebookAnswer,
  type RoundRobinProxy,
} from "./test/http";
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
    let bankId: BankIdSimulator;
    let proxy: RoundRobinProxy;
    let actionIds: Map<string, string>;
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
      actionIds = serverActionIds(tree);
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
      bankId = await startBankIdSimulator();

      const env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        NODE_ENV: "production",
        VARDTID_MODE: "production",
        DATABASE_URL: dbUrl,
        PUBLIC_BASE_URL: "https://vardtid.test",
        AUTH_SECRET: randomBytes(32).toString("hex"),
        PII_ENCRYPTION_KEY: testKeys.encryptionKey,
        PII_HMAC_KEY: testKeys.hmacKey,
        // The simulator over plain HTTP (production's mutual TLS is tested in lib/eid).
        BANKID_BASE_URL: bankId.apiUrl,
        BANKID_PFX_PATH: "/nonexistent",
        BANKID_PFX_PASSPHRASE: "x",
        BANKID_CA_PATH: "/nonexistent",
        LOGIN_RATE_LIMIT_PER_MINUTE: "100",
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
        // A short lease (the least the worker allows with its 10 s send timeout): a send recorded
        // late would be taken again within the test, so "exactly once" means something.
        workers.push(
          run(
            `worker${n}`,
            ["dist/worker.mjs", "--poll-ms", "300", "--batch-size", "20", "--lease-seconds", "20"],
            { LOG_LEVEL: "info" }, // the worker's pass lines: the test counts the outcomes kept
          ),
        );
      for (const port of APP_PORTS)
        await until(`app ${port} healthy`, async () => ((await health(port)) === 200 ? true : undefined), 90_000);
      proxy = await startRoundRobinProxy(APP_PORTS, env.PUBLIC_BASE_URL);
    }, 20 * 60_000);

    afterAll(async () => {
      // Everything the apps, workers and Postgres printed (deadlocks, action errors), on request.
      if (process.env.FAULTS_DEBUG_OUTPUT) writeFileSync(process.env.FAULTS_DEBUG_OUTPUT, output.join(""));
      for (const child of [...apps, ...workers]) child.kill("SIGTERM");
      await Promise.all([...apps, ...workers].map((c) => Promise.race([exitOf(c), sleep(15_000)])));
      await proxy?.close();
      await sim?.close();
      await bankId?.close();
      await handle?.close();
      if (postgresProc && postgresProc.exitCode === null) {
        postgresProc.kill("SIGINT");
        await exitOf(postgresProc);
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it("over HTTP through both apps: logins, a rebook race, an earlier-time offer and its acceptance racing a rebook, reminders: no slot booked twice, no SMS sent twice", async () => {
      const started = Date.now();
      const action = (name: string) => {
        const id = actionIds.get(name);
        if (!id) throw new Error(`no server action ${name} in the build`);
        return id;
      };
      const cancelId = action("lib/appointments/actions.ts#cancelAction");
      const wishId = action("lib/waitlist/actions.ts#saveWaitlistAction");
      const answerId = action("lib/waitlist/actions.ts#answerOfferAction");
      const idle = { status: "idle" };

      // Logins: each patient's start, collect and callback spread over both apps by the proxy.
      const [tolvan, erik, maria] = TEST_IDENTITIES;
      const a = new HttpPatient(proxy, "a");
      const b = new HttpPatient(proxy, "b");
      const c = new HttpPatient(proxy, "c");
      await a.login(bankId.url, tolvan!);
      await b.login(bankId.url, erik!);
      await c.login(bankId.url, maria!);
      for (const p of [a, b, c]) expect(p.backends(), `${p.name}'s login used both apps`).toEqual(new Set([0, 1]));
      const idOf = async (pnr: string) =>
        (
          await handle.db
            .select({ id: s.patients.id })
            .from(s.patients)
            .where(eq(s.patients.personalNumberHash, keyedHash(pnr, testKeys)))
        )[0]!.id;
      const [pa, pb, pc] = (await Promise.all([tolvan, erik, maria].map((p) => idOf(p!.personalNumber)))) as [
        string,
        string,
        string,
      ];

      // Their visits (booked by the clinic's system), reminders on.
      const now = new Date();
      const day = (n: number, hourUtc: number) =>
        new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + n, hourUtc));
      const { clinic, type } = await makeClinic(handle.db, { smsName: "Vårdcentralen Test" });
      const slot = async (at: Date) => (await makeSlot(handle.db, clinic.id, type.id, at)).id;
      const [slotA, slotB, slotC, ...frees] = await Promise.all([
        slot(day(7, 9)),
        slot(day(7, 10)),
        slot(day(9, 9)),
        slot(day(6, 9)),
        slot(day(6, 10)),
        slot(day(5, 9)),
      ]);
      const book = async (patientId: string, slotId: string, phone: string) => {
        await consentToSms(handle.db, patientId, phone, now);
        const r = await bookAppointment(handle.db, { patientId, slotId, now });
        if (!r.ok) throw new Error("booking failed");
        return r.appointmentId;
      };
      const visitA = await book(pa, slotA, "+46701740701");
      const visitB = await book(pb, slotB, "+46701740702");
      const visitC = await book(pc, slotC, "+46701740703");
      const bookedIn = async (slotId: string) =>
        handle.db
          .select({ id: s.appointments.id })
          .from(s.appointments)
          .where(and(eq(s.appointments.slotId, slotId), eq(s.appointments.status, "booked")));
      const refused = (answer: RebookAnswer) => {
        // The rebook route's answer: "the slot changed meanwhile" (409), which the picker shows,
        // not a 500, nor a refused call.
        expect(answer.status, answer.body).toBe(409);
        expect(answer.error).toMatch(/^(slot_unavailable|taken)$/);
      };

      // A and B rebook to the same free slot at the same moment, through different apps; three
      // rounds, a new slot each time.
      let winner = a;
      let loser = b;
      let winnerVisit = visitA;
      let loserVisit = visitB;
      for (const free of frees) {
        const [ra, rb] = await Promise.all([a.rebook(visitA, free), b.rebook(visitB, free)]);
        expect(new Set([ra.backend, rb.backend]), "the two rebooks went to different apps").toEqual(new Set([0, 1]));
        const won = [ra, rb].filter((r) => r.moved);
        expect(won, `${ra.status} ${ra.body} / ${rb.status} ${rb.body}`).toHaveLength(1);
        refused(won[0] === ra ? rb : ra);
        expect(await bookedIn(free)).toHaveLength(1);
        [winner, loser, winnerVisit, loserVisit] = won[0] === ra ? [a, b, visitA, visitB] : [b, a, visitB, visitA];
      }
      const free = frees.at(-1)!;

      // C asks for an earlier time (through one app) …
      const stockholmToday = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Stockholm" }).format(now);
      const wish = await c.action(`/besok/${visitC}/tidigare`, wishId, {
        form: {
          appointmentId: visitC,
          fromDate: stockholmToday,
          weekdays: ["1", "2", "3", "4", "5", "6", "7"],
          timesOfDay: ["morning", "afternoon", "evening"],
          minNoticeMinutes: "120",
        },
      });
      expect(wish.redirect, wish.body.slice(0, 300)).toBe(`/besok/${visitC}?tidigare=1`);
      // … the winner cancels the slot it just won (through whichever app is next) …
      const cancelled = await winner.action(`/besok/${winnerVisit}/avboka`, cancelId, {
        state: idle,
        form: { appointmentId: winnerVisit, reason: "" },
      });
      expect(cancelled.redirect).toBe(`/besok/${winnerVisit}?avbokad=1`);
      // … a worker offers the freed slot to C …
      const offerId = await until("the offer to C", async () => {
        const rows = await handle.db
          .select({ id: s.slotOffers.id })
          .from(s.slotOffers)
          .innerJoin(s.waitlistEntries, eq(s.waitlistEntries.id, s.slotOffers.waitlistEntryId))
          .where(and(eq(s.waitlistEntries.appointmentId, visitC), eq(s.slotOffers.slotId, free)));
        return rows[0]?.id;
      });
      // … and C takes it while the loser of the first race tries to rebook into it, on the other app.
      const [taken, raced] = await Promise.all([
        c.action(`/besok/${visitC}/erbjudande/${offerId}`, answerId, {
          form: { appointmentId: visitC, offerId, answer: "accept" },
        }),
        loser.rebook(loserVisit, free),
      ]);
      expect(new Set([taken.backend, raced.backend])).toEqual(new Set([0, 1]));
      expect(taken.status).toBeLessThan(500);
      expect(raced.status).toBeLessThan(500);
      const inFree = await bookedIn(free);
      expect(inFree, "exactly one visit in the freed slot").toHaveLength(1);
      const cMoved = taken.redirect === `/besok/${visitC}?flyttad=1`;
      const loserMoved = raced.moved;
      expect([cMoved, loserMoved].filter(Boolean), `${taken.redirect} / ${raced.body}`).toHaveLength(1);
      expect(inFree[0]!.id).toBe(cMoved ? visitC : loserVisit);
      if (!loserMoved) refused(raced);
      // The one who lost is told the slot is taken (never "unexpected": that was a deadlock).
      else expect(taken.redirect).toBe(`/besok/${visitC}/erbjudande/${offerId}?fel=taken`);
      if (!cMoved) {
        // The rebook won: the slot it left is offered to C in turn (C keeps the wish), and C takes it.
        const next = await until("the next offer to C", async () => {
          const rows = await handle.db
            .select({ id: s.slotOffers.id, slotId: s.slotOffers.slotId })
            .from(s.slotOffers)
            .innerJoin(s.waitlistEntries, eq(s.waitlistEntries.id, s.slotOffers.waitlistEntryId))
            .where(
              and(
                eq(s.waitlistEntries.appointmentId, visitC),
                eq(s.slotOffers.status, "pending"),
                ne(s.slotOffers.slotId, free), // that offer stays open until it lapses; its slot is booked
              ),
            );
          return rows[0];
        });
        const accepted = await c.action(`/besok/${visitC}/erbjudande/${next.id}`, answerId, {
          form: { appointmentId: visitC, offerId: next.id, answer: "accept" },
        });
        expect(accepted.redirect).toBe(`/besok/${visitC}?flyttad=1`);
        expect((await bookedIn(next.slotId)).map((v) => v.id)).toEqual([visitC]);
      }

      // The reminders these bookings queued, made due now, sent by both workers.
      await handle.db
        .update(s.messages)
        .set({ dueAt: new Date() })
        .where(and(eq(s.messages.purpose, "reminder"), eq(s.messages.status, "queued")));
      await until(
        "reminders and the offer SMS sent",
        async () => ((await count("status in ('queued', 'sending')")) === 0 ? true : undefined),
        60_000,
      );
      const visits = [visitA, visitB, visitC];
      const reminders = await handle.db
        .select({
          key: s.messages.idempotencyKey,
          status: s.messages.status,
          appointmentId: s.messages.appointmentId,
        })
        .from(s.messages)
        .where(and(eq(s.messages.purpose, "reminder"), inArray(s.messages.appointmentId, visits)));
      const sentKeys = reminders.filter((r) => ["sent", "delivered"].includes(r.status)).map((r) => r.key);
      const booked = await handle.db
        .select({ id: s.appointments.id, startsAt: s.slots.startsAt })
        .from(s.appointments)
        .innerJoin(s.slots, eq(s.slots.id, s.appointments.slotId))
        .where(and(inArray(s.appointments.id, visits), eq(s.appointments.status, "booked")));
      expect(booked).toHaveLength(2); // the winner cancelled
      // Every reminder that went out is for a visit still booked, at its current time.
      for (const r of reminders.filter((x) => sentKeys.includes(x.key))) {
        const visit = booked.find((v) => v.id === r.appointmentId);
        expect(visit, `reminder ${r.key} for a visit still booked`).toBeDefined();
        expect(keyMatchesStart(r.key, visit!.startsAt), `reminder ${r.key} for the visit's current time`).toBe(true);
      }
      expect(sentKeys.length).toBeGreaterThanOrEqual(2);
      const atOperator = await simMessages();
      for (const key of sentKeys) expect(atOperator.filter((m) => m.idempotencyKey === key)).toHaveLength(1);
      expect(new Set(atOperator.map((m) => m.idempotencyKey)).size).toBe(atOperator.length);
      expect(atOperator.reduce((n, m) => n + m.duplicates, 0)).toBe(0);
      console.log(
        `Two apps over HTTP: ${proxy.hits.length} requests; the offer race went to ${cMoved ? "the offer" : "the rebook"}; ${sentKeys.length} reminders and ${atOperator.length - sentKeys.length} other SMS sent once, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }, 180_000);

    it("restarting Postgres under load: health 503 then 200 on both apps without a restart; nothing lost, nothing sent twice", async () => {
      await fetch(`${sim.url}/__simulator/reset`, { method: "POST" });
      // Slow sends, so the restart lands in the middle of the run on a fast machine too: two workers
      // with 16 calls in flight each take about 3 s for the 300 at 300 ms a call (at 30 ms a call
      // a fast machine sent them all between two looks, and the restart found nothing in flight).
      await fetch(`${sim.url}/__simulator/faults`, { method: "POST", body: JSON.stringify({ delayMs: 300 }) });
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
      // Never twice: the SMS the operator accepted while Postgres was down could not be recorded
      // then; each worker kept those outcomes and stored them first thing when Postgres was back,
      // before claiming anything (worker/sms/backlog.ts), long before their 20 s leases ran out.
      // (Before that fix this run sent 27 to 51 of 300 twice.) Zero holds while the outage is
      // shorter than the lease; a longer one is the bound in docs/operations.md, "Known limits".
      const kept = [...output.join("").matchAll(/sms worker: (\d+) kept outcomes stored/g)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
      const duplicates = sent.reduce((n, m) => n + m.duplicates, 0);
      console.log(
        `Postgres restart: ${duplicates} duplicate send(s) of ${total}; ${inFlight} rows sending at the stop; ${kept} outcomes stored after the restart`,
      );
      expect(kept, "the restart landed while SMS were being sent").toBeGreaterThan(0);
      expect(duplicates).toBe(0);
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
