// The corners of the FHIR contract (issue 13) a booking system's integration team runs into, driven
// through the third-party fhir-kit-client where a FHIR client would be used, and plain fetch where
// the point is the raw HTTP answer: onboarding with exactly `system/Organization.cru`, an audit
// event for every call (refusals too), R4 validation, clinic boundaries, batch Bundles, the
// identifier aliases, paging on every type, JSON only, and the privacy rules for Patient and
// PractitionerRole. Against PGlite and (with TEST_DATABASE_URL) real Postgres.
// (Over ~300 lines: one story per contract corner against one API server and admin channel per engine.)
import type {
  Appointment,
  Bundle,
  BundleEntry,
  OperationOutcome,
  Organization,
  Patient,
  Resource,
  Slot,
} from "@medplum/fhirtypes";
import { and, count, eq, gt, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as s from "@/db/schema";
import { createApiClient } from "@/lib/api-clients/clients";
import { listAppointments } from "@/lib/appointments/list-appointments";
import { luhnCheckDigit } from "@/lib/personal-number";
import { listAccessLog } from "@/lib/privacy/access-log";
import { verifySealed } from "@/test/audit-seal";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import {
  createClientViaCli,
  fhirClient,
  getToken,
  makeClientKey,
  startFhirServer,
  startTestAdminChannel,
  type FhirServer,
} from "@/test/fhir-harness";

requirePostgresInCi();
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const HSA = "urn:oid:1.2.752.129.2.1.4.1";
const HSA_HL7 = "urn:oid:1.2.752.29.4.19";
const PNR = "http://electronichealth.se/identifier/personnummer";
const PNR_OID = "urn:oid:1.2.752.129.2.1.3.1";
const SAMORDNING = "http://electronichealth.se/identifier/samordningsnummer";
const SAMORDNING_OID = "urn:oid:1.2.752.129.2.1.3.3";
const TYPE_SYSTEM = "urn:booking-system:type";
const SLOT_SYSTEM = "urn:booking-system:slot";
const ROLE_SYSTEM = "urn:booking-system:role";

let unique = 0;
function hsaId(): string {
  unique++;
  return `SE2321000032-C${Date.now().toString(36).toUpperCase()}${unique}`;
}
/** A Luhn-valid personnummer (or, with coordination, samordningsnummer: day + 60), unique per call. */
function testNumber(coordination = false): string {
  unique++;
  const nine = `5011${coordination ? "72" : "12"}${String(100 + (unique % 900)).padStart(3, "0")}`;
  return `19${nine}${luhnCheckDigit(nine)}`;
}

type KitError = { response: { status: number; data: OperationOutcome } };
async function failure(p: Promise<unknown>): Promise<KitError["response"]> {
  try {
    await p;
  } catch (error) {
    if ((error as KitError).response) return (error as KitError).response;
    throw error;
  }
  throw new Error("expected the call to fail");
}

const org = (hsa: string, system = HSA): Organization => ({
  resourceType: "Organization",
  identifier: [{ system, value: hsa }],
  name: `Vårdcentralen ${hsa}`,
});

/** A clinic with two types, two roles, a Schedule per type (each with its role) and `slots` slots on the first. */
function clinicBundle(hsa: string, monday: Date, slots: number): Bundle {
  const entry: BundleEntry[] = [
    {
      fullUrl: "urn:uuid:org",
      resource: org(hsa),
      request: { method: "PUT", url: `Organization?identifier=${HSA}|${hsa}` },
    },
  ];
  for (const n of [1, 2]) {
    entry.push(
      {
        fullUrl: `urn:uuid:hs${n}`,
        resource: {
          resourceType: "HealthcareService",
          identifier: [{ system: TYPE_SYSTEM, value: `T${n}` }],
          providedBy: { reference: "urn:uuid:org" },
          name: `Besökstyp ${n}`,
        },
        request: { method: "PUT", url: `HealthcareService?identifier=${TYPE_SYSTEM}|T${n}` },
      },
      {
        fullUrl: `urn:uuid:role${n}`,
        resource: {
          resourceType: "PractitionerRole",
          identifier: [{ system: ROLE_SYSTEM, value: `R${n}` }],
          organization: { reference: "urn:uuid:org" },
          code: [{ text: n === 1 ? "Läkare" : "Sjuksköterska" }],
        },
        request: { method: "PUT", url: `PractitionerRole?identifier=${ROLE_SYSTEM}|R${n}` },
      },
      {
        fullUrl: `urn:uuid:sch${n}`,
        resource: {
          resourceType: "Schedule",
          identifier: [{ value: `S${n}-${hsa}` }],
          actor: [{ reference: `urn:uuid:hs${n}` }, { reference: `urn:uuid:role${n}` }],
        },
        request: { method: "PUT", url: `Schedule?identifier=S${n}-${hsa}` },
      },
    );
  }
  for (let i = 0; i < slots; i++) {
    const start = new Date(monday.getTime() + i * 3_600_000);
    entry.push({
      resource: {
        resourceType: "Slot",
        identifier: [{ system: SLOT_SYSTEM, value: `${hsa}-${i}` }],
        schedule: { reference: i === slots - 1 ? "urn:uuid:sch2" : "urn:uuid:sch1" },
        status: "free",
        start: start.toISOString(),
        end: new Date(start.getTime() + 20 * 60_000).toISOString(),
      },
      request: { method: "PUT", url: `Slot?identifier=${SLOT_SYSTEM}|${hsa}-${i}` },
    });
  }
  return { resourceType: "Bundle", type: "transaction", entry };
}

const patient = (pnr: string, family: string, given: string, system = PNR): Patient => ({
  resourceType: "Patient",
  identifier: [{ system, value: pnr }],
  name: [{ family, given: [given] }],
});

const booking = (slotId: string, patientId: string): Appointment => ({
  resourceType: "Appointment",
  status: "booked",
  slot: [{ reference: `Slot/${slotId}` }],
  participant: [{ actor: { reference: `Patient/${patientId}` }, status: "accepted" }],
});

describe.each(testDatabases)("the FHIR contract's corners through fhir-kit-client on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let server: FhirServer;
  let admin: Awaited<ReturnType<typeof startTestAdminChannel>>;
  const monday = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 3, 7, 6));
  while (monday.getUTCDay() !== 1) monday.setUTCDate(monday.getUTCDate() + 1);

  beforeAll(async () => {
    handle = await target.open();
    server = await startFhirServer(handle.db);
    admin = await startTestAdminChannel(handle.db);
  });
  afterAll(async () => {
    admin?.close();
    await server?.close();
    await handle?.dispose();
  });

  /** A client registered directly (the CLI's own path is proven by the onboarding story). */
  async function client(scope = "system/*.cruds", clinics = [hsaId()], on = server) {
    const key = await makeClientKey("ES384");
    const { client_id: clientId } = await createApiClient(handle.db, {
      name: `Bokningssystem ${clinics[0]}`,
      clinics,
      scope,
      jwks: { keys: [key.publicJwk] },
    });
    const token = await getToken(on.baseUrl, clientId, key, scope);
    return { hsa: clinics[0]!, clinics, clientId, key, token, fhir: fhirClient(on.baseUrl, token) };
  }

  const rowCount = async (table: typeof s.slots | typeof s.practitioners | typeof s.patients) =>
    Number((await handle.db.select({ n: count() }).from(table))[0]!.n);

  it("onboards a clinic with exactly system/Organization.cru, by conditional update and create", async () => {
    const hsa = hsaId();
    const other = hsaId();
    const key = await makeClientKey("ES384");
    const scope = "system/Organization.cru";
    const clientId = await createClientViaCli(admin.dataDir, { name: "Region", clinics: [hsa], scope, keys: [key] });
    const fhir = fhirClient(server.baseUrl, await getToken(server.baseUrl, clientId, key, scope));

    const created = await fhir.update<Organization>({
      resourceType: "Organization",
      searchParams: { identifier: `${HSA}|${hsa}` },
      body: org(hsa),
    });
    expect(created).toMatchObject({ identifier: [{ system: HSA, value: hsa }], meta: { versionId: "1" } });
    // Again, by HL7 Sweden's HSA system: the same clinic, updated.
    const updated = await fhir.update<Organization>({
      resourceType: "Organization",
      searchParams: { identifier: `${HSA_HL7}|${hsa}` },
      body: { ...org(hsa, HSA_HL7), name: "Vårdcentralen Norr" },
    });
    expect(updated).toMatchObject({ id: created.id, name: "Vårdcentralen Norr", meta: { versionId: "2" } });
    const again = await fhir.create<Organization>({
      resourceType: "Organization",
      body: org(hsa),
      options: { headers: { "If-None-Exist": `identifier=${HSA}|${hsa}` } },
    });
    expect(again.id).toBe(created.id);
    expect((await fhir.read<Organization>({ resourceType: "Organization", id: created.id! })).name).toBe(
      "Vårdcentralen Norr",
    );
    // Still no search, and no other region's clinic.
    expect((await failure(fhir.search({ resourceType: "Organization", searchParams: {} }))).status).toBe(403);
    const foreign = await failure(
      fhir.update({ resourceType: "Organization", searchParams: { identifier: `${HSA}|${other}` }, body: org(other) }),
    );
    expect(foreign.status).toBe(403);
    expect(await handle.db.select().from(s.clinics).where(eq(s.clinics.hsaId, other))).toHaveLength(0);

    const smart = (await (await fetch(`${server.baseUrl}/.well-known/smart-configuration`)).json()) as {
      scopes_supported: string[];
    };
    expect(smart.scopes_supported).toEqual(
      expect.arrayContaining(["system/Organization.cru", "system/Appointment.rs", "system/*.cruds"]),
    );
  });

  it("audits every call once, refusals before and during authentication included", async () => {
    const { hsa, fhir, token, clientId } = await client();
    await fhir.transaction({ body: clinicBundle(hsa, monday, 1) });
    const H = { authorization: `Bearer ${token}`, "content-type": "application/fhir+json" };
    const newEvents = async (from: number) =>
      handle.db.select().from(s.auditEvents).where(gt(s.auditEvents.seq, from)).orderBy(s.auditEvents.seq);
    const lastSeq = async () =>
      Number((await handle.db.select({ m: sql<number>`coalesce(max(seq), 0)` }).from(s.auditEvents))[0]!.m);
    /** The call's answer and the audit rows it left. */
    const call = async (url: string, init: RequestInit = {}) => {
      const from = await lastSeq();
      const res = await fetch(url, init);
      expect(res.headers.get("content-type") ?? "").toMatch(/^application\/(fhir\+)?json/);
      return { status: res.status, events: await newEvents(from) };
    };

    const noToken = await call(`${server.baseUrl}/Slot`);
    expect(noToken.status).toBe(401);
    expect(noToken.events).toMatchObject([{ actorType: "anonymous", action: "fhir.refused", patientId: null }]);
    expect(noToken.events[0]!.details).toMatchObject({ status: 401, method: "GET", path: "/api/fhir/r4/Slot" });
    const badToken = await call(`${server.baseUrl}/Slot`, { headers: { authorization: "Bearer nope.nope.nope" } });
    expect(badToken.status).toBe(401);
    expect(badToken.events).toMatchObject([{ actorType: "anonymous", action: "fhir.refused" }]);
    const wrongType = await call(`${server.baseUrl}/Slot`, {
      method: "POST",
      headers: { ...H, "content-type": "text/plain" },
      body: "{}",
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.events).toMatchObject([{ actorType: "api_client", actorId: clientId, action: "fhir.refused" }]);
    const badJson = await call(`${server.baseUrl}/Slot`, { method: "POST", headers: H, body: "{nope" });
    expect(badJson.status).toBe(400);
    expect(badJson.events).toMatchObject([{ actorId: clientId, action: "fhir.refused" }]);
    const badBundle = await call(server.baseUrl, {
      method: "POST",
      headers: H,
      body: JSON.stringify({ resourceType: "Bundle", type: "collection" }),
    });
    expect(badBundle.status).toBe(400);
    expect(badBundle.events).toHaveLength(1);
    const emptyBundle = await call(server.baseUrl, {
      method: "POST",
      headers: H,
      body: JSON.stringify({ resourceType: "Bundle", type: "batch", entry: [] }),
    });
    expect(emptyBundle.status).toBe(400);
    expect(emptyBundle.events).toHaveLength(1);
    // Refused inside its transaction: written there, once, not again afterwards.
    const invalid = await call(`${server.baseUrl}/Slot`, {
      method: "POST",
      headers: H,
      body: JSON.stringify({ resourceType: "Slot", status: "free" }),
    });
    expect(invalid.status).toBe(422);
    expect(invalid.events).toMatchObject([{ actorId: clientId, action: "fhir.refused" }]);
    const unknownPath = await call(`${server.publicBaseUrl}/api/fhir/R4/metadata`);
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.events).toMatchObject([{ actorType: "anonymous", action: "fhir.refused" }]);
    const tokenGet = await call(`${server.baseUrl}/auth/token`);
    expect(tokenGet.status).toBe(405);
    expect(tokenGet.events).toMatchObject([{ actorType: "anonymous", action: "fhir.token_refused" }]);
    // Public metadata and discovery are not audited; a successful read is, once.
    expect((await call(`${server.baseUrl}/metadata`)).events).toHaveLength(0);
    const read = await call(`${server.baseUrl}/Slot?_count=1`, { headers: H });
    expect(read.status).toBe(200);
    expect(read.events.map((e) => e.action)).toEqual(["fhir.search"]);

    // 413 and 429 on a small server; an unauthenticated flood is throttled, not audited call by call.
    const small = await startFhirServer(handle.db, {
      maxBodyBytes: 500,
      perClientPerMinute: 2,
      anonymousPerIpPerMinute: 2,
    });
    try {
      const { token: smallToken, clientId: smallClient } = await client("system/*.cruds", [hsaId()], small);
      const SH = { authorization: `Bearer ${smallToken}`, "content-type": "application/fhir+json" };
      const big = await call(`${small.baseUrl}/Slot`, {
        method: "POST",
        headers: SH,
        body: JSON.stringify({ resourceType: "Slot", comment: "x".repeat(1000) }),
      });
      expect(big.status).toBe(413);
      expect(big.events).toMatchObject([{ actorId: smallClient, action: "fhir.refused" }]);
      expect((await call(`${small.baseUrl}/Slot`, { headers: SH })).status).toBe(200);
      const limited = await call(`${small.baseUrl}/Slot`, { headers: SH });
      expect(limited.status).toBe(429);
      expect(limited.events).toMatchObject([{ actorId: smallClient, action: "fhir.refused" }]);
      const anonymous = [];
      for (let i = 0; i < 4; i++) anonymous.push(await call(`${small.baseUrl}/Slot`));
      expect(anonymous.map((a) => a.status)).toEqual([401, 401, 429, 429]);
      expect(anonymous.map((a) => a.events.length)).toEqual([1, 1, 1, 0]);
      expect(anonymous[2]!.events[0]!.details).toMatchObject({ status: 429 });
    } finally {
      await small.close();
    }

    // A refusal names no patient: the patients' access logs never show one. The chain holds.
    expect(
      await handle.db
        .select()
        .from(s.auditEvents)
        .where(and(eq(s.auditEvents.action, "fhir.refused"), sql`${s.auditEvents.patientId} is not null`)),
    ).toHaveLength(0);
    expect(await verifySealed(handle.db)).toEqual([]);
  });

  it("validates against R4: unknown or untaken elements are a 422 naming the field, and change nothing", async () => {
    const { hsa, fhir } = await client();
    const loaded = await fhir.transaction({ body: clinicBundle(hsa, monday, 1) });
    const scheduleId = loaded.entry!.find((e) => e.resource?.resourceType === "Schedule")!.resource!.id!;
    const slotId = loaded.entry!.find((e) => e.resource?.resourceType === "Slot")!.resource!.id!;
    const slot = (extra: Record<string, unknown>) =>
      ({
        resourceType: "Slot",
        schedule: { reference: `Schedule/${scheduleId}` },
        status: "free",
        start: "2031-03-04T10:00:00+01:00",
        end: "2031-03-04T10:20:00+01:00",
        ...extra,
      }) as Slot;
    const slots = await rowCount(s.slots);
    const cases: [Record<string, unknown>, string][] = [
      [{ foo: 1 }, "Slot.foo"],
      [{ overbooked: true }, "Slot.overbooked"],
      [{ overbooked: "yes" }, "Slot.overbooked"],
      [{ modifierExtension: [{ url: "urn:x", valueBoolean: true }] }, "Slot.modifierExtension"],
      [{ identifier: [{ sytem: SLOT_SYSTEM, value: "x" }] }, "Slot.identifier[0].sytem"],
      [{ start: "2031-03-04" }, "Slot.start"],
    ];
    for (const [extra, field] of cases) {
      const bad = await failure(fhir.create({ resourceType: "Slot", body: slot(extra) }));
      expect(bad.status, field).toBe(422);
      expect(bad.data.issue[0]!.expression, field).toEqual([field]);
      expect(bad.data.issue[0]!.diagnostics, field).toContain(field);
    }
    // An update and a conditional update with an unknown element change nothing either.
    const before = await fhir.read<Slot>({ resourceType: "Slot", id: slotId });
    const update = await failure(
      fhir.update({
        resourceType: "Slot",
        id: slotId,
        body: { ...before, status: "busy-unavailable", foo: 1 } as Slot,
      }),
    );
    expect(update.status).toBe(422);
    const conditional = await failure(
      fhir.update({
        resourceType: "Slot",
        searchParams: { identifier: `${SLOT_SYSTEM}|${hsa}-0` },
        body: { ...before, id: undefined, status: "busy-unavailable", overbooked: false } as Slot,
      }),
    );
    expect(conditional.status).toBe(422);
    expect(conditional.data.issue[0]!.expression).toEqual(["Slot.overbooked"]);
    expect(await fhir.read<Slot>({ resourceType: "Slot", id: slotId })).toEqual(before);
    // Nested: an Appointment participant's unknown element.
    const appointment = await failure(
      fhir.create({
        resourceType: "Appointment",
        body: {
          resourceType: "Appointment",
          status: "booked",
          slot: [{ reference: `Slot/${slotId}` }],
          participant: [{ actor: { reference: "Patient/x" }, status: "accepted", role: "patient" }],
        } as unknown as Appointment,
      }),
    );
    expect(appointment.status).toBe(422);
    expect(appointment.data.issue[0]!.expression).toEqual(["Appointment.participant[0].role"]);
    // In a transaction, the bad entry is named in the Bundle and the good one before it undone.
    const tx = await failure(
      fhir.transaction({
        body: {
          resourceType: "Bundle",
          type: "transaction",
          entry: [
            { resource: slot({}), request: { method: "POST", url: "Slot" } },
            {
              resource: slot({ start: "2031-03-05T10:00:00+01:00", foo: 1 }),
              request: { method: "POST", url: "Slot" },
            },
          ],
        },
      }),
    );
    expect(tx.status).toBe(422);
    expect(tx.data.issue[0]!.expression).toEqual(["Bundle.entry[1].resource.Slot.foo"]);
    expect(await rowCount(s.slots)).toBe(slots);
  });

  it("keeps clinics apart: booking or deleting another clinic's Slot is 403 or 404, never 422", async () => {
    const a = await client();
    const b = await client();
    const aLoaded = await a.fhir.transaction({ body: clinicBundle(a.hsa, monday, 2) });
    await b.fhir.transaction({ body: clinicBundle(b.hsa, monday, 1) });
    const aSlot = aLoaded.entry!.find((e) => e.resource?.resourceType === "Slot")!.resource as Slot;
    const bPatient = await b.fhir.create<Patient>({ resourceType: "Patient", body: patient(testNumber(), "B", "Bo") });
    const book = await failure(b.fhir.create({ resourceType: "Appointment", body: booking(aSlot.id!, bPatient.id!) }));
    expect(book.status).toBe(403);
    expect(book.data.issue[0]!.diagnostics).toMatch(/Slot of this client's clinics/);
    expect((await failure(b.fhir.delete({ resourceType: "Slot", id: aSlot.id! }))).status).toBe(404);
    expect((await failure(b.fhir.read({ resourceType: "Slot", id: aSlot.id! }))).status).toBe(404);
    expect((await failure(b.fhir.delete({ resourceType: "Appointment", id: aSlot.id! }))).status).toBe(405);
    // A's slot is untouched and still free.
    expect((await a.fhir.read<Slot>({ resourceType: "Slot", id: aSlot.id! })).status).toBe("free");
    expect(await handle.db.select().from(s.appointments).where(eq(s.appointments.slotId, aSlot.id!))).toHaveLength(0);
  });

  it("answers a batch entry by entry: successes stay, a 422 and a 404 are reported in place", async () => {
    const { hsa, fhir } = await client();
    const loaded = await fhir.transaction({ body: clinicBundle(hsa, monday, 1) });
    const scheduleId = loaded.entry!.find((e) => e.resource?.resourceType === "Schedule")!.resource!.id!;
    const start = new Date(monday.getTime() + 2 * 86_400_000);
    const slot = (minutes: number) => ({
      resourceType: "Slot" as const,
      schedule: { reference: `Schedule/${scheduleId}` },
      status: "free" as const,
      start: new Date(start.getTime() + minutes * 60_000).toISOString(),
      end: new Date(start.getTime() + (minutes + 20) * 60_000).toISOString(),
    });
    const batch = await fhir.batch({
      body: {
        resourceType: "Bundle",
        type: "batch",
        entry: [
          { resource: slot(0), request: { method: "POST", url: "Slot" } },
          { resource: { ...slot(30), end: slot(0).start }, request: { method: "POST", url: "Slot" } },
          { request: { method: "GET", url: `Slot/${crypto.randomUUID()}` } },
          { resource: slot(60), request: { method: "POST", url: "Slot" } },
        ],
      },
    });
    expect(batch.type).toBe("batch-response");
    expect(batch.entry!.map((e) => e.response?.status)).toEqual(["201 Created", "422", "404", "201 Created"]);
    expect((batch.entry![1]!.response!.outcome as OperationOutcome).issue[0]!.expression).toEqual(["Slot.end"]);
    for (const i of [0, 3])
      expect((await fhir.read<Slot>({ resourceType: "Slot", id: batch.entry![i]!.resource!.id! })).status).toBe("free");
  });

  it("withdraws a booking made by mistake (entered-in-error): the patient no longer sees it, the slot is free", async () => {
    const { hsa, fhir } = await client();
    const loaded = await fhir.transaction({ body: clinicBundle(hsa, monday, 1) });
    const slotId = loaded.entry!.find((e) => e.resource?.resourceType === "Slot")!.resource!.id!;
    const p = await fhir.create<Patient>({ resourceType: "Patient", body: patient(testNumber(), "Fel", "Bokad") });
    const booked = await fhir.create<Appointment>({ resourceType: "Appointment", body: booking(slotId, p.id!) });
    const list = () =>
      listAppointments(handle.db, p.id!, { locale: "sv", now: new Date(), audit: { userAgent: "test" } });
    expect((await list()).upcoming.map((v) => v.id)).toEqual([booked.id]);
    const withdrawn = await fhir.update<Appointment>({
      resourceType: "Appointment",
      id: booked.id!,
      body: { ...booked, status: "entered-in-error" },
    });
    expect(withdrawn.status).toBe("entered-in-error");
    const after = await list();
    expect([...after.upcoming, ...after.past]).toHaveLength(0);
    expect((await fhir.read<Slot>({ resourceType: "Slot", id: slotId })).status).toBe("free");
    const messages = await handle.db.select().from(s.messages).where(eq(s.messages.appointmentId, booked.id!));
    expect(messages.filter((m) => m.status === "queued")).toHaveLength(0);
  });

  it("finds visits by actor, takes every identifier alias, and pages every type by _count and next links", async () => {
    const clinics = [hsaId(), hsaId()];
    const { fhir } = await client("system/*.cruds", clinics);
    const loaded = await fhir.transaction({ body: clinicBundle(clinics[0]!, monday, 3) });
    await fhir.update({
      resourceType: "Organization",
      searchParams: { identifier: `${HSA_HL7}|${clinics[1]}` },
      body: org(clinics[1]!, HSA_HL7),
    });
    const of = (type: string) => loaded.entry!.filter((e) => e.resource?.resourceType === type).map((e) => e.resource!);
    const [hs1, hs2] = of("HealthcareService");
    const [role1, role2] = of("PractitionerRole");
    const slots = of("Slot") as Slot[];

    // A personnummer by its OID alias; a samordningsnummer by either system, both ways.
    const pnr = testNumber();
    const p1 = await fhir.create<Patient>({ resourceType: "Patient", body: patient(pnr, "Ett", "Patient", PNR_OID) });
    expect(p1.identifier).toEqual([{ system: PNR, value: pnr }]);
    const same = await fhir.create<Patient>({
      resourceType: "Patient",
      body: patient(pnr, "Ett", "Patient"),
      options: { headers: { "If-None-Exist": `identifier=${PNR}|${pnr}` } },
    });
    expect(same.id).toBe(p1.id);
    const sam = testNumber(true);
    const p2 = await fhir.create<Patient>({
      resourceType: "Patient",
      body: patient(sam, "Två", "Patient", SAMORDNING),
    });
    expect(p2.identifier).toEqual([{ system: SAMORDNING, value: sam }]);
    const byOid = await fhir.create<Patient>({
      resourceType: "Patient",
      body: patient(sam, "Två", "Patient", SAMORDNING_OID),
      options: { headers: { "If-None-Exist": `identifier=${SAMORDNING_OID}|${sam}` } },
    });
    expect(byOid.id).toBe(p2.id);
    const a1 = await fhir.create<Appointment>({ resourceType: "Appointment", body: booking(slots[0]!.id!, p1.id!) });
    const a2 = await fhir.create<Appointment>({ resourceType: "Appointment", body: booking(slots[2]!.id!, p2.id!) });
    for (const [system, value, id] of [
      [PNR_OID, pnr, a1.id],
      [SAMORDNING_OID, sam, a2.id],
      [SAMORDNING, sam, a2.id],
    ] as const) {
      const found = await fhir.search({
        resourceType: "Appointment",
        searchParams: { "patient.identifier": `${system}|${value}` },
      });
      expect(
        found.entry?.map((e) => e.resource?.id),
        system,
      ).toEqual([id]);
    }

    // Appointment?actor= a HealthcareService or a PractitionerRole (slot 0 is on schedule 1, slot 2 on 2).
    for (const [actor, id] of [
      [`HealthcareService/${hs1!.id}`, a1.id],
      [`HealthcareService/${hs2!.id}`, a2.id],
      [`PractitionerRole/${role1!.id}`, a1.id],
      [`PractitionerRole/${role2!.id}`, a2.id],
    ] as const) {
      const found = await fhir.search({ resourceType: "Appointment", searchParams: { actor } });
      expect(
        found.entry?.map((e) => e.resource?.id),
        actor,
      ).toEqual([id]);
    }
    expect(
      (await failure(fhir.search({ resourceType: "Appointment", searchParams: { actor: `Organization/${hs1!.id}` } })))
        .status,
    ).toBe(400);

    // Two custodies of one child, for RelatedPerson.
    for (const guardian of [testNumber(), testNumber()])
      await fhir.create({
        resourceType: "RelatedPerson",
        body: {
          resourceType: "RelatedPerson",
          patient: { reference: `Patient/${p1.id}` },
          identifier: [{ system: PNR, value: guardian }],
          relationship: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-RoleCode", code: "GUARD" }] }],
        } as Resource,
      });

    // Every type, one per page, following next links: each resource once, as the unpaged search.
    const types = [
      "Organization",
      "HealthcareService",
      "PractitionerRole",
      "Schedule",
      "Slot",
      "Patient",
      "Appointment",
      "RelatedPerson",
    ];
    for (const type of types) {
      const all = (await fhir.search({ resourceType: type, searchParams: {} })).entry!.map((e) => e.resource!.id!);
      expect(all.length, type).toBeGreaterThanOrEqual(2);
      let page: Bundle = await fhir.search({ resourceType: type, searchParams: { _count: 1 } });
      const paged: string[] = [];
      let pages = 0;
      for (;;) {
        pages++;
        expect(page.entry ?? [], type).toHaveLength(1);
        paged.push(...page.entry!.map((e) => e.resource!.id!));
        const next = fhir.nextPage({ bundle: page });
        if (!next) break;
        expect(page.link?.find((l) => l.relation === "next")?.url, type).toContain("_count=1");
        page = await next;
      }
      expect(pages, type).toBe(all.length);
      expect(paged, type).toEqual(all);
    }
  });

  it("never answers HTML or XML: bad encoding 400, other addresses 404, HEAD like GET, _format=xml 406", async () => {
    const isOutcome = async (res: Response, status: number) => {
      expect(res.status, res.url).toBe(status);
      expect(res.headers.get("content-type"), res.url).toContain("application/fhir+json");
      expect(((await res.json()) as OperationOutcome).resourceType, res.url).toBe("OperationOutcome");
    };
    await isOutcome(await fetch(`${server.baseUrl}/%E0%A4%A`), 400);
    await isOutcome(await fetch(`${server.publicBaseUrl}/api/fhir`), 404);
    await isOutcome(await fetch(`${server.publicBaseUrl}/api/fhir/R4/metadata`), 404);
    await isOutcome(await fetch(`${server.publicBaseUrl}/api/fhir/r5/Slot`, { method: "POST", body: "{}" }), 404);
    await isOutcome(await fetch(`${server.baseUrl}/metadata?_format=xml`), 406);
    await isOutcome(await fetch(`${server.baseUrl}/metadata?_format=application/fhir%2Bxml`), 406);
    await isOutcome(await fetch(`${server.baseUrl}/metadata`, { headers: { accept: "application/fhir+xml" } }), 406);
    for (const format of ["json", "application/fhir%2Bjson", "application/fhir+json"])
      expect((await fetch(`${server.baseUrl}/metadata?_format=${format}`)).status, format).toBe(200);
    for (const path of ["metadata", ".well-known/smart-configuration"]) {
      const get = await fetch(`${server.baseUrl}/${path}`);
      const head = await fetch(`${server.baseUrl}/${path}`, { method: "HEAD" });
      expect(head.status, path).toBe(200);
      expect(head.headers.get("content-type"), path).toBe(get.headers.get("content-type"));
      expect(await head.text(), path).toBe("");
    }
    const headSearch = await fetch(`${server.baseUrl}/Slot`, { method: "HEAD" });
    expect(headSearch.status).toBe(401);
    expect(await headSearch.text()).toBe("");
  });

  it("keeps names and staff numbers private: a personnummer alone buys no name, and no staff personnummer is taken", async () => {
    const a = await client();
    const b = await client();
    const pnr = testNumber();
    const theirs = await a.fhir.create<Patient>({ resourceType: "Patient", body: patient(pnr, "Andersson", "Anna") });
    const patients = await rowCount(s.patients);
    const guess = await failure(b.fhir.create({ resourceType: "Patient", body: patient(pnr, "Okänd", "Person") }));
    expect(guess.status).toBe(409);
    expect(JSON.stringify(guess.data)).not.toMatch(/Anna|Andersson/);
    expect(await rowCount(s.patients)).toBe(patients);
    expect((await failure(b.fhir.read({ resourceType: "Patient", id: theirs.id! }))).status).toBe(404);
    const search = await b.fhir.search({ resourceType: "Patient", searchParams: { identifier: `${PNR}|${pnr}` } });
    expect(search.entry ?? []).toHaveLength(0);
    // The same person by the same name (case and spacing aside): one Patient, now B's too.
    const linked = await b.fhir.create<Patient>({ resourceType: "Patient", body: patient(pnr, "ANDERSSON", " anna ") });
    expect(linked.id).toBe(theirs.id);
    expect((await b.fhir.read<Patient>({ resourceType: "Patient", id: theirs.id! })).name).toEqual(theirs.name);
    const log = await listAccessLog(handle.db, theirs.id!, { audit: {} });
    expect(log.map((e) => e.action)).not.toContain("fhir.refused");

    const { hsa, fhir } = a;
    const loaded = await fhir.transaction({ body: clinicBundle(hsa, monday, 1) });
    const orgId = loaded.entry![0]!.resource!.id!;
    const roles = await rowCount(s.practitioners);
    const role = (identifier: { system?: string; value: string }, practitioner?: Record<string, unknown>) =>
      ({
        resourceType: "PractitionerRole",
        identifier: [identifier],
        organization: { reference: `Organization/${orgId}` },
        code: [{ text: "Läkare" }],
        ...(practitioner ? { practitioner } : {}),
      }) as Resource;
    for (const [body, field] of [
      [role({ system: PNR, value: testNumber() }), "PractitionerRole.identifier[0]"],
      [role({ system: PNR_OID, value: testNumber() }), "PractitionerRole.identifier[0]"],
      [role({ system: SAMORDNING_OID, value: testNumber(true) }), "PractitionerRole.identifier[0]"],
      [role({ system: ROLE_SYSTEM, value: testNumber() }), "PractitionerRole.identifier[0]"],
      [
        role(
          { system: ROLE_SYSTEM, value: "R-9" },
          { display: "Dr Ek", identifier: { system: PNR, value: testNumber() } },
        ),
        "PractitionerRole.practitioner.identifier",
      ],
    ] as const) {
      const refused = await failure(fhir.create({ resourceType: "PractitionerRole", body }));
      expect(refused.status, field).toBe(422);
      expect(refused.data.issue[0]!.expression, field).toEqual([field]);
    }
    const tenDigits = testNumber().slice(2);
    const short = await failure(
      fhir.create({
        resourceType: "PractitionerRole",
        body: role({ system: ROLE_SYSTEM, value: `${tenDigits.slice(0, 6)}-${tenDigits.slice(6)}` }),
      }),
    );
    expect(short.status).toBe(422);
    expect(await rowCount(s.practitioners)).toBe(roles);
    // An HSA-id or the booking system's own id is fine.
    await fhir.create({ resourceType: "PractitionerRole", body: role({ system: HSA, value: "SE2321000032-P1" }) });
    expect(await rowCount(s.practitioners)).toBe(roles + 1);
  });
});
