// RelatedPerson: custody, from the caregiver's systems. A guardian (identifier = their
// personnummer) of a child Patient (`patient`), with a v3 RoleCode relationship (GUARD, PRN, MTH or
// FTH). `active: false`, a `period.end` that has passed, or DELETE ends custody: the guardian's
// next request no longer acts for the child (lib/auth/resolve-session.ts). A client sees custody
// only of children it may see (visibleToClient); the guardian's number is stored as a keyed hash
// (for the lookup at login) and encrypted (to read it back), never in clear.
import type { RelatedPerson } from "@medplum/fhirtypes";
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import { z } from "zod";
import { guardianships, patients } from "@/db/schema";
import { GUARDIAN_ROLE_CODES, V3_ROLE_CODE_SYSTEM } from "@/lib/guardians/custody";
import { parsePersonalNumber } from "@/lib/personal-number";
import { decryptPii, encryptPii, keyedHash } from "@/lib/privacy/crypto";
import { referenceSearchId, resolveReference, zIdentifier, zInstant } from "../common";
import type { FhirContext } from "../context";
import { invalidResource, notFound, preconditionFailed, unprocessable } from "../outcome";
import { PERSONNUMMER_SYSTEM, personIdKind } from "../systems";
import { fhirLastUpdated } from "../time";
import { personalNumberOf, visibleToClient } from "./patient";
import { allOf, commonConditions } from "./search-helpers";
import type { ResourceModule } from "./types";

const zCoding = z.object({ system: z.string().optional(), code: z.string().min(1) }).loose();

const zRelatedPerson = z
  .object({
    resourceType: z.literal("RelatedPerson"),
    id: z.string().optional(),
    active: z.boolean().optional(),
    patient: z.object({ reference: z.string().min(1) }).loose(),
    identifier: z.array(zIdentifier).min(1, "needs the guardian's personnummer"),
    relationship: z
      .array(z.object({ coding: z.array(zCoding).min(1) }).loose())
      .min(1, `needs a relationship (${GUARDIAN_ROLE_CODES.join(", ")} in ${V3_ROLE_CODE_SYSTEM})`),
    period: z.object({ start: zInstant.optional(), end: zInstant.optional() }).loose().optional(),
  })
  .loose();

type Row = typeof guardianships.$inferSelect;

function versionOf(r: Row): string {
  return String(Math.max(1, Math.floor(r.updatedAt.getTime() / 1000)));
}

export function toFhirRelatedPerson(r: Row, ctx: FhirContext): RelatedPerson {
  return {
    resourceType: "RelatedPerson",
    id: r.id,
    meta: { versionId: versionOf(r), lastUpdated: fhirLastUpdated(r.updatedAt) },
    active: r.active,
    patient: { reference: `Patient/${r.childPatientId}` },
    identifier: [{ system: PERSONNUMMER_SYSTEM, value: decryptPii(r.guardianPersonalNumberEnc, ctx.keys) }],
    relationship: [{ coding: [{ system: V3_ROLE_CODE_SYSTEM, code: r.relationship }] }],
    ...(r.periodStart || r.periodEnd
      ? {
          period: {
            ...(r.periodStart ? { start: r.periodStart.toISOString() } : {}),
            ...(r.periodEnd ? { end: r.periodEnd.toISOString() } : {}),
          },
        }
      : {}),
  };
}

async function parse(ctx: FhirContext, body: unknown) {
  const r = zRelatedPerson.safeParse(body);
  if (!r.success) throw invalidResource("RelatedPerson", r.error);
  const pnr = personalNumberOf(r.data.identifier, "RelatedPerson.identifier");
  const coding = r.data.relationship
    .flatMap((rel) => rel.coding)
    .find((c) => c.system === V3_ROLE_CODE_SYSTEM && (GUARDIAN_ROLE_CODES as readonly string[]).includes(c.code));
  if (!coding)
    throw unprocessable(
      `RelatedPerson.relationship must hold a guardian code (${GUARDIAN_ROLE_CODES.join(", ")}) of ${V3_ROLE_CODE_SYSTEM}`,
      ["RelatedPerson.relationship"],
    );
  const childId = await resolveReference(ctx, r.data.patient.reference, "Patient", "RelatedPerson.patient");
  const [child] = await ctx.tx
    .select({ id: patients.id, hash: patients.personalNumberHash })
    .from(patients)
    .where(and(eq(patients.id, childId), visibleToClient(ctx)))
    .limit(1);
  if (!child)
    throw unprocessable(`RelatedPerson.patient: Patient/${childId} is not known to this client`, [
      "RelatedPerson.patient",
    ]);
  const hash = keyedHash(pnr, ctx.keys);
  if (hash === child.hash)
    throw unprocessable("RelatedPerson: a patient cannot be their own guardian", ["RelatedPerson.identifier"]);
  const period = r.data.period;
  if (period?.start && period.end && period.end.getTime() < period.start.getTime())
    throw unprocessable("RelatedPerson.period.end is before period.start", ["RelatedPerson.period"]);
  return {
    childPatientId: child.id,
    guardianPersonalNumberHash: hash,
    guardianPersonalNumberEnc: encryptPii(pnr, ctx.keys),
    relationship: coding.code,
    active: r.data.active ?? true,
    periodStart: period?.start ?? null,
    periodEnd: period?.end ?? null,
  };
}

/** SQL: the client may see this custody (it may see the child). */
function visible(ctx: FhirContext): SQL {
  return inArray(
    guardianships.childPatientId,
    ctx.tx.select({ id: patients.id }).from(patients).where(visibleToClient(ctx)),
  );
}

async function load(ctx: FhirContext, id: string): Promise<Row | undefined> {
  const [row] = await ctx.tx
    .select()
    .from(guardianships)
    .where(and(eq(guardianships.id, id), visible(ctx)))
    .limit(1);
  return row;
}

export const relatedPersonModule: ResourceModule = {
  type: "RelatedPerson",
  documentation:
    "Custody: a guardian (identifier: personnummer) of a child Patient (patient), relationship a v3 RoleCode " +
    `(${GUARDIAN_ROLE_CODES.join(", ")}). active=false, a past period.end or DELETE ends custody at the guardian's next request.`,
  searchParams: [
    { name: "patient", type: "reference", documentation: "The child: Patient/<id>" },
    { name: "active", type: "token", documentation: "true or false" },
  ],
  deleteDocumentation: "Ends custody: the guardian no longer acts for the child from their next request",
  patientOf: (r) => (r as RelatedPerson).patient?.reference?.split("/")[1],
  async read(ctx, id) {
    const row = await load(ctx, id);
    return row ? toFhirRelatedPerson(row, ctx) : null;
  },
  async search(ctx, params, page) {
    const conds = commonConditions(params, {
      id: guardianships.id,
      updatedAt: guardianships.updatedAt,
      identifier: (system, value) => {
        if (system !== undefined && !personIdKind(system)) return undefined;
        const parsed = parsePersonalNumber(value);
        return parsed.ok
          ? eq(guardianships.guardianPersonalNumberHash, keyedHash(parsed.personalNumber.value, ctx.keys))
          : undefined;
      },
    });
    for (const raw of params.getAll("patient"))
      conds.push(eq(guardianships.childPatientId, referenceSearchId(raw, "Patient", ctx.baseUrl)));
    for (const raw of params.getAll("active")) conds.push(eq(guardianships.active, raw === "true"));
    const rows = await ctx.tx
      .select()
      .from(guardianships)
      .where(allOf([visible(ctx), ...conds]))
      .orderBy(asc(guardianships.updatedAt), asc(guardianships.id))
      .limit(page.count + 1)
      .offset(page.offset);
    return {
      resources: rows.slice(0, page.count).map((r) => toFhirRelatedPerson(r, ctx)),
      more: rows.length > page.count,
    };
  },
  async create(ctx, body) {
    const input = await parse(ctx, body);
    // One custody per guardian and child: creating it again updates it.
    const [row] = await ctx.tx
      .insert(guardianships)
      .values({ ...input, apiClientId: ctx.client.id, createdAt: ctx.now, updatedAt: ctx.now })
      .onConflictDoUpdate({
        target: [guardianships.childPatientId, guardianships.guardianPersonalNumberHash],
        set: { ...input, apiClientId: ctx.client.id, updatedAt: ctx.now },
      })
      .returning();
    return toFhirRelatedPerson(row!, ctx);
  },
  async update(ctx, id, body, ifMatch) {
    const existing = await load(ctx, id);
    if (!existing) throw notFound("RelatedPerson", id);
    if (ifMatch !== undefined && String(ifMatch) !== versionOf(existing))
      throw preconditionFailed(`RelatedPerson/${id} is at version ${versionOf(existing)}, not ${ifMatch}`);
    const input = await parse(ctx, body);
    if (
      input.childPatientId !== existing.childPatientId ||
      input.guardianPersonalNumberHash !== existing.guardianPersonalNumberHash
    )
      throw unprocessable("RelatedPerson: the guardian and the child of a custody cannot change; create a new one", [
        "RelatedPerson.identifier",
      ]);
    const [row] = await ctx.tx
      .update(guardianships)
      .set({ ...input, apiClientId: ctx.client.id, updatedAt: ctx.now })
      .where(eq(guardianships.id, id))
      .returning();
    return toFhirRelatedPerson(row!, ctx);
  },
  async delete(ctx, id) {
    const existing = await load(ctx, id);
    if (!existing) throw notFound("RelatedPerson", id);
    await ctx.tx.delete(guardianships).where(eq(guardianships.id, id));
    // The child's access log shows that a guardian was removed.
    ctx.audit.push({
      action: "fhir.delete",
      resourceType: "RelatedPerson",
      resourceId: id,
      patientId: existing.childPatientId,
      details: { client: ctx.client.name },
    });
  },
};
