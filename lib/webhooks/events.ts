// The change events a clinic's booking system receives, written to the outbox in the very
// transaction that makes the change (so an event exists exactly when the change committed). The
// payload is fixed here, not at send time: it is the appointment as the FHIR API returned it right
// after this change, and every try and replay sends these same bytes.
//
//   appointment.cancelled  the patient cancelled; or, with cancelationReason `moved`, the visit left
//                          this clinic for a sister clinic (that clinic gets appointment.booked)
//   appointment.rebooked   the visit moved within the clinic (rebook or an accepted earlier-time
//                          offer), or between two clinics of a client that holds both;
//                          data.previous is the Slot it left, now free
//   appointment.booked     the visit arrived from a sister clinic
//
// Exactly one event per change and receiving client: a move between clinics is written as three
// outbox rows, each for its own clients (also_clinic_id / unless_clinic_id, lib/webhooks/subscribers.ts).
import type { Appointment, Slot } from "@medplum/fhirtypes";
import { eq } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { appointments, webhookDeliveries } from "@/db/schema";
import {
  CANCEL_REASON_MOVED,
  fhirAppointmentQuery,
  leftBehindAppointment,
  toFhirAppointment,
  type FhirAppointmentSource,
} from "@/lib/fhir/appointment";
import { loadFhirSlot } from "@/lib/fhir/slot";

export type AppointmentEventType = "appointment.cancelled" | "appointment.rebooked" | "appointment.booked";

/** Our cancel reason code for a visit that moved to a sister clinic (CodeSystem cancel-reason). */
export const MOVED_REASON = CANCEL_REASON_MOVED;

export interface WebhookEventBody {
  type: AppointmentEventType;
  timestamp: string;
  data: { resource: Appointment; previous?: Slot };
}

/** The appointment as the FHIR mapping needs it, read in the caller's transaction. */
export async function appointmentSnapshot(tx: Tx, appointmentId: string): Promise<FhirAppointmentSource> {
  const [row] = await fhirAppointmentQuery(tx).where(eq(appointments.id, appointmentId)).limit(1);
  if (!row) throw new Error("appointment vanished inside its own transaction");
  return row;
}

async function insertEvent(
  tx: Tx,
  input: {
    clinicId: string;
    appointmentId: string;
    body: WebhookEventBody;
    /** Ids only, for the operators' list. */
    summary: Record<string, unknown>;
    now: Date;
    /** Only for the clinic's clients that hold this clinic too. */
    alsoClinicId?: string;
    /** Not for the clinic's clients that hold this clinic too. */
    unlessClinicId?: string;
  },
): Promise<void> {
  await tx.insert(webhookDeliveries).values({
    clinicId: input.clinicId,
    alsoClinicId: input.alsoClinicId ?? null,
    unlessClinicId: input.unlessClinicId ?? null,
    eventType: input.body.type,
    appointmentId: input.appointmentId,
    payload: input.summary,
    body: JSON.stringify(input.body),
    nextAttemptAt: input.now,
    createdAt: input.now,
  });
}

/** After the patient's cancel (call it after the update, in the same transaction). */
export async function queueCancelledEvent(
  tx: Tx,
  input: { appointmentId: string; now: Date; summary: Record<string, unknown> },
): Promise<void> {
  const after = await appointmentSnapshot(tx, input.appointmentId);
  await insertEvent(tx, {
    clinicId: after.clinic.id,
    appointmentId: input.appointmentId,
    body: {
      type: "appointment.cancelled",
      timestamp: input.now.toISOString(),
      data: { resource: toFhirAppointment(after) },
    },
    summary: input.summary,
    now: input.now,
  });
}

/**
 * After a move (rebook, or an accepted offer): `before` is the appointment as it was before the
 * update, read in the same transaction. Within a clinic: one `rebooked`. To a sister clinic: the
 * old clinic's clients get `cancelled` (reason `moved`, the appointment as it stood there) and the
 * new one's `booked`, since a booking system only ever sees its own clinics' slots; a client that
 * holds both clinics sees both slots and gets one `rebooked` instead.
 */
export async function queueMovedEvents(
  tx: Tx,
  input: { before: FhirAppointmentSource; now: Date; summary: Record<string, unknown> },
): Promise<void> {
  const { before, now } = input;
  const appointmentId = before.appointment.id;
  const after = await appointmentSnapshot(tx, appointmentId);
  const timestamp = now.toISOString();
  const from = before.clinic.id;
  const to = after.clinic.id;
  const previous = await loadFhirSlot(tx, before.appointment.slotId);
  const rebooked: WebhookEventBody = {
    type: "appointment.rebooked",
    timestamp,
    data: { resource: toFhirAppointment(after), ...(previous ? { previous } : {}) },
  };
  if (to === from) {
    await insertEvent(tx, { clinicId: to, appointmentId, body: rebooked, summary: input.summary, now });
    return;
  }
  const leftBehind = leftBehindAppointment({ ...before, appointment: after.appointment }, before.appointment.slotId);
  await insertEvent(tx, {
    clinicId: from,
    unlessClinicId: to,
    appointmentId,
    body: { type: "appointment.cancelled", timestamp, data: { resource: leftBehind } },
    summary: { ...input.summary, reason: CANCEL_REASON_MOVED },
    now,
  });
  await insertEvent(tx, {
    clinicId: to,
    unlessClinicId: from,
    appointmentId,
    body: { type: "appointment.booked", timestamp, data: { resource: toFhirAppointment(after) } },
    summary: input.summary,
    now,
  });
  await insertEvent(tx, {
    clinicId: to,
    alsoClinicId: from,
    appointmentId,
    body: rebooked,
    summary: input.summary,
    now,
  });
}
