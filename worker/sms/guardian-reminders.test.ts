// A child's reminders go to the confirmed number of the guardian who turned them on, say whose
// visit it is by first name only, and their link opens the child's visit for that guardian; once
// the guardian may no longer act for the child, no more go out. Through the SMS simulator.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { mayActFor } from "@/lib/guardians/custody";
import { linkDestination } from "@/lib/links/destination";
import { getNotificationSettings, setSmsConsent } from "@/lib/notifications/preferences";
import { encryptPii, keyedHash } from "@/lib/privacy/crypto";
import { ElksGateway } from "@/lib/sms/elks";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { consentToSms, startDeliveryEndpoint, WEBHOOK_SECRET, type AppStub } from "@/test/sms-harness";
import { runDueSms } from "../sms-dispatch";

requirePostgresInCi();

// Monday 4 March 2030, 10:00 in Stockholm; the child (born 2019-05-16) is 10.
const t0 = new Date("2030-03-04T09:00:00Z");
const GUARDIAN_PHONE = "+46701740699";
const simMessage = z.object({ to: z.string(), message: z.string() });

describe.each(testDatabases)("a child's reminders to the guardian on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let sim: SmsSimulator;
  let app: AppStub;
  beforeAll(async () => {
    handle = await target.open();
    sim = await startSmsSimulator({ dlrDeliveredDelayMs: 30, callbackRetryDelaysMs: [50] });
    app = await startDeliveryEndpoint(handle.db);
  });
  afterAll(async () => {
    await sim?.close();
    await app?.close();
    await handle?.dispose();
  });

  const config = (at: Date) => ({
    db: handle.db,
    gateway: new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo", timeoutMs: 5_000 }),
    keys: testKeys,
    sender: "Vardtid",
    publicBaseUrl: app.url,
    webhookSecret: WEBHOOK_SECRET,
    now: () => at,
  });
  const inbox = async () =>
    z.object({ messages: z.array(simMessage) }).parse(await (await fetch(`${sim.url}/__simulator/messages`)).json())
      .messages;

  it("sends to the guardian's number with the child's first name, opens the child's visit, and stops with custody", async () => {
    const guardian = await makePatient(handle.db, "Tolvansson");
    await consentToSms(handle.db, guardian.id, GUARDIAN_PHONE, new Date("2030-01-01T00:00:00Z"));
    const [child] = await handle.db
      .insert(s.patients)
      .values({
        personalNumberHash: keyedHash("201905162382", testKeys),
        personalNumberEnc: encryptPii("201905162382", testKeys),
        givenName: "Lilla Tolvan",
        surname: "Tolvansson",
      })
      .returning();
    const [custody] = await handle.db
      .insert(s.guardianships)
      .values({
        childPatientId: child!.id,
        guardianPersonalNumberHash: guardian.personalNumberHash,
        guardianPersonalNumberEnc: guardian.personalNumberEnc,
        relationship: "GUARD",
      })
      .returning();

    // The guardian, acting for the child, turns on SMS: to the guardian's own confirmed number.
    const ctx = {
      db: handle.db,
      keys: testKeys,
      patientId: child!.id,
      now: t0,
      audit: {},
      guardianPatientId: guardian.id,
    };
    expect(await setSmsConsent(ctx, true)).toEqual({ ok: true });
    expect(await getNotificationSettings(ctx)).toMatchObject({
      viaGuardian: true,
      smsEnabled: true,
      phone: "070-*** ** 99",
    });

    const { clinic, type } = await makeClinic(handle.db, { smsName: "Vårdcentralen Centrum" });
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-03-09T09:00:00Z"));
    const booked = await bookAppointment(handle.db, { patientId: child!.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    const queued = await handle.db
      .select()
      .from(s.messages)
      .where(eq(s.messages.appointmentId, booked.appointmentId))
      .orderBy(s.messages.dueAt);
    expect(queued).toHaveLength(2);

    expect(await runDueSms(config(queued[0]!.dueAt))).toMatchObject({ claimed: 1, sent: 1 });
    const [sms] = await inbox();
    expect(sms!.to).toBe(GUARDIAN_PHONE);
    expect(sms!.message).toMatch(/^Påminnelse: Lilla har en tid lör 9 mars kl 10:00 hos Vårdcentralen Centrum\./);
    expect(sms!.message).not.toContain("Tolvan");

    // The link opens the child's visit for the guardian, switching to the child (custody holds).
    const token = /\/l\/([A-Za-z0-9_-]+)$/.exec(sms!.message)![1]!;
    const guardianView = {
      selfPatientId: guardian.id,
      mayActFor: async (id: string) =>
        (await mayActFor(handle.db, guardian.id, id, { now: t0, keys: testKeys, maxAge: 13 })) !== null,
    };
    expect(await linkDestination(handle.db, token, guardian.id, t0, guardianView)).toEqual({
      kind: "go",
      path: `/besok/${booked.appointmentId}`,
      actFor: child!.id,
    });

    // Custody ends in the clinic's system: the next reminder is not sent, and the link no longer opens.
    await handle.db.update(s.guardianships).set({ active: false }).where(eq(s.guardianships.id, custody!.id));
    expect(await runDueSms(config(queued[1]!.dueAt))).toMatchObject({ claimed: 1, sent: 0, skipped: 1 });
    expect(await inbox()).toHaveLength(1);
    expect(await linkDestination(handle.db, token, guardian.id, t0, guardianView)).toEqual({ kind: "someone_else" });
  });
});
