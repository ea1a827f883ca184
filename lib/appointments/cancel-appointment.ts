import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { syncAppointmentReminders } from "@/lib/reminders/sync";
import { endWaitlistForAppointment, queueSlotOffers } from "@/lib/waitlist/queue";
import { queueCancelledEvent } from "@/lib/webhooks/events";
import { lockOwnAppointment, toView } from "./appointment-query";
import { isUuid, type AuditMeta, type CancelReason, type ChangeResult } from "./types";

/**
 * The patient cancels: in one transaction the appointment is cancelled (its slot is free the moment
 * the row is), reminders withdrawn, the wish for an earlier time ended, the freed slot queued for the
 * waitlist, the clinic's event queued and the audit event written.
 */
export async function cancelAppointment(
  db: Db,
  patientId: string,
  input: {
    appointmentId: string;
    reason: CancelReason | null;
    now: Date;
    audit: AuditMeta;
    /** Where the patient cancelled: the app (default) or a confirmed SMS reply (lib/sms/reply-cancel). */
    channel?: "app" | "sms";
    /**
     * The slot the patient was shown when they decided (an SMS confirmation names a time). If the
     * visit has moved since, nothing changes and the answer is `stale`.
     */
    expectedSlotId?: string;
    /** The visit's version the patient's page showed; changed since (another tab) → `stale`. */
    expectedVersion?: number;
  },
): Promise<ChangeResult> {
  if (!isUuid(input.appointmentId)) return { ok: false, error: "not_found" };
  return db.transaction(async (tx) => {
    const row = await lockOwnAppointment(tx, patientId, input.appointmentId);
    if (!row) return { ok: false, error: "not_found" } as const;
    if (input.expectedSlotId !== undefined && row.slot.id !== input.expectedSlotId)
      return { ok: false, error: "stale" } as const;
    if (input.expectedVersion !== undefined && row.appointment.version !== input.expectedVersion)
      return { ok: false, error: "stale" } as const;
    const decision = toView(row, "sv", input.now).cancel;
    if (!decision.allowed) return { ok: false, error: decision.reason } as const;
    const [updated] = await tx
      .update(appointments)
      .set({
        status: "cancelled",
        cancelledAt: input.now,
        cancelledBy: "patient",
        cancelReason: input.reason,
        version: sql`${appointments.version} + 1`,
        updatedAt: input.now,
      })
      .where(and(eq(appointments.id, row.appointment.id), eq(appointments.status, "booked")))
      .returning();
    // The clinic's booking system hears of it (webhook outbox, same transaction).
    await queueCancelledEvent(tx, {
      appointmentId: row.appointment.id,
      now: input.now,
      summary: { appointmentId: row.appointment.id, slotId: row.slot.id, reason: input.reason },
    });
    // Queued reminders become `cancelled` in this same transaction.
    await syncAppointmentReminders(tx, row.appointment.id, input.now);
    // The wish for an earlier time ends with the appointment; the freed slot goes to the waitlist.
    await endWaitlistForAppointment(tx, row.appointment.id, "stopped", input.now);
    await queueSlotOffers(tx, [row.slot.id], "cancelled", input.now);
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: "appointment.cancel",
      resourceType: "appointment",
      resourceId: row.appointment.id,
      patientId,
      ...input.audit,
      details: { reason: input.reason, slotId: row.slot.id, channel: input.channel ?? "app" },
    });
    return {
      ok: true,
      appointment: {
        id: updated!.id,
        status: updated!.status,
        startsAt: row.slot.startsAt,
        cancelledAt: updated!.cancelledAt,
        rebookedAt: updated!.rebookedAt,
      },
    } as const;
  });
}
