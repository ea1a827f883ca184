import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookAppointment } from "@/lib/appointments/service";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { createAppointmentLink } from "./deep-links";
import { linkDestination } from "./destination";

requirePostgresInCi();

const now = new Date("2030-03-04T09:00:00Z");

describe.each(testDatabases)("where /l/<token> leads, on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => handle?.dispose());

  async function linkForNewPatient() {
    const { clinic, type } = await makeClinic(handle.db);
    const owner = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-03-09T09:00:00Z"));
    const booked = await bookAppointment(handle.db, { patientId: owner.id, slotId: slot.id, now });
    if (!booked.ok) throw new Error("booking failed");
    const token = await createAppointmentLink(handle.db, {
      appointmentId: booked.appointmentId,
      expiresAt: slot.endsAt,
      now,
    });
    return { owner, token, appointmentId: booked.appointmentId };
  }

  it("its own patient goes to the appointment; nobody logged in goes to login", async () => {
    const { owner, token, appointmentId } = await linkForNewPatient();
    expect(await linkDestination(handle.db, token, owner.id, now)).toEqual({
      kind: "go",
      path: `/besok/${appointmentId}`,
    });
    expect(await linkDestination(handle.db, token, null, now)).toEqual({ kind: "login" });
  });

  it("finding 6: another patient is told only that the link is someone else's, nothing naming the appointment", async () => {
    const { token, appointmentId } = await linkForNewPatient();
    const other = await makePatient(handle.db);
    const foreign = await linkDestination(handle.db, token, other.id, now);
    expect(foreign).toEqual({ kind: "someone_else" });
    expect(JSON.stringify(foreign)).not.toContain(appointmentId);
    expect(await linkDestination(handle.db, "A".repeat(32), other.id, now)).toEqual({ kind: "unavailable" });
  });
});
