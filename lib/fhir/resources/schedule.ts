// Schedule = a bookable calendar: an appointment type (HealthcareService) of a clinic, optionally
// one practitioner's (PractitionerRole). Slots hang off a schedule.
import type { Schedule } from "@medplum/fhirtypes";
import { and, asc, eq, or, sql } from "drizzle-orm";
import { z } from "zod";
import { appointmentTypes, practitioners, schedules } from "@/db/schema";
import { isUuid, referenceType, resolveReference, zIdentifier, zReference } from "../common";
import { inClientClinics, type FhirContext } from "../context";
import { badRequest, forbidden, invalidResource, notFound, preconditionFailed, unprocessable } from "../outcome";
import { LOCAL_SYSTEMS } from "../systems";
import { fhirLastUpdated } from "../time";
import { allOf, commonConditions } from "./search-helpers";
import type { ResourceModule } from "./types";

const zSchedule = z
  .object({
    resourceType: z.literal("Schedule"),
    id: z.string().optional(),
    identifier: z.array(zIdentifier).optional(),
    active: z.boolean().optional(),
    actor: z.array(zReference).min(1, "needs the HealthcareService (and optionally a PractitionerRole)").max(2),
    comment: z.string().optional(),
  })
  .loose();

type ScheduleRow = typeof schedules.$inferSelect;

export function toFhirSchedule(s: ScheduleRow): Schedule {
  const actor: Schedule["actor"] = [{ reference: `HealthcareService/${s.typeId}` }];
  if (s.practitionerId) actor.push({ reference: `PractitionerRole/${s.practitionerId}` });
  return {
    resourceType: "Schedule",
    id: s.id,
    meta: { versionId: String(s.version), lastUpdated: fhirLastUpdated(s.updatedAt) },
    ...(s.externalId
      ? { identifier: [{ system: s.externalSystem ?? LOCAL_SYSTEMS.schedule, value: s.externalId }] }
      : {}),
    active: s.active,
    actor,
  };
}

async function parse(ctx: FhirContext, body: unknown) {
  const r = zSchedule.safeParse(body);
  if (!r.success) throw invalidResource("Schedule", r.error);
  const s = r.data;
  let typeId: string | undefined;
  let practitionerId: string | null = null;
  for (const [i, a] of s.actor.entries()) {
    const path = `Schedule.actor[${i}]`;
    const ref = a.reference;
    const isRole = referenceType(ctx, ref) === "PractitionerRole";
    if (isRole) practitionerId = await resolveReference(ctx, ref, "PractitionerRole", path);
    else typeId = await resolveReference(ctx, ref, "HealthcareService", path);
  }
  if (!typeId) throw unprocessable("Schedule.actor needs a HealthcareService", ["Schedule.actor"]);
  const [type] = await ctx.tx
    .select({ id: appointmentTypes.id, clinicId: appointmentTypes.clinicId })
    .from(appointmentTypes)
    .where(and(eq(appointmentTypes.id, typeId), inClientClinics(ctx, appointmentTypes.clinicId)));
  if (!type) throw forbidden("Schedule.actor: the HealthcareService is not one of this client's clinics");
  if (practitionerId) {
    const [role] = await ctx.tx
      .select({ id: practitioners.id })
      .from(practitioners)
      .where(and(eq(practitioners.id, practitionerId), eq(practitioners.clinicId, type.clinicId)));
    if (!role)
      throw unprocessable("Schedule.actor: the PractitionerRole is not of the same clinic", ["Schedule.actor"]);
  }
  return {
    clinicId: type.clinicId,
    typeId: type.id,
    practitionerId,
    active: s.active ?? true,
    externalSystem: s.identifier?.[0]?.system ?? null,
    externalId: s.identifier?.[0]?.value ?? null,
  };
}

async function load(ctx: FhirContext, id: string) {
  const [row] = await ctx.tx
    .select()
    .from(schedules)
    .where(and(eq(schedules.id, id), inClientClinics(ctx, schedules.clinicId)))
    .limit(1);
  return row;
}

export const scheduleModule: ResourceModule = {
  type: "Schedule",
  searchParams: [
    { name: "actor", type: "reference", documentation: "HealthcareService/<id> or PractitionerRole/<id>" },
    { name: "active", type: "token", documentation: "true or false" },
  ],
  async read(ctx, id) {
    const row = await load(ctx, id);
    return row ? toFhirSchedule(row) : null;
  },
  async search(ctx, params, page) {
    const conds = commonConditions(params, {
      id: schedules.id,
      updatedAt: schedules.updatedAt,
      identifier: (system, value) =>
        system === undefined || system === LOCAL_SYSTEMS.schedule
          ? eq(schedules.externalId, value)
          : and(eq(schedules.externalId, value), eq(schedules.externalSystem, system)),
    });
    for (const raw of params.getAll("actor")) {
      const v = raw.startsWith(`${ctx.baseUrl}/`) ? raw.slice(ctx.baseUrl.length + 1) : raw;
      const [type, id] = v.includes("/") ? v.split("/") : [undefined, v];
      if (!id || !isUuid(id))
        throw badRequest(`actor: "${raw}" is not a HealthcareService or PractitionerRole reference`);
      if (type === "HealthcareService") conds.push(eq(schedules.typeId, id));
      else if (type === "PractitionerRole") conds.push(eq(schedules.practitionerId, id));
      else if (type === undefined) conds.push(or(eq(schedules.typeId, id), eq(schedules.practitionerId, id))!);
      else throw badRequest(`actor: ${type} is not an actor of a Schedule here`);
    }
    for (const raw of params.getAll("active")) conds.push(eq(schedules.active, raw === "true"));
    const rows = await ctx.tx
      .select()
      .from(schedules)
      .where(allOf([inClientClinics(ctx, schedules.clinicId), ...conds]))
      .orderBy(asc(schedules.updatedAt), asc(schedules.id))
      .limit(page.count + 1)
      .offset(page.offset);
    return { resources: rows.slice(0, page.count).map(toFhirSchedule), more: rows.length > page.count };
  },
  async create(ctx, body) {
    const input = await parse(ctx, body);
    const [row] = await ctx.tx
      .insert(schedules)
      .values({ ...input, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    return toFhirSchedule(row!);
  },
  async update(ctx, id, body, ifMatch) {
    const existing = await load(ctx, id);
    if (!existing) throw notFound("Schedule", id);
    if (ifMatch !== undefined && ifMatch !== existing.version)
      throw preconditionFailed(`Schedule/${id} is at version ${existing.version}, not ${ifMatch}`);
    const input = await parse(ctx, body);
    if (input.typeId !== existing.typeId || input.practitionerId !== existing.practitionerId)
      throw unprocessable("a Schedule's actors cannot change; make a new Schedule", ["Schedule.actor"]);
    const [row] = await ctx.tx
      .update(schedules)
      .set({ ...input, version: sql`${schedules.version} + 1`, updatedAt: ctx.now })
      .where(eq(schedules.id, id))
      .returning();
    return toFhirSchedule(row!);
  },
};
