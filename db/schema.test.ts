import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { migrationStatus, rowsOf } from "@/db/client";
import * as s from "@/db/schema";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";

requirePostgresInCi();

describe.each(testDatabases)("database layer on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("applies every committed migration to an empty database", async () => {
    const status = await migrationStatus(handle.db);
    expect(status.expected).toBeGreaterThan(0);
    expect(status.applied).toBe(status.expected);
    const tables = rowsOf<{ table_name: string }>(
      await handle.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      ),
    ).map((r) => r.table_name);
    for (const t of [
      "patients",
      "clinics",
      "appointment_types",
      "practitioners",
      "slots",
      "appointments",
      "waitlist_entries",
      "slot_offers",
      "notification_preferences",
      "push_subscriptions",
      "messages",
      "deep_links",
      "audit_events",
      "sessions",
      "api_clients",
      "webhook_deliveries",
    ]) {
      expect(tables).toContain(t);
    }
  });

  it("refuses a second booked appointment for the same slot (partial unique index)", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-01-07T09:00:00Z"));
    const [a, b] = [await makePatient(handle.db), await makePatient(handle.db)];
    await handle.db.insert(s.appointments).values({ patientId: a.id, slotId: slot.id });
    await expect(handle.db.insert(s.appointments).values({ patientId: b.id, slotId: slot.id })).rejects.toThrow();
    const booked = await handle.db
      .select()
      .from(s.appointments)
      .where(and(eq(s.appointments.slotId, slot.id), eq(s.appointments.status, "booked")));
    expect(booked).toHaveLength(1);
    expect(booked[0]!.patientId).toBe(a.id);
  });

  it("allows a new booking once the earlier one is cancelled", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2030-01-08T09:00:00Z"));
    const [a, b] = [await makePatient(handle.db), await makePatient(handle.db)];
    const [first] = await handle.db.insert(s.appointments).values({ patientId: a.id, slotId: slot.id }).returning();
    await handle.db
      .update(s.appointments)
      .set({ status: "cancelled", cancelledAt: new Date() })
      .where(eq(s.appointments.id, first!.id));
    await handle.db.insert(s.appointments).values({ patientId: b.id, slotId: slot.id });
    const rows = await handle.db.select().from(s.appointments).where(eq(s.appointments.slotId, slot.id));
    expect(rows.map((r) => r.status).sort()).toEqual(["booked", "cancelled"]);
  });

  it("refuses states that make no sense", async () => {
    const { clinic, type } = await makeClinic(handle.db);
    const start = new Date("2030-01-09T09:00:00Z");
    // A slot that ends before it starts.
    await expect(
      handle.db.insert(s.slots).values({ clinicId: clinic.id, typeId: type.id, startsAt: start, endsAt: start }),
    ).rejects.toThrow();
    const slot = await makeSlot(handle.db, clinic.id, type.id, start);
    const p = await makePatient(handle.db);
    // Cancelled without a time of cancellation, and an unknown status.
    await expect(
      handle.db.insert(s.appointments).values({ patientId: p.id, slotId: slot.id, status: "cancelled" }),
    ).rejects.toThrow();
    await expect(
      handle.db.insert(s.appointments).values({
        patientId: p.id,
        slotId: slot.id,
        status: "lost" as "booked" /* the type forbids it; the database must too */,
      }),
    ).rejects.toThrow();
  });
});
