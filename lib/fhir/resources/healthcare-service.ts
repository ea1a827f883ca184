// HealthcareService = an appointment type of a clinic. Its identifier is the booking system's type
// code; the Vårdtid settings (duration, cancellable, …) are extensions with documented defaults.
import type { HealthcareService } from "@medplum/fhirtypes";
import { and, asc, eq, or, sql } from "drizzle-orm";
import { z } from "zod";
import { appointmentTypes, clinics } from "@/db/schema";
import { extValue, referenceSearchId, resolveReference, zExtension, zIdentifier, zReference } from "../common";
import { inClientClinics, type FhirContext } from "../context";
import {
  badRequest,
  FhirError,
  forbidden,
  invalidResource,
  notFound,
  preconditionFailed,
  unprocessable,
} from "../outcome";
import { EXT, LOCAL_SYSTEMS } from "../systems";
import { fhirLastUpdated } from "../time";
import { allOf, commonConditions } from "./search-helpers";
import type { ResourceModule } from "./types";

const zService = z
  .object({
    resourceType: z.literal("HealthcareService"),
    id: z.string().optional(),
    identifier: z.array(zIdentifier).min(1, "needs the booking system's type code"),
    active: z.boolean().optional(),
    providedBy: zReference,
    name: z.string().trim().min(1).max(200),
    comment: z.string().max(2000).optional(),
    extension: z.array(zExtension).optional(),
  })
  .loose();

export const TYPE_DEFAULTS = {
  durationMinutes: 20,
  cancellable: true,
  rebookable: true,
  video: false,
  sisterClinicsAllowed: false,
  waitlistAllowed: true,
} as const;

type TypeRow = typeof appointmentTypes.$inferSelect;

export function toFhirHealthcareService(t: TypeRow): HealthcareService {
  const extension: NonNullable<HealthcareService["extension"]> = [
    { url: EXT.nameEn, valueString: t.nameEn },
    { url: EXT.durationMinutes, valueInteger: t.durationMinutes },
    { url: EXT.cancellable, valueBoolean: t.cancellable },
    { url: EXT.rebookable, valueBoolean: t.rebookable },
    { url: EXT.video, valueBoolean: t.isVideo },
    { url: EXT.sisterClinicsAllowed, valueBoolean: t.allowSisterClinics },
    { url: EXT.waitlistAllowed, valueBoolean: t.waitlistEnabled },
  ];
  if (t.cancelCutoffHours !== null) extension.push({ url: EXT.cancelCutoffHours, valueInteger: t.cancelCutoffHours });
  if (t.preparationSv) extension.push({ url: EXT.preparationSv, valueString: t.preparationSv });
  if (t.preparationEn) extension.push({ url: EXT.preparationEn, valueString: t.preparationEn });
  return {
    resourceType: "HealthcareService",
    id: t.id,
    meta: { versionId: String(t.version), lastUpdated: fhirLastUpdated(t.updatedAt) },
    identifier: [{ system: t.codeSystem ?? LOCAL_SYSTEMS.appointmentType, value: t.code }],
    active: true,
    providedBy: { reference: `Organization/${t.clinicId}` },
    name: t.nameSv,
    ...(t.preparationSv ? { comment: t.preparationSv } : {}),
    appointmentRequired: true,
    extension,
  };
}

async function parse(ctx: FhirContext, body: unknown) {
  const r = zService.safeParse(body);
  if (!r.success) throw invalidResource("HealthcareService", r.error);
  const h = r.data;
  const clinicId = await resolveReference(ctx, h.providedBy.reference, "Organization", "HealthcareService.providedBy");
  const [clinic] = await ctx.tx
    .select({ id: clinics.id })
    .from(clinics)
    .where(and(eq(clinics.id, clinicId), inClientClinics(ctx, clinics.id)));
  if (!clinic) throw forbidden("HealthcareService.providedBy is not one of this client's clinics");
  const ext = h.extension;
  const int = (url: string, min: number, max: number) => {
    const e = extValue(ext, url);
    if (!e) return undefined;
    if (e.valueInteger === undefined || e.valueInteger < min || e.valueInteger > max)
      throw unprocessable(`HealthcareService.extension (${url}) must be a valueInteger between ${min} and ${max}`, [
        "HealthcareService.extension",
      ]);
    return e.valueInteger;
  };
  const bool = (url: string, dflt: boolean) => {
    const e = extValue(ext, url);
    if (!e) return dflt;
    if (e.valueBoolean === undefined)
      throw unprocessable(`HealthcareService.extension (${url}) must be a valueBoolean`, [
        "HealthcareService.extension",
      ]);
    return e.valueBoolean;
  };
  const id = h.identifier[0]!;
  const preparationSv = extValue(ext, EXT.preparationSv)?.valueString ?? h.comment ?? "";
  return {
    clinicId,
    code: id.value,
    codeSystem: id.system ?? null,
    nameSv: h.name,
    nameEn: extValue(ext, EXT.nameEn)?.valueString?.trim() || h.name,
    durationMinutes: int(EXT.durationMinutes, 5, 480) ?? TYPE_DEFAULTS.durationMinutes,
    cancelCutoffHours: int(EXT.cancelCutoffHours, 0, 24 * 14) ?? null,
    cancellable: bool(EXT.cancellable, TYPE_DEFAULTS.cancellable),
    rebookable: bool(EXT.rebookable, TYPE_DEFAULTS.rebookable),
    isVideo: bool(EXT.video, TYPE_DEFAULTS.video),
    allowSisterClinics: bool(EXT.sisterClinicsAllowed, TYPE_DEFAULTS.sisterClinicsAllowed),
    waitlistEnabled: bool(EXT.waitlistAllowed, TYPE_DEFAULTS.waitlistAllowed),
    preparationSv,
    preparationEn: extValue(ext, EXT.preparationEn)?.valueString ?? preparationSv,
  };
}

async function load(ctx: FhirContext, id: string) {
  const [row] = await ctx.tx
    .select()
    .from(appointmentTypes)
    .where(and(eq(appointmentTypes.id, id), inClientClinics(ctx, appointmentTypes.clinicId)))
    .limit(1);
  return row;
}

export const healthcareServiceModule: ResourceModule = {
  type: "HealthcareService",
  searchParams: [{ name: "organization", type: "reference", documentation: "The clinic (Organization) providing it" }],
  async read(ctx, id) {
    const row = await load(ctx, id);
    return row ? toFhirHealthcareService(row) : null;
  },
  async search(ctx, params, page) {
    const conds = commonConditions(params, {
      id: appointmentTypes.id,
      updatedAt: appointmentTypes.updatedAt,
      identifier: (system, value) =>
        system === undefined
          ? eq(appointmentTypes.code, value)
          : system === LOCAL_SYSTEMS.appointmentType
            ? and(
                eq(appointmentTypes.code, value),
                or(sql`${appointmentTypes.codeSystem} is null`, eq(appointmentTypes.codeSystem, system)),
              )
            : and(eq(appointmentTypes.code, value), eq(appointmentTypes.codeSystem, system)),
    });
    for (const raw of params.getAll("organization"))
      conds.push(eq(appointmentTypes.clinicId, referenceSearchId(raw, "Organization", ctx.baseUrl)));
    const rows = await ctx.tx
      .select()
      .from(appointmentTypes)
      .where(allOf([inClientClinics(ctx, appointmentTypes.clinicId), ...conds]))
      .orderBy(asc(appointmentTypes.updatedAt), asc(appointmentTypes.id))
      .limit(page.count + 1)
      .offset(page.offset);
    return { resources: rows.slice(0, page.count).map(toFhirHealthcareService), more: rows.length > page.count };
  },
  async create(ctx, body) {
    const input = await parse(ctx, body);
    const [taken] = await ctx.tx
      .select({ id: appointmentTypes.id })
      .from(appointmentTypes)
      .where(and(eq(appointmentTypes.clinicId, input.clinicId), eq(appointmentTypes.code, input.code)));
    if (taken)
      throw new FhirError(
        409,
        "duplicate",
        `the clinic already has type code ${input.code} (HealthcareService/${taken.id})`,
      );
    const [row] = await ctx.tx
      .insert(appointmentTypes)
      .values({ ...input, updatedAt: ctx.now })
      .returning();
    return toFhirHealthcareService(row!);
  },
  async update(ctx, id, body, ifMatch) {
    const existing = await load(ctx, id);
    if (!existing) throw notFound("HealthcareService", id);
    if (ifMatch !== undefined && ifMatch !== existing.version)
      throw preconditionFailed(`HealthcareService/${id} is at version ${existing.version}, not ${ifMatch}`);
    const input = await parse(ctx, body);
    if (input.clinicId !== existing.clinicId) throw badRequest("a HealthcareService cannot move to another clinic");
    const [taken] = await ctx.tx
      .select({ id: appointmentTypes.id })
      .from(appointmentTypes)
      .where(and(eq(appointmentTypes.clinicId, input.clinicId), eq(appointmentTypes.code, input.code)));
    if (taken && taken.id !== id) throw new FhirError(409, "duplicate", `type code ${input.code} is taken`);
    const [row] = await ctx.tx
      .update(appointmentTypes)
      .set({ ...input, version: sql`${appointmentTypes.version} + 1`, updatedAt: ctx.now })
      .where(eq(appointmentTypes.id, id))
      .returning();
    return toFhirHealthcareService(row!);
  },
};
