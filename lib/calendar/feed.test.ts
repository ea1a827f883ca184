import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ical from "node-ical";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { messagesFor } from "@/i18n/messages";
import { calendarFeedFor, createCalendarFeed, revokeCalendarFeed } from "./feed";

requirePostgresInCi();

describe.each(testDatabases)("personal calendar feed on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("shows only time and the SMS-safe name, keeps cancellations as cancelled, and dies when revoked", async () => {
    const now = new Date("2030-05-01T08:00:00Z");
    const { clinic, type } = await makeClinic(handle.db, {
      name: "Psykiatrimottagning Ågatan",
      smsName: "Mottagningen Ågatan",
    });
    const patient = await makePatient(handle.db);
    const kept = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-05-03T08:00:00Z"));
    const dropped = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-05-04T08:00:00Z"));
    const [a] = await handle.db.insert(s.appointments).values({ patientId: patient.id, slotId: kept.id }).returning();
    const [b] = await handle.db
      .insert(s.appointments)
      .values({ patientId: patient.id, slotId: dropped.id, status: "cancelled", cancelledAt: now, version: 2 })
      .returning();
    const token = await createCalendarFeed(handle.db, patient.id, {});
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    const body = (await calendarFeedFor(handle.db, token, now, "Besök"))!;
    expect(body).not.toContain("Psykiatri");
    const events = Object.values(ical.sync.parseICS(body)).filter((e) => e?.type === "VEVENT") as ical.VEvent[];
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect(byUid.get(`${a!.id}@vardtid`)?.summary).toBe("Besök: Mottagningen Ågatan");
    expect(byUid.get(`${b!.id}@vardtid`)?.status).toBe("CANCELLED");
    // The stored value is a hash, not the token.
    const [prefs] = await handle.db
      .select()
      .from(s.notificationPreferences)
      .where(eq(s.notificationPreferences.patientId, patient.id));
    expect(prefs!.calendarFeedTokenHash).not.toBe(token);
    await revokeCalendarFeed(handle.db, patient.id, {});
    expect(await calendarFeedFor(handle.db, token, now, "Besök")).toBeNull();
    expect(await calendarFeedFor(handle.db, "x".repeat(43), now, "Besök")).toBeNull();
  });

  it("titles the events in the patient's text language, since the calendar app sends no cookie", async () => {
    const now = new Date("2030-05-01T08:00:00Z");
    const { clinic, type } = await makeClinic(handle.db, { smsName: "Mottagningen Ågatan" });
    const patient = await makePatient(handle.db);
    await handle.db.update(s.patients).set({ language: "ar" }).where(eq(s.patients.id, patient.id));
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-05-03T08:00:00Z"));
    await handle.db.insert(s.appointments).values({ patientId: patient.id, slotId: slot.id });
    const token = await createCalendarFeed(handle.db, patient.id, {});
    const body = (await calendarFeedFor(handle.db, token, now, (lang) => messagesFor(lang).calendarFeed.eventTitle))!;
    const [event] = Object.values(ical.sync.parseICS(body)).filter((e) => e?.type === "VEVENT") as ical.VEvent[];
    expect(event?.summary).toBe("موعد: Mottagningen Ågatan");
  });
});
