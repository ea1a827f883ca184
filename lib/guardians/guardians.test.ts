// Guardians acting for their children, end to end below the browser: custody arrives as FHIR
// RelatedPerson through a third-party client (fhir-kit-client), and the one place a request's
// patient is decided (resolvePatientSession) re-checks custody and the age rule at every request.
// PGlite always; real Postgres too with TEST_DATABASE_URL.
import type { CapabilityStatement, OperationOutcome, Patient, RelatedPerson } from "@medplum/fhirtypes";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as s from "@/db/schema";
import { createApiClient } from "@/lib/api-clients/clients";
import { cancelAppointment, getAppointment, bookAppointment } from "@/lib/appointments/service";
import { runActingAs } from "@/lib/audit";
import { verifySealed } from "@/test/audit-seal";
import { resolvePatientSession, type PatientSession } from "@/lib/auth/resolve-session";
import { createSession, setActingFor } from "@/lib/auth/sessions";
import { listAccessLog } from "@/lib/privacy/access-log";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { fhirClient, getToken, makeClientKey, startFhirServer, type FhirServer } from "@/test/fhir-harness";
import { makeClinic, makeSlot, testKeys } from "@/test/fixtures";
import { childrenFor } from "./custody";

requirePostgresInCi();
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const PNR = "http://electronichealth.se/identifier/personnummer";
const ROLE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
// Skatteverket's test series: the guardian, a child born 2019-05-16 and one born 2012-03-10.
const TOLVAN = "191212121212";
const LILLA = "201905162382";
const TOLVA = "201203102387";
// Another family: a guardian and their child (born 2018-01-01); Luhn-valid.
const OTHER_GUARDIAN = "194607059294";
const OTHER_CHILD = "201801012384";

const now = new Date("2026-12-01T10:00:00Z");
const limits = { idleMinutes: 30, absoluteHours: 12 };
const rule = { keys: testKeys, maxAge: 13 };

type FhirFailure = { response: { status: number; data: OperationOutcome } };
async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (error) {
    if ((error as FhirFailure).response) return (error as FhirFailure).response;
    throw error;
  }
  throw new Error("expected the call to fail");
}

const patient = (pnr: string, given: string, family = "Tolvansson"): Patient => ({
  resourceType: "Patient",
  identifier: [{ system: PNR, value: pnr }],
  name: [{ family, given: [given] }],
});
const custody = (guardian: string, childId: string, extra: Partial<RelatedPerson> = {}): RelatedPerson => ({
  resourceType: "RelatedPerson",
  patient: { reference: `Patient/${childId}` },
  identifier: [{ system: PNR, value: guardian }],
  relationship: [{ coding: [{ system: ROLE, code: "GUARD" }] }],
  active: true,
  ...extra,
});

describe.each(testDatabases)("guardians on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let server: FhirServer;
  let fhir: ReturnType<typeof fhirClient>;
  let stranger: ReturnType<typeof fhirClient>;
  const ids: Record<string, string> = {};
  let relatedLilla = "";

  async function client(hsa: string) {
    const key = await makeClientKey("ES384");
    const c = await createApiClient(handle.db, {
      name: `Journalsystem ${hsa}`,
      clinics: [hsa],
      scope: "system/*.cruds",
      jwks: { keys: [key.publicJwk] },
    });
    return fhirClient(server.baseUrl, await getToken(server.baseUrl, c.client_id, key, "system/*.cruds"));
  }

  async function sessionActingFor(guardianId: string, childId: string | null) {
    const { sessionId } = await createSession(handle.db, { patientId: guardianId, now, limits });
    const resolved = await resolvePatientSession(handle.db, sessionId, now, limits, rule);
    await setActingFor(handle.db, resolved!.sessionHash, childId);
    return sessionId;
  }
  const resolve = (sessionId: string, at = now) => resolvePatientSession(handle.db, sessionId, at, limits, rule);

  async function visitFor(patientId: string) {
    const { clinic, type } = await makeClinic(handle.db);
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date("2026-12-20T09:00:00Z"));
    const booked = await bookAppointment(handle.db, { patientId, slotId: slot.id, now });
    if (!booked.ok) throw new Error("booking failed");
    return booked.appointmentId;
  }

  beforeAll(async () => {
    handle = await target.open();
    server = await startFhirServer(handle.db);
    fhir = await client("SE2321000032-G1");
    stranger = await client("SE2321000032-G2");
    for (const [name, pnr, given] of [
      ["tolvan", TOLVAN, "Tolvan"],
      ["lilla", LILLA, "Lilla Tolvan"],
      ["tolva", TOLVA, "Tolva"],
      ["otherGuardian", OTHER_GUARDIAN, "Annan"],
      ["otherChild", OTHER_CHILD, "Barn"],
    ] as const)
      ids[name] = (await fhir.create<Patient>({ resourceType: "Patient", body: patient(pnr, given) })).id!;
  });
  afterAll(async () => {
    await server?.close();
    await handle?.dispose();
  });

  it("takes custody as RelatedPerson: conditional upsert, read, search by patient; says so in metadata", async () => {
    const cs = (await fhirClient(server.baseUrl).capabilityStatement()) as CapabilityStatement;
    const rp = cs.rest![0]!.resource!.find((r) => r.type === "RelatedPerson")!;
    expect(rp.interaction!.map((i) => i.code)).toEqual(["read", "search-type", "create", "update", "delete"]);
    expect(rp.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(["patient", "identifier", "active"]));

    const created = await fhir.update<RelatedPerson>({
      resourceType: "RelatedPerson",
      searchParams: { identifier: `${PNR}|${TOLVAN}`, patient: `Patient/${ids.lilla}` },
      body: custody(TOLVAN, ids.lilla!),
    });
    relatedLilla = created.id!;
    expect(created.identifier).toEqual([{ system: PNR, value: TOLVAN }]);
    // The same conditional update again finds it: still one custody.
    const again = await fhir.update<RelatedPerson>({
      resourceType: "RelatedPerson",
      searchParams: { identifier: `${PNR}|${TOLVAN}`, patient: `Patient/${ids.lilla}` },
      body: custody(TOLVAN, ids.lilla!, { relationship: [{ coding: [{ system: ROLE, code: "PRN" }] }] }),
    });
    expect(again.id).toBe(relatedLilla);
    await fhir.create({ resourceType: "RelatedPerson", body: custody(TOLVAN, ids.tolva!) });
    await fhir.create({ resourceType: "RelatedPerson", body: custody(OTHER_GUARDIAN, ids.otherChild!) });

    const read = await fhir.read<RelatedPerson>({ resourceType: "RelatedPerson", id: relatedLilla });
    expect(read.relationship![0]!.coding![0]!.code).toBe("PRN");
    expect(read.patient.reference).toBe(`Patient/${ids.lilla}`);
    const found = await fhir.search({
      resourceType: "RelatedPerson",
      searchParams: { patient: `Patient/${ids.lilla}` },
    });
    expect(found.entry!.map((e) => e.resource!.id)).toEqual([relatedLilla]);
    // The guardian's number is never stored in clear.
    const [row] = await handle.db.select().from(s.guardianships).where(eq(s.guardianships.id, relatedLilla));
    expect(JSON.stringify(row)).not.toContain(TOLVAN);
  });

  it("refuses a relationship that is not a guardian's, a child the client cannot see, and itself as guardian", async () => {
    const friend = await failure(
      fhir.create({
        resourceType: "RelatedPerson",
        body: custody(TOLVAN, ids.lilla!, { relationship: [{ coding: [{ system: ROLE, code: "FRND" }] }] }),
      }),
    );
    expect(friend.status).toBe(422);
    expect(
      (await failure(stranger.create({ resourceType: "RelatedPerson", body: custody(TOLVAN, ids.lilla!) }))).status,
    ).toBe(422);
    expect((await failure(stranger.read({ resourceType: "RelatedPerson", id: relatedLilla }))).status).toBe(404);
    expect(
      (await failure(fhir.create({ resourceType: "RelatedPerson", body: custody(LILLA, ids.lilla!) }))).status,
    ).toBe(422);
    const bad = await failure(
      fhir.create({ resourceType: "RelatedPerson", body: custody("191212121213", ids.lilla!) }),
    );
    expect(bad.status).toBe(422);
  });

  it("offers only the children under the age limit with custody", async () => {
    const children = await childrenFor(handle.db, ids.tolvan!, { ...rule, now });
    expect(children).toEqual([{ patientId: ids.lilla, givenName: "Lilla Tolvan", surname: "Tolvansson", age: 7 }]);
    expect(await childrenFor(handle.db, ids.tolvan!, { ...rule, maxAge: 16, now })).toHaveLength(2);
  });

  it("a guardian acts for the child under 13, never for the one aged 14 nor someone else's child", async () => {
    const acting = (await resolve(await sessionActingFor(ids.tolvan!, ids.lilla!)))!;
    expect(acting).toMatchObject({ patientId: ids.lilla, selfPatientId: ids.tolvan, notice: null });
    expect(acting.actingFor).toEqual({ givenName: "Lilla Tolvan", age: 7 });

    for (const child of [ids.tolva!, ids.otherChild!]) {
      // A choice stored by whatever means falls back to the guardian at the next request.
      const sid = await sessionActingFor(ids.tolvan!, child);
      const fallback = (await resolve(sid))!;
      expect(fallback).toMatchObject({ patientId: ids.tolvan, actingFor: null, notice: "custody_ended" });
    }
  });

  it("IDOR across the family: acting for one child, another child's visits are not found", async () => {
    const lillaVisit = await visitFor(ids.lilla!);
    const tolvaVisit = await visitFor(ids.tolva!);
    const otherVisit = await visitFor(ids.otherChild!);
    const session = (await resolve(await sessionActingFor(ids.tolvan!, ids.lilla!)))!;
    const opts = { locale: "sv" as const, now, audit: {} };
    expect(await getAppointment(handle.db, session.patientId, lillaVisit, opts)).not.toBeNull();
    expect(await getAppointment(handle.db, session.patientId, tolvaVisit, opts)).toBeNull();
    expect(await getAppointment(handle.db, session.patientId, otherVisit, opts)).toBeNull();
    // The other family's guardian, acting for their own child, does not reach Lilla's visit.
    const other = (await resolve(await sessionActingFor(ids.otherGuardian!, ids.otherChild!)))!;
    expect(other.patientId).toBe(ids.otherChild);
    expect(await getAppointment(handle.db, other.patientId, lillaVisit, opts)).toBeNull();
    const cancel = await cancelAppointment(handle.db, other.patientId, {
      appointmentId: lillaVisit,
      reason: null,
      now,
      audit: {},
    });
    expect(cancel).toEqual({ ok: false, error: "not_found" });
  });

  it("audits both: actor the guardian, patient the child; the child's log names the guardian", async () => {
    const session = (await resolve(await sessionActingFor(ids.tolvan!, ids.lilla!)))! as PatientSession;
    const visit = await visitFor(ids.lilla!);
    const result = await runActingAs(
      { actorPatientId: session.selfPatientId, subjectPatientId: session.patientId },
      () => cancelAppointment(handle.db, session.patientId, { appointmentId: visit, reason: null, now, audit: {} }),
    );
    expect(result.ok).toBe(true);
    const [row] = await handle.db
      .select()
      .from(s.auditEvents)
      .where(eq(s.auditEvents.action, "appointment.cancel"))
      .orderBy(s.auditEvents.seq);
    expect(row).toMatchObject({ actorId: ids.tolvan, actorRole: "guardian", patientId: ids.lilla, hashVersion: 3 });
    const log = await listAccessLog(handle.db, ids.lilla!, { audit: {} });
    expect(log.find((e) => e.action === "appointment.cancel")).toMatchObject({
      actor: "guardian",
      actorName: "Tolvan Tolvansson",
    });
    expect(await verifySealed(handle.db)).toEqual([]);
  });

  it("custody ended in the clinic's system ends access at the next request: inactive, period ended, deleted", async () => {
    const sid = await sessionActingFor(ids.tolvan!, ids.lilla!);
    const update = (body: RelatedPerson) =>
      fhir.update<RelatedPerson>({
        resourceType: "RelatedPerson",
        id: relatedLilla,
        body: { ...body, id: relatedLilla },
      });

    await update(custody(TOLVAN, ids.lilla!, { active: false }));
    expect((await resolve(sid))!.patientId).toBe(ids.tolvan);

    await update(custody(TOLVAN, ids.lilla!));
    await setActingFor(handle.db, (await resolve(sid))!.sessionHash, ids.lilla!);
    expect((await resolve(sid))!.patientId).toBe(ids.lilla);

    await update(custody(TOLVAN, ids.lilla!, { period: { end: "2026-12-01T09:00:00Z" } }));
    expect((await resolve(sid))!).toMatchObject({ patientId: ids.tolvan, notice: "custody_ended" });

    await update(custody(TOLVAN, ids.lilla!));
    await setActingFor(handle.db, (await resolve(sid))!.sessionHash, ids.lilla!);
    await fhir.delete({ resourceType: "RelatedPerson", id: relatedLilla });
    expect((await resolve(sid))!.patientId).toBe(ids.tolvan);
    expect((await failure(fhir.read({ resourceType: "RelatedPerson", id: relatedLilla }))).status).toBe(404);
    const log = await listAccessLog(handle.db, ids.lilla!, { audit: {} });
    expect(log.map((e) => e.action)).toEqual(expect.arrayContaining(["fhir.delete", "fhir.update"]));
  });

  it("the age rule ends access on the 13th birthday (Stockholm midnight), at the next request", async () => {
    // Tolva (born 2012-03-10) in 2025: 23:50 on the 9th in Stockholm she is 12; at 00:05 she is 13.
    const evening = new Date("2025-03-09T22:50:00Z");
    const midnight = new Date("2025-03-09T23:05:00Z");
    const { sessionId } = await createSession(handle.db, { patientId: ids.tolvan!, now: evening, limits });
    await setActingFor(handle.db, (await resolve(sessionId, evening))!.sessionHash, ids.tolva!);
    expect((await resolve(sessionId, evening))!).toMatchObject({ patientId: ids.tolva, actingFor: { age: 12 } });
    expect((await resolve(sessionId, midnight))!).toMatchObject({ patientId: ids.tolvan, notice: "custody_ended" });
  });
});
