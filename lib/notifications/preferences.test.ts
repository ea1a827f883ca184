import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { ElksGateway } from "@/lib/sms/elks";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { encryptPii } from "@/lib/privacy/crypto";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { runDueSms } from "@/worker/sms-dispatch";
import {
  confirmPhone,
  getNotificationSettings,
  listPlannedReminders,
  maskPhone,
  normaliseMobile,
  removePhone,
  requestPhoneVerification,
  setReminderOffsets,
  setSmsConsent,
  type Ctx,
} from "./preferences";

requirePostgresInCi();

const now = new Date("2030-03-04T09:00:00Z");

describe("normaliseMobile", () => {
  it.each([
    ["070-174 06 05", "+46701740605"],
    ["0701740605", "+46701740605"],
    ["+46 70 174 06 05", "+46701740605"],
    ["073 123 45 67", "+46731234567"],
  ])("reads %s as a Swedish mobile", (input, e164) => {
    expect(normaliseMobile(input)).toBe(e164);
  });
  it.each(["018-611 00 01", "08-123 456 78", "12345", "070-174 06", "not a number"])("refuses %s", (input) => {
    expect(normaliseMobile(input)).toBeNull();
  });
  it("masks all but the last two digits", () => {
    expect(maskPhone("+46701740605")).toBe("070-*** ** 05");
  });
});

describe.each(testDatabases)("reminder settings on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let sim: SmsSimulator;
  beforeAll(async () => {
    handle = await target.open();
    sim = await startSmsSimulator({ dlrDeliveredDelayMs: 10 });
  });
  afterAll(async () => {
    await sim?.close();
    await handle?.dispose();
  });

  it("confirms a phone with a one-time code sent by SMS, then consent queues reminders and withdrawal cancels them", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const patient = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date(now.getTime() + 5 * 86_400_000));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now });
    if (!booked.ok) throw new Error("booking failed");
    const ctx: Ctx = {
      db: handle.db,
      keys: testKeys,
      patientId: patient.id,
      now,
      audit: { ip: "192.0.2.1", userAgent: "test" },
    };

    expect(await setSmsConsent(ctx, true)).toEqual({ ok: false, error: "needs_phone" });
    expect(await requestPhoneVerification(ctx, "018-611 00 01")).toEqual({ ok: false, error: "invalid_phone" });
    expect(await requestPhoneVerification(ctx, "070-174 06 55")).toEqual({ ok: true, phone: "070-*** ** 55" });
    expect((await getNotificationSettings(ctx)).pendingPhone).toBe("070-*** ** 55");

    // The code goes out through the same queue and worker as reminders.
    await runDueSms({
      db: handle.db,
      gateway: new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo" }),
      keys: testKeys,
      sender: "Vardtid",
      publicBaseUrl: "http://localhost:3000",
      webhookSecret: "x".repeat(20),
      now: () => now,
    });
    const res = await fetch(`${sim.url}/__simulator/messages?to=${encodeURIComponent("+46701740655")}`);
    const [sms] = z.object({ messages: z.array(z.object({ message: z.string() })) }).parse(await res.json()).messages;
    const code = /(\d{6})/.exec(sms!.message)![1]!;
    expect(sms!.message).toBe(`Din kod för Vårdtid: ${code}. Koden gäller i 10 minuter.`);

    const wrong = code === "000000" ? "111111" : "000000";
    expect(await confirmPhone(ctx, wrong)).toEqual({ ok: false, error: "wrong_code" });
    expect(await confirmPhone({ ...ctx, now: new Date(now.getTime() + 11 * 60_000) }, code)).toEqual({
      ok: false,
      error: "expired_code",
    });
    expect(await confirmPhone(ctx, code)).toEqual({ ok: true });
    expect(await confirmPhone(ctx, code)).toEqual({ ok: false, error: "expired_code" });

    expect(await setSmsConsent(ctx, true)).toEqual({ ok: true });
    const settings = await getNotificationSettings(ctx);
    expect(settings).toMatchObject({ smsEnabled: true, phone: "070-*** ** 55", pendingPhone: null, offsets: [] });
    expect(settings.smsConsentAt?.getTime()).toBe(now.getTime());
    const reminders = () =>
      handle.db
        .select()
        .from(s.messages)
        .where(and(eq(s.messages.appointmentId, booked.appointmentId), eq(s.messages.purpose, "reminder")));
    expect((await reminders()).map((m) => m.status)).toEqual(["queued", "queued"]);

    // The patient's own times replace the clinic's: one reminder, 1 day before.
    await setReminderOffsets(ctx, ["d1"]);
    expect((await reminders()).filter((m) => m.status === "queued").map((m) => m.idempotencyKey)).toEqual([
      expect.stringContaining(":d1:"),
    ]);
    expect((await getNotificationSettings(ctx)).offsets).toEqual(["d1"]);

    expect(await setSmsConsent(ctx, false)).toEqual({ ok: true });
    expect((await reminders()).every((m) => m.status === "cancelled")).toBe(true);
    await setSmsConsent(ctx, true);
    expect((await reminders()).filter((m) => m.status === "queued")).toHaveLength(1);
    await removePhone(ctx);
    expect((await reminders()).every((m) => m.status === "cancelled")).toBe(true);
    expect(await getNotificationSettings(ctx)).toMatchObject({ smsEnabled: false, phone: null });

    const actions = (
      await handle.db
        .select({ action: s.auditEvents.action })
        .from(s.auditEvents)
        .where(eq(s.auditEvents.patientId, patient.id))
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "patient.phone.verification_requested",
        "patient.phone.verified",
        "notification.sms.consent_given",
        "notification.sms.consent_withdrawn",
        "notification.reminder_offsets.changed",
        "patient.phone.removed",
      ]),
    );
    // No phone number in any audit detail.
    const details = JSON.stringify(
      await handle.db
        .select({ d: s.auditEvents.details })
        .from(s.auditEvents)
        .where(eq(s.auditEvents.patientId, patient.id)),
    );
    expect(details).not.toMatch(/70174|\+4670/);
  });

  it("a reminder time that has already passed when it is chosen is not sent, and the planned list says so", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const patient = await makePatient(handle.db);
    // Monday 2030-03-04 10:00 Stockholm; the visit is Sunday 10 March 10:00, six days away.
    const visit = new Date(now.getTime() + 6 * 86_400_000);
    const slot = await makeSlot(handle.db, clinic.id, type.id, visit);
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now });
    if (!booked.ok) throw new Error("booking failed");
    const phone = "+46701740677";
    await handle.db
      .update(s.patients)
      .set({ phoneEnc: encryptPii(phone, testKeys), phoneVerifiedAt: now })
      .where(eq(s.patients.id, patient.id));
    const ctx: Ctx = {
      db: handle.db,
      keys: testKeys,
      patientId: patient.id,
      now,
      audit: { ip: null, userAgent: null },
    };
    expect(await setSmsConsent(ctx, true)).toEqual({ ok: true });

    await setReminderOffsets(ctx, ["d7", "d3"]);
    const rows = await handle.db
      .select()
      .from(s.messages)
      .where(and(eq(s.messages.appointmentId, booked.appointmentId), eq(s.messages.status, "queued")));
    // Only "3 days before" is waiting; nothing is due now, so the worker sends nothing.
    expect(rows.map((r) => r.idempotencyKey)).toEqual([expect.stringContaining(":d3:")]);
    expect(rows.every((r) => r.dueAt.getTime() > now.getTime())).toBe(true);
    const sent = await runDueSms({
      db: handle.db,
      gateway: new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo" }),
      keys: testKeys,
      sender: "Vardtid",
      publicBaseUrl: "http://localhost:3000",
      webhookSecret: "x".repeat(20),
      now: () => now,
    });
    expect(sent.claimed).toBe(0);

    const [planned] = await listPlannedReminders(ctx);
    expect(planned).toMatchObject({
      appointmentId: booked.appointmentId,
      passed: ["d7"],
      planned: [{ channel: "sms", dueAt: new Date("2030-03-07T09:00:00Z") }],
    });
  });
});
