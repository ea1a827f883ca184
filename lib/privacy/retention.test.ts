import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { bookAppointment } from "@/lib/appointments/service";
import { createSession, revokeSession } from "@/lib/auth/sessions";
import { createAppointmentLink } from "@/lib/links/deep-links";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { purgeExpired } from "./retention";

requirePostgresInCi();

const t0 = new Date("2030-03-04T09:00:00Z");
const days = (n: number) => new Date(t0.getTime() + n * 86_400_000);

describe.each(testDatabases)("retention job on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => handle?.dispose());

  it("removes expired links, ended sessions and old message details; keeps appointments and the audit trail", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const patient = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, days(5));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    await createAppointmentLink(handle.db, { appointmentId: booked.appointmentId, expiresAt: days(5), now: t0 });
    const fresh = await createAppointmentLink(handle.db, {
      appointmentId: booked.appointmentId,
      expiresAt: days(200),
      now: t0,
    });
    const limits = { idleMinutes: 30, absoluteHours: 12 };
    const ended = await createSession(handle.db, { patientId: patient.id, userAgent: "a", ip: null, now: t0, limits });
    await revokeSession(handle.db, ended.sessionId, t0);
    await createSession(handle.db, { patientId: patient.id, userAgent: "b", ip: null, now: days(99), limits });
    await handle.db.insert(s.messages).values({
      patientId: patient.id,
      appointmentId: booked.appointmentId,
      channel: "sms",
      purpose: "reminder",
      idempotencyKey: `retention-test-${booked.appointmentId}`,
      status: "delivered",
      toEnc: "x",
      bodyEnc: "y",
      providerId: "p",
      dueAt: days(1),
      updatedAt: days(1),
    });
    await recordAudit(handle.db, { actorType: "system", action: "test.old", patientId: patient.id, at: t0 });
    const auditBefore = (await handle.db.select().from(s.auditEvents)).length;

    const result = await purgeExpired(handle.db, days(100));
    expect(result.links).toBeGreaterThanOrEqual(1);
    expect(result.sessions).toBeGreaterThanOrEqual(1);
    expect(result.messages).toBeGreaterThanOrEqual(1);

    const links = await handle.db.select().from(s.deepLinks).where(eq(s.deepLinks.appointmentId, booked.appointmentId));
    expect(links).toHaveLength(1);
    expect(fresh).toBeTruthy();
    expect(await handle.db.select().from(s.sessions).where(eq(s.sessions.patientId, patient.id))).toHaveLength(1);
    const msgs = await handle.db.select().from(s.messages).where(eq(s.messages.appointmentId, booked.appointmentId));
    expect(msgs.length).toBeGreaterThan(0);
    for (const m of msgs) expect(m).toMatchObject({ toEnc: null, bodyEnc: null, providerId: null });
    expect(
      await handle.db.select().from(s.appointments).where(eq(s.appointments.id, booked.appointmentId)),
    ).toHaveLength(1);
    expect((await handle.db.select().from(s.auditEvents)).length).toBe(auditBefore);
    // Running again finds nothing more.
    expect(await purgeExpired(handle.db, days(100))).toEqual({
      links: 0,
      offers: 0,
      sessions: 0,
      loginOrders: 0,
      phoneCodes: 0,
      messages: 0,
    });
  });
});
