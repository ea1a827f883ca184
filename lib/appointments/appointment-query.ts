// The one query that reads an appointment with its slot, clinic, type and practitioner, and the
// view a patient gets of it. Every read and row lock of a patient's own appointment starts here.
import { and, eq, ne } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { appointments, appointmentTypes, clinics, practitioners, slots } from "@/db/schema";
import { clinicTexts } from "./clinic-texts";
import { canPatientCancel, canPatientRebook } from "./cancellation-policy";
import { effectiveCutoffHours } from "./effective-cutoff";
import type { AppointmentView, Locale } from "./types";

const columns = {
  appointment: appointments,
  slot: slots,
  clinic: clinics,
  type: appointmentTypes,
  practitioner: practitioners,
};

export function baseQuery(db: DbOrTx) {
  return db
    .select(columns)
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .leftJoin(practitioners, eq(practitioners.id, slots.practitionerId));
}

export type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>["execute"]>>[number];

/**
 * A booking the clinic entered in error (FHIR entered-in-error) is gone for the patient: not
 * listed, not readable, not changeable, exactly like an id that never existed.
 */
export const visibleToPatient = ne(appointments.status, "entered_in_error");

export function toView(row: Row, locale: Locale, now: Date): AppointmentView {
  const en = locale === "en";
  const base = {
    startsAt: row.slot.startsAt,
    cutoffHours: effectiveCutoffHours(row.type, row.clinic),
    timeZone: row.clinic.timeZone,
    now,
    status: row.appointment.status,
  };
  return {
    id: row.appointment.id,
    status: row.appointment.status as AppointmentView["status"],
    startsAt: row.slot.startsAt,
    endsAt: row.slot.endsAt,
    version: row.appointment.version,
    clinic: {
      id: row.clinic.id,
      name: row.clinic.name,
      smsName: row.clinic.smsName,
      address: row.clinic.address,
      phone: row.clinic.phone,
      timeZone: row.clinic.timeZone,
      texts: clinicTexts(row.clinic, locale),
    },
    type: {
      id: row.type.id,
      code: row.type.code,
      name: en ? row.type.nameEn : row.type.nameSv,
      preparation: en ? row.type.preparationEn : row.type.preparationSv,
      isVideo: row.type.isVideo,
      durationMinutes: row.type.durationMinutes,
    },
    practitionerRole: row.practitioner ? (en ? row.practitioner.roleEn : row.practitioner.roleSv) : null,
    textLang: en ? "en" : "sv",
    cancelledAt: row.appointment.cancelledAt,
    cancelReason: row.appointment.cancelReason,
    rebookedAt: row.appointment.rebookedAt,
    previousStartsAt: row.appointment.previousStartsAt,
    cutoffHours: base.cutoffHours,
    cancel: canPatientCancel({ ...base, selfServiceCancel: row.clinic.selfServiceCancel && row.type.cancellable }),
    rebook: canPatientRebook({ ...base, selfServiceRebook: row.clinic.selfServiceRebook && row.type.rebookable }),
  };
}

export async function lockOwnAppointment(tx: Tx, patientId: string, appointmentId: string): Promise<Row | undefined> {
  const [row] = await baseQuery(tx)
    .where(and(eq(appointments.id, appointmentId), eq(appointments.patientId, patientId), visibleToPatient))
    .for("update", { of: appointments })
    .limit(1);
  return row;
}

/** The patient's own appointment as they see it, row-locked for the caller's transaction. */
export async function lockOwnAppointmentView(
  tx: Tx,
  patientId: string,
  appointmentId: string,
  now: Date,
): Promise<AppointmentView | undefined> {
  const row = await lockOwnAppointment(tx, patientId, appointmentId);
  return row ? toView(row, "sv", now) : undefined;
}

/** The clinics and type ids an appointment may move to: its own, plus sister clinics where allowed. */
export async function allowedTargets(db: DbOrTx, row: Pick<Row, "clinic" | "type">): Promise<{ typeIds: string[] }> {
  if (!row.type.allowSisterClinics || !row.clinic.sisterGroup) return { typeIds: [row.type.id] };
  const sisters = await db
    .select({ typeId: appointmentTypes.id })
    .from(appointmentTypes)
    .innerJoin(clinics, eq(clinics.id, appointmentTypes.clinicId))
    .where(
      and(
        eq(clinics.sisterGroup, row.clinic.sisterGroup),
        eq(appointmentTypes.code, row.type.code),
        eq(appointmentTypes.allowSisterClinics, true),
      ),
    );
  return { typeIds: [...new Set([row.type.id, ...sisters.map((s) => s.typeId)])] };
}
