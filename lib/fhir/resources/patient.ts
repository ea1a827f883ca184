// Patient, identified by personnummer or samordningsnummer, with only what an appointment needs
// (the name). A client sees a Patient only if it created or updated them, or one of their
// appointments is in its clinics: a booking system learns nothing about other systems' patients.
import type { Patient } from "@medplum/fhirtypes";
import { and, asc, eq, exists, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { apiClientPatients, appointments, patients, slots } from "@/db/schema";
import { parsePersonalNumber } from "@/lib/personal-number";
import { decryptPii, encryptPii, keyedHash } from "@/lib/privacy/crypto";
import { zIdentifier } from "../common";
import { inClientClinics, type FhirContext } from "../context";
import { FhirError, invalidResource, notFound, preconditionFailed, unprocessable } from "../outcome";
import { PERSONNUMMER_SYSTEM, personIdKind, SAMORDNINGSNUMMER_SYSTEM } from "../systems";
import { fhirLastUpdated } from "../time";
import { allOf, commonConditions } from "./search-helpers";
import type { ResourceModule } from "./types";

const zPatient = z
  .object({
    resourceType: z.literal("Patient"),
    id: z.string().optional(),
    identifier: z.array(zIdentifier).min(1, "needs a personnummer or samordningsnummer"),
    name: z
      .array(
        z
          .object({ family: z.string().trim().min(1).max(100), given: z.array(z.string().trim().min(1)).min(1).max(5) })
          .loose(),
      )
      .min(1, "needs the patient's name"),
  })
  .loose();

type PatientRow = typeof patients.$inferSelect;

export function toFhirPatient(p: PatientRow, ctx: FhirContext): Patient {
  const pnr = decryptPii(p.personalNumberEnc, ctx.keys);
  const coordination = Number(pnr.slice(6, 8)) > 60;
  return {
    resourceType: "Patient",
    id: p.id,
    meta: {
      versionId: String(Math.max(1, Math.floor(p.updatedAt.getTime() / 1000))),
      lastUpdated: fhirLastUpdated(p.updatedAt),
    },
    identifier: [{ system: coordination ? SAMORDNINGSNUMMER_SYSTEM : PERSONNUMMER_SYSTEM, value: pnr }],
    name: [{ family: p.surname, given: p.givenName.split(" ").filter(Boolean) }],
  };
}

/** Personal number from a Patient's identifiers, validated; a 422 names the bad identifier. */
export function personalNumberOf(identifiers: { system?: string; value: string }[], path: string): string {
  for (const [i, id] of identifiers.entries()) {
    const kind = personIdKind(id.system);
    if (!kind) continue;
    const parsed = parsePersonalNumber(id.value);
    if (!parsed.ok || parsed.personalNumber.isCoordinationNumber !== (kind === "samordningsnummer"))
      throw unprocessable(`${path}[${i}].value is not a valid ${kind} (12 digits, YYYYMMDDNNNC)`, [
        `${path}[${i}].value`,
      ]);
    return parsed.personalNumber.value;
  }
  throw unprocessable(`${path} needs system ${PERSONNUMMER_SYSTEM} or ${SAMORDNINGSNUMMER_SYSTEM}`, [path]);
}

/** SQL: the client may see this patient (it wrote them, or holds one of their appointments). */
export function visibleToClient(ctx: FhirContext, patientIdCol = patients.id): SQL {
  return or(
    exists(
      ctx.tx
        .select({ one: sql`1` })
        .from(apiClientPatients)
        .where(and(eq(apiClientPatients.patientId, patientIdCol), eq(apiClientPatients.clientId, ctx.client.id))),
    ),
    exists(
      ctx.tx
        .select({ one: sql`1` })
        .from(appointments)
        .innerJoin(slots, eq(slots.id, appointments.slotId))
        .where(and(eq(appointments.patientId, patientIdCol), inClientClinics(ctx, slots.clinicId))),
    ),
  )!;
}

async function grant(ctx: FhirContext, patientId: string) {
  await ctx.tx
    .insert(apiClientPatients)
    .values({ clientId: ctx.client.id, patientId, createdAt: ctx.now })
    .onConflictDoNothing();
}

const normalName = (s: string) => s.normalize("NFC").trim().replace(/\s+/g, " ").toLocaleLowerCase("sv");

/** The same given names and surname, whatever the case and spacing. */
function sameName(row: PatientRow, input: { givenName: string; surname: string }): boolean {
  return (
    normalName(row.givenName) === normalName(input.givenName) && normalName(row.surname) === normalName(input.surname)
  );
}

function parse(body: unknown) {
  const r = zPatient.safeParse(body);
  if (!r.success) throw invalidResource("Patient", r.error);
  const pnr = personalNumberOf(r.data.identifier, "Patient.identifier");
  const name = r.data.name[0]!;
  return { pnr, givenName: name.given.join(" "), surname: name.family };
}

async function load(ctx: FhirContext, id: string) {
  const [row] = await ctx.tx
    .select()
    .from(patients)
    .where(and(eq(patients.id, id), visibleToClient(ctx)))
    .limit(1);
  return row;
}

export const patientModule: ResourceModule = {
  type: "Patient",
  searchParams: [],
  patientOf: (r) => r.id,
  async read(ctx, id) {
    const row = await load(ctx, id);
    return row ? toFhirPatient(row, ctx) : null;
  },
  async search(ctx, params, page) {
    const conds = commonConditions(params, {
      id: patients.id,
      updatedAt: patients.updatedAt,
      identifier: (system, value) => {
        const kind = personIdKind(system);
        if (system !== undefined && !kind) return undefined;
        const parsed = parsePersonalNumber(value);
        return parsed.ok
          ? eq(patients.personalNumberHash, keyedHash(parsed.personalNumber.value, ctx.keys))
          : undefined;
      },
    });
    const rows = await ctx.tx
      .select()
      .from(patients)
      .where(allOf([visibleToClient(ctx), ...conds]))
      .orderBy(asc(patients.updatedAt), asc(patients.id))
      .limit(page.count + 1)
      .offset(page.offset);
    return { resources: rows.slice(0, page.count).map((p) => toFhirPatient(p, ctx)), more: rows.length > page.count };
  },
  async create(ctx, body) {
    const input = parse(body);
    const hash = keyedHash(input.pnr, ctx.keys);
    const [found] = await ctx.tx.select().from(patients).where(eq(patients.personalNumberHash, hash)).limit(1);
    // One person, one Patient: creating someone we already know links the client to them, but
    // only when the client already knows who they are. Unless it already sees the Patient, the
    // name it sent must be the name Vårdtid holds (case and spacing aside), or the create is
    // refused without saying that name: else a personnummer alone would buy another system's
    // patient's name, in this answer and on every read after the link.
    if (found) {
      const seen = await ctx.tx
        .select({ id: patients.id })
        .from(patients)
        .where(and(eq(patients.id, found.id), visibleToClient(ctx)));
      if (seen.length === 0 && !sameName(found, input))
        throw new FhirError(
          409,
          "conflict",
          "Vårdtid knows this personnummer under another name; send the name as registered in folkbokföringen",
          ["Patient.name"],
        );
      await grant(ctx, found.id);
      return toFhirPatient(found, ctx);
    }
    const [row] = await ctx.tx
      .insert(patients)
      .values({
        personalNumberHash: hash,
        personalNumberEnc: encryptPii(input.pnr, ctx.keys),
        givenName: input.givenName,
        surname: input.surname,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    await grant(ctx, row!.id);
    return toFhirPatient(row!, ctx);
  },
  async update(ctx, id, body, ifMatch) {
    const existing = await load(ctx, id);
    if (!existing) throw notFound("Patient", id);
    const current = toFhirPatient(existing, ctx);
    if (ifMatch !== undefined && String(ifMatch) !== current.meta!.versionId)
      throw preconditionFailed(`Patient/${id} is at version ${current.meta!.versionId}, not ${ifMatch}`);
    const input = parse(body);
    if (keyedHash(input.pnr, ctx.keys) !== existing.personalNumberHash)
      throw unprocessable("Patient.identifier: a Patient's personal number cannot change", ["Patient.identifier"]);
    const [row] = await ctx.tx
      .update(patients)
      .set({ givenName: input.givenName, surname: input.surname, updatedAt: ctx.now })
      .where(eq(patients.id, id))
      .returning();
    await grant(ctx, id);
    return toFhirPatient(row!, ctx);
  },
};
