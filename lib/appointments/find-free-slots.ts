import { TZDate } from "@date-fns/tz";
import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments, appointmentTypes, clinics, slots } from "@/db/schema";
import { allowedTargets, baseQuery, toView, visibleToPatient } from "./appointment-query";
import { effectiveCutoffHoursSql } from "./effective-cutoff";
import { changeableAfterMove } from "./move-appointment";
import { recordAudit } from "@/lib/audit";
import { isUuid, type AuditMeta } from "./types";

export interface FreeSlot {
  id: string;
  startsAt: Date;
  endsAt: Date;
  clinicId: string;
  clinicName: string;
  clinicAddress: string;
  sameClinic: boolean;
}

export type PartOfDay = "all" | "morning" | "afternoon";

/** Free slots for moving an appointment, in [from, to), earliest first. */
export async function findFreeSlots(
  db: Db,
  patientId: string,
  input: {
    appointmentId: string;
    from: Date;
    to: Date;
    partOfDay: PartOfDay;
    now: Date;
    limit?: number;
    audit: AuditMeta;
  },
): Promise<
  | { ok: true; slots: FreeSlot[] }
  | { ok: false; error: "not_found" | "not_allowed" | "past_cutoff" | "not_booked" | "past" }
> {
  if (!isUuid(input.appointmentId)) return { ok: false, error: "not_found" };
  const [row] = await baseQuery(db)
    .where(and(eq(appointments.id, input.appointmentId), eq(appointments.patientId, patientId), visibleToPatient))
    .limit(1);
  if (!row) return { ok: false, error: "not_found" };
  // Reading which times the patient's own appointment can move to is a read of their data.
  await recordAudit(db, {
    actorType: "patient",
    actorId: patientId,
    action: "appointment.slots.read",
    resourceType: "appointment",
    resourceId: input.appointmentId,
    patientId,
    ...input.audit,
  });
  const decision = toView(row, "sv", input.now).rebook;
  if (!decision.allowed) return { ok: false, error: decision.reason };
  const { typeIds } = await allowedTargets(db, row);
  const earliest = new Date(Math.max(input.from.getTime(), input.now.getTime()));
  const rows = await db
    .select({
      id: slots.id,
      startsAt: slots.startsAt,
      endsAt: slots.endsAt,
      clinicId: slots.clinicId,
      clinicName: clinics.name,
      clinicAddress: clinics.address,
      timeZone: clinics.timeZone,
      cutoffHours: effectiveCutoffHoursSql,
    })
    .from(slots)
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .where(
      and(
        inArray(slots.typeId, typeIds),
        eq(slots.status, "open"),
        gte(slots.startsAt, earliest),
        lt(slots.startsAt, input.to),
        sql`not exists (select 1 from ${appointments} a where a.slot_id = ${slots.id} and a.status = 'booked')`,
      ),
    )
    .orderBy(asc(slots.startsAt))
    .limit(input.limit ?? 300);
  const filtered = rows.filter((s) => {
    if (!changeableAfterMove(s, input.now)) return false;
    if (input.partOfDay === "all") return true;
    const hour = new TZDate(s.startsAt, s.timeZone).getHours();
    return input.partOfDay === "morning" ? hour < 12 : hour >= 12;
  });
  return {
    ok: true,
    slots: filtered.map((s) => ({
      id: s.id,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      clinicId: s.clinicId,
      clinicName: s.clinicName,
      clinicAddress: s.clinicAddress,
      sameClinic: s.clinicId === row.clinic.id,
    })),
  };
}
