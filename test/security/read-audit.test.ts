// Finding 13: every read of a patient's data writes an audit row (the README promises it, and the
// patient's access log shows it). These five reads wrote none.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { findFreeSlots } from "@/lib/appointments/find-free-slots";
import { createSession, listActiveSessions } from "@/lib/auth/sessions";
import { getNotificationSettings } from "@/lib/notifications/preferences";
import { getWaitlistState } from "@/lib/waitlist/wishes";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";

requirePostgresInCi();

const now = new Date("2030-03-04T09:00:00Z");
const audit = { ip: "192.0.2.44", userAgent: "audit-test" };

describe.each(testDatabases)("reads of patient data are audited, on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let patientId: string;
  let appointmentId: string;
  beforeAll(async () => {
    handle = await target.open();
    const { clinic, type } = await makeClinic(handle.db);
    const patient = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-03-20T09:00:00Z"));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now });
    if (!booked.ok) throw new Error("booking failed");
    patientId = patient.id;
    appointmentId = booked.appointmentId;
  });
  afterAll(async () => handle?.dispose());

  async function rows(action: string) {
    return handle.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.patientId, patientId), eq(s.auditEvents.action, action)));
  }

  it("getNotificationSettings", async () => {
    await getNotificationSettings({ db: handle.db, keys: testKeys, patientId, now, audit });
    expect(await rows("notification_settings.read")).toMatchObject([{ actorId: patientId, ip: audit.ip }]);
  });

  it("getWaitlistState (own appointment only)", async () => {
    const other = await makePatient(handle.db);
    await getWaitlistState(handle.db, other.id, appointmentId, now, audit);
    await getWaitlistState(handle.db, patientId, appointmentId, now, audit);
    expect(await rows("waitlist.read")).toMatchObject([{ actorId: patientId, resourceId: appointmentId }]);
  });

  it("findFreeSlots", async () => {
    const result = await findFreeSlots(handle.db, patientId, {
      appointmentId,
      from: now,
      to: new Date("2030-03-30T00:00:00Z"),
      partOfDay: "all",
      now,
      audit,
    });
    expect(result.ok).toBe(true);
    expect(await rows("appointment.slots.read")).toMatchObject([{ resourceId: appointmentId, ip: audit.ip }]);
  });

  it("listActiveSessions", async () => {
    const { sessionId } = await createSession(handle.db, {
      patientId,
      userAgent: "x",
      ip: audit.ip,
      now,
      limits: { idleMinutes: 30, absoluteHours: 12 },
    });
    expect(sessionId).toBeTruthy();
    await listActiveSessions(handle.db, patientId, "h", now, { idleMinutes: 30, absoluteHours: 12 }, audit);
    expect(await rows("sessions.read")).toMatchObject([{ actorId: patientId, userAgent: audit.userAgent }]);
  });
});
