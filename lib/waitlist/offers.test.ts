// (Over ~300 lines: one offer story per test, cascades and races, against one seeded database per engine.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import * as s from "@/db/schema";
import { cancelAppointment, rebookAppointment } from "@/lib/appointments/service";
import { verifySealed } from "@/test/audit-seal";
import { resolveDeepLink } from "@/lib/links/deep-links";
import { decryptPii, encryptPii } from "@/lib/privacy/crypto";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { runOfferPass } from "@/worker/offers";
import { acceptOffer, declineOffer } from "./offers";
import { addClinicSlot } from "./queue";
import { waitlistStats } from "./stats";
import { getOwnOffer, getWaitlistState, saveWaitlistWishes, stopWaitlist, type WaitlistWishesInput } from "./wishes";

requirePostgresInCi();

// Monday 4 March 2030, 10:00 in Stockholm.
const now = new Date("2030-03-04T09:00:00Z");
const days = (n: number, from = now) => new Date(from.getTime() + n * 86_400_000);
const minutes = (n: number, from = now) => new Date(from.getTime() + n * 60_000);
const audit = { ip: "192.0.2.10", userAgent: "test" };
const ctx = (at: Date) => ({ keys: testKeys, publicBaseUrl: "https://vardtid.test", now: at });

describe.each(testDatabases)("earlier-time offers on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  async function booked(clinicId: string, typeId: string, startsAt: Date, opts: { sms?: boolean } = {}) {
    const patient = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinicId, typeId, startsAt);
    const [appointment] = await handle.db
      .insert(s.appointments)
      .values({ patientId: patient.id, slotId: slot.id })
      .returning();
    if (opts.sms) {
      await handle.db
        .update(s.patients)
        .set({ phoneEnc: encryptPii("+46701234567", testKeys), phoneVerifiedAt: now })
        .where(eq(s.patients.id, patient.id));
      await handle.db
        .insert(s.notificationPreferences)
        .values({ patientId: patient.id, smsEnabled: true, smsConsentAt: now });
    }
    return { patient, slot, appointment: appointment! };
  }

  async function waiting(
    clinicId: string,
    typeId: string,
    startsAt: Date,
    wishes: Partial<WaitlistWishesInput> = {},
    opts: { sms?: boolean; joinedAt?: Date } = {},
  ) {
    const b = await booked(clinicId, typeId, startsAt, opts);
    const result = await saveWaitlistWishes(handle.db, b.patient.id, {
      appointmentId: b.appointment.id,
      fromDate: "2030-03-01",
      weekdays: [],
      timesOfDay: [],
      minNoticeMinutes: 120,
      ...wishes,
      now: opts.joinedAt ?? now,
      audit,
    });
    expect(result).toEqual({ ok: true });
    return b;
  }

  async function offersFor(slotId: string) {
    return handle.db
      .select({
        id: s.slotOffers.id,
        status: s.slotOffers.status,
        patientId: s.waitlistEntries.patientId,
        expiresAt: s.slotOffers.expiresAt,
      })
      .from(s.slotOffers)
      .innerJoin(s.waitlistEntries, eq(s.waitlistEntries.id, s.slotOffers.waitlistEntryId))
      .where(eq(s.slotOffers.slotId, slotId));
  }

  async function slotOf(appointmentId: string) {
    const [a] = await handle.db.select().from(s.appointments).where(eq(s.appointments.id, appointmentId));
    return a!;
  }

  it("a cancel offers the slot to exactly the matching waiting patients, with an SMS where allowed", async () => {
    const { clinic, type } = await makeClinic(handle.db, {
      offerFairness: "first_come",
      offerBatchSize: 10,
      smsName: "Mottagningen Ågatan",
    });
    const other = await makeClinic(handle.db);
    const canceller = await booked(clinic.id, type.id, days(3)); // Thursday 10:00
    const withSms = await waiting(clinic.id, type.id, days(10), {}, { sms: true });
    const mornings = await waiting(clinic.id, type.id, days(12), { timesOfDay: ["morning"], weekdays: [4] });
    const notLater = await waiting(clinic.id, type.id, days(2));
    const mondaysOnly = await waiting(clinic.id, type.id, days(10), { weekdays: [1] });
    const afternoons = await waiting(clinic.id, type.id, days(10), { timesOfDay: ["afternoon", "evening"] });
    const tooLate = await waiting(clinic.id, type.id, days(10), { fromDate: "2030-03-08" });
    const longNotice = await waiting(clinic.id, type.id, days(10), { minNoticeMinutes: 2880 * 2 });
    const otherClinic = await waiting(other.clinic.id, other.type.id, days(10));
    const stopped = await waiting(clinic.id, type.id, days(10));
    await stopWaitlist(handle.db, stopped.patient.id, { appointmentId: stopped.appointment.id, now, audit });
    await booked(clinic.id, type.id, days(11)); // not waiting at all

    expect(
      await cancelAppointment(handle.db, canceller.patient.id, {
        appointmentId: canceller.appointment.id,
        reason: null,
        now,
        audit,
      }),
    ).toMatchObject({ ok: true });
    // Queued in the cancel's own transaction; nothing offered until the worker runs.
    const jobs = await handle.db.select().from(s.waitlistJobs).where(eq(s.waitlistJobs.slotId, canceller.slot.id));
    expect(jobs).toHaveLength(1);
    expect(await offersFor(canceller.slot.id)).toHaveLength(0);

    await runOfferPass(handle.db, ctx(minutes(1)));
    const offers = await offersFor(canceller.slot.id);
    expect(offers.map((o) => o.patientId).sort()).toEqual([withSms.patient.id, mornings.patient.id].sort());
    for (const o of offers) expect(o.expiresAt).toEqual(minutes(121));
    const excluded = [notLater, mondaysOnly, afternoons, tooLate, longNotice, otherClinic, stopped].map(
      (b) => b.patient.id,
    );
    expect(offers.some((o) => excluded.includes(o.patientId))).toBe(false);

    const sms = await handle.db.select().from(s.messages).where(eq(s.messages.purpose, "offer"));
    const mine = sms.filter((m) => m.patientId === withSms.patient.id);
    expect(mine).toHaveLength(1);
    expect(sms.some((m) => m.patientId === mornings.patient.id)).toBe(false); // no SMS consent: the offer is in the app only
    const text = decryptPii(mine[0]!.bodyEnc!, testKeys);
    expect(text).toContain("Mottagningen Ågatan");
    expect(text).not.toContain("Läkarbesök");
    const token = /\/l\/([A-Za-z0-9_-]+)/.exec(text)![1]!;
    const offerOfSms = offers.find((o) => o.patientId === withSms.patient.id)!;
    expect(await resolveDeepLink(handle.db, token, minutes(2))).toEqual({
      purpose: "offer",
      appointmentId: withSms.appointment.id,
      offerId: offerOfSms.id,
    });
    expect(await resolveDeepLink(handle.db, token, minutes(122))).toBeNull();

    // Finding 13: reading an offer is audited (and a foreign patient reads nothing, and nothing is audited for them).
    const auditedOfferReads = async (patientId: string) =>
      (await handle.db.select().from(s.auditEvents).where(eq(s.auditEvents.patientId, patientId))).filter(
        (e) => e.action === "offer.read" && e.resourceId === offerOfSms.id,
      ).length;
    expect(await getOwnOffer(handle.db, mornings.patient.id, offerOfSms.id, minutes(2), {})).toBeNull();
    expect(await auditedOfferReads(mornings.patient.id)).toBe(0);
    expect(
      await getOwnOffer(handle.db, withSms.patient.id, offerOfSms.id, minutes(2), { ip: "192.0.2.9" }),
    ).not.toBeNull();
    expect(await auditedOfferReads(withSms.patient.id)).toBe(1);

    const state = await getWaitlistState(handle.db, mornings.patient.id, mornings.appointment.id, minutes(2), {});
    expect(state.offers.map((o) => o.startsAt)).toEqual([days(3)]);

    // A second pass (or a second job for the same slot) offers nothing more while offers are open.
    await handle.db.transaction((tx) =>
      tx.insert(s.waitlistJobs).values({ slotId: canceller.slot.id, reason: "cancelled", runAt: now }),
    );
    await runOfferPass(handle.db, ctx(minutes(3)));
    expect(await offersFor(canceller.slot.id)).toHaveLength(2);
  });

  it("50 patients accept the same slot at once: exactly one moves, the others keep everything", async () => {
    const { clinic, type } = await makeClinic(handle.db, { offerFairness: "first_come", offerBatchSize: 50 });
    const canceller = await booked(clinic.id, type.id, days(3));
    const crowd = [];
    for (let i = 0; i < 50; i++) crowd.push(await waiting(clinic.id, type.id, minutes(i, days(20))));
    await cancelAppointment(handle.db, canceller.patient.id, {
      appointmentId: canceller.appointment.id,
      reason: null,
      now,
      audit,
    });
    await runOfferPass(handle.db, ctx(now));
    const offers = await offersFor(canceller.slot.id);
    expect(offers).toHaveLength(50);

    const at = minutes(5);
    const results = await Promise.all(
      crowd.map((c) =>
        acceptOffer(handle.db, c.patient.id, {
          offerId: offers.find((o) => o.patientId === c.patient.id)!.id,
          now: at,
          audit,
        }),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error === "taken")).toHaveLength(49);

    const holders = await handle.db
      .select()
      .from(s.appointments)
      .where(and(eq(s.appointments.slotId, canceller.slot.id), eq(s.appointments.status, "booked")));
    expect(holders).toHaveLength(1);
    for (const c of crowd) {
      const a = await slotOf(c.appointment.id);
      if (a.id === holders[0]!.id) continue;
      expect(a).toMatchObject({ slotId: c.slot.id, status: "booked", version: 1, rebookedAt: null });
    }
    const entries = await handle.db
      .select()
      .from(s.waitlistEntries)
      .where(
        inArray(
          s.waitlistEntries.appointmentId,
          crowd.map((c) => c.appointment.id),
        ),
      );
    expect(entries.filter((e) => e.status === "active")).toHaveLength(49);
    expect(entries.filter((e) => e.status === "fulfilled")).toHaveLength(1);
    const after = await offersFor(canceller.slot.id);
    expect(after.filter((o) => o.status === "accepted")).toHaveLength(1);
    expect(after.filter((o) => o.status === "taken")).toHaveLength(49);
    expect(await verifySealed(handle.db)).toEqual([]);
  });

  it("in turn: one patient at a time, the next one when the first lets the window pass", async () => {
    const { clinic, type } = await makeClinic(handle.db, { offerFairness: "in_turn", offerAnswerMinutes: 60 });
    const canceller = await booked(clinic.id, type.id, days(3));
    // The first to join waits longest and goes first, though the second would gain more.
    const first = await waiting(clinic.id, type.id, days(8), {}, { sms: true, joinedAt: days(-10) });
    const second = await waiting(clinic.id, type.id, days(30), {}, { joinedAt: days(-5) });
    const third = await waiting(clinic.id, type.id, days(9), {}, { joinedAt: days(-1) });
    await cancelAppointment(handle.db, canceller.patient.id, {
      appointmentId: canceller.appointment.id,
      reason: null,
      now,
      audit,
    });

    await runOfferPass(handle.db, ctx(now));
    let offers = await offersFor(canceller.slot.id);
    expect(offers.map((o) => [o.patientId, o.status])).toEqual([[first.patient.id, "pending"]]);

    await runOfferPass(handle.db, ctx(minutes(59)));
    expect(await offersFor(canceller.slot.id)).toHaveLength(1);

    await runOfferPass(handle.db, ctx(minutes(60)));
    offers = await offersFor(canceller.slot.id);
    expect(offers.find((o) => o.patientId === first.patient.id)!.status).toBe("expired");
    expect(offers.find((o) => o.patientId === second.patient.id)).toMatchObject({
      status: "pending",
      expiresAt: minutes(120),
    });
    expect(offers.some((o) => o.patientId === third.patient.id)).toBe(false);
    // The lapsed patient is still on the list, and their unsent SMS is not sent any more.
    expect(
      (await getWaitlistState(handle.db, first.patient.id, first.appointment.id, minutes(60), {})).wish,
    ).not.toBeNull();
    const [sms] = await handle.db
      .select()
      .from(s.messages)
      .where(and(eq(s.messages.patientId, first.patient.id), eq(s.messages.purpose, "offer")));
    expect(sms!.status).toBe("cancelled");
    // Accepting after the window: too late.
    const late = offers.find((o) => o.patientId === first.patient.id)!;
    expect(await acceptOffer(handle.db, first.patient.id, { offerId: late.id, now: minutes(61), audit })).toEqual({
      ok: false,
      error: "expired",
    });

    // "Nej tack" from the second: the third is asked at once by the next pass.
    const secondOffer = offers.find((o) => o.patientId === second.patient.id)!;
    expect(
      await declineOffer(handle.db, second.patient.id, { offerId: secondOffer.id, now: minutes(70), audit }),
    ).toEqual({ ok: true });
    await runOfferPass(handle.db, ctx(minutes(70)));
    offers = await offersFor(canceller.slot.id);
    expect(offers.find((o) => o.patientId === third.patient.id)!.status).toBe("pending");
  });

  it("cascades: each winner's old slot is offered on, across four steps", async () => {
    const { clinic, type } = await makeClinic(handle.db, { offerFairness: "in_turn", offerAnswerMinutes: 120 });
    const canceller = await booked(clinic.id, type.id, days(3));
    const chain = [];
    for (let i = 0; i < 4; i++)
      chain.push(await waiting(clinic.id, type.id, days(10 * (i + 1)), {}, { sms: true, joinedAt: days(-20 + i) }));
    await cancelAppointment(handle.db, canceller.patient.id, {
      appointmentId: canceller.appointment.id,
      reason: null,
      now,
      audit,
    });

    let freed = canceller.slot;
    let at = now;
    for (const link of chain) {
      at = minutes(10, at);
      await runOfferPass(handle.db, ctx(at));
      const offers = (await offersFor(freed.id)).filter((o) => o.status === "pending");
      expect(offers.map((o) => o.patientId)).toEqual([link.patient.id]);
      const result = await acceptOffer(handle.db, link.patient.id, { offerId: offers[0]!.id, now: at, audit });
      expect(result).toEqual({ ok: true, appointmentId: link.appointment.id, startsAt: freed.startsAt });
      expect((await slotOf(link.appointment.id)).slotId).toBe(freed.id);
      // Reminders follow the new time.
      const reminders = await handle.db
        .select()
        .from(s.messages)
        .where(
          and(
            eq(s.messages.appointmentId, link.appointment.id),
            eq(s.messages.purpose, "reminder"),
            eq(s.messages.status, "queued"),
          ),
        );
      expect(reminders.length).toBeGreaterThan(0);
      for (const r of reminders) expect(r.dueAt.getTime()).toBeLessThan(freed.startsAt.getTime());
      freed = link.slot;
    }
    // The last freed slot (day 40) has nobody later waiting.
    await runOfferPass(handle.db, ctx(minutes(10, at)));
    expect(await offersFor(freed.id)).toHaveLength(0);

    const events = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(
        and(eq(s.webhookDeliveries.clinicId, clinic.id), eq(s.webhookDeliveries.eventType, "appointment.rebooked")),
      );
    expect(events).toHaveLength(4);
    expect(events.every((e) => e.payload.source === "waitlist")).toBe(true);

    const stats = await waitlistStats(handle.db, { clinicId: clinic.id, from: days(-1), to: days(1) });
    // Gains: 3 → from day 10 (7 days), 10 ← 20, 20 ← 30, 30 ← 40 (10 days each).
    expect(stats).toEqual({
      offersSent: 4,
      accepted: 4,
      expired: 0,
      declined: 0,
      slotsRefilled: 4,
      daysGained: 37,
      medianDaysGained: 10,
    });
    expect(await verifySealed(handle.db)).toEqual([]);
  });

  it("a waiting patient who cancels or moves their appointment stops waiting; their open offer goes on", async () => {
    const { clinic, type } = await makeClinic(handle.db, { offerFairness: "in_turn" });
    const canceller = await booked(clinic.id, type.id, days(3));
    const first = await waiting(clinic.id, type.id, days(10), {}, { joinedAt: days(-3) });
    const second = await waiting(clinic.id, type.id, days(11), {}, { joinedAt: days(-2) });
    await cancelAppointment(handle.db, canceller.patient.id, {
      appointmentId: canceller.appointment.id,
      reason: null,
      now,
      audit,
    });
    await runOfferPass(handle.db, ctx(now));
    expect((await offersFor(canceller.slot.id)).map((o) => o.patientId)).toEqual([first.patient.id]);

    await cancelAppointment(handle.db, first.patient.id, {
      appointmentId: first.appointment.id,
      reason: null,
      now: minutes(5),
      audit,
    });
    expect((await offersFor(canceller.slot.id))[0]!.status).toBe("withdrawn");
    await runOfferPass(handle.db, ctx(minutes(6)));
    const offers = await offersFor(canceller.slot.id);
    expect(offers.find((o) => o.patientId === second.patient.id)!.status).toBe("pending");
    // First's own freed slot (day 10) is earlier than second's day 11: offered to second too.
    const day10 = await offersFor(first.slot.id);
    expect(day10.map((o) => o.patientId)).toEqual([second.patient.id]);

    // A rebook ends the wish too.
    const spare = await makeSlot(handle.db, clinic.id, type.id, days(15));
    expect(
      await rebookAppointment(handle.db, second.patient.id, {
        appointmentId: second.appointment.id,
        slotId: spare.id,
        now: minutes(7),
        audit,
      }),
    ).toMatchObject({ ok: true });
    expect(
      (await getWaitlistState(handle.db, second.patient.id, second.appointment.id, minutes(7), {})).wish,
    ).toBeNull();
    expect((await offersFor(canceller.slot.id)).every((o) => o.status !== "pending")).toBe(true);
  });

  it("a slot added by the clinic is offered; sister clinics where the type allows; excluded types never", async () => {
    const a = await makeClinic(handle.db, { sisterGroup: "north", offerBatchSize: 5 });
    const b = await makeClinic(handle.db, { sisterGroup: "north" });
    await handle.db
      .update(s.appointmentTypes)
      .set({ code: "shared", allowSisterClinics: true })
      .where(inArray(s.appointmentTypes.id, [a.type.id, b.type.id]));
    const own = await waiting(a.clinic.id, a.type.id, days(10));
    const sister = await waiting(b.clinic.id, b.type.id, days(10));

    const added = await addClinicSlot(handle.db, {
      clinicId: a.clinic.id,
      typeId: a.type.id,
      startsAt: days(4),
      endsAt: minutes(20, days(4)),
      now,
    });
    await runOfferPass(handle.db, ctx(now));
    expect((await offersFor(added.id)).map((o) => o.patientId).sort()).toEqual(
      [own.patient.id, sister.patient.id].sort(),
    );

    // The sister patient takes it: the sister clinic is told it lost a booking, this clinic that it got one.
    const offer = (await offersFor(added.id)).find((o) => o.patientId === sister.patient.id)!;
    expect(
      await acceptOffer(handle.db, sister.patient.id, { offerId: offer.id, now: minutes(1), audit }),
    ).toMatchObject({ ok: true });
    const bookedEvents = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(
        and(eq(s.webhookDeliveries.clinicId, a.clinic.id), eq(s.webhookDeliveries.eventType, "appointment.booked")),
      );
    expect(bookedEvents).toHaveLength(1);

    // Clinic a stops offering this type: no new offers, and no new wishes.
    await handle.db
      .update(s.appointmentTypes)
      .set({ waitlistEnabled: false })
      .where(eq(s.appointmentTypes.id, a.type.id));
    const another = await addClinicSlot(handle.db, {
      clinicId: a.clinic.id,
      typeId: a.type.id,
      startsAt: days(5),
      endsAt: minutes(20, days(5)),
      now: minutes(2),
    });
    await runOfferPass(handle.db, ctx(minutes(2)));
    expect(await offersFor(another.id)).toHaveLength(0);
    const newcomer = await booked(a.clinic.id, a.type.id, days(12));
    expect(
      await saveWaitlistWishes(handle.db, newcomer.patient.id, {
        appointmentId: newcomer.appointment.id,
        fromDate: "2030-03-01",
        weekdays: [],
        timesOfDay: [],
        minNoticeMinutes: 120,
        now,
        audit,
      }),
    ).toEqual({ ok: false, error: "not_allowed" });
  });

  it("no offer lapses after the slot's own cutoff, and none is made past it", async () => {
    const { clinic, type } = await makeClinic(handle.db, { cancelCutoffHours: 24, offerAnswerMinutes: 600 });
    await waiting(clinic.id, type.id, days(10));
    const soon = await addClinicSlot(handle.db, {
      clinicId: clinic.id,
      typeId: type.id,
      startsAt: minutes(60 * 26),
      endsAt: minutes(60 * 26 + 20),
      now,
    });
    await runOfferPass(handle.db, ctx(now));
    expect((await offersFor(soon.id))[0]!.expiresAt).toEqual(minutes(120)); // 26 h − 24 h cutoff
    const tooSoon = await addClinicSlot(handle.db, {
      clinicId: clinic.id,
      typeId: type.id,
      startsAt: minutes(60 * 20),
      endsAt: minutes(60 * 20 + 20),
      now,
    });
    await runOfferPass(handle.db, ctx(now));
    expect(await offersFor(tooSoon.id)).toHaveLength(0);
  });
});
