// Appointment writes and searches. A booking system books (status booked on a free Slot), moves
// (points the Appointment at another Slot), cancels, marks fulfilled or noshow, or withdraws a
// booking made by mistake (entered-in-error). Reminders, waitlist and the patient's SMS follow in
// the same transaction (clinic-change.ts).
//
// Reads and searches show a visit that moved to a clinic the client does not serve at the slot it
// left, cancelled with reason `moved` (clientView): the change feed then says what the webhook to
// that clinic said. Writes only ever touch a visit at one of the client's own slots.
// (Over ~300 lines: every Appointment interaction of the contract in one module.)
import type { Appointment, Resource } from "@medplum/fhirtypes";
import { and, asc, eq, inArray, notExists, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { appointments, appointmentTypes, clinics, patients, slots } from "@/db/schema";
import { isUniqueViolation } from "@/lib/appointments/service";
import { keyedHash } from "@/lib/privacy/crypto";
import { parsePersonalNumber } from "@/lib/personal-number";
import { syncAppointmentReminders } from "@/lib/reminders/sync";
import {
  appointmentStatusFromFhir,
  fhirAppointmentColumns,
  leftBehindAppointment,
  toFhirAppointment,
  type DbAppointmentStatus,
} from "../appointment";
import { afterClinicChange } from "../clinic-change";
import {
  dateCondition,
  isUuid,
  referenceType,
  referenceSearchId,
  resolveReference,
  tokenValues,
  zIdentifier,
  zInstant,
  zReference,
} from "../common";
import { inClientClinics, type FhirContext } from "../context";
import {
  badRequest,
  conflict,
  forbidden,
  invalidResource,
  notFound,
  preconditionFailed,
  unprocessable,
} from "../outcome";
import { slotBookedSql } from "../slot";
import { LOCAL_SYSTEMS, personIdKind } from "../systems";
import { visibleToClient } from "./patient";
import { allOf, commonConditions } from "./search-helpers";
import type { ResourceModule } from "./types";

const zAppointment = z
  .object({
    resourceType: z.literal("Appointment"),
    id: z.string().optional(),
    identifier: z.array(zIdentifier).optional(),
    status: z.enum([
      "proposed",
      "pending",
      "booked",
      "arrived",
      "fulfilled",
      "cancelled",
      "noshow",
      "entered-in-error",
      "checked-in",
      "waitlist",
    ]),
    cancelationReason: z
      .object({
        coding: z.array(z.object({ system: z.string().optional(), code: z.string().optional() }).loose()).optional(),
        text: z.string().max(200).optional(),
      })
      .loose()
      .optional(),
    slot: z.array(zReference).length(1, "needs exactly one Slot"),
    start: zInstant.optional(),
    end: zInstant.optional(),
    participant: z
      .array(z.object({ actor: zReference.optional(), status: z.string() }).loose())
      .min(1, "needs the Patient"),
  })
  .loose();

async function parse(ctx: FhirContext, body: unknown) {
  const r = zAppointment.safeParse(body);
  if (!r.success) throw invalidResource("Appointment", r.error);
  const a = r.data;
  const status = appointmentStatusFromFhir(a.status);
  if (!status)
    throw unprocessable(
      `Appointment.status: ${a.status} is not used here (booked, cancelled, fulfilled, noshow, entered-in-error)`,
      ["Appointment.status"],
    );
  const slotId = await resolveReference(ctx, a.slot[0]!.reference, "Slot", "Appointment.slot[0]");
  const patientIndex = a.participant.findIndex((p) => referenceType(ctx, p.actor?.reference ?? "") === "Patient");
  if (patientIndex < 0) throw unprocessable("Appointment.participant needs a Patient", ["Appointment.participant"]);
  const patientPath = `Appointment.participant[${patientIndex}].actor`;
  const patientId = await resolveReference(ctx, a.participant[patientIndex]!.actor!.reference, "Patient", patientPath);
  const [patient] = await ctx.tx
    .select({ id: patients.id })
    .from(patients)
    .where(and(eq(patients.id, patientId), visibleToClient(ctx)));
  if (!patient)
    throw unprocessable(`${patientPath}: the Patient is not known to this client (create it first)`, [patientPath]);
  const [slot] = await ctx.tx
    .select({ slot: slots, booked: slotBookedSql })
    .from(slots)
    .where(and(eq(slots.id, slotId), inClientClinics(ctx, slots.clinicId)));
  // As Slot.schedule: booking into a clinic the client does not serve is forbidden, not invalid.
  if (!slot) throw forbidden("Appointment.slot[0] is not a Slot of this client's clinics");
  if (a.start && a.start.getTime() !== slot.slot.startsAt.getTime())
    throw unprocessable("Appointment.start must equal the Slot's start", ["Appointment.start"]);
  if (a.end && a.end.getTime() !== slot.slot.endsAt.getTime())
    throw unprocessable("Appointment.end must equal the Slot's end", ["Appointment.end"]);
  const reason = a.cancelationReason?.coding?.[0]?.code ?? a.cancelationReason?.text ?? null;
  const b = slot.booked as unknown;
  return {
    status,
    patientId,
    slot: { ...slot.slot, booked: b === true || b === "t" || b === "true" },
    reason,
    externalSystem: a.identifier?.[0]?.system ?? null,
    externalId: a.identifier?.[0]?.value ?? null,
  };
}

const currentSlot = alias(slots, "current_slot");

/**
 * Appointments joined to the slot the client sees each at (`slots`): its own slot, or the slot it
 * left for another clinic (`moved_from_slot_id`). Filter with `seenByClient`.
 */
function clientViewQuery(db: DbOrTx) {
  return db
    .select(fhirAppointmentColumns)
    .from(appointments)
    .innerJoin(slots, or(eq(slots.id, appointments.slotId), eq(slots.id, appointments.movedFromSlotId)))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId));
}

/**
 * The slot is one of the client's, and it is the appointment's own slot unless that one is not:
 * a client that serves the clinic the visit went to sees it only there.
 */
function seenByClient(ctx: FhirContext) {
  return and(
    inClientClinics(ctx, slots.clinicId),
    or(
      eq(slots.id, appointments.slotId),
      notExists(
        ctx.tx
          .select({ one: sql`1` })
          .from(currentSlot)
          .where(and(eq(currentSlot.id, appointments.slotId), inClientClinics(ctx, currentSlot.clinicId))),
      ),
    ),
  );
}

/** The status the client sees: a visit seen at the slot it left is cancelled there. */
const seenStatus = sql<DbAppointmentStatus>`case when ${slots.id} = ${appointments.slotId} then ${appointments.status} else 'cancelled' end`;

function clientView(row: Awaited<ReturnType<typeof clientViewQuery>>[number]): Appointment {
  return row.slot.id === row.appointment.slotId ? toFhirAppointment(row) : leftBehindAppointment(row, row.slot.id);
}

async function readAppointment(ctx: FhirContext, id: string): Promise<Appointment | null> {
  const [row] = await clientViewQuery(ctx.tx)
    .where(and(eq(appointments.id, id), seenByClient(ctx)))
    .limit(1);
  return row ? clientView(row) : null;
}

function bookable(slot: { status: string; booked: boolean }) {
  if (slot.status !== "open") throw conflict("the Slot is busy-unavailable");
  if (slot.booked) throw conflict("the Slot is already booked");
}

const ALLOWED: Record<DbAppointmentStatus, DbAppointmentStatus[]> = {
  booked: ["booked", "cancelled", "completed", "no_show", "entered_in_error"],
  cancelled: ["cancelled", "entered_in_error"],
  completed: ["completed", "no_show", "entered_in_error"],
  no_show: ["no_show", "completed", "entered_in_error"],
  entered_in_error: ["entered_in_error"],
};

export const appointmentModule: ResourceModule = {
  type: "Appointment",
  searchParams: [
    { name: "patient", type: "reference", documentation: "Patient/<id>" },
    {
      name: "patient.identifier",
      type: "token",
      documentation: "The patient's personnummer or samordningsnummer (system|value)",
    },
    {
      name: "actor",
      type: "reference",
      documentation: "HealthcareService/<id>, PractitionerRole/<id> or Patient/<id>",
    },
    { name: "date", type: "date", documentation: "Appointment start, with prefixes ge, gt, lt, le, eq" },
    { name: "status", type: "token", documentation: "booked | cancelled | fulfilled | noshow | entered-in-error" },
    { name: "slot", type: "reference", documentation: "Slot/<id>" },
  ],
  patientOf: (r: Resource) =>
    (r as Appointment).participant?.find((p) => p.actor?.reference?.startsWith("Patient/"))?.actor?.reference?.slice(8),
  read: readAppointment,
  async search(ctx, params, page) {
    const conds = commonConditions(params, {
      id: appointments.id,
      updatedAt: appointments.updatedAt,
      identifier: (system, value) =>
        system === undefined || system === LOCAL_SYSTEMS.appointment
          ? eq(appointments.externalId, value)
          : and(eq(appointments.externalId, value), eq(appointments.externalSystem, system)),
    });
    for (const raw of params.getAll("patient"))
      conds.push(eq(appointments.patientId, referenceSearchId(raw, "Patient", ctx.baseUrl)));
    for (const raw of params.getAll("patient.identifier")) {
      const hashes = tokenValues(raw).flatMap((t) => {
        if (t.system !== undefined && !personIdKind(t.system)) return [];
        const p = parsePersonalNumber(t.value);
        return p.ok ? [keyedHash(p.personalNumber.value, ctx.keys)] : [];
      });
      conds.push(
        hashes.length
          ? inArray(
              appointments.patientId,
              ctx.tx.select({ id: patients.id }).from(patients).where(inArray(patients.personalNumberHash, hashes)),
            )
          : sql`false`,
      );
    }
    for (const raw of params.getAll("actor")) {
      const v = raw.startsWith(`${ctx.baseUrl}/`) ? raw.slice(ctx.baseUrl.length + 1) : raw;
      const [type, id] = v.split("/");
      if (!id || !isUuid(id))
        throw badRequest(`actor: "${raw}" must be HealthcareService/<id>, PractitionerRole/<id> or Patient/<id>`);
      if (type === "HealthcareService") conds.push(eq(slots.typeId, id));
      else if (type === "PractitionerRole") conds.push(eq(slots.practitionerId, id));
      else if (type === "Patient") conds.push(eq(appointments.patientId, id));
      else
        throw badRequest(
          `actor: ${type} cannot be an Appointment participant here (R4 has no Organization participant)`,
        );
    }
    for (const raw of params.getAll("date")) conds.push(dateCondition(slots.startsAt, raw, "date"));
    for (const raw of params.getAll("slot")) conds.push(eq(slots.id, referenceSearchId(raw, "Slot", ctx.baseUrl)));
    for (const raw of params.getAll("status")) {
      const wanted = raw.split(",").map((s) => {
        const st = appointmentStatusFromFhir(s);
        if (!st) throw badRequest(`status: "${s}" is not an Appointment status used here`);
        return st;
      });
      conds.push(inArray(seenStatus, wanted));
    }
    // The change feed (_lastUpdated) reads oldest change first, so a poller can page forward.
    const order = params.has("_lastUpdated")
      ? [asc(appointments.updatedAt), asc(appointments.id)]
      : [asc(slots.startsAt), asc(appointments.id)];
    const rows = await clientViewQuery(ctx.tx)
      .where(allOf([seenByClient(ctx), ...conds]))
      .orderBy(...order)
      .limit(page.count + 1)
      .offset(page.offset);
    return { resources: rows.slice(0, page.count).map(clientView), more: rows.length > page.count };
  },
  async create(ctx, body) {
    const input = await parse(ctx, body);
    if (input.status !== "booked")
      throw unprocessable("Appointment.status: a new Appointment must be booked", ["Appointment.status"]);
    bookable(input.slot);
    let id: string;
    try {
      const [row] = await ctx.tx
        .insert(appointments)
        .values({
          patientId: input.patientId,
          slotId: input.slot.id,
          status: "booked",
          source: "clinic",
          externalSystem: input.externalSystem,
          externalId: input.externalId,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning({ id: appointments.id });
      id = row!.id;
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict("the Slot is already booked");
      throw error;
    }
    // The promise to remind commits with the booking.
    await syncAppointmentReminders(ctx.tx, id, ctx.now);
    return (await readAppointment(ctx, id))!;
  },
  async update(ctx, id, body, ifMatch) {
    const [existing] = await ctx.tx
      .select({ appointment: appointments, slot: slots })
      .from(appointments)
      .innerJoin(slots, eq(slots.id, appointments.slotId))
      .where(and(eq(appointments.id, id), inClientClinics(ctx, slots.clinicId)))
      .for("update", { of: appointments })
      .limit(1);
    if (!existing) throw notFound("Appointment", id);
    const current = existing.appointment;
    if (ifMatch !== undefined && ifMatch !== current.version)
      throw preconditionFailed(`Appointment/${id} is at version ${current.version}, not ${ifMatch}`);
    const input = await parse(ctx, body);
    if (input.patientId !== current.patientId)
      throw unprocessable("Appointment.participant: the Patient of an Appointment cannot change", [
        "Appointment.participant",
      ]);
    const from = current.status as DbAppointmentStatus;
    if (!ALLOWED[from].includes(input.status))
      throw unprocessable(
        `Appointment.status cannot go from ${from.replace("_", "-")} to ${input.status.replace("_", "-")}`,
        ["Appointment.status"],
      );
    const moved = input.slot.id !== current.slotId;
    if (moved && (from !== "booked" || input.status !== "booked"))
      throw unprocessable("Appointment.slot can only change on a booked Appointment that stays booked", [
        "Appointment.slot",
      ]);
    if (moved) bookable(input.slot);
    const set: Partial<typeof appointments.$inferInsert> = {
      status: input.status,
      externalSystem: input.externalSystem ?? current.externalSystem,
      externalId: input.externalId ?? current.externalId,
      updatedAt: ctx.now,
    };
    if (moved)
      Object.assign(set, {
        slotId: input.slot.id,
        rebookedAt: ctx.now,
        previousStartsAt: existing.slot.startsAt,
        // Between two of this client's clinics: another client of the old one sees it leave there.
        ...(input.slot.clinicId !== existing.slot.clinicId ? { movedFromSlotId: current.slotId } : {}),
      });
    if (input.status === "cancelled" && from !== "cancelled")
      Object.assign(set, { cancelledAt: ctx.now, cancelledBy: "clinic", cancelReason: input.reason });
    try {
      await ctx.tx
        .update(appointments)
        .set({ ...set, version: sql`${appointments.version} + 1` })
        .where(eq(appointments.id, id));
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict("the Slot is already booked");
      throw error;
    }
    if (moved)
      await afterClinicChange(ctx, {
        appointmentId: id,
        kind: "moved",
        freedSlotId: current.slotId,
        previousStartsAt: existing.slot.startsAt,
      });
    else if (from === "booked" && input.status === "cancelled")
      await afterClinicChange(ctx, { appointmentId: id, kind: "cancelled", freedSlotId: current.slotId });
    else if (from === "booked" && input.status === "entered_in_error")
      await afterClinicChange(ctx, { appointmentId: id, kind: "entered_in_error", freedSlotId: current.slotId });
    else if (from !== input.status) await syncAppointmentReminders(ctx.tx, id, ctx.now);
    return (await readAppointment(ctx, id))!;
  },
};
