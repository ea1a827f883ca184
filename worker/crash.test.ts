// A worker process is SIGKILLed in the middle of a batch of 1,200 due reminders; fresh workers
// take over, and in the end the operator (our simulator, which counts repeated idempotency keys)
// has received every reminder exactly once, and every row is in a final state.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inArray, sql } from "drizzle-orm";
import { z } from "zod";
import * as s from "@/db/schema";
import { syncAppointmentReminders } from "@/lib/reminders/sync";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { waitFor } from "@/simulators/sms/testing";
import { testDatabases } from "@/test/databases";
import { makeClinic, makePatient, testKeys } from "@/test/fixtures";
import { consentToSms, startDeliveryEndpoint, WEBHOOK_SECRET, type AppStub } from "@/test/sms-harness";

const REMINDERS = 1_200;
const postgresTarget = testDatabases.find((t) => t.name === "postgres");
const root = path.resolve(import.meta.dirname, "..");
const simMessage = z.object({ idempotencyKey: z.string().nullable(), duplicates: z.number() });

describe.runIf(postgresTarget)("worker crash on real Postgres", () => {
  let handle: Awaited<ReturnType<NonNullable<typeof postgresTarget>["open"]>>;
  let sim: SmsSimulator;
  let app: AppStub;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    handle = await postgresTarget!.open();
    sim = await startSmsSimulator({ dlrDeliveredDelayMs: 200, callbackRetryDelaysMs: [100, 500, 1000] });
    // 20 ms a call: 8 calls in flight take about 3 s for the 1 200, so the look below finds the
    // worker mid-batch on a fast machine too, not only after it has sent everything.
    await fetch(`${sim.url}/__simulator/faults`, { method: "POST", body: JSON.stringify({ delayMs: 20 }) });
    app = await startDeliveryEndpoint(handle.db);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await sim?.close();
    await app?.close();
    await handle?.dispose();
  });

  function startWorker(): ChildProcess {
    // Node itself with tsx as a loader (not the tsx CLI, which would run the worker in a
    // grandchild that a SIGKILL to the CLI leaves running).
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "worker/main.ts",
        "--poll-ms",
        "100",
        "--batch-size",
        "24",
        "--concurrency",
        "8",
        "--lease-seconds",
        "3",
        "--send-timeout-seconds",
        "1",
      ],
      {
        cwd: root,
        stdio: ["ignore", "ignore", "inherit"],
        env: {
          ...process.env,
          VARDTID_MODE: "demo",
          DATABASE_URL: handle.driver === "postgres" ? databaseUrl() : "",
          PUBLIC_BASE_URL: app.url,
          SMS_BASE_URL: sim.url,
          SMS_USERNAME: "demo",
          SMS_PASSWORD: "demo",
          SMS_WEBHOOK_SECRET: WEBHOOK_SECRET,
          PII_ENCRYPTION_KEY: testKeys.encryptionKey,
          PII_HMAC_KEY: testKeys.hmacKey,
        },
      },
    );
    children.push(child);
    return child;
  }

  function databaseUrl(): string {
    if (handle.driver !== "postgres") throw new Error("postgres only");
    const o = handle.sqlClient.options;
    return `postgres://${o.user}@${o.host[0]}:${o.port[0]}/${o.database}`;
  }

  async function received() {
    const res = await fetch(`${sim.url}/__simulator/messages`);
    return z.object({ messages: z.array(simMessage) }).parse(await res.json()).messages;
  }

  it(
    `a worker SIGKILLed mid-batch of ${REMINDERS} due reminders: each is received exactly once and every row ends final`,
    { timeout: 240_000 },
    async () => {
      const now = new Date();
      const { clinic, type } = await makeClinic(handle.db, { reminderOffsets: [{ kind: "hours_before", hours: 72 }] });
      const patients: { id: string }[] = [];
      for (let i = 0; i < 40; i++) {
        const p = await makePatient(handle.db);
        await consentToSms(handle.db, p.id, `+467017406${String(10 + i).padStart(2, "0")}`, now);
        patients.push(p);
      }
      const slotRows = Array.from({ length: REMINDERS }, (_, i) => {
        const startsAt = new Date(now.getTime() + 48 * 3_600_000 + i * 60_000);
        return { clinicId: clinic.id, typeId: type.id, startsAt, endsAt: new Date(startsAt.getTime() + 20 * 60_000) };
      });
      const slots = [];
      for (let i = 0; i < slotRows.length; i += 500)
        slots.push(
          ...(await handle.db
            .insert(s.slots)
            .values(slotRows.slice(i, i + 500))
            .returning({ id: s.slots.id })),
        );
      const appointmentRows = slots.map((slot, i) => ({
        patientId: patients[i % patients.length]!.id,
        slotId: slot.id,
      }));
      const appointmentIds: string[] = [];
      for (let i = 0; i < appointmentRows.length; i += 500) {
        const inserted = await handle.db
          .insert(s.appointments)
          .values(appointmentRows.slice(i, i + 500))
          .returning({ id: s.appointments.id });
        appointmentIds.push(...inserted.map((r) => r.id));
      }
      // Three days before a visit in two days: overdue, so due now (quiet hours off, so the test
      // means the same at 03:00 as at noon).
      await handle.db.transaction(async (tx) => {
        for (const id of appointmentIds)
          await syncAppointmentReminders(tx, id, now, {
            quietHours: { start: "00:00", end: "00:00" },
            sendOverdue: true,
          });
      });
      const [{ n } = { n: 0 }] = await handle.db
        .select({ n: sql<number>`count(*)::int` })
        .from(s.messages)
        .where(inArray(s.messages.appointmentId, appointmentIds));
      expect(n).toBe(REMINDERS);

      // Killed well into the run and in the middle of a claimed batch (rows marked sending). A
      // batch can finish between the look and the kill; then the kill orphaned nothing, and another
      // worker is started and killed the same way (at most three times), so the orphan path is
      // always tested rather than skipped.
      let atKill = 0;
      let orphaned: { key: string }[] = [];
      let acceptedAtKill = new Set<string | null>();
      for (let attempt = 1; attempt <= 3 && orphaned.length === 0; attempt++) {
        const first = startWorker();
        atKill = await waitFor(
          async () => {
            const count = (await received()).length;
            if (count < REMINDERS / 4) return undefined;
            const [row] = await handle.db
              .select({ n: sql<number>`count(*)::int` })
              .from(s.messages)
              .where(sql`${s.messages.status} = 'sending'`);
            return Number(row?.n ?? 0) >= 12 ? count : undefined;
          },
          "the first worker to be in the middle of a batch",
          120_000,
        );
        first.kill("SIGKILL");
        await new Promise((resolve) => first.once("exit", resolve));
        // Rows the killed worker had claimed: those the operator accepted get their `sent` report;
        // the others must be sent again once the lease runs out.
        orphaned = await handle.db
          .select({ key: s.messages.idempotencyKey })
          .from(s.messages)
          .where(sql`${s.messages.status} = 'sending'`);
        acceptedAtKill = new Set((await received()).map((m) => m.idempotencyKey));
      }
      const inFlight = orphaned.filter((r) => acceptedAtKill.has(r.key)).length;

      // Two workers take over together (several may run at once).
      const second = startWorker();
      const third = startWorker();
      await waitFor(
        async () => {
          const [row] = await handle.db
            .select({ open: sql<number>`count(*) filter (where status in ('queued', 'sending'))::int` })
            .from(s.messages);
          return row && row.open === 0 ? true : undefined;
        },
        "every row to reach a final state",
        180_000,
      );
      second.kill("SIGTERM");
      third.kill("SIGTERM");
      await Promise.all(
        [second, third].map(
          (c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once("exit", resolve))),
        ),
      );
      // And the operator's reports have all come in.
      await waitFor(
        async () => {
          const [row] = await handle.db
            .select({ n: sql<number>`count(*) filter (where status <> 'delivered')::int` })
            .from(s.messages);
          return row && row.n === 0 ? true : undefined;
        },
        "every delivery report",
        60_000,
      );

      const messages = await received();
      const keys = new Set(messages.map((m) => m.idempotencyKey));
      const rows = await handle.db
        .select({ key: s.messages.idempotencyKey, status: s.messages.status, attempts: s.messages.attempts })
        .from(s.messages)
        .where(inArray(s.messages.appointmentId, appointmentIds));
      const duplicates = messages.reduce((sum, m) => sum + m.duplicates, 0);
      console.log(
        `crash test: ${messages.length} received at the simulator (${atKill} when the worker was killed), ${orphaned.length} rows left 'sending' by it (${inFlight} of them already accepted by the operator), duplicates ${duplicates}, rows re-attempted ${rows.filter((r) => r.attempts > 1).length}, attempts ${JSON.stringify(rows.reduce<Record<number, number>>((h, r) => ({ ...h, [r.attempts]: (h[r.attempts] ?? 0) + 1 }), {}))}`,
      );
      expect(orphaned.length, "the kill left claimed rows behind").toBeGreaterThan(0);
      // Each orphaned row the operator had not accepted was tried again (a slow machine may also
      // see a lease run out under a live worker: the fence then stops that worker's send).
      expect(rows.filter((r) => r.attempts > 1).length).toBeGreaterThanOrEqual(orphaned.length - inFlight);
      expect(messages).toHaveLength(REMINDERS);
      expect(keys.size).toBe(REMINDERS);
      expect(messages.every((m) => m.duplicates === 0)).toBe(true);
      expect(new Set(rows.map((r) => r.key))).toEqual(keys);
      expect(rows.every((r) => r.status === "delivered")).toBe(true);
    },
  );
});

// Deliberately visible when skipped: without TEST_DATABASE_URL the crash test above cannot run
// (it needs several processes on one real Postgres), and a silent pass would hide that. CI sets
// the variable, and requirePostgresInCi() fails the run if it does not.
describe.skipIf(postgresTarget)(
  "worker crash (skipped: TEST_DATABASE_URL is not set, the crash test needs real Postgres)",
  () => {
    it.skip("needs TEST_DATABASE_URL", () => {});
  },
);
