// (Over ~300 lines: one reminder story per test against one SMS simulator and delivery endpoint per engine.)
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import * as s from "@/db/schema";
import { bookAppointment, cancelAppointment, rebookAppointment } from "@/lib/appointments/service";
import { resolveDeepLink } from "@/lib/links/deep-links";
import { ElksGateway } from "@/lib/sms/elks";
import { reminderText } from "@/lib/sms/reminder-text";
import { recordDeliveryReport } from "@/lib/sms/delivery-reports";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { waitFor } from "@/simulators/sms/testing";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { consentToSms, startDeliveryEndpoint, WEBHOOK_SECRET, type AppStub } from "@/test/sms-harness";
import { runDueSms, type SmsDispatchConfig } from "./sms-dispatch";

requirePostgresInCi();

const simMessage = z.object({
  id: z.string(),
  to: z.string(),
  message: z.string(),
  idempotencyKey: z.string().nullable(),
  duplicates: z.number(),
  status: z.string(),
});
const audit = { ip: "192.0.2.1", userAgent: "test" };
// Monday 4 March 2030, 10:00 in Stockholm.
const t0 = new Date("2030-03-04T09:00:00Z");
const hours = (h: number, from = t0) => new Date(from.getTime() + h * 3_600_000);
let phoneSeq = 10;
const nextPhone = () => `+467017406${String(phoneSeq++).padStart(2, "0")}`;

describe.each(testDatabases)("reminders end to end on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let sim: SmsSimulator;
  let app: AppStub;
  let clock = t0;

  beforeAll(async () => {
    handle = await target.open();
    sim = await startSmsSimulator({ dlrDeliveredDelayMs: 30, callbackRetryDelaysMs: [50, 100] });
    app = await startDeliveryEndpoint(handle.db);
  });
  afterAll(async () => {
    await sim?.close();
    await app?.close();
    await handle?.dispose();
  });
  beforeEach(async () => {
    await fetch(`${sim.url}/__simulator/reset`, { method: "POST" });
    clock = t0;
  });

  function config(overrides: Partial<SmsDispatchConfig> = {}): SmsDispatchConfig {
    return {
      db: handle.db,
      gateway: new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo", timeoutMs: 5_000 }),
      keys: testKeys,
      sender: "Vardtid",
      publicBaseUrl: app.url,
      webhookSecret: WEBHOOK_SECRET,
      now: () => clock,
      ...overrides,
    };
  }

  async function inbox(to?: string) {
    const res = await fetch(`${sim.url}/__simulator/messages${to ? `?to=${encodeURIComponent(to)}` : ""}`);
    return z.object({ messages: z.array(simMessage) }).parse(await res.json()).messages;
  }

  async function remindersOf(appointmentId: string) {
    return handle.db
      .select()
      .from(s.messages)
      .where(eq(s.messages.appointmentId, appointmentId))
      .orderBy(s.messages.dueAt);
  }

  async function setup(startsAt: Date, lang: "sv" | "en" = "sv") {
    const { clinic, type } = await makeClinic(handle.db, { smsName: "Vårdcentralen Centrum" });
    const patient = await makePatient(handle.db);
    const phone = nextPhone();
    await consentToSms(handle.db, patient.id, phone, hours(-24 * 30), lang);
    const slot = await makeSlot(handle.db, clinic.id, type.id, startsAt);
    return { clinic, type, patient, phone, slot };
  }

  it("booking queues one reminder per offset; at each due time exactly one SMS goes out, with the right text and a working link", async () => {
    // Saturday 9 March 10:00: reminders Wednesday 10:00 (3 days) and Friday 08:00 (1 day, moved
    // from 10:00, the cutoff itself, to leave the clinic's 2 h to act on it).
    const visit = hours(24 * 5);
    const { patient, phone, slot } = await setup(visit);
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    const queued = await remindersOf(booked.appointmentId);
    expect(queued.map((m) => [m.status, m.dueAt.toISOString()])).toEqual([
      ["queued", "2030-03-06T09:00:00.000Z"],
      ["queued", "2030-03-08T07:00:00.000Z"],
    ]);

    expect((await runDueSms(config())).claimed).toBe(0);
    clock = new Date("2030-03-06T08:59:59Z");
    expect((await runDueSms(config())).claimed).toBe(0);
    expect(await inbox(phone)).toEqual([]);

    clock = new Date("2030-03-06T09:00:00Z");
    expect(await runDueSms(config())).toMatchObject({ claimed: 1, sent: 1 });
    clock = new Date("2030-03-08T07:00:30Z");
    expect(await runDueSms(config())).toMatchObject({ claimed: 1, sent: 1 });
    expect(await runDueSms(config())).toMatchObject({ claimed: 0 });

    const received = await inbox(phone);
    expect(received).toHaveLength(2);
    expect(received.map((m) => m.idempotencyKey)).toEqual(queued.map((m) => m.idempotencyKey));
    expect(received.every((m) => m.duplicates === 0)).toBe(true);
    for (const sms of received) {
      const link = /https?:\/\/\S+\/l\/([A-Za-z0-9_-]+)$/.exec(sms.message);
      expect(link, "a deep link at the end").not.toBeNull();
      expect(sms.message).toBe(
        reminderText({
          lang: "sv",
          startsAt: visit,
          timeZone: "Europe/Stockholm",
          clinicSmsName: "Vårdcentralen Centrum",
          link: `${app.url}/l/${link![1]}`,
          offersChange: true,
        }),
      );
      expect(sms.message).toContain("lör 9 mars kl 10:00 hos Vårdcentralen Centrum");
      expect(await resolveDeepLink(handle.db, link![1]!, clock)).toEqual({
        purpose: "appointment",
        appointmentId: booked.appointmentId,
      });
      // Expires with the visit.
      expect(await resolveDeepLink(handle.db, link![1]!, hours(1, visit))).toBeNull();
    }
    // The simulator's delivery reports reach the app and move the rows to delivered.
    await waitFor(async () => {
      const rows = await remindersOf(booked.appointmentId);
      return rows.every((r) => r.status === "delivered") ? true : undefined;
    }, "delivery reports");
    const rows = await remindersOf(booked.appointmentId);
    expect(rows.map((r) => r.providerId).sort()).toEqual(received.map((m) => m.id).sort());
    expect(rows.every((r) => r.attempts === 1 && r.parts === 1 && r.bodyEnc !== null)).toBe(true);
  });

  it("writes the reminder in the patient's language", async () => {
    const visit = hours(24 * 5);
    const { patient, phone, slot } = await setup(visit, "en");
    await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    clock = new Date("2030-03-06T09:00:00Z");
    await runDueSms(config());
    const [sms] = await inbox(phone);
    expect(sms?.message).toMatch(
      /^Reminder: you have an appointment Sat 9 Mar at 10:00 at Vårdcentralen Centrum\. View, cancel or rebook: /,
    );
  });

  it("cancel: the reminders are cancelled in the same transaction and nothing is ever sent", async () => {
    const { patient, phone, slot } = await setup(hours(24 * 5));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    const result = await cancelAppointment(handle.db, patient.id, {
      appointmentId: booked.appointmentId,
      reason: null,
      now: hours(1),
      audit,
    });
    expect(result.ok).toBe(true);
    expect((await remindersOf(booked.appointmentId)).map((m) => m.status)).toEqual(["cancelled", "cancelled"]);
    for (const at of ["2030-03-06T09:00:00Z", "2030-03-08T09:00:00Z", "2030-03-09T08:00:00Z"]) {
      clock = new Date(at);
      await runDueSms(config());
    }
    expect(await inbox(phone)).toEqual([]);
    expect((await remindersOf(booked.appointmentId)).map((m) => [m.status, m.attempts])).toEqual([
      ["cancelled", 0],
      ["cancelled", 0],
    ]);
  });

  it("rebook: reminders move to the new time; only the new time's reminders go out", async () => {
    const { clinic, type, patient, phone, slot } = await setup(hours(24 * 10));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    // Friday 8 March 13:00 Stockholm.
    const newVisit = new Date("2030-03-08T12:00:00Z");
    const newSlot = await makeSlot(handle.db, clinic.id, type.id, newVisit);
    expect(
      (
        await rebookAppointment(handle.db, patient.id, {
          appointmentId: booked.appointmentId,
          slotId: newSlot.id,
          now: hours(1),
          audit,
        })
      ).ok,
    ).toBe(true);
    const rows = await remindersOf(booked.appointmentId);
    // The day-before one at 11:00 Stockholm: two hours before the 13:00 cutoff.
    expect(rows.filter((r) => r.status === "queued").map((r) => r.dueAt.toISOString())).toEqual([
      "2030-03-05T12:00:00.000Z",
      "2030-03-07T10:00:00.000Z",
    ]);
    expect(rows.filter((r) => r.status === "cancelled")).toHaveLength(2);
    for (const at of ["2030-03-05T12:00:00Z", "2030-03-07T10:00:00Z", "2030-03-11T09:00:00Z", "2030-03-13T09:00:00Z"]) {
      clock = new Date(at);
      await runDueSms(config());
    }
    const received = await inbox(phone);
    expect(received).toHaveLength(2);
    for (const sms of received) expect(sms.message).toContain("fre 8 mars kl 13:00");
  });

  it("a reminder whose visit is rebooked after it was claimed is not sent with the old time", async () => {
    const { clinic, type, patient, phone, slot } = await setup(hours(24 * 10));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    // Simulate the race: the worker has claimed the row (sending) when the rebook commits.
    const [first] = await remindersOf(booked.appointmentId);
    await handle.db
      .update(s.messages)
      .set({ status: "sending", attempts: 1, leaseExpiresAt: hours(-1, new Date("2030-03-11T09:00:00Z")) })
      .where(eq(s.messages.id, first!.id));
    const newSlot = await makeSlot(handle.db, clinic.id, type.id, hours(24 * 12));
    expect(
      (
        await rebookAppointment(handle.db, patient.id, {
          appointmentId: booked.appointmentId,
          slotId: newSlot.id,
          now: hours(1),
          audit,
        })
      ).ok,
    ).toBe(true);
    clock = new Date("2030-03-11T09:00:00Z");
    await runDueSms(config());
    expect((await remindersOf(booked.appointmentId)).find((r) => r.id === first!.id)?.status).toBe("cancelled");
    expect(await inbox(phone)).toEqual([]);
  });

  it("no reminder without consent or a verified phone, and none for a visit in the past", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const noConsent = await makePatient(handle.db);
    const slotA = await makeSlot(handle.db, clinic.id, type.id, hours(24 * 5));
    const a = await bookAppointment(handle.db, { patientId: noConsent.id, slotId: slotA.id, now: t0 });
    const unverified = await makePatient(handle.db);
    await consentToSms(handle.db, unverified.id, nextPhone(), t0);
    await handle.db.update(s.patients).set({ phoneVerifiedAt: null }).where(eq(s.patients.id, unverified.id));
    const slotB = await makeSlot(handle.db, clinic.id, type.id, hours(24 * 5 + 1));
    const b = await bookAppointment(handle.db, { patientId: unverified.id, slotId: slotB.id, now: t0 });
    const { patient, slot } = await setup(hours(-2));
    const c = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    for (const booked of [a, b, c]) {
      if (!booked.ok) throw new Error("booking failed");
      expect(await remindersOf(booked.appointmentId)).toEqual([]);
    }
  });

  // 60 s: 54 gateway calls and 40 passes on each engine take 10–16 s on a busy two-core machine.
  it(
    "with 30 % of gateway calls failing (scripted), every reminder goes out once or is dead and visible, never twice",
    { timeout: 60_000 },
    async () => {
      // Scripted, not random, so every run takes every path: of each 20 reminders (in the order
      // their first send reaches the operator) 16 go through at once, two fail once, one fails
      // twice and one fails four times, which is maxAttempts: the dead letter. 16 of 54 calls fail.
      const failFirst = [0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 4];
      await fetch(`${sim.url}/__simulator/faults`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ failFirst }),
      });
      const { clinic, type } = await makeClinic(handle.db, { reminderOffsets: [{ kind: "hours_before", hours: 2 }] });
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const patient = await makePatient(handle.db);
        await consentToSms(handle.db, patient.id, nextPhone(), t0);
        for (let j = 0; j < 5; j++) {
          // Visits Monday from 13:00; each reminder is due two hours before, in daytime.
          const slot = await makeSlot(handle.db, clinic.id, type.id, hours(3 + i * 0.1 + j * 0.02));
          const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
          if (!booked.ok) throw new Error("booking failed");
          ids.push(booked.appointmentId);
        }
      }
      clock = hours(1.5);
      const cfg = config({ retryBaseMs: 10_000, maxAttempts: 4, concurrency: 6 });
      const total = { claimed: 0, sent: 0, retried: 0, failed: 0, dead: 0, skipped: 0 };
      for (let pass = 0; pass < 40; pass++) {
        const r = await runDueSms(cfg);
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
        clock = new Date(clock.getTime() + 60_000);
      }
      const rows = (await Promise.all(ids.map(remindersOf))).flat();
      expect(rows).toHaveLength(40);
      const received = await inbox();
      const byKey = new Map(received.map((m) => [m.idempotencyKey, m]));
      expect(byKey.size).toBe(received.length);
      expect(received.every((m) => m.duplicates === 0)).toBe(true);
      const dead = rows.filter((r) => r.status === "dead");
      const out = rows.filter((r) => ["sent", "delivered"].includes(r.status));
      expect(dead.length + out.length).toBe(rows.length);
      for (const r of out) expect(byKey.get(r.idempotencyKey)?.id).toBe(r.providerId);
      for (const r of dead) {
        expect(byKey.has(r.idempotencyKey)).toBe(false);
        expect(r.attempts).toBe(4);
        expect(r.lastError).toContain("503");
      }
      // With 30 % failures some reminders needed more than one attempt.
      expect(rows.some((r) => r.attempts > 1)).toBe(true);
      // The script, used twice over by 40 reminders, decides how many took each path: two reach
      // the dead letter, every run. ("At least" for the retries: on a loaded machine a send can
      // also fail on a keep-alive connection the simulator closed while idle, and is retried.)
      expect(dead).toHaveLength(2);
      expect(out).toHaveLength(38);
      expect(total).toMatchObject({ sent: 38, failed: 0, dead: 2, skipped: 0 });
      expect(total.retried).toBeGreaterThanOrEqual(14);
      expect(rows.filter((r) => r.attempts > 1).length).toBeGreaterThanOrEqual(8);
      console.log(
        `fault test (${target.name}): ${out.length} sent once, ${dead.length} dead, ${rows.filter((r) => r.attempts > 1).length} needed a retry`,
      );
    },
  );

  it("delivery reports: idempotent, forward only, and never for a message we did not send", async () => {
    const { patient, slot } = await setup(hours(24 * 5));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    const [row] = await remindersOf(booked.appointmentId);
    const now = hours(48);
    // Finding 7: a still-queued reminder cannot be reported on, whatever the report says.
    for (const status of ["delivered", "sent", "failed"] as const)
      expect(
        await recordDeliveryReport(handle.db, { messageId: row!.id, report: { providerId: "s0", status }, now }),
      ).toBe("unknown");
    const [still] = await handle.db.select().from(s.messages).where(eq(s.messages.id, row!.id));
    expect(still).toMatchObject({ status: "queued", providerId: null, sentAt: null, deliveredAt: null });
    // The worker claims it (as a pass would) and hands it to the operator.
    await handle.db.update(s.messages).set({ status: "sending" }).where(eq(s.messages.id, row!.id));
    // Our id in the (secret) callback URL vouches for the first report, even before the worker stored the answer.
    expect(
      await recordDeliveryReport(handle.db, { messageId: row!.id, report: { providerId: "s1", status: "sent" }, now }),
    ).toBe("updated");
    expect(
      await recordDeliveryReport(handle.db, {
        messageId: row!.id,
        report: { providerId: "s1", status: "delivered" },
        now,
      }),
    ).toBe("updated");
    expect(
      await recordDeliveryReport(handle.db, { messageId: row!.id, report: { providerId: "s1", status: "sent" }, now }),
    ).toBe("unchanged");
    expect(
      await recordDeliveryReport(handle.db, {
        messageId: row!.id,
        report: { providerId: "s-other", status: "failed" },
        now,
      }),
    ).toBe("unknown");
    expect(
      await recordDeliveryReport(handle.db, {
        messageId: null,
        report: { providerId: "s-never", status: "delivered" },
        now,
      }),
    ).toBe("unknown");
    expect(
      await recordDeliveryReport(handle.db, {
        messageId: "not-a-uuid",
        report: { providerId: "s-never", status: "delivered" },
        now,
      }),
    ).toBe("unknown");
    const [after] = await handle.db
      .select()
      .from(s.messages)
      .where(and(eq(s.messages.id, row!.id)));
    expect(after).toMatchObject({ status: "delivered", providerId: "s1" });
  });
});
