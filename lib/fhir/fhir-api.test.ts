// The FHIR API as a booking system's integration team drives it: through a third-party FHIR client
// (fhir-kit-client), with a client registered by the real `npm run api-client` CLI and a key made
// here, against PGlite and (with TEST_DATABASE_URL) real Postgres.
// (Over ~300 lines: one integration story per test against one API server and admin channel per engine.)
import { and, eq, sql } from "drizzle-orm";
import type {
  Appointment,
  Bundle,
  BundleEntry,
  CapabilityStatement,
  Extension,
  OperationOutcome,
  Organization,
  Slot,
} from "@medplum/fhirtypes";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as s from "@/db/schema";
import { clinicTexts } from "@/lib/appointments/clinic-texts";
import { verifySealed } from "@/test/audit-seal";
import { luhnCheckDigit } from "@/lib/personal-number";
import { listAccessLog } from "@/lib/privacy/access-log";
import { encryptPii } from "@/lib/privacy/crypto";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import {
  createClientViaCli,
  fhirClient,
  getToken,
  makeClientKey,
  requestToken,
  runApiClientCli,
  signAssertion,
  startFhirServer,
  startTestAdminChannel,
  type FhirServer,
} from "@/test/fhir-harness";
import { testKeys } from "@/test/fixtures";

requirePostgresInCi();
// Each story spawns the real CLI (tsx start-up) and loads a week: give it room on a busy 2-core machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const HSA = "urn:oid:1.2.752.129.2.1.4.1";
const PNR = "http://electronichealth.se/identifier/personnummer";
const EXT = "https://vardtid.se/fhir/StructureDefinition";
const TYPE_SYSTEM = "urn:oid:1.2.752.129.2.2.2.1";
const SLOT_SYSTEM = "urn:booking-system:slot";

let unique = 0;
function hsaId(): string {
  unique++;
  return `SE2321000032-T${Date.now().toString(36).toUpperCase()}${unique}`;
}
/** A Luhn-valid personnummer from the test series, unique per call. */
function testPersonnummer(): string {
  unique++;
  const nine = `501010${String(200 + unique).padStart(3, "0")}`;
  return `19${nine}${luhnCheckDigit(nine)}`;
}

type FhirError = { response: { status: number; data: OperationOutcome } };
async function failure(p: Promise<unknown>): Promise<FhirError["response"]> {
  try {
    await p;
  } catch (error) {
    if ((error as FhirError).response) return (error as FhirError).response;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** A clinic's week, as a booking system sends it: upserts by its own ids, references inside the Bundle. */
function weekBundle(hsa: string, monday: Date, opts: { slotsPerDay: number; smsOnChange?: boolean }): Bundle {
  const org = `urn:uuid:${crypto.randomUUID()}`;
  const service = `urn:uuid:${crypto.randomUUID()}`;
  const schedule = `urn:uuid:${crypto.randomUUID()}`;
  const entry: BundleEntry[] = [
    {
      fullUrl: org,
      resource: {
        resourceType: "Organization",
        identifier: [{ system: HSA, value: hsa }],
        name: `Vårdcentralen ${hsa}`,
        telecom: [{ system: "phone", value: "018-611 00 01" }],
        address: [{ line: ["Kungsgatan 41"], postalCode: "753 21", city: "Uppsala" }],
        extension: [{ url: `${EXT}/sms-on-clinic-change`, valueBoolean: opts.smsOnChange ?? false }],
      },
      request: { method: "PUT", url: `Organization?identifier=${HSA}|${hsa}` },
    },
    {
      fullUrl: service,
      resource: {
        resourceType: "HealthcareService",
        identifier: [{ system: TYPE_SYSTEM, value: "LAK20" }],
        providedBy: { reference: org },
        name: "Läkarbesök",
        extension: [
          { url: `${EXT}/name-en`, valueString: "Doctor's appointment" },
          { url: `${EXT}/duration-minutes`, valueInteger: 20 },
        ],
      },
      request: { method: "PUT", url: `HealthcareService?identifier=${TYPE_SYSTEM}|LAK20` },
    },
    {
      fullUrl: schedule,
      resource: { resourceType: "Schedule", identifier: [{ value: `sch-${hsa}` }], actor: [{ reference: service }] },
      request: { method: "PUT", url: `Schedule?identifier=sch-${hsa}` },
    },
  ];
  for (let d = 0; d < 5; d++)
    for (let i = 0; i < opts.slotsPerDay; i++) {
      const start = new Date(monday.getTime() + d * 86_400_000 + (8 + i) * 3_600_000);
      const id = `${hsa}-${d}-${i}`;
      entry.push({
        resource: {
          resourceType: "Slot",
          identifier: [{ system: SLOT_SYSTEM, value: id }],
          schedule: { reference: schedule },
          status: "free",
          start: start.toISOString(),
          end: new Date(start.getTime() + 20 * 60_000).toISOString(),
        },
        request: { method: "PUT", url: `Slot?identifier=${SLOT_SYSTEM}|${id}` },
      });
    }
  return { resourceType: "Bundle", type: "transaction", entry };
}

describe.each(testDatabases)("FHIR R4 API through fhir-kit-client on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let server: FhirServer;
  let admin: Awaited<ReturnType<typeof startTestAdminChannel>>;
  // A week well ahead, Monday 06:00 UTC (07:00 or 08:00 in Stockholm).
  const monday = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 2, 2, 6));
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

  async function onboard(scope = "system/*.cruds", alg: "ES384" | "RS384" = "ES384") {
    const hsa = hsaId();
    const key = await makeClientKey(alg);
    const clientId = await createClientViaCli(admin.dataDir, {
      name: `Bokningssystem ${hsa}`,
      clinics: [hsa],
      scope,
      keys: [key],
    });
    const token = await getToken(server.baseUrl, clientId, key, scope);
    return { hsa, key, clientId, fhir: fhirClient(server.baseUrl, token) };
  }

  it("answers metadata and SMART discovery without a token, truthfully", async () => {
    const anonymous = fhirClient(server.baseUrl);
    const cs = (await anonymous.capabilityStatement()) as CapabilityStatement;
    expect(cs.fhirVersion).toBe("4.0.1");
    expect(cs.rest?.[0]?.security?.service?.[0]?.coding?.[0]?.code).toBe("SMART-on-FHIR");
    const types = cs.rest![0]!.resource!.map((r) => r.type);
    expect(types).toEqual([
      "Organization",
      "HealthcareService",
      "PractitionerRole",
      "Schedule",
      "Slot",
      "Patient",
      "Appointment",
      "RelatedPerson",
    ]);
    const slot = cs.rest![0]!.resource!.find((r) => r.type === "Slot")!;
    expect(slot.interaction!.map((i) => i.code)).toContain("delete");
    expect(cs.rest![0]!.resource!.find((r) => r.type === "Appointment")!.interaction!.map((i) => i.code)).not.toContain(
      "delete",
    );
    const smart = (await (await fetch(`${server.baseUrl}/.well-known/smart-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(smart.token_endpoint).toBe(`${server.baseUrl}/auth/token`);
    expect(smart.token_endpoint_auth_signing_alg_values_supported).toEqual(["RS384", "ES384"]);
  });

  it("loads a clinic's week by a transaction, books, cancels and feeds the change through _lastUpdated", async () => {
    const { hsa, clientId, fhir } = await onboard("system/*.cruds", "RS384");
    const loaded = (await fhir.transaction({
      body: weekBundle(hsa, monday, { slotsPerDay: 4, smsOnChange: true }),
    })) as Bundle;
    expect(loaded.type).toBe("transaction-response");
    expect(loaded.entry).toHaveLength(3 + 20);
    expect(loaded.entry!.every((e) => e.response?.status?.startsWith("201"))).toBe(true);
    const org = loaded.entry![0]!.resource!;
    const scheduleId = loaded.entry![2]!.resource!.id!;

    // Loading the same week again changes nothing: conditional updates find every entry (200s),
    // and no row is added anywhere.
    const rows = async () =>
      Object.fromEntries(
        await Promise.all(
          (
            [
              ["clinics", s.clinics],
              ["types", s.appointmentTypes],
              ["schedules", s.schedules],
              ["slots", s.slots],
              ["waitlistJobs", s.waitlistJobs],
            ] as const
          ).map(async ([name, table]) => [
            name,
            ((await handle.db.select({ n: sql<number>`count(*)::int` }).from(table)) as [{ n: number }])[0].n,
          ]),
        ),
      );
    const counts = await rows();
    const again = (await fhir.transaction({
      body: weekBundle(hsa, monday, { slotsPerDay: 4, smsOnChange: true }),
    })) as Bundle;
    expect(again.entry!.map((e) => e.response?.status)).toEqual(Array(23).fill("200 OK"));
    expect(again.entry!.map((e) => e.resource?.id)).toEqual(loaded.entry!.map((e) => e.resource?.id));
    expect(await rows()).toEqual(counts);
    const [{ n: slotCount }] = (await handle.db
      .select({ n: sql<number>`count(*)::int` })
      .from(s.slots)
      .where(eq(s.slots.scheduleId, scheduleId))) as [{ n: number }];
    expect(slotCount).toBe(20);

    // Read back.
    const read = await fhir.read({ resourceType: "Organization", id: org.id! });
    expect(read).toMatchObject({ name: `Vårdcentralen ${hsa}`, identifier: [{ system: HSA, value: hsa }] });
    const services = (await fhir.search({
      resourceType: "HealthcareService",
      searchParams: { organization: `Organization/${org.id}` },
    })) as Bundle;
    expect(services.entry?.[0]?.resource).toMatchObject({
      name: "Läkarbesök",
      identifier: [{ system: TYPE_SYSTEM, value: "LAK20" }],
    });
    const schedules = (await fhir.search({
      resourceType: "Schedule",
      searchParams: { actor: `HealthcareService/${services.entry![0]!.resource!.id}` },
    })) as Bundle;
    expect(schedules.entry?.[0]?.resource?.id).toBe(scheduleId);

    // Free slots on Tuesday, in pages of 3 followed by next links.
    const tuesday = new Date(monday.getTime() + 86_400_000);
    const searchParams = {
      schedule: `Schedule/${scheduleId}`,
      start: [
        `ge${tuesday.toISOString().slice(0, 10)}`,
        `lt${new Date(tuesday.getTime() + 86_400_000).toISOString().slice(0, 10)}`,
      ],
      status: "free",
      _count: 3,
    };
    let page = (await fhir.search({ resourceType: "Slot", searchParams })) as Bundle;
    const free: Slot[] = [];
    for (;;) {
      free.push(...(page.entry ?? []).map((e) => e.resource as Slot));
      const next = fhir.nextPage({ bundle: page });
      if (!next) break;
      page = (await next) as Bundle;
    }
    expect(free).toHaveLength(4);
    expect(free.every((f) => f.status === "free" && f.start!.endsWith(":00+01:00"))).toBe(true);

    // The patient (conditional create on the personnummer), with SMS reminders switched on.
    const pnr = testPersonnummer();
    const patient = await fhir.create({
      resourceType: "Patient",
      body: {
        resourceType: "Patient",
        identifier: [{ system: PNR, value: pnr }],
        name: [{ family: "Testsson", given: ["Test"] }],
      },
      options: { headers: { "If-None-Exist": `identifier=${PNR}|${pnr}` } },
    });
    const same = await fhir.create({
      resourceType: "Patient",
      body: {
        resourceType: "Patient",
        identifier: [{ system: PNR, value: pnr }],
        name: [{ family: "Testsson", given: ["Test"] }],
      },
      options: { headers: { "If-None-Exist": `identifier=${PNR}|${pnr}` } },
    });
    expect(same.id).toBe(patient.id);
    await handle.db
      .update(s.patients)
      .set({ phoneEnc: encryptPii("+46701740605", testKeys), phoneVerifiedAt: new Date() })
      .where(eq(s.patients.id, patient.id!));
    await handle.db
      .insert(s.notificationPreferences)
      .values({ patientId: patient.id!, smsEnabled: true, smsConsentAt: new Date() });

    // Book the first free Tuesday slot.
    const before = new Date();
    const booked = (await fhir.create({
      resourceType: "Appointment",
      body: {
        resourceType: "Appointment",
        status: "booked",
        identifier: [{ system: "urn:booking-system:appointment", value: "B-1" }],
        slot: [{ reference: `Slot/${free[0]!.id}` }],
        participant: [{ actor: { reference: `Patient/${patient.id}` }, status: "accepted" }],
      },
    })) as Appointment;
    expect(booked).toMatchObject({ status: "booked", start: free[0]!.start, end: free[0]!.end });
    const reminders = await handle.db
      .select()
      .from(s.messages)
      .where(and(eq(s.messages.appointmentId, booked.id!), eq(s.messages.purpose, "reminder")));
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((m) => m.status === "queued")).toBe(true);
    expect(((await fhir.read({ resourceType: "Slot", id: free[0]!.id! })) as Slot).status).toBe("busy");
    const second = await failure(
      fhir.create({
        resourceType: "Appointment",
        body: { ...booked, id: undefined, identifier: undefined } as Appointment,
      }),
    );
    expect(second.status).toBe(409);

    // The booking system finds it by the patient's personnummer.
    const found = (await fhir.search({
      resourceType: "Appointment",
      searchParams: { "patient.identifier": `${PNR}|${pnr}`, date: `ge${monday.toISOString().slice(0, 10)}` },
    })) as Bundle;
    expect(found.entry?.map((e) => e.resource?.id)).toEqual([booked.id]);

    // The clinic cancels: reminders withdrawn, slot free again, the patient told by SMS (clinic setting on).
    const cutoff = new Date(Date.now() - 1000);
    const cancelled = (await fhir.update({
      resourceType: "Appointment",
      id: booked.id!,
      body: { ...booked, status: "cancelled", cancelationReason: { text: "Läkaren är sjuk" } },
      options: { headers: { "If-Match": `W/"${booked.meta!.versionId}"` } },
    })) as Appointment;
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.cancelationReason?.text).toBe("Läkaren är sjuk");
    const after = await handle.db.select().from(s.messages).where(eq(s.messages.appointmentId, booked.id!));
    expect(after.filter((m) => m.purpose === "reminder").every((m) => m.status === "cancelled")).toBe(true);
    expect(after.filter((m) => m.purpose === "clinic_cancelled")).toHaveLength(1);
    expect(((await fhir.read({ resourceType: "Slot", id: free[0]!.id! })) as Slot).status).toBe("free");
    // A stale version is refused.
    const stale = await failure(
      fhir.update({
        resourceType: "Appointment",
        id: booked.id!,
        body: { ...booked, status: "noshow" },
        options: { headers: { "If-Match": `W/"${booked.meta!.versionId}"` } },
      }),
    );
    expect(stale.status).toBe(412);

    // The change feed.
    const feed = (await fhir.search({
      resourceType: "Appointment",
      searchParams: { _lastUpdated: `gt${before.toISOString()}` },
    })) as Bundle;
    expect(feed.entry?.map((e) => (e.resource as Appointment).status)).toEqual(["cancelled"]);
    expect(cutoff.getTime()).toBeLessThan(Date.now());
    const later = (await fhir.search({
      resourceType: "Appointment",
      searchParams: { _lastUpdated: `gt${new Date(Date.now() + 1000).toISOString()}` },
    })) as Bundle;
    expect(later.entry ?? []).toHaveLength(0);

    // Every call left an audit event with the client as actor, and the chain holds.
    const events = await handle.db.select().from(s.auditEvents).where(eq(s.auditEvents.actorId, clientId));
    expect(events.every((e) => e.actorType === "api_client")).toBe(true);
    const actions = events.map((e) => e.action);
    for (const a of ["fhir.token", "fhir.create", "fhir.read", "fhir.search", "fhir.update", "fhir.refused"])
      expect(actions).toContain(a);
    const patientEvents = events.filter((e) => e.patientId === patient.id);
    expect(patientEvents.map((e) => e.action)).toEqual(
      expect.arrayContaining(["fhir.create", "fhir.update", "fhir.search_result"]),
    );
    expect(await verifySealed(handle.db)).toEqual([]);
    // The patient's access log names the booking system and what it did.
    const log = await listAccessLog(handle.db, patient.id!, { audit: {} });
    expect(log).toContainEqual(
      expect.objectContaining({
        actor: "api_client",
        actorName: `Bokningssystem ${hsa}`,
        action: "fhir.create",
        resourceType: "Appointment",
      }),
    );
  });

  it("a clinic's move reaches the patient, and freed or added slots go to the waitlist", async () => {
    const { hsa, fhir } = await onboard();
    const loaded = await fhir.transaction({ body: weekBundle(hsa, monday, { slotsPerDay: 3, smsOnChange: true }) });
    const scheduleId = loaded.entry![2]!.resource!.id!;
    const [first, second, third] = [3, 4, 5].map((i) => loaded.entry![i]!.resource as Slot);
    const book = async (slotId: string, withSms: boolean) => {
      const pnr = testPersonnummer();
      const patient = await fhir.create({
        resourceType: "Patient",
        body: {
          resourceType: "Patient",
          identifier: [{ system: PNR, value: pnr }],
          name: [{ family: "F", given: ["G"] }],
        },
      });
      if (withSms) {
        await handle.db
          .update(s.patients)
          .set({ phoneEnc: encryptPii("+46701740606", testKeys), phoneVerifiedAt: new Date() })
          .where(eq(s.patients.id, patient.id!));
        await handle.db
          .insert(s.notificationPreferences)
          .values({ patientId: patient.id!, smsEnabled: true, smsConsentAt: new Date() });
      }
      return fhir.create<Appointment>({
        resourceType: "Appointment",
        body: {
          resourceType: "Appointment",
          status: "booked",
          slot: [{ reference: `Slot/${slotId}` }],
          participant: [{ actor: { reference: `Patient/${patient.id}` }, status: "accepted" }],
        },
      });
    };
    const moving = await book(first!.id!, true);
    // Someone else waits for an earlier time.
    const waiting = await book(third!.id!, false);
    await handle.db.insert(s.waitlistEntries).values({
      patientId: waiting.participant![0]!.actor!.reference!.slice(8),
      appointmentId: waiting.id!,
      fromDate: "2020-01-01",
      weekdays: [1, 2, 3, 4, 5],
      timesOfDay: ["morning", "afternoon"],
    });
    const remindersBefore = await handle.db
      .select()
      .from(s.messages)
      .where(and(eq(s.messages.appointmentId, moving.id!), eq(s.messages.purpose, "reminder")));
    expect(remindersBefore.length).toBeGreaterThan(0);

    const moved = await fhir.update<Appointment>({
      resourceType: "Appointment",
      id: moving.id!,
      body: { ...moving, slot: [{ reference: `Slot/${second!.id}` }], start: undefined, end: undefined },
    });
    expect(moved.start).toBe(second!.start);
    const after = await handle.db.select().from(s.messages).where(eq(s.messages.appointmentId, moving.id!));
    // The old time's reminders are withdrawn, the new time's queued, and the patient told once.
    for (const old of remindersBefore) expect(after.find((m) => m.id === old.id)?.status).toBe("cancelled");
    expect(after.filter((m) => m.purpose === "reminder" && m.status === "queued").length).toBeGreaterThan(0);
    expect(after.filter((m) => m.purpose === "clinic_moved")).toHaveLength(1);
    const jobs = await handle.db.select().from(s.waitlistJobs).where(eq(s.waitlistJobs.slotId, first!.id!));
    expect(jobs.map((j) => j.reason)).toEqual(["rebooked"]);

    const added = await fhir.create<Slot>({
      resourceType: "Slot",
      body: {
        resourceType: "Slot",
        schedule: { reference: `Schedule/${scheduleId}` },
        status: "free",
        start: new Date(monday.getTime() + 7 * 86_400_000).toISOString(),
        end: new Date(monday.getTime() + 7 * 86_400_000 + 20 * 60_000).toISOString(),
      },
    });
    const addedJobs = await handle.db.select().from(s.waitlistJobs).where(eq(s.waitlistJobs.slotId, added.id!));
    expect(addedJobs.map((j) => j.reason)).toEqual(["added"]);
  });

  it("refuses a wrong resource with a 422 naming the field, and changes nothing", async () => {
    const { hsa, fhir } = await onboard();
    const loaded = (await fhir.transaction({ body: weekBundle(hsa, monday, { slotsPerDay: 1 }) })) as Bundle;
    const scheduleId = loaded.entry![2]!.resource!.id!;
    const count = async () =>
      Number(
        (
          (await handle.db
            .select({ n: sql<number>`count(*)::int` })
            .from(s.slots)
            .where(eq(s.slots.scheduleId, scheduleId))) as [{ n: number }]
        )[0].n,
      );
    const n = await count();
    const bad = await failure(
      fhir.create({
        resourceType: "Slot",
        body: {
          resourceType: "Slot",
          schedule: { reference: `Schedule/${scheduleId}` },
          status: "free",
          start: "2031-03-04T10:00:00+01:00",
          end: "2031-03-04T09:00:00+01:00",
        },
      }),
    );
    expect(bad.status).toBe(422);
    expect(bad.data.resourceType).toBe("OperationOutcome");
    expect(bad.data.issue[0]!.expression).toEqual(["Slot.end"]);
    const busy = await failure(
      fhir.create({
        resourceType: "Slot",
        body: {
          resourceType: "Slot",
          schedule: { reference: `Schedule/${scheduleId}` },
          status: "busy",
          start: "2031-03-04T10:00:00+01:00",
          end: "2031-03-04T10:20:00+01:00",
        },
      }),
    );
    expect(busy.status).toBe(422);
    expect(busy.data.issue[0]!.expression).toEqual(["Slot.status"]);
    // A transaction whose last entry is wrong leaves nothing of its first ones.
    const tx = await failure(
      fhir.transaction({
        body: {
          resourceType: "Bundle",
          type: "transaction",
          entry: [
            {
              resource: {
                resourceType: "Slot",
                schedule: { reference: `Schedule/${scheduleId}` },
                status: "free",
                start: "2031-03-05T10:00:00+01:00",
                end: "2031-03-05T10:20:00+01:00",
              },
              request: { method: "POST", url: "Slot" },
            },
            {
              resource: { resourceType: "Slot", schedule: { reference: `Schedule/${scheduleId}` }, status: "free" },
              request: { method: "POST", url: "Slot" },
            },
          ],
        } as Bundle,
      }),
    );
    expect(tx.status).toBe(422);
    expect(tx.data.issue[0]!.expression).toEqual([
      "Bundle.entry[1].resource.Slot.start",
      "Bundle.entry[1].resource.Slot.end",
    ]);
    expect(await count()).toBe(n);
    // Malformed JSON is a 400, an unknown type a 404, both as OperationOutcome JSON.
    const raw = await fetch(`${server.baseUrl}/Slot`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${fhir.bearerToken ?? ""}`,
        "content-type": "application/fhir+json",
      },
      body: "{nope",
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get("content-type")).toContain("application/fhir+json");
  });

  it("carries the clinic's texts for patients both ways, and picks the patient's language", async () => {
    const { hsa, fhir } = await onboard();
    const texts = {
      "directions-sv": "Buss 7 till Gottsunda centrum.",
      "directions-en": "Bus 7 to Gottsunda centrum.",
      "patient-transport-info-en": "You may be entitled to a patient transport.",
      "check-in-sv": "Anmäl dig i automaten.",
      "check-in-en": "Check in at the machine.",
      "identification-sv": "Ta med legitimation.",
      "late-arrival-sv": "Kommer du mer än 10 minuter sent kan vi behöva boka om.",
      "missed-visit-fee-sv": "Uteblivet besök kostar 400 kronor.",
      "missed-visit-fee-en": "A missed visit costs SEK 400.",
    };
    const organization = (exts: Record<string, string>, extra: Extension[] = []): Organization => ({
      resourceType: "Organization",
      identifier: [{ system: HSA, value: hsa }],
      name: `Vårdcentralen ${hsa}`,
      extension: [
        ...Object.entries(exts).map(([name, valueString]) => ({ url: `${EXT}/${name}`, valueString })),
        ...extra,
      ],
    });
    const created = (await fhir.create({ resourceType: "Organization", body: organization(texts) })) as Organization;
    const textsOf = (o: Organization) =>
      Object.fromEntries(
        (o.extension ?? [])
          .filter((e) => e.valueString !== undefined && e.url !== `${EXT}/sms-safe-name`)
          .map((e) => [e.url.slice(EXT.length + 1), e.valueString]),
      );
    expect(textsOf(created)).toEqual(texts);
    const read = (await fhir.read({ resourceType: "Organization", id: created.id! })) as Organization;
    expect(textsOf(read)).toEqual(texts);

    // What a patient reads: English where the clinic wrote it, else the Swedish text (marked so).
    const row = async () => (await handle.db.select().from(s.clinics).where(eq(s.clinics.id, created.id!)))[0]!;
    const en = clinicTexts(await row(), "en");
    expect(en.checkIn).toEqual({ text: "Check in at the machine.", lang: "en" });
    expect(en.identification).toEqual({ text: "Ta med legitimation.", lang: "sv" });
    expect(en.transportInfo).toEqual({ text: "You may be entitled to a patient transport.", lang: "en" });
    const ar = clinicTexts(await row(), "ar");
    expect(ar.missedVisitFee).toEqual({ text: "Uteblivet besök kostar 400 kronor.", lang: "sv" });
    expect(ar.lateArrival?.lang).toBe("sv");

    // A wrong value is a 422 naming the field, and nothing changes.
    const tooLong = await failure(
      fhir.update({
        resourceType: "Organization",
        id: created.id!,
        body: { ...organization({ ...texts, "check-in-sv": "x".repeat(2001) }), id: created.id },
      }),
    );
    expect(tooLong.status).toBe(422);
    expect(tooLong.data.issue[0]!.expression).toEqual(["Organization.extension"]);
    const notText = await failure(
      fhir.update({
        resourceType: "Organization",
        id: created.id!,
        body: { ...organization(texts, [{ url: `${EXT}/late-arrival-en`, valueInteger: 10 }]), id: created.id },
      }),
    );
    expect(notText.status).toBe(422);
    expect((await row()).checkInSv).toBe("Anmäl dig i automaten.");

    // An update without a text takes it away: the patient no longer sees it.
    const fewer: Record<string, string> = { ...texts };
    delete fewer["identification-sv"];
    const updated = (await fhir.update({
      resourceType: "Organization",
      id: created.id!,
      body: { ...organization(fewer), id: created.id },
    })) as Organization;
    expect(textsOf(updated)).toEqual(fewer);
    expect(clinicTexts(await row(), "sv").identification).toBeNull();
  });

  it("keeps each client to its own clinics on every resource type", async () => {
    const a = await onboard();
    const b = await onboard();
    const bLoaded = (await b.fhir.transaction({ body: weekBundle(b.hsa, monday, { slotsPerDay: 1 }) })) as Bundle;
    await a.fhir.transaction({ body: weekBundle(a.hsa, monday, { slotsPerDay: 1 }) });
    const bOrg = bLoaded.entry![0]!.resource!;
    const bService = bLoaded.entry![1]!.resource!;
    const bSchedule = bLoaded.entry![2]!.resource!;
    const bSlot = bLoaded.entry![3]!.resource! as Slot;
    const bRole = await b.fhir.create({
      resourceType: "PractitionerRole",
      body: {
        resourceType: "PractitionerRole",
        organization: { reference: `Organization/${bOrg.id}` },
        code: [{ text: "Läkare" }],
      },
    });
    const pnr = testPersonnummer();
    const bPatient = await b.fhir.create({
      resourceType: "Patient",
      body: {
        resourceType: "Patient",
        identifier: [{ system: PNR, value: pnr }],
        name: [{ family: "B", given: ["Patient"] }],
      },
    });
    const bAppointment = await b.fhir.create({
      resourceType: "Appointment",
      body: {
        resourceType: "Appointment",
        status: "booked",
        slot: [{ reference: `Slot/${bSlot.id}` }],
        participant: [{ actor: { reference: `Patient/${bPatient.id}` }, status: "accepted" }],
      },
    });
    const theirs = [bOrg, bService, bRole, bSchedule, bSlot, bPatient, bAppointment];
    for (const r of theirs) {
      const read = await failure(a.fhir.read({ resourceType: r.resourceType, id: r.id! }));
      expect(read.status, `read ${r.resourceType}`).toBe(404);
      const search = await a.fhir.search({ resourceType: r.resourceType, searchParams: { _id: r.id! } });
      expect(search.entry ?? [], `search ${r.resourceType}`).toHaveLength(0);
      const update = await failure(a.fhir.update({ resourceType: r.resourceType, id: r.id!, body: r }));
      expect(update.status, `update ${r.resourceType}`).toBe(404);
    }
    // Creating into B's clinic is forbidden.
    const org = await failure(
      a.fhir.create({ resourceType: "Organization", body: { ...bOrg, id: undefined, meta: undefined } as typeof bOrg }),
    );
    expect(org.status).toBe(403);
    const slot = await failure(
      a.fhir.create({
        resourceType: "Slot",
        body: { ...bSlot, id: undefined, identifier: undefined, meta: undefined },
      }),
    );
    expect(slot.status).toBe(403);
    const byPnr = (await a.fhir.search({
      resourceType: "Appointment",
      searchParams: { "patient.identifier": `${PNR}|${pnr}` },
    })) as Bundle;
    expect(byPnr.entry ?? []).toHaveLength(0);
    // B's own view is intact.
    expect(((await b.fhir.read({ resourceType: "Slot", id: bSlot.id! })) as Slot).status).toBe("busy");
  });

  it("refuses missing, forged, expired and replayed credentials with 401, and scopes with 403", async () => {
    const hsa = hsaId();
    const key = await makeClientKey("ES384");
    const scope = "system/Appointment.rs";
    const clientId = await createClientViaCli(admin.dataDir, { name: "Läsare", clinics: [hsa], scope, keys: [key] });
    const noToken = await failure(fhirClient(server.baseUrl).search({ resourceType: "Slot", searchParams: {} }));
    expect(noToken.status).toBe(401);
    expect(noToken.data.resourceType).toBe("OperationOutcome");
    const forgedToken = await failure(
      fhirClient(server.baseUrl, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl").search({
        resourceType: "Appointment",
        searchParams: {},
      }),
    );
    expect(forgedToken.status).toBe(401);

    const stranger = await makeClientKey("ES384");
    expect(
      (await requestToken(server.baseUrl, await signAssertion(server.baseUrl, clientId, stranger), scope)).status,
    ).toBe(401);
    const expired = await signAssertion(server.baseUrl, clientId, key, {
      iat: Math.floor(Date.now() / 1000) - 900,
      expSeconds: 300,
    });
    expect((await requestToken(server.baseUrl, expired, scope)).status).toBe(401);
    const tooLong = await signAssertion(server.baseUrl, clientId, key, { expSeconds: 3600 });
    expect((await requestToken(server.baseUrl, tooLong, scope)).status).toBe(401);
    const wrongAud = await signAssertion(server.baseUrl, clientId, key, { aud: `${server.baseUrl}/metadata` });
    expect((await requestToken(server.baseUrl, wrongAud, scope)).status).toBe(401);
    const once = await signAssertion(server.baseUrl, clientId, key);
    expect((await requestToken(server.baseUrl, once, scope)).status).toBe(200);
    const replay = await requestToken(server.baseUrl, once, scope);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_client");
    // More than registered: narrowed to what it holds (SMART/OAuth), and the answer's scope says so.
    const over = await requestToken(
      server.baseUrl,
      await signAssertion(server.baseUrl, clientId, key),
      "system/Appointment.cruds system/Slot.cruds",
    );
    expect(over.status).toBe(200);
    expect(((await over.json()) as { scope: string }).scope).toBe("system/Appointment.rs");
    // Nothing in common: invalid_scope.
    const none = await requestToken(
      server.baseUrl,
      await signAssertion(server.baseUrl, clientId, key),
      "system/Slot.cruds",
    );
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: string }).error).toBe("invalid_scope");

    const token = await getToken(server.baseUrl, clientId, key, scope);
    const reader = fhirClient(server.baseUrl, token);
    expect(((await reader.search({ resourceType: "Appointment", searchParams: {} })) as Bundle).type).toBe("searchset");
    expect((await failure(reader.search({ resourceType: "Slot", searchParams: {} }))).status).toBe(403);
    expect(
      (
        await failure(
          reader.create({ resourceType: "Appointment", body: { resourceType: "Appointment" } as Appointment }),
        )
      ).status,
    ).toBe(403);

    // Revoked: its tokens stop working at once, and it gets no new ones.
    const revoked = await runApiClientCli(admin.dataDir, ["revoke", clientId]);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout).revoked_at).not.toBeNull();
    expect((await failure(reader.search({ resourceType: "Appointment", searchParams: {} }))).status).toBe(401);
    expect((await requestToken(server.baseUrl, await signAssertion(server.baseUrl, clientId, key), scope)).status).toBe(
      401,
    );
    const list = await runApiClientCli(admin.dataDir, ["list"]);
    expect((JSON.parse(list.stdout) as { client_id: string }[]).some((c) => c.client_id === clientId)).toBe(true);
  });

  it("deletes only a free slot, caps bodies and rate-limits per client, always as FHIR JSON", async () => {
    const { hsa, fhir, clientId, key } = await onboard();
    const loaded = (await fhir.transaction({ body: weekBundle(hsa, monday, { slotsPerDay: 2 }) })) as Bundle;
    const [slotA, slotB] = [loaded.entry![3]!.resource!, loaded.entry![4]!.resource!];
    await fhir.delete({ resourceType: "Slot", id: slotA.id! });
    expect((await failure(fhir.read({ resourceType: "Slot", id: slotA.id! }))).status).toBe(404);
    const patient = await fhir.create({
      resourceType: "Patient",
      body: {
        resourceType: "Patient",
        identifier: [{ system: PNR, value: testPersonnummer() }],
        name: [{ family: "D", given: ["E"] }],
      },
    });
    await fhir.create({
      resourceType: "Appointment",
      body: {
        resourceType: "Appointment",
        status: "booked",
        slot: [{ reference: `Slot/${slotB.id}` }],
        participant: [{ actor: { reference: `Patient/${patient.id}` }, status: "accepted" }],
      },
    });
    expect((await failure(fhir.delete({ resourceType: "Slot", id: slotB.id! }))).status).toBe(409);
    expect((await failure(fhir.delete({ resourceType: "Appointment", id: slotB.id! }))).status).toBe(405);

    const small = await startFhirServer(handle.db, { maxBodyBytes: 2000, perClientPerMinute: 3 });
    try {
      // The token endpoint's audience is the server's own token URL.
      const token = await getToken(small.baseUrl, clientId, key, "system/*.cruds");
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/fhir+json" };
      const big = await fetch(`${small.baseUrl}/Slot`, {
        method: "POST",
        headers,
        body: JSON.stringify({ resourceType: "Slot", pad: "x".repeat(5000) }),
      });
      expect(big.status).toBe(413);
      expect(((await big.json()) as OperationOutcome).resourceType).toBe("OperationOutcome");
      const unknown = await fetch(`${small.baseUrl}/Nope/1`, { headers });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get("content-type")).toContain("application/fhir+json");
      await fetch(`${small.baseUrl}/Slot`, { headers }); // the third request of this minute
      const limited = await fetch(`${small.baseUrl}/Slot`, { headers });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      await small.close();
    }
  });
});
