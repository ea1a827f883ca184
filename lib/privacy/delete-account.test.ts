import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { createSession, validateSession } from "@/lib/auth/sessions";
import { encryptPii, sha256Hex } from "@/lib/privacy/crypto";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { deleteAccount, isFreshLogin } from "./delete-account";

requirePostgresInCi();

const t0 = new Date("2030-05-06T09:00:00Z");
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
const limits = { idleMinutes: 30, absoluteHours: 12 };

describe.each(testDatabases)("delete my account on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => handle?.dispose());

  /** A patient with everything the deletion is about: phone, consent, feed, push, a wish with an offer, … */
  async function patientWithEverything(label: string) {
    const { db } = handle;
    const { clinic, type } = await makeClinic(db);
    const patient = await makePatient(db, label);
    await db
      .update(s.patients)
      .set({ phoneEnc: encryptPii("+46701740699", testKeys), phoneVerifiedAt: t0 })
      .where(eq(s.patients.id, patient.id));
    await db.insert(s.notificationPreferences).values({
      patientId: patient.id,
      smsEnabled: true,
      smsConsentAt: t0,
      calendarFeedTokenHash: sha256Hex(`feed-${label}`),
    });
    await db.insert(s.phoneVerifications).values({
      patientId: patient.id,
      phoneEnc: encryptPii("+46701740698", testKeys),
      codeHash: "h",
      expiresAt: minutes(10),
    });
    await db.insert(s.pushSubscriptions).values({
      patientId: patient.id,
      endpoint: `https://push.example/${label}`,
      p256dh: "k",
      auth: "a",
    });
    const slot = await makeSlot(db, clinic.id, type.id, new Date(t0.getTime() + 9 * 86_400_000));
    const earlier = await makeSlot(db, clinic.id, type.id, new Date(t0.getTime() + 2 * 86_400_000));
    const booked = await bookAppointment(db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    const [entry] = await db
      .insert(s.waitlistEntries)
      .values({
        patientId: patient.id,
        appointmentId: booked.appointmentId,
        fromDate: "2030-05-07",
        weekdays: [1, 2],
        timesOfDay: ["morning"],
      })
      .returning();
    const [offer] = await db
      .insert(s.slotOffers)
      .values({ slotId: earlier.id, waitlistEntryId: entry!.id, expiresAt: minutes(60) })
      .returning();
    await db.insert(s.deepLinks).values({
      tokenHash: sha256Hex(`link-${label}`),
      purpose: "offer",
      offerId: offer!.id,
      expiresAt: minutes(60),
    });
    for (const [status, key] of [
      ["queued", "q"],
      ["delivered", "d"],
    ] as const) {
      await db.insert(s.messages).values({
        patientId: patient.id,
        appointmentId: booked.appointmentId,
        channel: "sms",
        purpose: "reminder",
        idempotencyKey: `delete-test-${label}-${key}`,
        status,
        toEnc: encryptPii("+46701740699", testKeys),
        bodyEnc: encryptPii("Påminnelse", testKeys),
        dueAt: minutes(30),
      });
    }
    await db.insert(s.smsReplyCodes).values({
      phoneHash: `hash-${label}`,
      patientId: patient.id,
      appointmentId: booked.appointmentId,
      slotId: slot.id,
      code: "4821",
    });
    const old = await createSession(db, {
      patientId: patient.id,
      userAgent: "old",
      ip: null,
      now: minutes(-60),
      limits,
    });
    const fresh = await createSession(db, { patientId: patient.id, userAgent: "new", ip: null, now: t0, limits });
    return { patient, appointmentId: booked.appointmentId, old, fresh };
  }

  /** Everything of a patient's, as JSON, to compare before and after. */
  async function everything(patientId: string) {
    const { db } = handle;
    const entries = await db.select().from(s.waitlistEntries).where(eq(s.waitlistEntries.patientId, patientId));
    return {
      patient: (await db.select().from(s.patients).where(eq(s.patients.id, patientId)))[0]!,
      preferences: await db
        .select()
        .from(s.notificationPreferences)
        .where(eq(s.notificationPreferences.patientId, patientId)),
      phoneCodes: await db.select().from(s.phoneVerifications).where(eq(s.phoneVerifications.patientId, patientId)),
      push: await db.select().from(s.pushSubscriptions).where(eq(s.pushSubscriptions.patientId, patientId)),
      entries,
      offers: entries.length
        ? await db.select().from(s.slotOffers).where(eq(s.slotOffers.waitlistEntryId, entries[0]!.id))
        : [],
      replyCodes: await db.select().from(s.smsReplyCodes).where(eq(s.smsReplyCodes.patientId, patientId)),
      sessions: await db.select().from(s.sessions).where(eq(s.sessions.patientId, patientId)),
      appointments: await db.select().from(s.appointments).where(eq(s.appointments.patientId, patientId)),
      messages: await db.select().from(s.messages).where(eq(s.messages.patientId, patientId)),
      audit: await db.select().from(s.auditEvents).where(eq(s.auditEvents.patientId, patientId)),
    };
  }

  it("refuses without a fresh login (step-up) and changes nothing", async () => {
    const a = await patientWithEverything("stale");
    const before = JSON.stringify(await everything(a.patient.id));
    // The old session (an hour ago) is not fresh; the fresh one is not fresh 6 minutes later.
    for (const [sessionId, now] of [
      [a.old.sessionId, t0],
      [a.fresh.sessionId, minutes(6)],
      ["no-such-session", t0],
    ] as const) {
      const result = await deleteAccount(handle.db, {
        patientId: a.patient.id,
        sessionHash: sha256Hex(sessionId),
        now,
        ip: null,
        userAgent: null,
      });
      expect(result).toEqual({ ok: false, error: "step_up_required" });
    }
    expect(await isFreshLogin(handle.db, sha256Hex(a.fresh.sessionId), minutes(4))).toBe(true);
    expect(await isFreshLogin(handle.db, sha256Hex(a.fresh.sessionId), minutes(6))).toBe(false);
    expect(await isFreshLogin(handle.db, sha256Hex(a.old.sessionId), t0)).toBe(false);
    expect(JSON.stringify(await everything(a.patient.id))).toBe(before);
  });

  it("refuses another patient's fresh session", async () => {
    const a = await patientWithEverything("owner");
    const other = await patientWithEverything("other");
    const before = JSON.stringify(await everything(a.patient.id));
    const result = await deleteAccount(handle.db, {
      patientId: a.patient.id,
      sessionHash: sha256Hex(other.fresh.sessionId),
      now: t0,
      ip: null,
      userAgent: null,
    });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(await everything(a.patient.id))).toBe(before);
  });

  it("after a fresh login removes exactly the contact details, preferences, wishes and sessions; keeps appointments and the audit trail", async () => {
    const a = await patientWithEverything("leaver");
    const bystander = await patientWithEverything("bystander");
    const bystanderBefore = JSON.stringify(await everything(bystander.patient.id));
    const before = await everything(a.patient.id);

    const result = await deleteAccount(handle.db, {
      patientId: a.patient.id,
      sessionHash: sha256Hex(a.fresh.sessionId),
      now: minutes(4),
      ip: "192.0.2.7",
      userAgent: "test",
    });
    expect(result).toEqual({
      ok: true,
      deleted: {
        phone: true,
        preferences: 1,
        pushSubscriptions: 1,
        waitlistEntries: 1,
        offers: 1,
        sessions: 2,
        // The reminders the booking queued, and the one queued here.
        messagesCancelled: before.messages.filter((m) => m.status === "queued").length,
        messagesScrubbed: before.messages.filter((m) => m.toEnc || m.bodyEnc).length,
      },
    });
    const after = await everything(a.patient.id);
    // Gone.
    expect(after.patient.phoneEnc).toBeNull();
    expect(after.patient.phoneVerifiedAt).toBeNull();
    expect(after.preferences).toEqual([]);
    expect(after.phoneCodes).toEqual([]);
    expect(after.push).toEqual([]);
    expect(after.entries).toEqual([]);
    expect(after.replyCodes).toEqual([]);
    expect(after.sessions).toEqual([]);
    expect(
      await handle.db
        .select()
        .from(s.deepLinks)
        .where(eq(s.deepLinks.tokenHash, sha256Hex("link-leaver"))),
    ).toEqual([]);
    expect(before.messages.filter((m) => m.status === "queued").length).toBeGreaterThanOrEqual(1);
    expect(after.messages).toHaveLength(before.messages.length);
    for (const m of after.messages) {
      expect(["queued", "sending"]).not.toContain(m.status);
      expect([m.toEnc, m.bodyEnc]).toEqual([null, null]);
    }
    expect(after.messages.find((m) => m.idempotencyKey.endsWith("-d"))?.status).toBe("delivered");
    // The patient ends logged out: neither session validates any more.
    expect((await validateSession(handle.db, a.fresh.sessionId, minutes(4), limits)).ok).toBe(false);
    // Kept: identity, appointments, and the audit trail (with one new row for the deletion).
    expect(after.patient.personalNumberEnc).toBe(before.patient.personalNumberEnc);
    expect(after.patient.personalNumberHash).toBe(before.patient.personalNumberHash);
    expect(after.appointments).toEqual(before.appointments);
    expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
    expect(after.audit.slice(before.audit.length).map((e) => [e.action, e.actorType, e.ip])).toEqual([
      ["account.delete", "patient", "192.0.2.7"],
    ]);
    // Nobody else's data moved.
    expect(JSON.stringify(await everything(bystander.patient.id))).toBe(bystanderBefore);
  });

  it("keeps an accepted offer (it moved an appointment) and the wish it answered", async () => {
    const a = await patientWithEverything("accepted");
    await handle.db
      .update(s.slotOffers)
      .set({ status: "accepted", respondedAt: t0 })
      .where(eq(s.slotOffers.waitlistEntryId, (await everything(a.patient.id)).entries[0]!.id));
    const result = await deleteAccount(handle.db, {
      patientId: a.patient.id,
      sessionHash: sha256Hex(a.fresh.sessionId),
      now: t0,
      ip: null,
      userAgent: null,
    });
    expect(result.ok && result.deleted.offers).toBe(0);
    const after = await everything(a.patient.id);
    expect(after.offers.map((o) => o.status)).toEqual(["accepted"]);
    expect(after.entries).toHaveLength(1);
    expect(after.patient.phoneEnc).toBeNull();
  });
});
