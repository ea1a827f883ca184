import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments, appointmentTypes, clinics, slots } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { allowedTargets, lockOwnAppointment, toView } from "./appointment-query";
import { effectiveCutoffHoursSql } from "./effective-cutoff";
import { changeableAfterMove, moveAppointment } from "./move-appointment";
import { isUniqueViolation, isUuid, type AuditMeta, type ChangeResult } from "./types";

/**
 * The patient moves an appointment to another free slot of the same type (sister clinics where
 * allowed). If another booking took the slot first, nothing at all changes ("taken").
 */
export async function rebookAppointment(
  db: Db,
  patientId: string,
  input: {
    appointmentId: string;
    slotId: string;
    now: Date;
    audit: AuditMeta;
    /**
     * The visit's version the patient saw when they chose (the page they pressed on). If it has
     * changed since (moved or cancelled in another tab), nothing changes and the answer is `stale`.
     */
    expectedVersion?: number;
  },
): Promise<ChangeResult> {
  if (!isUuid(input.appointmentId)) return { ok: false, error: "not_found" };
  if (!isUuid(input.slotId)) return { ok: false, error: "slot_unavailable" };
  // A slot another patient's visit already holds: "taken" at once, without the transaction. When
  // many patients race for one freed slot, all but the first arrive after it is held; each of them
  // used to lock their own visit, check it, try the move and roll it back (bench/README.md, part
  // (d)). Whether a slot is held is no secret (the free-time list leaves it out). The patient's
  // own visit in that slot goes on below, to the answer that fits it (stale, or the same slot).
  const [holder] = await db
    .select({ patientId: appointments.patientId })
    .from(appointments)
    .where(and(eq(appointments.slotId, input.slotId), eq(appointments.status, "booked")))
    .limit(1);
  if (holder && holder.patientId !== patientId) return { ok: false, error: "taken" };
  try {
    return await db.transaction(async (tx) => {
      const row = await lockOwnAppointment(tx, patientId, input.appointmentId);
      if (!row) return { ok: false, error: "not_found" } as const;
      if (input.expectedVersion !== undefined && row.appointment.version !== input.expectedVersion)
        return { ok: false, error: "stale" } as const;
      const decision = toView(row, "sv", input.now).rebook;
      if (!decision.allowed) return { ok: false, error: decision.reason } as const;
      const { typeIds } = await allowedTargets(tx, row);
      const [target] = await tx
        .select({
          id: slots.id,
          startsAt: slots.startsAt,
          clinicId: slots.clinicId,
          status: slots.status,
          typeId: slots.typeId,
          timeZone: clinics.timeZone,
          cutoffHours: effectiveCutoffHoursSql,
        })
        .from(slots)
        .innerJoin(clinics, eq(clinics.id, slots.clinicId))
        .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
        .where(eq(slots.id, input.slotId))
        .limit(1);
      if (!target || target.status !== "open" || !typeIds.includes(target.typeId) || target.id === row.slot.id)
        return { ok: false, error: "slot_unavailable" } as const;
      if (!changeableAfterMove(target, input.now)) return { ok: false, error: "slot_unavailable" } as const;
      const updated = await moveAppointment(tx, {
        appointmentId: row.appointment.id,
        externalId: row.appointment.externalId,
        from: { slotId: row.slot.id, clinicId: row.clinic.id, startsAt: row.slot.startsAt },
        to: { slotId: target.id, clinicId: target.clinicId },
        source: "patient",
        now: input.now,
      });
      await recordAudit(tx, {
        actorType: "patient",
        actorId: patientId,
        action: "appointment.rebook",
        resourceType: "appointment",
        resourceId: row.appointment.id,
        patientId,
        ...input.audit,
        details: { fromSlotId: row.slot.id, toSlotId: target.id },
      });
      return {
        ok: true,
        appointment: {
          id: updated!.id,
          status: updated!.status,
          startsAt: target.startsAt,
          cancelledAt: null,
          rebookedAt: updated!.rebookedAt,
          clinicChanged: target.clinicId !== row.clinic.id,
        },
      } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, error: "taken" };
    throw error;
  }
}
