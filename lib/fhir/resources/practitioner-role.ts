// PractitionerRole = a practitioner's role at a clinic: the role patients see ("Sjuksköterska")
// and at most a display name. No personal number of staff is ever taken or stored.
import type { PractitionerRole } from "@medplum/fhirtypes";
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { clinics, practitioners } from "@/db/schema";
import { extValue, referenceSearchId, resolveReference, zExtension, zIdentifier, zReference } from "../common";
import { inClientClinics, type FhirContext } from "../context";
import { parsePersonalNumber } from "@/lib/personal-number";
import { badRequest, forbidden, invalidResource, notFound, preconditionFailed, unprocessable } from "../outcome";
import { EXT, LOCAL_SYSTEMS, personIdKind, ROLE_SYSTEM } from "../systems";
import { fhirLastUpdated } from "../time";
import { allOf, commonConditions } from "./search-helpers";
import type { ResourceModule } from "./types";

const zRole = z
  .object({
    resourceType: z.literal("PractitionerRole"),
    id: z.string().optional(),
    identifier: z.array(zIdentifier).optional(),
    active: z.boolean().optional(),
    organization: zReference,
    practitioner: z
      .object({ display: z.string().max(200).optional(), identifier: zIdentifier.optional() })
      .loose()
      .optional(),
    code: z
      .array(z.object({ text: z.string().trim().min(1).max(100) }).loose())
      .min(1, "needs the role as text, e.g. Sjuksköterska"),
    extension: z.array(zExtension).optional(),
  })
  .loose();

type RoleRow = typeof practitioners.$inferSelect;

export function toFhirPractitionerRole(p: RoleRow): PractitionerRole {
  return {
    resourceType: "PractitionerRole",
    id: p.id,
    meta: { versionId: String(p.version), lastUpdated: fhirLastUpdated(p.updatedAt) },
    ...(p.externalId
      ? { identifier: [{ system: p.externalSystem ?? LOCAL_SYSTEMS.practitionerRole, value: p.externalId }] }
      : {}),
    active: true,
    organization: { reference: `Organization/${p.clinicId}` },
    ...(p.displayName ? { practitioner: { display: p.displayName } } : {}),
    code: [{ coding: [{ system: ROLE_SYSTEM, code: p.roleSv, display: p.roleSv }], text: p.roleSv }],
    extension: [{ url: EXT.nameEn, valueString: p.roleEn }],
  };
}

function looksLikePersonalNumber(value: string): boolean {
  const digits = value.trim().replace(/[-+]/, "");
  if (!/^\d{10}(\d{2})?$/.test(digits)) return false;
  const full = digits.length === 12 ? [digits] : [`19${digits}`, `20${digits}`];
  return full.some((v) => parsePersonalNumber(v).ok);
}

/**
 * No staff personal numbers: an identifier with a personnummer or samordningsnummer system, or
 * whose value is one (a valid date and check digit, with or without the century), is a 422.
 */
function refusePersonalNumbers(identifiers: readonly (readonly [{ system?: string; value: string }, string])[]) {
  for (const [id, path] of identifiers)
    if (personIdKind(id.system) || looksLikePersonalNumber(id.value))
      throw unprocessable(
        `${path}: a staff member's personnummer or samordningsnummer is not taken; use the booking system's own id or the HSA-id`,
        [path],
      );
}

async function parse(ctx: FhirContext, body: unknown) {
  const r = zRole.safeParse(body);
  if (!r.success) throw invalidResource("PractitionerRole", r.error);
  const p = r.data;
  refusePersonalNumbers([
    ...(p.identifier ?? []).map((id, i) => [id, `PractitionerRole.identifier[${i}]`] as const),
    ...(p.practitioner?.identifier
      ? [[p.practitioner.identifier, "PractitionerRole.practitioner.identifier"] as const]
      : []),
  ]);
  const clinicId = await resolveReference(
    ctx,
    p.organization.reference,
    "Organization",
    "PractitionerRole.organization",
  );
  const [clinic] = await ctx.tx
    .select({ id: clinics.id })
    .from(clinics)
    .where(and(eq(clinics.id, clinicId), inClientClinics(ctx, clinics.id)));
  if (!clinic) throw forbidden("PractitionerRole.organization is not one of this client's clinics");
  const roleSv = p.code[0]!.text;
  return {
    clinicId,
    roleSv,
    roleEn: extValue(p.extension, EXT.nameEn)?.valueString?.trim() || roleSv,
    displayName: p.practitioner?.display?.trim() || null,
    externalSystem: p.identifier?.[0]?.system ?? null,
    externalId: p.identifier?.[0]?.value ?? null,
  };
}

async function load(ctx: FhirContext, id: string) {
  const [row] = await ctx.tx
    .select()
    .from(practitioners)
    .where(and(eq(practitioners.id, id), inClientClinics(ctx, practitioners.clinicId)))
    .limit(1);
  return row;
}

export const practitionerRoleModule: ResourceModule = {
  type: "PractitionerRole",
  searchParams: [{ name: "organization", type: "reference", documentation: "The clinic (Organization)" }],
  async read(ctx, id) {
    const row = await load(ctx, id);
    return row ? toFhirPractitionerRole(row) : null;
  },
  async search(ctx, params, page) {
    const conds = commonConditions(params, {
      id: practitioners.id,
      updatedAt: practitioners.updatedAt,
      identifier: (system, value) =>
        system === undefined || system === LOCAL_SYSTEMS.practitionerRole
          ? eq(practitioners.externalId, value)
          : and(eq(practitioners.externalId, value), eq(practitioners.externalSystem, system)),
    });
    for (const raw of params.getAll("organization"))
      conds.push(eq(practitioners.clinicId, referenceSearchId(raw, "Organization", ctx.baseUrl)));
    const rows = await ctx.tx
      .select()
      .from(practitioners)
      .where(allOf([inClientClinics(ctx, practitioners.clinicId), ...conds]))
      .orderBy(asc(practitioners.updatedAt), asc(practitioners.id))
      .limit(page.count + 1)
      .offset(page.offset);
    return { resources: rows.slice(0, page.count).map(toFhirPractitionerRole), more: rows.length > page.count };
  },
  async create(ctx, body) {
    const input = await parse(ctx, body);
    const [row] = await ctx.tx
      .insert(practitioners)
      .values({ ...input, updatedAt: ctx.now })
      .returning();
    return toFhirPractitionerRole(row!);
  },
  async update(ctx, id, body, ifMatch) {
    const existing = await load(ctx, id);
    if (!existing) throw notFound("PractitionerRole", id);
    if (ifMatch !== undefined && ifMatch !== existing.version)
      throw preconditionFailed(`PractitionerRole/${id} is at version ${existing.version}, not ${ifMatch}`);
    const input = await parse(ctx, body);
    if (input.clinicId !== existing.clinicId) throw badRequest("a PractitionerRole cannot move to another clinic");
    const [row] = await ctx.tx
      .update(practitioners)
      .set({ ...input, version: sql`${practitioners.version} + 1`, updatedAt: ctx.now })
      .where(eq(practitioners.id, id))
      .returning();
    return toFhirPractitionerRole(row!);
  },
};
