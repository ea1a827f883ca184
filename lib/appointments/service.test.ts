// (Over ~300 lines: one story per verb against one seeded database per engine, ending in the 100-patient race.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { verifySealed } from "@/test/audit-seal";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { cancelAppointment, findFreeSlots, getAppointment, listAppointments, rebookAppointment } from "./service";

requirePostgresInCi();

const now = new Date("2030-03-04T09:00:00Z");
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
const audit = { ip: "192.0.2.10", userAgent: "test" };

describe.each(testDatabases)("appointments service on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  async function bookedPatient(clinicId: string, typeId: string, startsAt: Date) {
    const patient = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinicId, typeId, startsAt);
    const [appointment] = await handle.db
      .insert(s.appointments)
      .values({ patientId: patient.id, slotId: slot.id })
      .returning();
    return { patient, slot, appointment: appointment! };
  }

  it("lists a patient's own appointments, upcoming first, and audits the read", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const { patient, appointment } = await bookedPatient(clinic.id, type.id, days(5));
    const pastSlot = await makeSlot(handle.db, clinic.id, type.id, days(-5));
    await handle.db.insert(s.appointments).values({ patientId: patient.id, slotId: pastSlot.id, status: "completed" });
    await bookedPatient(clinic.id, type.id, days(6)); // someone else's
    const list = await listAppointments(handle.db, patient.id, { locale: "sv", now, audit });
    expect(list.upcoming.map((a) => a.id)).toEqual([appointment.id]);
    expect(list.past).toHaveLength(1);
    const events = await handle.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.patientId, patient.id), eq(s.auditEvents.action, "appointment.list")));
    expect(events).toHaveLength(1);
  });

  it("a booking the clinic entered in error is gone for the patient", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const { patient, appointment } = await bookedPatient(clinic.id, type.id, days(5));
    await handle.db
      .update(s.appointments)
      .set({ status: "entered_in_error" })
      .where(eq(s.appointments.id, appointment.id));
    const opts = { locale: "sv" as const, now, audit };
    const list = await listAppointments(handle.db, patient.id, opts);
    expect([...list.upcoming, ...list.past]).toHaveLength(0);
    expect(await getAppointment(handle.db, patient.id, appointment.id, opts)).toBeNull();
    expect(
      await cancelAppointment(handle.db, patient.id, { appointmentId: appointment.id, reason: null, now, audit }),
    ).toEqual({ ok: false, error: "not_found" });
  });

  it("someone else's appointment id is exactly as not-found as a made-up one", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const mine = await bookedPatient(clinic.id, type.id, days(5));
    const theirs = await bookedPatient(clinic.id, type.id, days(7));
    const opts = { locale: "sv" as const, now, audit };
    expect(await getAppointment(handle.db, mine.patient.id, theirs.appointment.id, opts)).toBeNull();
    expect(await getAppointment(handle.db, mine.patient.id, "00000000-0000-4000-8000-000000000000", opts)).toBeNull();
    expect(await getAppointment(handle.db, mine.patient.id, "not-a-uuid", opts)).toBeNull();
    expect(
      await cancelAppointment(handle.db, mine.patient.id, {
        appointmentId: theirs.appointment.id,
        reason: null,
        now,
        audit,
      }),
    ).toEqual({ ok: false, error: "not_found" });
    const [still] = await handle.db.select().from(s.appointments).where(eq(s.appointments.id, theirs.appointment.id));
    expect(still!.status).toBe("booked");
  });

  it("cancels before the cutoff: status, reason, clinic event and audit in one go", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const { patient, appointment } = await bookedPatient(clinic.id, type.id, days(3));
    const result = await cancelAppointment(handle.db, patient.id, {
      appointmentId: appointment.id,
      reason: "no_transport",
      now,
      audit,
    });
    expect(result.ok).toBe(true);
    const [row] = await handle.db.select().from(s.appointments).where(eq(s.appointments.id, appointment.id));
    expect(row).toMatchObject({ status: "cancelled", cancelReason: "no_transport", version: 2 });
    const events = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.clinicId, clinic.id));
    expect(events.map((e) => e.eventType)).toEqual(["appointment.cancelled"]);
    // A second cancel changes nothing.
    expect(
      await cancelAppointment(handle.db, patient.id, { appointmentId: appointment.id, reason: null, now, audit }),
    ).toEqual({ ok: false, error: "not_booked" });
  });

  it("refuses to cancel past the cutoff and where self-service is off", async () => {
    const { clinic, type } = await makeClinic(handle.db, { cancelCutoffHours: 24 });
    const soon = await bookedPatient(clinic.id, type.id, new Date(now.getTime() + 5 * 3_600_000));
    expect(
      await cancelAppointment(handle.db, soon.patient.id, {
        appointmentId: soon.appointment.id,
        reason: null,
        now,
        audit,
      }),
    ).toEqual({ ok: false, error: "past_cutoff" });
    const locked = await makeClinic(handle.db, { selfServiceCancel: false });
    const other = await bookedPatient(locked.clinic.id, locked.type.id, days(10));
    expect(
      await cancelAppointment(handle.db, other.patient.id, {
        appointmentId: other.appointment.id,
        reason: null,
        now,
        audit,
      }),
    ).toEqual({ ok: false, error: "not_allowed" });
  });

  it("rebooks to a free slot, frees the old one, and lists free slots without taken ones", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const { patient, appointment, slot: oldSlot } = await bookedPatient(clinic.id, type.id, days(10));
    const free = await makeSlot(handle.db, clinic.id, type.id, days(4));
    const takenByOther = await bookedPatient(clinic.id, type.id, days(4.5));
    const found = await findFreeSlots(handle.db, patient.id, {
      appointmentId: appointment.id,
      from: days(1),
      to: days(20),
      partOfDay: "all",
      now,
      audit,
    });
    expect(found.ok && found.slots.map((x) => x.id)).toContain(free.id);
    expect(found.ok && found.slots.map((x) => x.id)).not.toContain(takenByOther.slot.id);
    const result = await rebookAppointment(handle.db, patient.id, {
      appointmentId: appointment.id,
      slotId: free.id,
      now,
      audit,
    });
    expect(result.ok).toBe(true);
    const [row] = await handle.db.select().from(s.appointments).where(eq(s.appointments.id, appointment.id));
    expect(row).toMatchObject({ slotId: free.id, status: "booked", version: 2 });
    expect(row!.previousStartsAt!.getTime()).toBe(oldSlot.startsAt.getTime());
    const again = await findFreeSlots(handle.db, patient.id, {
      appointmentId: appointment.id,
      from: days(1),
      to: days(20),
      partOfDay: "all",
      now,
      audit,
    });
    expect(again.ok && again.slots.map((x) => x.id)).toContain(oldSlot.id);
  });

  it("a change from a page that showed an older version of the visit (another tab) changes nothing", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const { patient, appointment } = await bookedPatient(clinic.id, type.id, days(10));
    const first = await makeSlot(handle.db, clinic.id, type.id, days(4));
    const second = await makeSlot(handle.db, clinic.id, type.id, days(5));
    const shown = appointment.version;
    const moved = await rebookAppointment(handle.db, patient.id, {
      appointmentId: appointment.id,
      slotId: first.id,
      expectedVersion: shown,
      now,
      audit,
    });
    expect(moved.ok && moved.appointment.clinicChanged).toBe(false);
    // The other tab still shows the old version: neither a second move nor a cancel goes through.
    expect(
      await rebookAppointment(handle.db, patient.id, {
        appointmentId: appointment.id,
        slotId: second.id,
        expectedVersion: shown,
        now,
        audit,
      }),
    ).toEqual({ ok: false, error: "stale" });
    expect(
      await cancelAppointment(handle.db, patient.id, {
        appointmentId: appointment.id,
        reason: null,
        expectedVersion: shown,
        now,
        audit,
      }),
    ).toEqual({ ok: false, error: "stale" });
    const [row] = await handle.db.select().from(s.appointments).where(eq(s.appointments.id, appointment.id));
    expect(row).toMatchObject({ slotId: first.id, status: "booked", version: shown + 1 });
  });

  it("a rebook to a sister clinic says the clinic changed", async () => {
    const group = `sisters-${Date.now()}`;
    const { clinic, type } = await makeClinic(handle.db, { sisterGroup: group });
    const sister = await makeClinic(handle.db, { sisterGroup: group });
    await handle.db
      .update(s.appointmentTypes)
      .set({ code: "shared", allowSisterClinics: true })
      .where(eq(s.appointmentTypes.id, type.id));
    await handle.db
      .update(s.appointmentTypes)
      .set({ code: "shared", allowSisterClinics: true })
      .where(eq(s.appointmentTypes.id, sister.type.id));
    const { patient, appointment } = await bookedPatient(clinic.id, type.id, days(10));
    const there = await makeSlot(handle.db, sister.clinic.id, sister.type.id, days(4));
    const found = await findFreeSlots(handle.db, patient.id, {
      appointmentId: appointment.id,
      from: days(1),
      to: days(20),
      partOfDay: "all",
      now,
      audit,
    });
    expect(found.ok && found.slots.find((x) => x.id === there.id)).toMatchObject({
      sameClinic: false,
      clinicAddress: "Gatan 1",
    });
    const moved = await rebookAppointment(handle.db, patient.id, {
      appointmentId: appointment.id,
      slotId: there.id,
      now,
      audit,
    });
    expect(moved.ok && moved.appointment.clinicChanged).toBe(true);
  });

  it("offers and accepts only new times the patient could still change afterwards", async () => {
    const { clinic, type } = await makeClinic(handle.db, { cancelCutoffHours: 24 });
    const { patient, appointment } = await bookedPatient(clinic.id, type.id, days(10));
    const tooSoon = await makeSlot(handle.db, clinic.id, type.id, new Date(now.getTime() + 5 * 3_600_000));
    const fine = await makeSlot(handle.db, clinic.id, type.id, days(2));
    const found = await findFreeSlots(handle.db, patient.id, {
      appointmentId: appointment.id,
      from: now,
      to: days(20),
      partOfDay: "all",
      now,
      audit,
    });
    expect(found.ok && found.slots.map((x) => x.id)).not.toContain(tooSoon.id);
    expect(found.ok && found.slots.map((x) => x.id)).toContain(fine.id);
    expect(
      await rebookAppointment(handle.db, patient.id, { appointmentId: appointment.id, slotId: tooSoon.id, now, audit }),
    ).toEqual({ ok: false, error: "slot_unavailable" });
  });

  it("a slot another patient's visit holds is taken, whether or not the visit is the asker's; the own slot is not a move", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const me = await bookedPatient(clinic.id, type.id, days(6));
    const other = await bookedPatient(clinic.id, type.id, days(3));
    const rebook = (appointmentId: string, slotId: string) =>
      rebookAppointment(handle.db, me.patient.id, { appointmentId, slotId, now, audit });
    expect(await rebook(me.appointment.id, other.slot.id)).toEqual({ ok: false, error: "taken" });
    // Someone else's visit id with a held slot: still nothing about that visit, only that the slot is held.
    expect(await rebook(other.appointment.id, other.slot.id)).toEqual({ ok: false, error: "taken" });
    expect(await rebook(other.appointment.id, (await makeSlot(handle.db, clinic.id, type.id, days(2))).id)).toEqual({
      ok: false,
      error: "not_found",
    });
    expect(await rebook(me.appointment.id, me.slot.id)).toEqual({ ok: false, error: "slot_unavailable" });
    const [mine] = await handle.db.select().from(s.appointments).where(eq(s.appointments.id, me.appointment.id));
    expect(mine).toMatchObject({ slotId: me.slot.id, status: "booked", version: me.appointment.version });
  });

  it("100 patients racing for one slot: exactly one wins, the others keep their own appointment", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const contested = await makeSlot(handle.db, clinic.id, type.id, days(2));
    const racers = [];
    for (let i = 0; i < 100; i++)
      racers.push(await bookedPatient(clinic.id, type.id, new Date(days(12).getTime() + i * 3_600_000)));
    const results = await Promise.all(
      racers.map((r) =>
        rebookAppointment(handle.db, r.patient.id, {
          appointmentId: r.appointment.id,
          slotId: contested.id,
          now,
          audit,
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error === "taken").length).toBe(99);
    const booked = await handle.db
      .select()
      .from(s.appointments)
      .where(and(eq(s.appointments.slotId, contested.id), eq(s.appointments.status, "booked")));
    expect(booked).toHaveLength(1);
    const winnerIndex = results.findIndex((r) => r.ok);
    for (const [i, r] of racers.entries()) {
      if (i === winnerIndex) continue;
      const [row] = await handle.db.select().from(s.appointments).where(eq(s.appointments.id, r.appointment.id));
      expect(row).toMatchObject({ slotId: r.slot.id, status: "booked", version: 1 });
    }
    expect(await verifySealed(handle.db)).toEqual([]);
  });
});
