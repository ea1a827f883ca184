import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import { auditChainReport, recordAudit } from "@/lib/audit";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { exportPatientData, listAccessLog, listAccessLogPage } from "./access-log";

requirePostgresInCi();

describe.each(testDatabases)("the patient's own access log and data export on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("shows only this patient's events, names who acted, and records the viewing", async () => {
    const me = await makePatient(handle.db);
    const other = await makePatient(handle.db);
    await recordAudit(handle.db, {
      actorType: "patient",
      actorId: me.id,
      action: "appointment.read",
      patientId: me.id,
    });
    await recordAudit(handle.db, { actorType: "system", action: "reminder.sent", patientId: me.id });
    await recordAudit(handle.db, {
      actorType: "patient",
      actorId: other.id,
      action: "appointment.read",
      patientId: other.id,
    });
    // No sequencer has run: the log shows rows as soon as they are committed, sealed or not.
    expect((await auditChainReport(handle.db)).unsealed.count).toBeGreaterThanOrEqual(3);
    const log = await listAccessLog(handle.db, me.id, { audit: {} });
    expect(log.map((e) => [e.actor, e.action])).toEqual([
      ["system", "reminder.sent"],
      ["self", "appointment.read"],
    ]);
    const again = await listAccessLog(handle.db, me.id, { audit: {} });
    expect(again[0]).toMatchObject({ actor: "self", action: "access_log.read" });
  });

  it("exports everything held about the patient, decrypted, and logs the export", async () => {
    const me = await makePatient(handle.db);
    const { clinic, type } = await makeClinic(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-01-01T09:00:00Z"));
    await handle.db.insert(s.appointments).values({ patientId: me.id, slotId: slot.id });
    const data = await exportPatientData(handle.db, me.id, testKeys, {}, new Date("2029-12-01T00:00:00Z"));
    expect(data!.patient.personalNumber).toMatch(/^\d{12}$/);
    expect(data!.appointments).toHaveLength(1);
    const log = await listAccessLog(handle.db, me.id, { audit: {} });
    expect(log.some((e) => e.action === "data.export")).toBe(true);
  });

  it("pages right with exactly 50 events: no 'older' link to an empty page", async () => {
    const me = await makePatient(handle.db);
    for (let i = 0; i < 50; i++)
      await recordAudit(handle.db, { actorType: "system", action: "appointment.read", patientId: me.id });
    const first = await listAccessLogPage(handle.db, me.id, { limit: 50, audit: {} });
    expect(first.entries).toHaveLength(50);
    expect(first.olderBefore).toBeNull();
    // The read just now is the 51st event: now there is exactly one older one.
    const second = await listAccessLogPage(handle.db, me.id, { limit: 50, audit: {} });
    expect(second.entries[0]).toMatchObject({ action: "access_log.read" });
    expect(second.olderBefore).not.toBeNull();
    const older = await listAccessLogPage(handle.db, me.id, { before: second.olderBefore!, limit: 50, audit: {} });
    expect(older.entries).toHaveLength(1);
    expect(older.olderBefore).toBeNull();
  });
});
