// Webhooks survive a crash: two worker processes deliver 300 events (100 appointments cancelled,
// 100 rebooked and then cancelled) to a slow receiver; one worker is SIGKILLed mid-delivery and
// another takes its place. In the end every event has reached the receiver at least once, every
// dispatch is `delivered`, no webhook-id was ever in flight twice at the same moment, and for each
// appointment the rebook arrived (including any repeat of it) before the cancel.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import * as s from "@/db/schema";
import { cancelAppointment, rebookAppointment } from "@/lib/appointments/service";
import { setWebhookEndpoint } from "@/lib/webhooks/endpoints";
import type { WebhookEventBody } from "@/lib/webhooks/events";
import { waitFor } from "@/simulators/sms/testing";
import { testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { startWebhookReceiver, type WebhookReceiver } from "@/test/webhook-receiver";

const APPOINTMENTS = 200;
const postgresTarget = testDatabases.find((t) => t.name === "postgres");
const root = path.resolve(import.meta.dirname, "..");
const audit = { ip: null, userAgent: "test" };

describe.runIf(postgresTarget)("webhook worker crash on real Postgres", () => {
  let handle: Awaited<ReturnType<NonNullable<typeof postgresTarget>["open"]>>;
  let receiver: WebhookReceiver;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    handle = await postgresTarget!.open();
    receiver = await startWebhookReceiver({ from: 3450, to: 3469 });
    // Slow enough that a kill lands while requests are in flight, on a fast machine too: 8 in
    // flight at 60 ms take about 2 s for the 300 events.
    receiver.answer = () => new Promise((resolve) => setTimeout(() => resolve(204), 60));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await receiver?.close();
    await handle?.dispose();
  });

  function databaseUrl(): string {
    if (handle.driver !== "postgres") throw new Error("postgres only");
    const o = handle.sqlClient.options;
    return `postgres://${o.user}@${o.host[0]}:${o.port[0]}/${o.database}`;
  }

  function startWorker(): ChildProcess {
    // Node with tsx as a loader, so the SIGKILL reaches the worker itself (see crash.test.ts).
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "worker/main.ts",
        "--poll-ms",
        "100",
        "--batch-size",
        "10",
        "--concurrency",
        "4",
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
          DATABASE_URL: databaseUrl(),
          SMS_BASE_URL: "http://127.0.0.1:3499",
          PII_ENCRYPTION_KEY: testKeys.encryptionKey,
          PII_HMAC_KEY: testKeys.hmacKey,
          VAPID_PUBLIC_KEY: "",
          VAPID_PRIVATE_KEY: "",
        },
      },
    );
    children.push(child);
    return child;
  }

  const exited = (c: ChildProcess) =>
    new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve(null) : c.once("exit", resolve)));

  it(
    "a worker SIGKILLed mid-delivery loses no event, and no event is ever in flight twice",
    { timeout: 240_000 },
    async () => {
      const hsaId = `SE2321000032-${randomUUID().slice(0, 8)}`;
      const { clinic, type } = await makeClinic(handle.db, { hsaId });
      const [client] = await handle.db
        .insert(s.apiClients)
        .values({ name: "Bokningssystem", clinicHsaIds: [hsaId], scopes: [], jwks: { keys: [] } })
        .returning();
      const set = await setWebhookEndpoint(handle.db, client!.id, receiver.url, {
        keys: testKeys,
        production: false,
        now: new Date(),
      });
      if (!set.ok || !set.secret) throw new Error("endpoint not set");
      const secret = set.secret;

      const base = Date.now() + 5 * 86_400_000;
      for (let i = 0; i < APPOINTMENTS; i++) {
        const patient = await makePatient(handle.db);
        const slot = await makeSlot(handle.db, clinic.id, type.id, new Date(base + i * 3_600_000));
        const [a] = await handle.db
          .insert(s.appointments)
          .values({ patientId: patient.id, slotId: slot.id })
          .returning();
        if (i % 2 === 1) {
          const other = await makeSlot(handle.db, clinic.id, type.id, new Date(base + i * 3_600_000 + 1_800_000));
          const moved = await rebookAppointment(handle.db, patient.id, {
            appointmentId: a!.id,
            slotId: other.id,
            now: new Date(),
            audit,
          });
          expect(moved.ok).toBe(true);
        }
        const cancelled = await cancelAppointment(handle.db, patient.id, {
          appointmentId: a!.id,
          reason: null,
          now: new Date(),
          audit,
        });
        expect(cancelled.ok).toBe(true);
      }
      const events = await handle.db
        .select({ id: s.webhookDeliveries.id })
        .from(s.webhookDeliveries)
        .where(eq(s.webhookDeliveries.clinicId, clinic.id));
      expect(events).toHaveLength(APPOINTMENTS * 1.5);

      const startedAt = Date.now();
      const first = startWorker();
      const second = startWorker();
      const atKill = await waitFor(
        async () => {
          if (receiver.received.length < events.length / 4) return undefined;
          const [row] = await handle.db
            .select({ n: sql<number>`count(*)::int` })
            .from(s.webhookDispatches)
            .where(eq(s.webhookDispatches.status, "sending"));
          return Number(row?.n ?? 0) >= 4 ? receiver.received.length : undefined;
        },
        "the workers to be in the middle of deliveries",
        120_000,
      );
      first.kill("SIGKILL");
      await exited(first);
      const orphaned = await handle.db
        .select({ n: sql<number>`count(*)::int` })
        .from(s.webhookDispatches)
        .where(eq(s.webhookDispatches.status, "sending"));
      const third = startWorker();

      await waitFor(
        async () => {
          const [row] = await handle.db
            .select({
              open: sql<number>`count(*) filter (where status <> 'delivered')::int`,
              n: sql<number>`count(*)::int`,
            })
            .from(s.webhookDispatches);
          return row && Number(row.n) === events.length && Number(row.open) === 0 ? true : undefined;
        },
        "every dispatch to be delivered",
        180_000,
      );
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      second.kill("SIGTERM");
      third.kill("SIGTERM");
      await Promise.all([exited(second), exited(third)]);

      const got = receiver.received;
      const ids = new Set(got.map((g) => g.id));
      const duplicates = got.length - ids.size;
      console.log(
        `webhook crash test: ${events.length} events delivered in ${seconds} s from the first worker's start (process start-up included), ${got.length} requests received (${atKill} when a worker was killed), ${orphaned[0]?.n ?? 0} dispatches left 'sending' by it, ${duplicates} repeated deliveries, max in flight per webhook-id ${receiver.maxInFlightPerId()}`,
      );
      expect(ids).toEqual(new Set(events.map((e) => e.id)));
      expect(receiver.maxInFlightPerId()).toBe(1);
      // At least once, and only where a crash or a lease forced it.
      expect(duplicates).toBeLessThanOrEqual(Number(orphaned[0]?.n ?? 0) + 10);
      // In order per appointment: the last copy of the rebook before the first copy of the cancel.
      const order = new Map<string, { rebookedLast: number; cancelledFirst: number }>();
      got.forEach((g, i) => {
        const event = new Webhook(secret).verify(g.body, g.headers) as WebhookEventBody;
        const o = order.get(event.data.resource.id!) ?? { rebookedLast: -1, cancelledFirst: Infinity };
        if (event.type === "appointment.rebooked") o.rebookedLast = Math.max(o.rebookedLast, i);
        else o.cancelledFirst = Math.min(o.cancelledFirst, i);
        order.set(event.data.resource.id!, o);
      });
      expect(order.size).toBe(APPOINTMENTS);
      for (const o of order.values()) expect(o.rebookedLast).toBeLessThan(o.cancelledFirst);
    },
  );
});
