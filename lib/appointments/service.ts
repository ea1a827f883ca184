// Appointments as a patient sees and changes them. Every function takes the patient id of the
// logged-in session and scopes every query to it: an id that is not theirs is indistinguishable
// from one that does not exist. Changes happen in one transaction each, with their audit event and
// the change event for the clinic's booking system; the partial unique index decides races.
import { TZDate } from "@date-fns/tz";
import { and, asc, eq, gte, inArray, lt, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "@/db/client";
import { appointments, appointmentTypes, clinics, practitioners, slots } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { syncAppointmentReminders } from "@/lib/reminders/sync";
import { queueCancelledEvent, queueMovedEvents } from "@/lib/webhooks/events";
import { endWaitlistForAppointment, queueSlotOffers } from "@/lib/waitlist/queue";
import { canPatientCancel, canPatientRebook, changeDeadline, type PatientChangeDecision } from "./cancellation-policy";

export type Locale = "sv" | "en";

export const CANCEL_REASONS = [
  "feeling_better",
  "cannot_make_it",
  "no_transport",
  "need_interpreter",
  "prefer_video",
  "other",
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export interface AuditMeta {
  ip?: string | null;
  userAgent?: string | null;
}

export interface AppointmentView {
  id: string;
  status: "booked" | "cancelled" | "completed" | "no_show";
  startsAt: Date;
  endsAt: Date;
  version: number;
  clinic: {
    id: string;
    name: string;
    smsName: string;
    address: string;
    directions: string;
    phone: string;
    timeZone: string;
    patientTransportInfo: string;
  };
  type: { id: string; code: string; name: string; preparation: string; isVideo: boolean; durationMinutes: number };
  practitionerRole: string | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  rebookedAt: Date | null;
  previousStartsAt: Date | null;
  cancel: PatientChangeDecision;
  rebook: PatientChangeDecision;
}

const columns = {
  appointment: appointments,
  slot: slots,
  clinic: clinics,
  type: appointmentTypes,
  practitioner: practitioners,
};

function baseQuery(db: DbOrTx) {
  return db
    .select(columns)
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .leftJoin(practitioners, eq(practitioners.id, slots.practitionerId));
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>["execute"]>>[number];

// A booking the clinic entered in error (FHIR entered-in-error) is gone for the patient: not
// listed, not readable, not changeable, exactly like an id that never existed.
const visibleToPatient = ne(appointments.status, "entered_in_error");

function cutoffOf(row: Pick<Row, "clinic" | "type">): number {
  return row.type.cancelCutoffHours ?? row.clinic.cancelCutoffHours;
}

function toView(row: Row, locale: Locale, now: Date): AppointmentView {
  const base = {
    startsAt: row.slot.startsAt,
    cutoffHours: cutoffOf(row),
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
      directions: row.clinic.directions,
      phone: row.clinic.phone,
      timeZone: row.clinic.timeZone,
      patientTransportInfo: row.clinic.patientTransportInfo,
    },
    type: {
      id: row.type.id,
      code: row.type.code,
      name: locale === "en" ? row.type.nameEn : row.type.nameSv,
      preparation: locale === "en" ? row.type.preparationEn : row.type.preparationSv,
      isVideo: row.type.isVideo,
      durationMinutes: row.type.durationMinutes,
    },
    practitionerRole: row.practitioner ? (locale === "en" ? row.practitioner.roleEn : row.practitioner.roleSv) : null,
    cancelledAt: row.appointment.cancelledAt,
    cancelReason: row.appointment.cancelReason,
    rebookedAt: row.appointment.rebookedAt,
    previousStartsAt: row.appointment.previousStartsAt,
    cancel: canPatientCancel({ ...base, selfServiceCancel: row.clinic.selfServiceCancel && row.type.cancellable }),
    rebook: canPatientRebook({ ...base, selfServiceRebook: row.clinic.selfServiceRebook && row.type.rebookable }),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** Upcoming (soonest first), then past (latest first). */
export async function listAppointments(
  db: Db,
  patientId: string,
  opts: { locale: Locale; now: Date; audit: AuditMeta },
): Promise<{ upcoming: AppointmentView[]; past: AppointmentView[] }> {
  const rows = await baseQuery(db)
    .where(and(eq(appointments.patientId, patientId), visibleToPatient))
    .orderBy(asc(slots.startsAt))
    .limit(500);
  const views = rows.map((r) => toView(r, opts.locale, opts.now));
  await recordAudit(db, {
    actorType: "patient",
    actorId: patientId,
    action: "appointment.list",
    resourceType: "appointment",
    patientId,
    ...opts.audit,
    details: { count: views.length },
  });
  const isUpcoming = (v: AppointmentView) => v.endsAt > opts.now && v.status !== "completed" && v.status !== "no_show";
  return {
    upcoming: views.filter(isUpcoming),
    past: views.filter((v) => !isUpcoming(v)).reverse(),
  };
}

export async function getAppointment(
  db: Db,
  patientId: string,
  appointmentId: string,
  opts: { locale: Locale; now: Date; audit: AuditMeta },
): Promise<AppointmentView | null> {
  if (!isUuid(appointmentId)) return null;
  const [row] = await baseQuery(db)
    .where(and(eq(appointments.id, appointmentId), eq(appointments.patientId, patientId), visibleToPatient))
    .limit(1);
  if (!row) return null;
  await recordAudit(db, {
    actorType: "patient",
    actorId: patientId,
    action: "appointment.read",
    resourceType: "appointment",
    resourceId: appointmentId,
    patientId,
    ...opts.audit,
  });
  return toView(row, opts.locale, opts.now);
}

export type ChangeResult =
  | {
      ok: true;
      appointment: { id: string; status: string; startsAt: Date; cancelledAt: Date | null; rebookedAt: Date | null };
    }
  | {
      ok: false;
      error:
        "not_found" | "not_allowed" | "past_cutoff" | "not_booked" | "past" | "slot_unavailable" | "taken" | "stale";
    };

async function lockOwnAppointment(tx: Tx, patientId: string, appointmentId: string): Promise<Row | undefined> {
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

export async function cancelAppointment(
  db: Db,
  patientId: string,
  input: { appointmentId: string; reason: CancelReason | null; now: Date; audit: AuditMeta },
): Promise<ChangeResult> {
  if (!isUuid(input.appointmentId)) return { ok: false, error: "not_found" };
  return db.transaction(async (tx) => {
    const row = await lockOwnAppointment(tx, patientId, input.appointmentId);
    if (!row) return { ok: false, error: "not_found" } as const;
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
      details: { reason: input.reason, slotId: row.slot.id },
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

export interface FreeSlot {
  id: string;
  startsAt: Date;
  endsAt: Date;
  clinicId: string;
  clinicName: string;
  sameClinic: boolean;
}

export type PartOfDay = "all" | "morning" | "afternoon";

/** The clinics and type ids an appointment may move to: its own, plus sister clinics where allowed. */
async function allowedTargets(db: DbOrTx, row: Pick<Row, "clinic" | "type">): Promise<{ typeIds: string[] }> {
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

const targetCutoffHours = sql<number>`coalesce(${appointmentTypes.cancelCutoffHours}, ${clinics.cancelCutoffHours})`;

/**
 * A patient may move a visit only to a time they could still change afterwards (outside that
 * slot's own cutoff); otherwise a successful rebook would leave them with "call the clinic".
 */
function changeableAfterMove(slot: { startsAt: Date; timeZone: string; cutoffHours: number }, now: Date): boolean {
  return (
    changeDeadline({
      startsAt: slot.startsAt,
      cutoffHours: Number(slot.cutoffHours),
      timeZone: slot.timeZone,
    }).getTime() > now.getTime()
  );
}

/** Free slots for moving an appointment, in [from, to), earliest first. */
export async function findFreeSlots(
  db: Db,
  patientId: string,
  input: { appointmentId: string; from: Date; to: Date; partOfDay: PartOfDay; now: Date; limit?: number },
): Promise<
  | { ok: true; slots: FreeSlot[] }
  | { ok: false; error: "not_found" | "not_allowed" | "past_cutoff" | "not_booked" | "past" }
> {
  if (!isUuid(input.appointmentId)) return { ok: false, error: "not_found" };
  const [row] = await baseQuery(db)
    .where(and(eq(appointments.id, input.appointmentId), eq(appointments.patientId, patientId), visibleToPatient))
    .limit(1);
  if (!row) return { ok: false, error: "not_found" };
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
      timeZone: clinics.timeZone,
      cutoffHours: targetCutoffHours,
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
      sameClinic: s.clinicId === row.clinic.id,
    })),
  };
}

export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === "23505") return true;
  }
  return false;
}

/**
 * Moves an appointment to another free slot. The appointment keeps its id (so calendars replace
 * the event); its old slot is free the moment the row points elsewhere. If another booking took
 * the slot first, the unique index refuses the update and nothing at all changes.
 */
export async function rebookAppointment(
  db: Db,
  patientId: string,
  input: { appointmentId: string; slotId: string; now: Date; audit: AuditMeta },
): Promise<ChangeResult> {
  if (!isUuid(input.appointmentId)) return { ok: false, error: "not_found" };
  if (!isUuid(input.slotId)) return { ok: false, error: "slot_unavailable" };
  try {
    return await db.transaction(async (tx) => {
      const row = await lockOwnAppointment(tx, patientId, input.appointmentId);
      if (!row) return { ok: false, error: "not_found" } as const;
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
          cutoffHours: targetCutoffHours,
        })
        .from(slots)
        .innerJoin(clinics, eq(clinics.id, slots.clinicId))
        .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
        .where(eq(slots.id, input.slotId))
        .limit(1);
      if (!target || target.status !== "open" || !typeIds.includes(target.typeId) || target.id === row.slot.id)
        return { ok: false, error: "slot_unavailable" } as const;
      if (!changeableAfterMove(target, input.now)) return { ok: false, error: "slot_unavailable" } as const;
      const [updated] = await tx
        .update(appointments)
        .set({
          slotId: target.id,
          version: sql`${appointments.version} + 1`,
          rebookedAt: input.now,
          previousStartsAt: row.slot.startsAt,
          source: "patient",
          updatedAt: input.now,
        })
        .where(and(eq(appointments.id, row.appointment.id), eq(appointments.status, "booked")))
        .returning();
      // `row` is the appointment as it was: a move to a sister clinic is a cancel there.
      await queueMovedEvents(tx, {
        before: row,
        now: input.now,
        summary: { appointmentId: row.appointment.id, fromSlotId: row.slot.id, toSlotId: target.id },
      });
      // The old time's reminders are cancelled and the new time's queued, in this transaction.
      await syncAppointmentReminders(tx, row.appointment.id, input.now);
      // A moved appointment's wish for an earlier time ends; its old slot goes to the waitlist.
      await endWaitlistForAppointment(tx, row.appointment.id, "stopped", input.now);
      await queueSlotOffers(tx, [row.slot.id], "rebooked", input.now);
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
        },
      } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, error: "taken" };
    throw error;
  }
}

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
