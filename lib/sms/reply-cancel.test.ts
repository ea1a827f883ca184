// Cancel by SMS reply, end to end: the worker sends the reminder (with its code) to the SMS
// simulator; the patient's replies arrive through the simulator's incoming-SMS control at a real
// HTTP endpoint running the app's incoming handler; the answers go out through the worker again.
// (Over ~300 lines: one reply story per test against one simulator, endpoint and worker per engine.)
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import * as s from "@/db/schema";
import { bookAppointment, rebookAppointment } from "@/lib/appointments/service";
import { ElksGateway } from "@/lib/sms/elks";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { consentToSms, WEBHOOK_SECRET } from "@/test/sms-harness";
import { runDueSms, type SmsDispatchConfig } from "@/worker/sms-dispatch";
import { handleSmsReply } from "./reply-cancel";
import { handleIncomingWebhook } from "./webhooks";

requirePostgresInCi();

const SENDER = "+46701740600";
const OTHER = "+46701740699";
// Monday 2 December 2030, 10:00 in Stockholm; the visit is Tuesday 10 December 14:20.
const t0 = new Date("2030-12-02T09:00:00Z");
const visitAt = new Date("2030-12-10T13:20:00Z");
const minutes = (m: number, from: Date) => new Date(from.getTime() + m * 60_000);
let phoneSeq = 40;
const nextPhone = () => `+467017406${String(phoneSeq++).padStart(2, "0")}`;

const simMessage = z.object({ from: z.string(), to: z.string(), message: z.string() });

describe.each(testDatabases)("cancel by SMS reply on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let sim: SmsSimulator;
  let endpoint: { url: string; close: () => Promise<void> };
  let clock = t0;
  let gateway: ElksGateway;

  beforeAll(async () => {
    handle = await target.open();
    // The app's incoming route, on a plain HTTP server: same handler, the test's clock.
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        handleIncomingWebhook(gateway, { url, form, secret: WEBHOOK_SECRET }, (incoming) =>
          handleSmsReply(
            {
              db: handle.db,
              keys: testKeys,
              now: clock,
              sender: SENDER,
              publicBaseUrl: "https://vardtid.test",
              gateway,
            },
            incoming,
          ),
        ).then(
          (status) => res.writeHead(status).end(),
          () => res.writeHead(503).end(),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    endpoint = {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
    sim = await startSmsSimulator({
      dlrDeliveredDelayMs: 30,
      smsUrl: `${endpoint.url}/api/sms/incoming?secret=${WEBHOOK_SECRET}`,
    });
    gateway = new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo", timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await sim?.close();
    await endpoint?.close();
    await handle?.dispose();
  });
  beforeEach(async () => {
    await fetch(`${sim.url}/__simulator/reset`, { method: "POST" });
    clock = t0;
  });

  function config(): SmsDispatchConfig {
    return {
      db: handle.db,
      gateway,
      keys: testKeys,
      sender: SENDER,
      publicBaseUrl: "https://vardtid.test",
      webhookSecret: WEBHOOK_SECRET,
      now: () => clock,
    };
  }

  async function inbox(to: string): Promise<string[]> {
    const res = await fetch(`${sim.url}/__simulator/messages?to=${encodeURIComponent(to)}`);
    const { messages } = z.object({ messages: z.array(simMessage) }).parse(await res.json());
    return messages.map((m) => m.message);
  }

  /** The patient's phone replies; the worker then sends whatever we answered. */
  async function reply(from: string, message: string): Promise<void> {
    const res = await fetch(`${sim.url}/__simulator/incoming`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ from, to: SENDER, message }),
    });
    const body = z.object({ status: z.number(), reply: z.unknown() }).parse(await res.json());
    // We answer with an empty body (never a reply through the operator) and reply through the API.
    expect(body).toMatchObject({ status: 204, reply: null });
    await runDueSms(config());
  }

  async function setup(opts: { at?: Date; replies?: boolean; lang?: "sv" | "ar"; phone?: string } = {}) {
    const { clinic, type } = await makeClinic(handle.db, {
      smsName: "Mottagningen Ågatan",
      phone: "018-611 00 03",
      smsReplyCancel: opts.replies ?? true,
      cancelCutoffHours: 24,
      // One reminder, three days before at the visit's time, so each test knows what was sent.
      reminderOffsets: [{ kind: "days_before", days: 3 }],
    });
    const patient = await makePatient(handle.db);
    const phone = opts.phone ?? nextPhone();
    await consentToSms(handle.db, patient.id, phone, minutes(-60 * 24 * 30, t0));
    if (opts.lang) await handle.db.update(s.patients).set({ language: opts.lang }).where(eq(s.patients.id, patient.id));
    const slot = await makeSlot(handle.db, clinic.id, type.id, opts.at ?? visitAt);
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    return { clinic, type, patient, phone, slot, appointmentId: booked.appointmentId };
  }

  /** Sends every reminder due by `at` (Sunday 8 Dec, 13:00); returns the code in the one for `day`. */
  async function remind(phone: string, day = "tis 10 dec"): Promise<string> {
    clock = new Date("2030-12-08T12:00:00Z");
    await runDueSms(config());
    const text = (await inbox(phone)).find((t) => t.includes(day)) ?? "";
    const code = /AVBOKA (\d{4}) för att avboka\.$/.exec(text)?.[1];
    expect(code, text).toMatch(/^\d{4}$/);
    return code!;
  }

  async function statusOf(appointmentId: string) {
    const [a] = await handle.db.select().from(s.appointments).where(eq(s.appointments.id, appointmentId));
    return a!.status;
  }

  async function sideEffects(appointmentId: string, slotId: string) {
    const webhooks = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.eventType, "appointment.cancelled"));
    const audits = await handle.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.action, "appointment.cancel"), eq(s.auditEvents.resourceId, appointmentId)));
    const jobs = await handle.db.select().from(s.waitlistJobs).where(eq(s.waitlistJobs.slotId, slotId));
    return {
      webhooks: webhooks.filter((w) => (w.payload as { appointmentId?: string }).appointmentId === appointmentId)
        .length,
      audits: audits.map((a) => a.details),
      waitlistJobs: jobs.length,
    };
  }

  it("the reminder carries a code; AVBOKA asks, only JA cancels, through the app's cancel transaction", async () => {
    const { phone, appointmentId, slot } = await setup();
    const code = await remind(phone);
    expect((await inbox(phone)).at(-1)).toBe(
      `Påminnelse: du har en tid tis 10 dec kl 14:20 hos Mottagningen Ågatan. Se, av- eller omboka: ${
        /https:\/\/vardtid\.test\/l\/\S+/.exec((await inbox(phone)).at(-1)!)![0]
      } Svara AVBOKA ${code} för att avboka.`,
    );

    clock = minutes(5, clock);
    await reply(phone, `Avboka ${code}`);
    expect((await inbox(phone)).at(-1)).toBe(
      `Svara JA ${code} inom 15 min för att avboka tis 10 dec kl. 14:20 hos Mottagningen Ågatan`,
    );
    // Asking is not cancelling.
    expect(await statusOf(appointmentId)).toBe("booked");

    clock = minutes(3, clock);
    await reply(phone, `JA ${code}`);
    expect(await statusOf(appointmentId)).toBe("cancelled");
    expect((await inbox(phone)).at(-1)).toBe(
      "Avbokat: tis 10 dec kl. 14:20 hos Mottagningen Ågatan. Tack för att du lämnade tillbaka tiden.",
    );
    expect(await sideEffects(appointmentId, slot.id)).toEqual({
      webhooks: 1,
      audits: [{ reason: null, slotId: slot.id, channel: "sms" }],
      waitlistJobs: 1,
    });
    // The answers are in the patient's list of sent messages, like every SMS we send.
    const answers = await handle.db
      .select()
      .from(s.messages)
      .where(and(eq(s.messages.appointmentId, appointmentId), eq(s.messages.purpose, "sms_reply")));
    expect(answers.map((m) => m.status)).toEqual(["sent", "sent"]);
  });

  it("a double JA cancels once and says it is already cancelled", async () => {
    const { phone, appointmentId, slot } = await setup();
    const code = await remind(phone);
    await reply(phone, `AVBOKA ${code}`);
    await reply(phone, `JA ${code}`);
    await reply(phone, "ja");
    await reply(phone, `JA ${code}`);
    const texts = await inbox(phone);
    expect(texts.slice(-3)).toEqual([
      "Avbokat: tis 10 dec kl. 14:20 hos Mottagningen Ågatan. Tack för att du lämnade tillbaka tiden.",
      "Besöket tis 10 dec kl. 14:20 hos Mottagningen Ågatan är redan avbokat.",
      "Besöket tis 10 dec kl. 14:20 hos Mottagningen Ågatan är redan avbokat.",
    ]);
    expect(await sideEffects(appointmentId, slot.id)).toMatchObject({ webhooks: 1, waitlistJobs: 1 });
    expect((await sideEffects(appointmentId, slot.id)).audits).toHaveLength(1);
  });

  it("a reply from another number cancels nothing and learns nothing about the visit", async () => {
    const { phone, appointmentId } = await setup();
    const code = await remind(phone);
    await reply(OTHER, `AVBOKA ${code}`);
    await reply(OTHER, `JA ${code}`);
    expect(await statusOf(appointmentId)).toBe("booked");
    const toOther = await inbox(OTHER);
    // One answer (the second is silenced: no loops), and it names no time, clinic or code.
    expect(toOther).toEqual([
      "Vårdtid hittar inget besök för det här numret. Se dina tider på https://vardtid.test eller ring din mottagning. We found no appointment for this number: see https://vardtid.test",
    ]);
    // The patient's own phone got nothing but the reminder.
    expect(await inbox(phone)).toHaveLength(1);
  });

  it("a JA after 15 minutes is too late and cancels nothing", async () => {
    const { phone, appointmentId } = await setup();
    const code = await remind(phone);
    await reply(phone, `AVBOKA ${code}`);
    clock = minutes(16, clock);
    await reply(phone, `JA ${code}`);
    expect(await statusOf(appointmentId)).toBe("booked");
    expect((await inbox(phone)).at(-1)).toBe(
      `Tiden för att svara JA har gått ut och inget är avbokat. Svara AVBOKA ${code} igen om du vill avboka.`,
    );
    // Asking again opens a new window.
    await reply(phone, `AVBOKA ${code}`);
    await reply(phone, `JA ${code}`);
    expect(await statusOf(appointmentId)).toBe("cancelled");
  });

  it("a reply after the cutoff gets the clinic's phone number, not a question", async () => {
    const { phone, appointmentId } = await setup();
    const code = await remind(phone);
    clock = new Date("2030-12-09T15:00:00Z"); // 22 h before the visit, inside the 24 h cutoff
    await reply(phone, `AVBOKA ${code}`);
    await reply(phone, `JA ${code}`);
    expect(await statusOf(appointmentId)).toBe("booked");
    const texts = await inbox(phone);
    expect(texts.at(-2)).toBe(
      "Det går inte att avboka tis 10 dec kl. 14:20 via SMS. Ring Mottagningen Ågatan: 018-611 00 03.",
    );
    expect(texts.at(-1)).not.toContain("Avbokat");
  });

  it("a JA that arrives after the cutoff passed during the 15 minutes cancels nothing", async () => {
    const { phone, appointmentId } = await setup();
    const code = await remind(phone);
    clock = new Date("2030-12-09T13:10:00Z"); // 24 h 10 min before
    await reply(phone, `AVBOKA ${code}`);
    clock = new Date("2030-12-09T13:22:00Z"); // 23 h 58 min before: inside the cutoff
    await reply(phone, `JA ${code}`);
    expect(await statusOf(appointmentId)).toBe("booked");
    expect((await inbox(phone)).at(-1)).toContain("Ring Mottagningen Ågatan: 018-611 00 03");
  });

  it("a reply to an old reminder after a rebook names the new time and its new code, and cancels nothing yet", async () => {
    const { phone, appointmentId, patient, clinic, type } = await setup();
    const oldCode = await remind(phone);
    const later = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-12-12T08:00:00Z"));
    const moved = await rebookAppointment(handle.db, patient.id, {
      appointmentId,
      slotId: later.id,
      now: clock,
      audit: {},
    });
    expect(moved.ok).toBe(true);
    await reply(phone, `AVBOKA ${oldCode}`);
    const answer = (await inbox(phone)).at(-1)!;
    const newCode = /Svara AVBOKA (\d{4}) för att avboka det\.$/.exec(answer)?.[1];
    expect(answer).toBe(
      `Tiden i det SMS:et gäller inte längre. Ditt besök är nu tors 12 dec kl. 09:00 hos Mottagningen Ågatan. Svara AVBOKA ${newCode} för att avboka det.`,
    );
    expect(newCode).not.toBe(oldCode);
    // A JA to the old code cannot cancel the new time.
    await reply(phone, `JA ${oldCode}`);
    expect(await statusOf(appointmentId)).toBe("booked");
    // The new code works like any other.
    await reply(phone, `AVBOKA ${newCode}`);
    expect((await inbox(phone)).at(-1)).toBe(
      `Svara JA ${newCode} inom 15 min för att avboka tors 12 dec kl. 09:00 hos Mottagningen Ågatan`,
    );
    await reply(phone, `JA ${newCode}`);
    expect(await statusOf(appointmentId)).toBe("cancelled");
  });

  it("one phone, two visits: a reply without a code gets the codes back; with one, exactly that visit is cancelled", async () => {
    const phone = nextPhone();
    const a = await setup({ phone });
    const b = await setup({ phone, at: new Date("2030-12-11T08:40:00Z") });
    const codeA = await remind(phone);
    const codeB = await remind(phone, "ons 11 dec");
    expect(codeB).not.toBe(codeA);
    await reply(phone, "AVBOKA");
    expect((await inbox(phone)).at(-1)).toBe(
      `Vilket besök? Svara AVBOKA och koden: ${codeA} tis 10 dec kl. 14:20; ${codeB} ons 11 dec kl. 09:40`,
    );
    await reply(phone, `AVBOKA ${codeB}`);
    await reply(phone, "JA");
    expect(await statusOf(b.appointmentId)).toBe("cancelled");
    expect(await statusOf(a.appointmentId)).toBe("booked");
  });

  it("anything else gets one helpful answer a day, never a loop", async () => {
    const { phone } = await setup();
    await remind(phone);
    await reply(phone, "Hej! Kan jag komma lite senare?");
    await reply(phone, "Hallå?");
    // An auto-reply on the phone answering our answer: silence.
    await reply(phone, "Jag är på semester till måndag.");
    const texts = await inbox(phone);
    expect(texts).toHaveLength(2);
    expect(texts.at(-1)).toBe(
      "Vårdtid kan bara läsa AVBOKA och koden från påminnelsen. Se och ändra dina tider på https://vardtid.test eller ring din mottagning.",
    );
    clock = minutes(60 * 25, clock);
    await reply(phone, "Hej igen");
    expect(await inbox(phone)).toHaveLength(3);
  });

  it("works in Arabic, with Arabic keywords and Eastern digits", async () => {
    const { phone, appointmentId } = await setup({ lang: "ar" });
    clock = new Date("2030-12-08T12:00:00Z");
    await runDueSms(config());
    const reminder = (await inbox(phone)).at(-1)!;
    const code = /للإلغاء أرسل: إلغاء (\d{4})$/.exec(reminder)?.[1];
    expect(code, reminder).toMatch(/^\d{4}$/);
    const eastern = code!.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
    await reply(phone, `الغاء ${eastern}`);
    expect((await inbox(phone)).at(-1)).toBe(
      `أرسل نعم ${code} خلال 15 دقيقة لإلغاء موعد الثلاثاء، 10 ديسمبر الساعة 14:20 في Mottagningen Ågatan`,
    );
    await reply(phone, `نعم ${code}`);
    expect(await statusOf(appointmentId)).toBe("cancelled");
    expect((await inbox(phone)).at(-1)).toMatch(/^تم الإلغاء: /);
  });

  it("a clinic that has not turned it on sends no code, and a reply cancels nothing", async () => {
    const { phone, appointmentId } = await setup({ replies: false });
    clock = new Date("2030-12-08T12:00:00Z");
    await runDueSms(config());
    expect((await inbox(phone)).at(-1)).not.toContain("AVBOKA");
    await reply(phone, "AVBOKA");
    await reply(phone, "JA");
    expect(await statusOf(appointmentId)).toBe("booked");
  });

  it("the same incoming SMS delivered twice is handled once", async () => {
    const { phone, appointmentId } = await setup();
    const code = await remind(phone);
    await reply(phone, `AVBOKA ${code}`);
    const ctx = { db: handle.db, keys: testKeys, now: clock, sender: SENDER, publicBaseUrl: "https://x", gateway };
    const incoming = { providerId: "same-id", from: phone, to: SENDER, text: `JA ${code}` };
    expect(await handleSmsReply(ctx, incoming)).toBe("cancelled");
    expect(await handleSmsReply(ctx, incoming)).toBe("duplicate");
    expect(await statusOf(appointmentId)).toBe("cancelled");
  });
});
