// Organization = a clinic (care unit), identified by its HSA-id. Vårdtid's clinic settings travel
// as extensions; each has a default, so name + HSA-id is enough to start.
import type { Organization, Resource } from "@medplum/fhirtypes";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { clinics } from "@/db/schema";
import { CLINIC_TEXTS, type ClinicTextColumn } from "@/lib/appointments/clinic-texts";
import { extValue, zExtension, zIdentifier } from "../common";
import type { FhirContext } from "../context";
import {
  badRequest,
  FhirError,
  forbidden,
  invalidResource,
  notFound,
  preconditionFailed,
  unprocessable,
} from "../outcome";
import { clinicTextExt, EXT, HSA_SYSTEM, isHsaSystem } from "../systems";
import { fhirLastUpdated } from "../time";
import { allOf, commonConditions } from "./search-helpers";
import type { ResourceModule } from "./types";

const zOrganization = z
  .object({
    resourceType: z.literal("Organization"),
    id: z.string().optional(),
    identifier: z.array(zIdentifier).min(1, "needs the clinic's HSA-id"),
    active: z.boolean().optional(),
    name: z.string().trim().min(1).max(200),
    telecom: z.array(z.object({ system: z.string().optional(), value: z.string().optional() }).loose()).optional(),
    address: z
      .array(
        z
          .object({
            text: z.string().optional(),
            line: z.array(z.string()).optional(),
            postalCode: z.string().optional(),
            city: z.string().optional(),
          })
          .loose(),
      )
      .optional(),
    extension: z.array(zExtension).optional(),
  })
  .loose();

/** The longest clinic text a patient is shown (a few paragraphs at most). */
export const CLINIC_TEXT_MAX = 2000;

export interface ClinicInput extends Record<ClinicTextColumn, string> {
  hsaId: string;
  name: string;
  smsName: string;
  address: string;
  phone: string;
  cancelCutoffHours: number;
  offerFairness: "first_come" | "in_turn";
  offerBatchSize: number;
  offerAnswerMinutes: number;
  pushFirst: boolean;
  pushEscalationMinutes: number;
  smsOnClinicChange: boolean;
}

/** Defaults (documented in docs/integration.md): what a clinic gets when the extension is absent. */
export const CLINIC_DEFAULTS = {
  cancelCutoffHours: 24,
  offerFairness: "first_come",
  offerBatchSize: 3,
  offerAnswerMinutes: 120,
  pushFirst: true,
  pushEscalationMinutes: 120,
  smsOnClinicChange: false,
} as const;

function parse(body: unknown): ClinicInput {
  const r = zOrganization.safeParse(body);
  if (!r.success) throw invalidResource("Organization", r.error);
  const o = r.data;
  const hsaIndex = o.identifier.findIndex((i) => isHsaSystem(i.system));
  if (hsaIndex < 0)
    throw unprocessable(`Organization.identifier needs an HSA-id (system ${HSA_SYSTEM})`, ["Organization.identifier"]);
  const ext = o.extension;
  const int = (url: string, path: string, min: number, max: number, dflt: number) => {
    const e = extValue(ext, url);
    if (!e) return dflt;
    if (e.valueInteger === undefined || e.valueInteger < min || e.valueInteger > max)
      throw unprocessable(`${path} (${url}) must be a valueInteger between ${min} and ${max}`, [path]);
    return e.valueInteger;
  };
  const bool = (url: string, path: string, dflt: boolean) => {
    const e = extValue(ext, url);
    if (!e) return dflt;
    if (e.valueBoolean === undefined) throw unprocessable(`${path} (${url}) must be a valueBoolean`, [path]);
    return e.valueBoolean;
  };
  const fairnessExt = extValue(ext, EXT.offerFairness);
  const fairness = fairnessExt ? (fairnessExt.valueCode ?? fairnessExt.valueString) : CLINIC_DEFAULTS.offerFairness;
  if (fairness !== "first_come" && fairness !== "in_turn")
    throw unprocessable("Organization.extension(offer-fairness) must be first_come or in_turn", [
      "Organization.extension",
    ]);
  const smsName = extValue(ext, EXT.smsName)?.valueString?.trim() || o.name;
  const a = o.address?.[0];
  const address = a
    ? (a.text ?? [...(a.line ?? []), [a.postalCode, a.city].filter(Boolean).join(" ")].filter(Boolean).join(", "))
    : "";
  const phone = o.telecom?.find((t) => t.system === "phone")?.value ?? "";
  const texts = {} as Record<ClinicTextColumn, string>;
  for (const t of CLINIC_TEXTS)
    for (const lang of ["sv", "en"] as const) {
      const url = clinicTextExt(t.ext, lang);
      const e = extValue(ext, url);
      const value = e ? e.valueString : "";
      if (value === undefined || value.length > CLINIC_TEXT_MAX)
        throw unprocessable(
          `Organization.extension (${url}) must be a valueString of at most ${CLINIC_TEXT_MAX} characters`,
          ["Organization.extension"],
        );
      texts[t[lang]] = value.trim();
    }
  return {
    ...texts,
    hsaId: o.identifier[hsaIndex]!.value,
    name: o.name,
    smsName: smsName.slice(0, 60),
    address,
    phone,
    cancelCutoffHours: int(EXT.cancelCutoffHours, "Organization.extension", 0, 24 * 14, 24),
    offerFairness: fairness,
    offerBatchSize: int(EXT.offerBatchSize, "Organization.extension", 1, 50, 3),
    offerAnswerMinutes: int(EXT.offerAnswerMinutes, "Organization.extension", 5, 24 * 60, 120),
    pushFirst: bool(EXT.pushFirst, "Organization.extension", true),
    pushEscalationMinutes: int(EXT.pushEscalationMinutes, "Organization.extension", 0, 24 * 60, 120),
    smsOnClinicChange: bool(EXT.smsOnClinicChange, "Organization.extension", false),
  };
}

type ClinicRow = typeof clinics.$inferSelect;

export function toFhirOrganization(c: ClinicRow): Organization {
  return {
    resourceType: "Organization",
    id: c.id,
    meta: { versionId: String(c.version), lastUpdated: fhirLastUpdated(c.updatedAt) },
    identifier: c.hsaId ? [{ system: HSA_SYSTEM, value: c.hsaId }] : [],
    active: true,
    type: [
      {
        coding: [
          {
            system: "http://terminology.hl7.org/CodeSystem/organization-type",
            code: "prov",
            display: "Healthcare Provider",
          },
        ],
      },
    ],
    name: c.name,
    ...(c.phone ? { telecom: [{ system: "phone", value: c.phone }] } : {}),
    ...(c.address ? { address: [{ text: c.address }] } : {}),
    extension: [
      { url: EXT.smsName, valueString: c.smsName },
      { url: EXT.cancelCutoffHours, valueInteger: c.cancelCutoffHours },
      { url: EXT.offerFairness, valueCode: c.offerFairness },
      { url: EXT.offerBatchSize, valueInteger: c.offerBatchSize },
      { url: EXT.offerAnswerMinutes, valueInteger: c.offerAnswerMinutes },
      { url: EXT.pushFirst, valueBoolean: c.pushFirst },
      { url: EXT.pushEscalationMinutes, valueInteger: c.pushEscalationMinutes },
      { url: EXT.smsOnClinicChange, valueBoolean: c.smsOnClinicChange },
      ...CLINIC_TEXTS.flatMap((t) =>
        (["sv", "en"] as const)
          .filter((lang) => c[t[lang]] !== "")
          .map((lang) => ({ url: clinicTextExt(t.ext, lang), valueString: c[t[lang]] })),
      ),
    ],
  };
}

function mayUseHsa(ctx: FhirContext, hsaId: string) {
  if (!ctx.client.clinicHsaIds.includes(hsaId)) throw forbidden(`this client may not manage the care unit ${hsaId}`);
}

async function load(ctx: FhirContext, id: string) {
  const [row] = await ctx.tx
    .select()
    .from(clinics)
    .where(and(eq(clinics.id, id), inArray(clinics.hsaId, ctx.client.clinicHsaIds)))
    .limit(1);
  return row;
}

export async function upsertClinic(ctx: FhirContext, input: ClinicInput, existing?: ClinicRow): Promise<ClinicRow> {
  const { hsaId, ...fields } = input;
  if (existing) {
    const [row] = await ctx.tx
      .update(clinics)
      .set({ ...fields, hsaId, version: sql`${clinics.version} + 1`, updatedAt: ctx.now })
      .where(eq(clinics.id, existing.id))
      .returning();
    return row!;
  }
  const [row] = await ctx.tx
    .insert(clinics)
    .values({
      ...fields,
      hsaId,
      slug: `hsa-${hsaId.toLowerCase()}`,
      region: "",
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  return row!;
}

export const organizationModule: ResourceModule = {
  type: "Organization",
  searchParams: [{ name: "name", type: "string", documentation: "Clinic name starts with (case-insensitive)" }],
  async read(ctx, id) {
    const row = await load(ctx, id);
    return row ? toFhirOrganization(row) : null;
  },
  async search(ctx, params, page) {
    const conds = commonConditions(params, {
      id: clinics.id,
      updatedAt: clinics.updatedAt,
      identifier: (system, value) =>
        system === undefined || isHsaSystem(system) ? eq(clinics.hsaId, value) : undefined,
    });
    const name = params.get("name");
    if (name !== null)
      conds.push(sql`lower(${clinics.name}) like ${`${name.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`}`);
    const rows = await ctx.tx
      .select()
      .from(clinics)
      .where(allOf([inArray(clinics.hsaId, ctx.client.clinicHsaIds), ...conds]))
      .orderBy(asc(clinics.updatedAt), asc(clinics.id))
      .limit(page.count + 1)
      .offset(page.offset);
    return { resources: rows.slice(0, page.count).map(toFhirOrganization), more: rows.length > page.count };
  },
  async create(ctx, body): Promise<Resource> {
    const input = parse(body);
    mayUseHsa(ctx, input.hsaId);
    const [taken] = await ctx.tx.select({ id: clinics.id }).from(clinics).where(eq(clinics.hsaId, input.hsaId));
    if (taken)
      throw new FhirError(
        409,
        "duplicate",
        `an Organization with HSA-id ${input.hsaId} exists (Organization/${taken.id}); update it instead`,
      );
    return toFhirOrganization(await upsertClinic(ctx, input));
  },
  async update(ctx, id, body, ifMatch) {
    const existing = await load(ctx, id);
    if (!existing) throw notFound("Organization", id);
    if (ifMatch !== undefined && ifMatch !== existing.version)
      throw preconditionFailed(`Organization/${id} is at version ${existing.version}, not ${ifMatch}`);
    const input = parse(body);
    mayUseHsa(ctx, input.hsaId);
    if (input.hsaId !== existing.hsaId) throw badRequest("an Organization's HSA-id cannot change");
    return toFhirOrganization(await upsertClinic(ctx, input, existing));
  },
};
