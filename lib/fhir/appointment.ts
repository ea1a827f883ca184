// Appointment as FHIR R4 sees it: the one mapping used by the API's reads and searches and by the
// webhook payloads, so a booking system gets the same resource whichever way it learns of a change.
import type { Appointment } from "@medplum/fhirtypes";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { appointments, appointmentTypes, clinics, slots } from "@/db/schema";
import { CANCEL_REASON_SYSTEM, LOCAL_SYSTEMS } from "./systems";
import { fhirInstant, fhirLastUpdated } from "./time";

/** Our statuses ↔ FHIR's. The database keeps underscores; FHIR uses hyphens and other words. */
export const APPOINTMENT_STATUS_TO_FHIR = {
  booked: "booked",
  cancelled: "cancelled",
  completed: "fulfilled",
  no_show: "noshow",
  entered_in_error: "entered-in-error",
} as const satisfies Record<string, Appointment["status"]>;

export type DbAppointmentStatus = keyof typeof APPOINTMENT_STATUS_TO_FHIR;
export type FhirAppointmentStatus = (typeof APPOINTMENT_STATUS_TO_FHIR)[DbAppointmentStatus];

/**
 * Our cancel reason codes beyond the patient's choices (CodeSystem cancel-reason, docs/integration.md):
 * the visit left this clinic for another one; the patient cancelled without giving a reason.
 */
export const CANCEL_REASON_MOVED = "moved";
export const CANCEL_REASON_NOT_GIVEN = "no_reason_given";

export function appointmentStatusFromFhir(status: string): DbAppointmentStatus | null {
  for (const [db, fhir] of Object.entries(APPOINTMENT_STATUS_TO_FHIR))
    if (fhir === status) return db as DbAppointmentStatus;
  return null;
}

/** Everything the mapping needs: one appointment with its slot, type and clinic. */
export interface FhirAppointmentSource {
  appointment: Pick<
    typeof appointments.$inferSelect,
    | "id"
    | "patientId"
    | "slotId"
    | "status"
    | "version"
    | "cancelReason"
    | "cancelledBy"
    | "externalSystem"
    | "externalId"
    | "createdAt"
    | "updatedAt"
  >;
  slot: Pick<typeof slots.$inferSelect, "startsAt" | "endsAt" | "practitionerId" | "typeId">;
  type: Pick<typeof appointmentTypes.$inferSelect, "id" | "code" | "codeSystem" | "nameSv" | "durationMinutes">;
  clinic: Pick<typeof clinics.$inferSelect, "id" | "timeZone">;
}

export function toFhirAppointment(src: FhirAppointmentSource): Appointment {
  const a = src.appointment;
  const status = APPOINTMENT_STATUS_TO_FHIR[a.status as DbAppointmentStatus] ?? "booked";
  const participant: NonNullable<Appointment["participant"]> = [
    { actor: { reference: `Patient/${a.patientId}` }, required: "required", status: "accepted" },
    { actor: { reference: `HealthcareService/${src.type.id}` }, required: "required", status: "accepted" },
  ];
  if (src.slot.practitionerId)
    participant.push({
      actor: { reference: `PractitionerRole/${src.slot.practitionerId}` },
      required: "required",
      status: "accepted",
    });
  const resource: Appointment = {
    resourceType: "Appointment",
    id: a.id,
    meta: { versionId: String(a.version), lastUpdated: fhirLastUpdated(a.updatedAt) },
    status,
    serviceType: [
      {
        coding: [
          {
            system: src.type.codeSystem ?? LOCAL_SYSTEMS.appointmentType,
            code: src.type.code,
            display: src.type.nameSv,
          },
        ],
        text: src.type.nameSv,
      },
    ],
    start: fhirInstant(src.slot.startsAt, src.clinic.timeZone),
    end: fhirInstant(src.slot.endsAt, src.clinic.timeZone),
    minutesDuration: Math.round((src.slot.endsAt.getTime() - src.slot.startsAt.getTime()) / 60_000),
    slot: [{ reference: `Slot/${a.slotId}` }],
    created: a.createdAt.toISOString(),
    participant,
  };
  if (a.externalId)
    resource.identifier = [{ system: a.externalSystem ?? LOCAL_SYSTEMS.appointment, value: a.externalId }];
  // The patient's reason is one of our codes, and a patient's cancel always carries one (a booking
  // system can tell "no reason given" from "not known"); a clinic's reason is kept as the text it sent.
  if (a.status === "cancelled" && a.cancelledBy === "patient")
    resource.cancelationReason = {
      coding: [{ system: CANCEL_REASON_SYSTEM, code: a.cancelReason ?? CANCEL_REASON_NOT_GIVEN }],
    };
  else if (a.status === "cancelled" && a.cancelReason) resource.cancelationReason = { text: a.cancelReason };
  return resource;
}

/**
 * The appointment as the clinic it left sees it: cancelled there with reason `moved`, at the slot
 * it left (`src.slot`, `src.type` and `src.clinic` are that slot's), with the appointment's current
 * version and time of change (`src.appointment`). The webhook to that clinic and its change feed
 * both send exactly this, so they agree.
 */
export function leftBehindAppointment(src: FhirAppointmentSource, leftSlotId: string): Appointment {
  return toFhirAppointment({
    ...src,
    appointment: {
      ...src.appointment,
      slotId: leftSlotId,
      status: "cancelled",
      cancelReason: CANCEL_REASON_MOVED,
      // `moved` is one of our codes, so it is mapped as the patient's reasons are.
      cancelledBy: "patient",
    },
  });
}

/** The columns toFhirAppointment needs, for queries that join appointments → slots → types → clinics. */
export const fhirAppointmentColumns = {
  appointment: appointments,
  slot: slots,
  type: appointmentTypes,
  clinic: clinics,
};

export function fhirAppointmentQuery(db: DbOrTx) {
  return db
    .select(fhirAppointmentColumns)
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId));
}

/**
 * The appointment exactly as the API returns it, or null. Not scoped to a client: callers that
 * answer a client check the clinic themselves (lib/fhir/access.ts).
 */
export async function loadFhirAppointment(db: DbOrTx, appointmentId: string): Promise<Appointment | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appointmentId)) return null;
  const [row] = await fhirAppointmentQuery(db).where(eq(appointments.id, appointmentId)).limit(1);
  return row ? toFhirAppointment(row) : null;
}
