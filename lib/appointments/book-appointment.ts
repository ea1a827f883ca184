import type { Db } from "@/db/client";
import { appointments } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { syncAppointmentReminders } from "@/lib/reminders/sync";
import { isUniqueViolation } from "./types";

/**
 * A booking made by the clinic (its booking system, through the integration API): the appointment,
 * its reminders and the audit event commit together. The partial unique index refuses a taken slot.
 */
export async function bookAppointment(
  db: Db,
  input: {
    patientId: string;
    slotId: string;
    now: Date;
    source?: "clinic" | "patient" | "waitlist";
    externalId?: string | null;
  },
): Promise<{ ok: true; appointmentId: string } | { ok: false; error: "taken" }> {
  try {
    return await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(appointments)
        .values({
          patientId: input.patientId,
          slotId: input.slotId,
          source: input.source ?? "clinic",
          externalId: input.externalId ?? null,
          createdAt: input.now,
          updatedAt: input.now,
        })
        .returning({ id: appointments.id });
      await syncAppointmentReminders(tx, created!.id, input.now);
      await recordAudit(tx, {
        actorType: "clinic",
        action: "appointment.book",
        resourceType: "appointment",
        resourceId: created!.id,
        patientId: input.patientId,
        details: { slotId: input.slotId },
      });
      return { ok: true, appointmentId: created!.id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, error: "taken" };
    throw error;
  }
}
