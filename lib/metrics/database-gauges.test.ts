// The scrape-time gauges read what the rows say, on both database engines.
import { sql } from "drizzle-orm";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { sealUntil } from "@/test/audit-seal";
import { testDatabases } from "@/test/databases";
import { makeClinic, makePatient } from "@/test/fixtures";
import { bearerMatches } from "./bearer";
import { refreshDatabaseGauges, resetAuditCheck } from "./database-gauges";

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      (m[3] ?? "")
        .split(",")
        .filter(Boolean)
        .map((kv) => {
          const [k, v] = kv.split("=");
          return [k!, JSON.parse(v!) as string];
        }),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

describe("bearerMatches", () => {
  it("accepts only the exact token as a bearer credential", () => {
    const token = "a-metrics-token-of-some-length";
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`Bearer ${token}x`, token)).toBe(false);
    expect(bearerMatches(token, token)).toBe(false);
    expect(bearerMatches(null, token)).toBe(false);
  });
});

for (const engine of testDatabases) {
  describe(`database gauges (${engine.name})`, () => {
    let handle: Awaited<ReturnType<typeof engine.open>>;
    let db: Db;
    beforeAll(async () => {
      handle = await engine.open();
      db = handle.db;
    });
    afterAll(async () => handle?.dispose());

    it("report queue depths and ages, reminders and pushes by status, offers, webhooks, BankID and the audit chain", async () => {
      const { clinic } = await makeClinic(db);
      const patient = await makePatient(db);
      const now = Date.now();
      const msg = (n: number, channel: string, purpose: string, status: string, dueMinutesAgo: number) =>
        ({
          patientId: patient.id,
          channel,
          purpose,
          status,
          idempotencyKey: `k-${channel}-${purpose}-${status}-${n}-${dueMinutesAgo}`,
          dueAt: new Date(now - dueMinutesAgo * 60_000),
        }) as typeof s.messages.$inferInsert;
      await db.insert(s.messages).values([
        msg(1, "sms", "reminder", "sent", 30),
        msg(2, "sms", "reminder", "sent", 40),
        msg(3, "sms", "reminder", "delivered", 50),
        msg(4, "sms", "reminder", "failed", 50),
        msg(5, "sms", "reminder", "dead", 50),
        msg(6, "push", "reminder", "sent", 20),
        msg(7, "sms", "reminder", "queued", 10), // overdue by ten minutes: the queue's age
        msg(8, "sms", "reminder", "queued", -60), // not due yet: depth, not age
      ]);
      const events = await db
        .insert(s.webhookDeliveries)
        .values([
          { clinicId: clinic.id, eventType: "appointment.cancelled", payload: {}, status: "pending" },
          { clinicId: clinic.id, eventType: "appointment.cancelled", payload: {}, status: "dispatched" },
          { clinicId: clinic.id, eventType: "appointment.cancelled", payload: {}, status: "dispatched" },
          { clinicId: clinic.id, eventType: "appointment.cancelled", payload: {}, status: "dispatched" },
          { clinicId: clinic.id, eventType: "appointment.cancelled", payload: {}, status: "dispatched" },
        ])
        .returning();
      const [client] = await db
        .insert(s.apiClients)
        .values({
          name: "Metrics test",
          clinicHsaIds: ["SE2321000032-MT001"],
          scopes: ["system/Appointment.rs"],
          jwks: { keys: [] },
        })
        .returning();
      const [endpoint] = await db
        .insert(s.webhookEndpoints)
        .values({ apiClientId: client!.id, url: "https://booking.example/hook", secretEnc: "x" })
        .returning();
      const dispatch = (i: number, status: "pending" | "delivered" | "failed", dueMinutesAgo: number) => ({
        eventId: events[i]!.id,
        endpointId: endpoint!.id,
        eventSeq: events[i]!.seq,
        status,
        nextAttemptAt: new Date(now - dueMinutesAgo * 60_000),
        windowStartedAt: new Date(now - dueMinutesAgo * 60_000),
      });
      await db.insert(s.webhookDispatches).values([
        dispatch(1, "pending", 5),
        dispatch(2, "delivered", 5),
        dispatch(3, "failed", 5),
        // Twenty minutes undelivered, in backoff until ten minutes from now: the lag to alert on.
        { ...dispatch(4, "pending", -10), createdAt: new Date(now - 20 * 60_000) },
      ]);
      for (let i = 0; i < 3; i++) await recordAudit(db, { actorType: "system", action: `test.${i}` });

      const registry = new Registry();
      resetAuditCheck();
      await refreshDatabaseGauges(db, registry);
      const text = await registry.metrics();

      expect(sample(text, "vardtid_database_up")).toBe(1);
      expect(sample(text, "vardtid_queue_depth", { queue: "messages", status: "queued" })).toBe(2);
      expect(sample(text, "vardtid_queue_depth", { queue: "webhook_deliveries", status: "pending" })).toBe(1);
      expect(sample(text, "vardtid_queue_depth", { queue: "waitlist_jobs", status: "queued" })).toBe(0);
      const age = sample(text, "vardtid_queue_oldest_due_age_seconds", { queue: "messages" })!;
      expect(age).toBeGreaterThanOrEqual(590);
      expect(age).toBeLessThan(700);
      const m = (channel: string, status: string) =>
        sample(text, "vardtid_messages_recent", { channel, purpose: "reminder", status });
      expect(m("sms", "sent")).toBe(2);
      expect(m("sms", "delivered")).toBe(1);
      expect(m("sms", "failed")).toBe(1);
      expect(m("sms", "dead")).toBe(1);
      expect(m("push", "sent")).toBe(1);
      expect(sample(text, "vardtid_queue_depth", { queue: "webhook_dispatches", status: "pending" })).toBe(2);
      const webhookAge = sample(text, "vardtid_queue_oldest_due_age_seconds", { queue: "webhook_dispatches" })!;
      expect(webhookAge).toBeGreaterThanOrEqual(1190);
      expect(webhookAge).toBeLessThan(1300);
      expect(sample(text, "vardtid_webhook_deliveries_recent", { status: "delivered" })).toBe(1);
      expect(sample(text, "vardtid_webhook_deliveries_recent", { status: "failed" })).toBe(1);
      expect(sample(text, "vardtid_webhook_deliveries_recent", { status: "pending" })).toBe(2);
      expect(sample(text, "vardtid_audit_chain_ok")).toBe(1);
      expect(sample(text, "vardtid_audit_events")).toBe(3);

      // An edited audit row is reported as a broken chain at the next verification (once the
      // sequencer has chained it: the worker does so within a second).
      expect(await sealUntil(db, 3)).toBe(3);
      await db.execute(sql`update audit_events set action = 'edited' where seq = 2`);
      resetAuditCheck();
      await refreshDatabaseGauges(db, registry);
      expect(sample(await registry.metrics(), "vardtid_audit_chain_ok")).toBe(0);
    });
  });
}
