// Slot as FHIR R4 sees it. `busy` is never stored: a slot reads back busy while a booked
// appointment holds it, so the booking and the slot's state can never disagree.
import type { Slot } from "@medplum/fhirtypes";
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { appointmentTypes, clinics, slots } from "@/db/schema";
import { LOCAL_SYSTEMS } from "./systems";
import { fhirInstant, fhirLastUpdated } from "./time";

export type FhirSlotStatus = "free" | "busy" | "busy-unavailable";

export function slotStatusToFhir(stored: string, booked: boolean): FhirSlotStatus {
  if (stored === "blocked") return "busy-unavailable";
  return booked ? "busy" : "free";
}

export interface FhirSlotSource {
  slot: Pick<
    typeof slots.$inferSelect,
    "id" | "scheduleId" | "startsAt" | "endsAt" | "status" | "externalSystem" | "externalId" | "version" | "updatedAt"
  >;
  type: Pick<typeof appointmentTypes.$inferSelect, "code" | "codeSystem" | "nameSv">;
  clinic: Pick<typeof clinics.$inferSelect, "timeZone">;
  /** A booked appointment holds the slot. */
  booked: boolean;
  /** Latest change of the slot or of an appointment on it (a booking changes the slot's status). */
  lastUpdated: Date;
}

export function toFhirSlot(src: FhirSlotSource): Slot {
  const s = src.slot;
  const resource: Slot = {
    resourceType: "Slot",
    id: s.id,
    meta: { versionId: String(s.version), lastUpdated: fhirLastUpdated(src.lastUpdated) },
    serviceType: [
      {
        coding: [{ system: src.type.codeSystem ?? LOCAL_SYSTEMS.appointmentType, code: src.type.code }],
        text: src.type.nameSv,
      },
    ],
    schedule: { reference: `Schedule/${s.scheduleId}` },
    status: slotStatusToFhir(s.status, src.booked),
    start: fhirInstant(s.startsAt, src.clinic.timeZone),
    end: fhirInstant(s.endsAt, src.clinic.timeZone),
  };
  if (s.externalId) resource.identifier = [{ system: s.externalSystem ?? LOCAL_SYSTEMS.slot, value: s.externalId }];
  return resource;
}

/** SQL for "a booked appointment holds this slot" and for the slot's last change. */
export const slotBookedSql = sql<boolean>`exists (select 1 from appointments a where a.slot_id = ${slots.id} and a.status = 'booked')`;
export const slotLastUpdatedSql = sql<Date>`greatest(${slots.updatedAt}, coalesce((select max(a.updated_at) from appointments a where a.slot_id = ${slots.id}), ${slots.updatedAt}))`;

export function fhirSlotQuery(db: DbOrTx) {
  return db
    .select({
      slot: slots,
      type: appointmentTypes,
      clinic: clinics,
      booked: slotBookedSql,
      lastUpdated: slotLastUpdatedSql,
    })
    .from(slots)
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId));
}

type SlotRow = Awaited<ReturnType<ReturnType<typeof fhirSlotQuery>["execute"]>>[number];

/** Drivers differ in how they return computed columns (a boolean, a timestamp string): normalise. */
export function slotSourceOf(row: SlotRow): FhirSlotSource {
  const booked = row.booked as unknown;
  const last = row.lastUpdated as unknown;
  return {
    ...row,
    booked: booked === true || booked === "t" || booked === "true",
    lastUpdated: last instanceof Date ? last : new Date(String(last)),
  };
}

/** The slot exactly as the API returns it, or null. Not scoped to a client (see appointment.ts). */
export async function loadFhirSlot(db: DbOrTx, slotId: string): Promise<Slot | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(slotId)) return null;
  const [row] = await fhirSlotQuery(db).where(eq(slots.id, slotId)).limit(1);
  return row ? toFhirSlot(slotSourceOf(row)) : null;
}
