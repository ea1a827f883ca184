// Moving a booked appointment to another slot, the one way both a rebook and an accepted
// earlier-time offer do it. The appointment keeps its id (calendars replace the event); its old
// slot is free the moment the row points elsewhere. If another booking holds the target, the
// partial unique index refuses the update and the caller's whole transaction rolls back.
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { appointments } from "@/db/schema";
import { syncAppointmentReminders } from "@/lib/reminders/sync";
import { endWaitlistForAppointment, queueSlotOffers } from "@/lib/waitlist/queue";
import { appointmentSnapshot, queueMovedEvents } from "@/lib/webhooks/events";
import { changeDeadline } from "./cancellation-policy";

/**
 * A patient may move a visit only to a time they could still change afterwards (outside that
 * slot's own cutoff); otherwise a successful rebook would leave them with "call the clinic".
 */
export function changeableAfterMove(
  slot: { startsAt: Date; timeZone: string; cutoffHours: number },
  now: Date,
): boolean {
  return (
    changeDeadline({
      startsAt: slot.startsAt,
      cutoffHours: Number(slot.cutoffHours),
      timeZone: slot.timeZone,
    }).getTime() > now.getTime()
  );
}

export interface MoveInput {
  appointmentId: string;
  externalId: string | null;
  from: { slotId: string; clinicId: string; startsAt: Date };
  to: { slotId: string; clinicId: string };
  /** Who moved it: the patient by rebooking, or by taking an earlier-time offer. */
  source: "patient" | "waitlist";
  now: Date;
}

/** Returns the updated row, or undefined if the appointment was no longer booked. */
export async function moveAppointment(tx: Tx, input: MoveInput) {
  const { now } = input;
  // The appointment as it stands before the move: the old clinic's event describes it there.
  const before = await appointmentSnapshot(tx, input.appointmentId);
  const [updated] = await tx
    .update(appointments)
    .set({
      slotId: input.to.slotId,
      version: sql`${appointments.version} + 1`,
      rebookedAt: now,
      previousStartsAt: input.from.startsAt,
      // To another clinic: the clinic it left still sees it at its old slot, cancelled (moved), in
      // its change feed as in its webhook. A move within a clinic keeps the last such slot.
      ...(input.to.clinicId !== input.from.clinicId ? { movedFromSlotId: input.from.slotId } : {}),
      source: input.source,
      updatedAt: now,
    })
    .where(and(eq(appointments.id, input.appointmentId), eq(appointments.status, "booked")))
    .returning();
  // The booking system's events (lib/webhooks/events.ts): within a clinic one `rebooked`; to a
  // sister clinic a `cancelled` (moved) there and a `booked` here, or one `rebooked` for a client
  // of both.
  await queueMovedEvents(tx, {
    before,
    now,
    summary: {
      appointmentId: input.appointmentId,
      fromSlotId: input.from.slotId,
      toSlotId: input.to.slotId,
      ...(input.source === "waitlist" ? { source: "waitlist" } : {}),
    },
  });
  // The old time's reminders are cancelled and the new time's queued, in this transaction.
  await syncAppointmentReminders(tx, input.appointmentId, now);
  // A moved appointment's wish for an earlier time ends (fulfilled if an offer moved it); the old
  // slot goes to the waitlist.
  await endWaitlistForAppointment(tx, input.appointmentId, input.source === "waitlist" ? "fulfilled" : "stopped", now);
  await queueSlotOffers(tx, [input.from.slotId], input.source === "waitlist" ? "offer_accepted" : "rebooked", now);
  return updated;
}
