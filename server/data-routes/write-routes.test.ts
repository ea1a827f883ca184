// The write routes our server answers (server/data-routes): POST /api/rebook and
// POST /api/offer-answer, over real HTTP against a node server with the routes, on PGlite and
// Postgres. The browser stories (choose a time, confirm, the receipt; a second tab told what
// happened; taking an offered time) are in e2e/appointments.spec.ts, e2e/patient-changes.spec.ts
// and e2e/waitlist.spec.ts; racing apps in deploy/faults.test.ts.
import { and, eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { createSession, revokeSession } from "@/lib/auth/sessions";
import { env } from "@/lib/env";
import { buildHeadersFromManifest } from "@/lib/http/build-headers";
import { CLIENT_IP_HEADER } from "@/lib/http/client-address";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { startDataRouteServer } from "@/test/data-route-server";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { offerSlot } from "@/lib/waitlist/offer-slot";
import { saveWaitlistWishes } from "@/lib/waitlist/wishes";
import { dataRoutePath } from "./index";
import { WRITE_BODY_MAX_BYTES } from "./patient-data-route";

requirePostgresInCi();

const buildHeaders = buildHeadersFromManifest({
  headers: [{ regex: "^/api(?:/(.*))?$", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'" }] }],
});
const DAY = 86_400_000;

it("are data routes (their metric labels too)", () => {
  expect(dataRoutePath("/api/rebook")).toBe("/api/rebook");
  expect(dataRoutePath("/api/offer-answer")).toBe("/api/offer-answer");
  expect(dataRoutePath("/api/rebook/x")).toBeNull();
});

describe.each(testDatabases)("write routes on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let server: Awaited<ReturnType<typeof startDataRouteServer>>;
  let base: string;
  let clinicId: string;
  let typeId: string;
  const globals = globalThis as unknown as { vardtidDb?: unknown };

  async function patientWithVisit(label: string, daysAhead: number) {
    const patient = await makePatient(handle.db, label);
    const slot = await makeSlot(handle.db, clinicId, typeId, new Date(Date.now() + daysAhead * DAY));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: new Date() });
    if (!booked.ok) throw new Error("booking failed");
    const e = env();
    const { sessionId } = await createSession(handle.db, {
      patientId: patient.id,
      now: new Date(),
      limits: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    });
    const jwt = await encode({ token: { sid: sessionId }, secret: e.AUTH_SECRET, maxAge: 3600 });
    return {
      patientId: patient.id,
      appointmentId: booked.appointmentId,
      slotId: slot.id,
      sessionId,
      cookie: `vardtid.session=${jwt}`,
    };
  }

  const freeSlot = async (daysAhead: number) =>
    (await makeSlot(handle.db, clinicId, typeId, new Date(Date.now() + daysAhead * DAY))).id;

  function post(
    body: unknown,
    headers: Record<string, string>,
    init: { raw?: string; method?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return postTo("/api/rebook", body, headers, init);
  }

  function postTo(
    path: string,
    body: unknown,
    headers: Record<string, string>,
    init: { raw?: string; method?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return fetch(`${base}${path}`, {
      method: init.method ?? "POST",
      headers: { "content-type": "application/json", origin: base, ...headers },
      body: init.method === "GET" ? undefined : (init.raw ?? JSON.stringify(body)),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
  }

  const slotOf = async (appointmentId: string) =>
    (
      await handle.db
        .select({ slotId: s.appointments.slotId, status: s.appointments.status, version: s.appointments.version })
        .from(s.appointments)
        .where(eq(s.appointments.id, appointmentId))
    )[0]!;

  const rebookAudits = (patientId: string) =>
    handle.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.patientId, patientId), eq(s.auditEvents.action, "appointment.rebook")));

  beforeAll(async () => {
    handle = await target.open();
    globals.vardtidDb = handle; // the route uses the process-wide database, as in the app
    ({
      clinic: { id: clinicId },
      type: { id: typeId },
    } = await makeClinic(handle.db, { offerFairness: "first_come", offerBatchSize: 10 }));
    server = await startDataRouteServer(buildHeaders);
    base = server.base;
  });
  afterAll(async () => {
    await server?.close();
    delete globals.vardtidDb;
    await handle?.dispose();
  });

  it("moves the visit to the free slot, audited with the address our listener decided", async () => {
    const p = await patientWithVisit("Flytt", 10);
    const target = await freeSlot(9);
    const before = await slotOf(p.appointmentId);
    const res = await post(
      { appointmentId: p.appointmentId, slotId: target, version: before.version },
      { cookie: p.cookie, [CLIENT_IP_HEADER]: "192.0.2.9", "user-agent": "rebook-route-test" },
    );
    expect(res).toEqual({ status: 200, body: { status: "ok", appointmentId: p.appointmentId, clinicChanged: false } });
    const after = await slotOf(p.appointmentId);
    expect(after).toMatchObject({ slotId: target, status: "booked" });
    expect(after.version).toBeGreaterThan(before.version);
    const audits = await rebookAudits(p.patientId);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: p.patientId, ip: "192.0.2.9", userAgent: "rebook-route-test" });
  });

  it("refuses what is not a same-origin JSON write of a logged-in patient, and changes nothing", async () => {
    const p = await patientWithVisit("Vakt", 11);
    const target = await freeSlot(8);
    const body = { appointmentId: p.appointmentId, slotId: target };
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number, string][] = [
      ["foreign origin", post(body, { cookie: p.cookie, origin: "https://evil.example" }), 403, "forbidden"],
      ["Origin: null, no Fetch Metadata", post(body, { cookie: p.cookie, origin: "null" }), 403, "forbidden"],
      ["a form post", post(body, { cookie: p.cookie, "content-type": "text/plain" }), 415, "unsupported"],
      [
        "too large",
        post(null, { cookie: p.cookie }, { raw: JSON.stringify({ ...body, x: "a".repeat(WRITE_BODY_MAX_BYTES) }) }),
        413,
        "too_large",
      ],
      ["not JSON", post(null, { cookie: p.cookie }, { raw: "{appointmentId" }), 400, "invalid"],
      ["not a uuid", post({ ...body, slotId: "1' OR '1'='1" }, { cookie: p.cookie }), 400, "invalid"],
      ["a NUL character", post({ ...body, appointmentId: "\u0000" }, { cookie: p.cookie }), 400, "invalid"],
      ["a version as text", post({ ...body, version: "1" }, { cookie: p.cookie }), 400, "invalid"],
      ["no session", post(body, {}), 401, "unauthorized"],
      ["GET", post(null, { cookie: p.cookie }, { method: "GET" }), 405, "method"],
    ];
    for (const [label, answer, status, error] of cases) {
      expect(await answer, label).toMatchObject({ status, body: { error } });
    }
    expect((await slotOf(p.appointmentId)).slotId).toBe(p.slotId);
    expect(await rebookAudits(p.patientId)).toEqual([]);
  });

  it("a session that ended: 401 saying so", async () => {
    const p = await patientWithVisit("Slut", 12);
    await revokeSession(handle.db, p.sessionId, new Date());
    const res = await post({ appointmentId: p.appointmentId, slotId: await freeSlot(7) }, { cookie: p.cookie });
    expect(res).toEqual({ status: 401, body: { error: "unauthorized", ended: true } });
  });

  it("another patient's visit is not found (404), a stale version or a taken slot a conflict (409)", async () => {
    const a = await patientWithVisit("A", 13);
    const b = await patientWithVisit("B", 14);
    const target = await freeSlot(6);
    expect(await post({ appointmentId: b.appointmentId, slotId: target }, { cookie: a.cookie })).toEqual({
      status: 404,
      body: { status: "error", error: "not_found" },
    });
    const { version } = await slotOf(a.appointmentId);
    expect(
      await post({ appointmentId: a.appointmentId, slotId: target, version: version + 1 }, { cookie: a.cookie }),
    ).toEqual({ status: 409, body: { status: "error", error: "stale" } });
    expect(await post({ appointmentId: a.appointmentId, slotId: b.slotId }, { cookie: a.cookie })).toMatchObject({
      status: 409,
      body: { status: "error" },
    });
    expect((await slotOf(a.appointmentId)).slotId).toBe(a.slotId);
    expect((await slotOf(b.appointmentId)).slotId).toBe(b.slotId);
  });

  it("eight patients at once for one slot: exactly one moves, the others are told it is gone", async () => {
    const patients = await Promise.all(Array.from({ length: 8 }, (_, i) => patientWithVisit(`Race${i}`, 15 + i)));
    const target = await freeSlot(5);
    const answers = await Promise.all(
      patients.map((p) => post({ appointmentId: p.appointmentId, slotId: target }, { cookie: p.cookie })),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(7);
    const inTarget = await handle.db
      .select()
      .from(s.appointments)
      .where(and(eq(s.appointments.slotId, target), eq(s.appointments.status, "booked")));
    expect(inTarget).toHaveLength(1);
  });

  describe("POST /api/offer-answer", () => {
    const today = () => new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Stockholm" }).format(new Date());

    async function waitingPatient(label: string, daysAhead: number) {
      const p = await patientWithVisit(label, daysAhead);
      const saved = await saveWaitlistWishes(handle.db, p.patientId, {
        appointmentId: p.appointmentId,
        fromDate: today(),
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        timesOfDay: ["morning", "afternoon", "evening"],
        minNoticeMinutes: 0,
        now: new Date(),
        audit: { ip: "192.0.2.1", userAgent: "test" },
      });
      expect(saved).toEqual({ ok: true });
      return p;
    }

    async function offerTo(slotId: string, patientIds: string[]) {
      const result = await handle.db.transaction((tx) =>
        offerSlot(tx, slotId, { keys: testKeys, publicBaseUrl: "https://vardtid.test", now: new Date() }),
      );
      // Others still waiting from an earlier test may be offered the slot too.
      expect(result.offered).toBeGreaterThanOrEqual(patientIds.length);
      const rows = await handle.db
        .select({ id: s.slotOffers.id, patientId: s.waitlistEntries.patientId })
        .from(s.slotOffers)
        .innerJoin(s.waitlistEntries, eq(s.waitlistEntries.id, s.slotOffers.waitlistEntryId))
        .where(eq(s.slotOffers.slotId, slotId));
      const byPatient = new Map(rows.map((r) => [r.patientId, r.id]));
      for (const id of patientIds) expect(byPatient.has(id)).toBe(true);
      return byPatient;
    }

    it("the first to take the time moves there; the next is told it is taken; a stranger's id is not found", async () => {
      const a = await waitingPatient("OfferA", 30);
      const b = await waitingPatient("OfferB", 31);
      const stranger = await patientWithVisit("OfferC", 32);
      const target = await freeSlot(4);
      const offers = await offerTo(target, [a.patientId, b.patientId]);
      const offerA = offers.get(a.patientId)!;
      const offerB = offers.get(b.patientId)!;

      const bad: [unknown, number, string][] = [
        [{ offerId: offerA, answer: "maybe" }, 400, "invalid"],
        [{ offerId: "x", answer: "accept" }, 400, "invalid"],
        [[offerA, "accept"], 400, "invalid"],
      ];
      for (const [body, status, error] of bad)
        expect(await postTo("/api/offer-answer", body, { cookie: a.cookie }), JSON.stringify(body)).toMatchObject({
          status,
          body: { error },
        });
      expect(
        await postTo("/api/offer-answer", { offerId: offerA, answer: "accept" }, { cookie: a.cookie, origin: "null" }),
      ).toMatchObject({ status: 403 });
      expect(
        await postTo("/api/offer-answer", { offerId: offerA, answer: "accept" }, { cookie: stranger.cookie }),
      ).toEqual({ status: 404, body: { status: "error", error: "not_found" } });
      expect((await slotOf(stranger.appointmentId)).slotId).toBe(stranger.slotId);

      expect(await postTo("/api/offer-answer", { offerId: offerA, answer: "accept" }, { cookie: a.cookie })).toEqual({
        status: 200,
        body: { status: "ok" },
      });
      expect((await slotOf(a.appointmentId)).slotId).toBe(target);
      expect(await postTo("/api/offer-answer", { offerId: offerB, answer: "accept" }, { cookie: b.cookie })).toEqual({
        status: 409,
        body: { status: "error", error: "taken" },
      });
      expect((await slotOf(b.appointmentId)).slotId).toBe(b.slotId);
      // Answering again from an old page: already answered, nothing changes.
      expect(
        await postTo("/api/offer-answer", { offerId: offerA, answer: "decline" }, { cookie: a.cookie }),
      ).toMatchObject({ status: 409, body: { error: "answered" } });
      expect((await slotOf(a.appointmentId)).slotId).toBe(target);
    });

    it("a decline keeps the visit and says ok", async () => {
      const a = await waitingPatient("Decline", 33);
      const target = await freeSlot(3);
      const offerA = (await offerTo(target, [a.patientId])).get(a.patientId)!;
      expect(await postTo("/api/offer-answer", { offerId: offerA, answer: "decline" }, { cookie: a.cookie })).toEqual({
        status: 200,
        body: { status: "ok" },
      });
      expect((await slotOf(a.appointmentId)).slotId).toBe(a.slotId);
      const [offer] = await handle.db.select().from(s.slotOffers).where(eq(s.slotOffers.id, offerA));
      expect(offer!.status).toBe("declined");
    });
  });
});
