import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import webpush from "web-push";
import { z } from "zod";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { savePushSubscription } from "@/lib/push/subscriptions";
import { ElksGateway } from "@/lib/sms/elks";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { startPushService } from "@/test/push-service";
import { consentToSms, startDeliveryEndpoint, WEBHOOK_SECRET, type AppStub } from "@/test/sms-harness";
import { markPushOpened } from "@/lib/push/opened";
import { runDuePush } from "./push-dispatch";
import { runDueSms } from "./sms-dispatch";

requirePostgresInCi();

const vapid = { ...webpush.generateVAPIDKeys(), subject: "mailto:drift@vardtid.invalid" };
// Monday 4 March 2030, 10:00 in Stockholm; the visit is Saturday 9 March 10:00.
const t0 = new Date("2030-03-04T09:00:00Z");
const hours = (h: number) => new Date(t0.getTime() + h * 3_600_000);
const visit = hours(24 * 5);
const pushDue = new Date("2030-03-06T09:00:00Z"); // 3 days before
let phoneSeq = 50;

describe.each(testDatabases)("push first, SMS as fallback, on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let sim: SmsSimulator;
  let app: AppStub;
  let push: Awaited<ReturnType<typeof startPushService>>;

  beforeAll(async () => {
    handle = await target.open();
    sim = await startSmsSimulator({ dlrDeliveredDelayMs: 30 });
    app = await startDeliveryEndpoint(handle.db);
    push = await startPushService();
  });
  afterAll(async () => {
    await Promise.all([sim?.close(), app?.close(), push?.close()]);
    await handle?.dispose();
  });
  beforeEach(async () => {
    await fetch(`${sim.url}/__simulator/reset`, { method: "POST" });
  });

  const smsPass = (now: Date) =>
    runDueSms({
      db: handle.db,
      gateway: new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo" }),
      keys: testKeys,
      sender: "Vardtid",
      publicBaseUrl: app.url,
      webhookSecret: WEBHOOK_SECRET,
      now: () => now,
    });
  const pushPass = (now: Date) =>
    runDuePush({ db: handle.db, vapid, agent: push.agent, allowPrivateEndpoints: true, now: () => now });

  async function smsTo(phone: string) {
    const res = await fetch(`${sim.url}/__simulator/messages?to=${encodeURIComponent(phone)}`);
    return z.object({ messages: z.array(z.object({ message: z.string() })) }).parse(await res.json()).messages;
  }

  /** A patient with SMS consent and a subscribed device, booked into Saturday's visit. */
  async function bookedWithPush(escalationMinutes = 120) {
    const { clinic, type } = await makeClinic(handle.db, {
      smsName: "Vårdcentralen Centrum",
      pushEscalationMinutes: escalationMinutes,
      reminderOffsets: [{ kind: "days_before", days: 3 }],
    });
    const patient = await makePatient(handle.db);
    const phone = `+467017406${phoneSeq++}`;
    await consentToSms(handle.db, patient.id, phone, hours(-24 * 30));
    const device = push.subscribe();
    await savePushSubscription(handle.db, patient.id, { ...device, userAgent: "test" }, {});
    const slot = await makeSlot(handle.db, clinic.id, type.id, visit);
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    const rows = await handle.db.select().from(s.messages).where(eq(s.messages.appointmentId, booked.appointmentId));
    const pushRow = rows.find((r) => r.channel === "push")!;
    const smsRow = rows.find((r) => r.channel === "sms")!;
    return { patient, phone, device, pushRow, smsRow };
  }

  it("queues the push at the reminder time and its SMS twin after the escalation time", async () => {
    const { pushRow, smsRow } = await bookedWithPush(120);
    expect(pushRow.dueAt.toISOString()).toBe(pushDue.toISOString());
    expect(smsRow.dueAt.toISOString()).toBe(new Date(pushDue.getTime() + 120 * 60_000).toISOString());
    expect(smsRow.fallbackFor).toBe(pushRow.id);
  });

  it("push opened → no SMS", async () => {
    const { patient, phone, pushRow, smsRow } = await bookedWithPush();
    await pushPass(pushDue);
    // Earlier tests' rows share the database: pick this patient's push by its message id.
    const mine = push.received.filter((r) => (r.payload as { messageId?: string }).messageId === pushRow.id);
    expect(mine).toHaveLength(1);
    const [sentRow] = await handle.db.select().from(s.messages).where(eq(s.messages.id, pushRow.id));
    expect(sentRow!.status).toBe("sent");
    const payload = mine[0]!.payload as { title: string; body: string; url: string; messageId: string };
    expect(payload.url).toMatch(/^\/l\/[A-Za-z0-9_-]{32,}$/);
    expect(payload.body).toContain("Vårdcentralen Centrum");
    const openedAt = new Date(pushDue.getTime() + 10 * 60_000);
    // Another patient cannot mark it (a message id alone would otherwise stop the SMS fallback).
    const other = await makePatient(handle.db);
    expect(await markPushOpened(handle.db, other.id, pushRow.id, openedAt)).toBe(false);
    expect(await markPushOpened(handle.db, patient.id, pushRow.id, openedAt)).toBe(true);
    await smsPass(new Date(pushDue.getTime() + 3 * 3_600_000));
    expect(await smsTo(phone)).toHaveLength(0);
    const [sms] = await handle.db.select().from(s.messages).where(eq(s.messages.id, smsRow.id));
    expect(sms).toMatchObject({ status: "skipped", lastError: "push opened" });
  });

  it("push not opened in time → exactly one SMS", async () => {
    const { phone } = await bookedWithPush();
    await pushPass(pushDue);
    // Before the escalation time nothing goes out; after it, the SMS does, once.
    await smsPass(new Date(pushDue.getTime() + 60 * 60_000));
    expect(await smsTo(phone)).toHaveLength(0);
    await smsPass(new Date(pushDue.getTime() + 121 * 60_000));
    await smsPass(new Date(pushDue.getTime() + 200 * 60_000));
    const got = await smsTo(phone);
    expect(got).toHaveLength(1);
    expect(got[0]!.message).toMatch(/^Påminnelse: du har en tid lör 9 mars kl 10:00 hos Vårdcentralen Centrum\./);
  });

  it("push subscription gone (410) → SMS at once and the subscription removed", async () => {
    const { patient, phone, device, smsRow } = await bookedWithPush();
    push.expire(device.endpoint);
    const result = await pushPass(pushDue);
    expect(result.escalated).toBeGreaterThanOrEqual(1);
    expect(
      await handle.db.select().from(s.pushSubscriptions).where(eq(s.pushSubscriptions.patientId, patient.id)),
    ).toHaveLength(0);
    const [sms] = await handle.db.select().from(s.messages).where(eq(s.messages.id, smsRow.id));
    expect(sms!.dueAt.toISOString()).toBe(pushDue.toISOString());
    await smsPass(pushDue);
    expect(await smsTo(phone)).toHaveLength(1);
  });

  it("the worker re-checks endpoints before connecting: a private address is never contacted (SSRF)", async () => {
    const { patient, phone, smsRow, pushRow } = await bookedWithPush();
    // The push service listens on 127.0.0.1: without the test-only allowance the worker must refuse it.
    const result = await runDuePush({ db: handle.db, vapid, agent: push.agent, now: () => pushDue });
    expect(result.escalated).toBeGreaterThanOrEqual(1);
    expect(push.received.filter((r) => (r.payload as { messageId?: string }).messageId === pushRow.id)).toHaveLength(0);
    expect(
      await handle.db.select().from(s.pushSubscriptions).where(eq(s.pushSubscriptions.patientId, patient.id)),
    ).toHaveLength(0);
    const [sms] = await handle.db.select().from(s.messages).where(eq(s.messages.id, smsRow.id));
    expect(sms!.dueAt.toISOString()).toBe(pushDue.toISOString());
    await smsPass(pushDue);
    expect(await smsTo(phone)).toHaveLength(1);
  });

  it("a public-looking name that resolves to a private address is refused too", async () => {
    const { patient } = await bookedWithPush();
    const device = push.subscribe();
    await handle.db
      .update(s.pushSubscriptions)
      .set({ endpoint: "https://push.rebind.example.com/x" + device.endpoint.slice(-8) })
      .where(eq(s.pushSubscriptions.patientId, patient.id));
    const looked: string[] = [];
    await runDuePush({
      db: handle.db,
      vapid,
      now: () => pushDue,
      lookupAll: async (host) => (looked.push(host), ["10.0.0.7"]),
    });
    expect(looked).toContain("push.rebind.example.com");
    expect(
      await handle.db.select().from(s.pushSubscriptions).where(eq(s.pushSubscriptions.patientId, patient.id)),
    ).toHaveLength(0);
  });

  it("a patient cannot take over another patient's subscription by posting its endpoint (finding 9)", async () => {
    const { patient, device } = await bookedWithPush();
    const attacker = await makePatient(handle.db);
    const stolen = {
      endpoint: device.endpoint,
      p256dh: device.p256dh.replace(/.$/, "A"),
      auth: "AAAAAAAAAAAAAAAAAAAAAA",
    };
    expect(await savePushSubscription(handle.db, attacker.id, { ...stolen, userAgent: "evil" }, {})).toBe("conflict");
    const [row] = await handle.db
      .select()
      .from(s.pushSubscriptions)
      .where(eq(s.pushSubscriptions.endpoint, device.endpoint));
    expect(row).toMatchObject({ patientId: patient.id, p256dh: device.p256dh, auth: device.auth });
    // The same browser (same keys) changing hands may move it: it proves it holds the subscription.
    expect(await savePushSubscription(handle.db, attacker.id, { ...device, userAgent: "shared" }, {})).toBe("saved");
    const [moved] = await handle.db
      .select()
      .from(s.pushSubscriptions)
      .where(eq(s.pushSubscriptions.endpoint, device.endpoint));
    expect(moved!.patientId).toBe(attacker.id);
  });
});
