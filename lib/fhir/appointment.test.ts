import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { loadFhirAppointment } from "./appointment";
import { loadFhirSlot } from "./slot";
import { CANCEL_REASON_SYSTEM } from "./systems";

requirePostgresInCi();

describe.each(testDatabases)("FHIR Appointment and Slot mapping on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("maps statuses, times with the clinic's offset, the slot's derived busy and the patient's reason", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const patient = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-03-04T09:00:00Z"));
    expect((await loadFhirSlot(handle.db, slot.id))?.status).toBe("free");
    const [appointment] = await handle.db
      .insert(s.appointments)
      .values({ patientId: patient.id, slotId: slot.id })
      .returning();
    const booked = await loadFhirAppointment(handle.db, appointment!.id);
    expect(booked).toMatchObject({
      resourceType: "Appointment",
      id: appointment!.id,
      status: "booked",
      start: "2030-03-04T10:00:00+01:00",
      end: "2030-03-04T10:20:00+01:00",
      minutesDuration: 20,
      slot: [{ reference: `Slot/${slot.id}` }],
      meta: { versionId: "1" },
    });
    expect(booked?.participant?.[0]?.actor?.reference).toBe(`Patient/${patient.id}`);
    expect(booked?.cancelationReason).toBeUndefined();
    expect((await loadFhirSlot(handle.db, slot.id))?.status).toBe("busy");

    const { eq } = await import("drizzle-orm");
    await handle.db
      .update(s.appointments)
      .set({ status: "cancelled", cancelledAt: new Date(), cancelledBy: "patient", cancelReason: "feeling_better" })
      .where(eq(s.appointments.id, appointment!.id));
    const cancelled = await loadFhirAppointment(handle.db, appointment!.id);
    expect(cancelled?.status).toBe("cancelled");
    expect(cancelled?.cancelationReason?.coding?.[0]?.code).toBe("feeling_better");
    expect((await loadFhirSlot(handle.db, slot.id))?.status).toBe("free");
    // A patient who gave no reason still gets our code (a booking system can tell "none given");
    // a clinic's cancel without a reason has none.
    await handle.db.update(s.appointments).set({ cancelReason: null }).where(eq(s.appointments.id, appointment!.id));
    expect((await loadFhirAppointment(handle.db, appointment!.id))?.cancelationReason).toEqual({
      coding: [{ system: CANCEL_REASON_SYSTEM, code: "no_reason_given" }],
    });
    await handle.db.update(s.appointments).set({ cancelledBy: "clinic" }).where(eq(s.appointments.id, appointment!.id));
    expect((await loadFhirAppointment(handle.db, appointment!.id))?.cancelationReason).toBeUndefined();

    await handle.db.update(s.slots).set({ status: "blocked" }).where(eq(s.slots.id, slot.id));
    expect((await loadFhirSlot(handle.db, slot.id))?.status).toBe("busy-unavailable");
    await handle.db
      .update(s.appointments)
      .set({ status: "entered_in_error", cancelledAt: null })
      .where(eq(s.appointments.id, appointment!.id));
    expect((await loadFhirAppointment(handle.db, appointment!.id))?.status).toBe("entered-in-error");
    expect(await loadFhirAppointment(handle.db, "not-a-uuid")).toBeNull();
  });
});
