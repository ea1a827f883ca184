// Slot reads, searches and writes. A client writes `free` or `busy-unavailable` (blocked); `busy`
// is derived from a booked appointment. Moving a booked slot's time moves the patient's visit.
import type { Slot } from "@medplum/fhirtypes";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { appointments, appointmentTypes, clinics, schedules, slotOffers, slots, waitlistJobs } from "@/db/schema";
import { dateCondition, referenceSearchId, resolveReference, zIdentifier, zInstant, zReference } from "../common";
import { afterClinicChange, offerFreedSlots } from "../clinic-change";
import { inClientClinics, memo, type FhirContext } from "../context";
import {
  conflict,
  forbidden,
  invalidResource,
  notFound,
  preconditionFailed,
  unprocessable,
  badRequest,
} from "../outcome";
import { fhirSlotQuery, slotBookedSql, slotLastUpdatedSql, slotSourceOf, toFhirSlot } from "../slot";
import { LOCAL_SYSTEMS } from "../systems";
import { allOf, commonConditions } from "./search-helpers";
import type { ResourceModule } from "./types";

const zSlot = z
  .object({
    resourceType: z.literal("Slot"),
    id: z.string().optional(),
    identifier: z.array(zIdentifier).optional(),
    schedule: zReference,
    status: z.enum(["free", "busy", "busy-unavailable"], "must be free, busy or busy-unavailable"),
    start: zInstant,
    end: zInstant,
    comment: z.string().optional(),
  })
  .loose()
  .refine((s) => s.end.getTime() > s.start.getTime(), { path: ["end"], message: "must be after start" })
  .refine((s) => s.end.getTime() - s.start.getTime() <= 12 * 3_600_000, {
    path: ["end"],
    message: "a slot is at most 12 hours long",
  });

async function parse(ctx: FhirContext, body: unknown) {
  const r = zSlot.safeParse(body);
  if (!r.success) throw invalidResource("Slot", r.error);
  const s = r.data;
  const scheduleId = await resolveReference(ctx, s.schedule.reference, "Schedule", "Slot.schedule");
  const info = await memo(ctx, `schedule:${scheduleId}`, async () => {
    const [row] = await ctx.tx
      .select({ schedule: schedules, type: appointmentTypes, clinic: clinics })
      .from(schedules)
      .innerJoin(appointmentTypes, eq(appointmentTypes.id, schedules.typeId))
      .innerJoin(clinics, eq(clinics.id, schedules.clinicId))
      .where(and(eq(schedules.id, scheduleId), inClientClinics(ctx, schedules.clinicId)));
    return row ?? null;
  });
  if (!info) throw forbidden("Slot.schedule is not a Schedule of this client's clinics");
  const schedule = info.schedule;
  return {
    status: s.status,
    info,
    values: {
      clinicId: schedule.clinicId,
      typeId: schedule.typeId,
      practitionerId: schedule.practitionerId,
      scheduleId: schedule.id,
      startsAt: s.start,
      endsAt: s.end,
      status: s.status === "busy-unavailable" ? ("blocked" as const) : ("open" as const),
      externalSystem: s.identifier?.[0]?.system ?? null,
      externalId: s.identifier?.[0]?.value ?? null,
    },
  };
}

async function readSlot(ctx: FhirContext, id: string): Promise<Slot | null> {
  const [row] = await fhirSlotQuery(ctx.tx)
    .where(and(eq(slots.id, id), inClientClinics(ctx, slots.clinicId)))
    .limit(1);
  return row ? toFhirSlot(slotSourceOf(row)) : null;
}

async function lockSlot(ctx: FhirContext, id: string) {
  const [row] = await ctx.tx
    .select({ slot: slots, booked: slotBookedSql })
    .from(slots)
    .where(and(eq(slots.id, id), inClientClinics(ctx, slots.clinicId)))
    .for("update")
    .limit(1);
  if (!row) return undefined;
  const b = row.booked as unknown;
  return { slot: row.slot, booked: b === true || b === "t" || b === "true" };
}

function duplicateExternal(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause)
    if ((e as { code?: string }).code === "23505") return true;
  return false;
}

export const slotModule: ResourceModule = {
  type: "Slot",
  searchParams: [
    { name: "schedule", type: "reference", documentation: "Schedule/<id>" },
    { name: "start", type: "date", documentation: "Slot start, with prefixes ge, gt, lt, le, eq" },
    { name: "status", type: "token", documentation: "free | busy | busy-unavailable" },
  ],
  read: readSlot,
  async search(ctx, params, page) {
    const conds = commonConditions(params, {
      id: slots.id,
      updatedAt: slotLastUpdatedSql,
      identifier: (system, value) =>
        system === undefined || system === LOCAL_SYSTEMS.slot
          ? eq(slots.externalId, value)
          : and(eq(slots.externalId, value), eq(slots.externalSystem, system)),
    });
    for (const raw of params.getAll("schedule"))
      conds.push(
        inArray(
          slots.scheduleId,
          raw.split(",").map((r) => referenceSearchId(r, "Schedule", ctx.baseUrl)),
        ),
      );
    for (const raw of params.getAll("start")) conds.push(dateCondition(slots.startsAt, raw, "start"));
    for (const raw of params.getAll("status")) {
      const wanted = raw.split(",");
      const parts = wanted.map((w) => {
        if (w === "free") return sql`(${slots.status} = 'open' and not ${slotBookedSql})`;
        if (w === "busy") return sql`(${slots.status} = 'open' and ${slotBookedSql})`;
        if (w === "busy-unavailable") return sql`${slots.status} = 'blocked'`;
        throw badRequest(`status: "${w}" is not a Slot status`);
      });
      conds.push(sql`(${sql.join(parts, sql` or `)})`);
    }
    const rows = await fhirSlotQuery(ctx.tx)
      .where(allOf([inClientClinics(ctx, slots.clinicId), ...conds]))
      .orderBy(asc(slots.startsAt), asc(slots.id))
      .limit(page.count + 1)
      .offset(page.offset);
    return {
      resources: rows.slice(0, page.count).map((r) => toFhirSlot(slotSourceOf(r))),
      more: rows.length > page.count,
    };
  },
  async create(ctx, body) {
    const input = await parse(ctx, body);
    if (input.status === "busy")
      throw unprocessable("Slot.status: busy comes from a booked Appointment; a new Slot has none (write free)", [
        "Slot.status",
      ]);
    let created: typeof slots.$inferSelect;
    try {
      const [row] = await ctx.tx
        .insert(slots)
        .values({ ...input.values, createdAt: ctx.now, updatedAt: ctx.now })
        .returning();
      created = row!;
    } catch (error) {
      if (duplicateExternal(error))
        throw conflict("a Slot with this identifier exists in the clinic; update it instead");
      throw error;
    }
    if (input.values.status === "open" && input.values.startsAt > ctx.now)
      await offerFreedSlots(ctx, [created.id], "added");
    // A new slot holds no appointment: its resource follows from the row (no read-back per slot
    // when a Bundle loads a month of them).
    return toFhirSlot({
      slot: created,
      type: input.info.type,
      clinic: input.info.clinic,
      booked: false,
      lastUpdated: created.updatedAt,
    });
  },
  async update(ctx, id, body, ifMatch) {
    const existing = await lockSlot(ctx, id);
    if (!existing) throw notFound("Slot", id);
    if (ifMatch !== undefined && ifMatch !== existing.slot.version)
      throw preconditionFailed(`Slot/${id} is at version ${existing.slot.version}, not ${ifMatch}`);
    const input = await parse(ctx, body);
    if (input.status === "busy" && !existing.booked)
      throw unprocessable("Slot.status: busy comes from a booked Appointment, and no appointment holds this Slot", [
        "Slot.status",
      ]);
    if (input.status !== "busy" && existing.booked)
      throw unprocessable(
        "Slot.status: a booked Appointment holds this Slot (it reads busy); cancel the Appointment first",
        ["Slot.status"],
      );
    if (existing.booked && input.values.scheduleId !== existing.slot.scheduleId)
      throw unprocessable("Slot.schedule cannot change while an Appointment holds the Slot", ["Slot.schedule"]);
    if (input.values.clinicId !== existing.slot.clinicId) throw badRequest("a Slot cannot move to another clinic");
    const moved =
      input.values.startsAt.getTime() !== existing.slot.startsAt.getTime() ||
      input.values.endsAt.getTime() !== existing.slot.endsAt.getTime();
    try {
      await ctx.tx
        .update(slots)
        .set({ ...input.values, version: sql`${slots.version} + 1`, updatedAt: ctx.now })
        .where(eq(slots.id, id));
    } catch (error) {
      if (duplicateExternal(error)) throw conflict("another Slot of the clinic has this identifier");
      throw error;
    }
    if (existing.booked && moved) {
      // The clinic moved a booked visit by moving its slot: the patient's appointment moves with it.
      const [appointment] = await ctx.tx
        .update(appointments)
        .set({
          version: sql`${appointments.version} + 1`,
          rebookedAt: ctx.now,
          previousStartsAt: existing.slot.startsAt,
          updatedAt: ctx.now,
        })
        .where(and(eq(appointments.slotId, id), eq(appointments.status, "booked")))
        .returning({ id: appointments.id });
      if (appointment)
        await afterClinicChange(ctx, {
          appointmentId: appointment.id,
          kind: "moved",
          previousStartsAt: existing.slot.startsAt,
        });
    }
    const nowFree = !existing.booked && input.values.status === "open";
    if (nowFree && (existing.slot.status === "blocked" || moved) && input.values.startsAt > ctx.now)
      await offerFreedSlots(ctx, [id], "added");
    return (await readSlot(ctx, id))!;
  },
  async delete(ctx, id) {
    const existing = await lockSlot(ctx, id);
    if (!existing) throw notFound("Slot", id);
    if (existing.booked) throw conflict("a booked Appointment holds this Slot; cancel it first");
    const [history] = await ctx.tx
      .select({ n: sql<number>`count(*)::int` })
      .from(appointments)
      .where(eq(appointments.slotId, id));
    const [offers] = await ctx.tx
      .select({ n: sql<number>`count(*)::int` })
      .from(slotOffers)
      .where(eq(slotOffers.slotId, id));
    if (Number(history?.n ?? 0) + Number(offers?.n ?? 0) > 0)
      throw conflict("this Slot has booking history and cannot be deleted; set its status to busy-unavailable");
    await ctx.tx.delete(waitlistJobs).where(eq(waitlistJobs.slotId, id));
    await ctx.tx.delete(slots).where(eq(slots.id, id));
  },
};
