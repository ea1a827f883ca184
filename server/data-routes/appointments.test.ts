// GET /api/appointments as our server answers it (server/data-routes): over real HTTP against a
// node server with the route, on PGlite and Postgres. The browser story (shell, service worker,
// logout, guardian) is in e2e/app-shell.spec.ts and e2e/guardians.spec.ts.
import { and, eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import type { AppointmentList } from "@/lib/appointments/list-item";
import { bookAppointment } from "@/lib/appointments/service";
import { createSession, revokeSession } from "@/lib/auth/sessions";
import { env } from "@/lib/env";
import { buildHeadersFromManifest } from "@/lib/http/build-headers";
import { CLIENT_IP_HEADER } from "@/lib/http/client-address";
import { forgetWhoIsLoggedIn } from "@/lib/guardians/who-is-logged-in";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { startDataRouteServer } from "@/test/data-route-server";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { dataRoutePath } from "./index";

requirePostgresInCi();

const API_CSP = "default-src 'none'; frame-ancestors 'none'";
// The shape of the build's routes manifest (lib/http/build-headers.ts reads the real one).
const buildHeaders = buildHeadersFromManifest({
  headers: [
    { regex: "^(?:/(.*))?$", headers: [{ key: "X-Content-Type-Options", value: "nosniff" }] },
    { regex: "^/api(?:/(.*))?$", headers: [{ key: "Content-Security-Policy", value: API_CSP }] },
  ],
});

describe("which requests are data routes", () => {
  it("exact paths only; the query string does not matter", () => {
    expect(dataRoutePath("/api/appointments")).toBe("/api/appointments");
    expect(dataRoutePath("/api/appointments?x=1")).toBe("/api/appointments");
    expect(dataRoutePath("/api/appointments/")).toBeNull();
    expect(dataRoutePath("/api/appointments/abc/slots")).toBeNull();
    expect(dataRoutePath("/besok")).toBeNull();
    expect(dataRoutePath("/api/toString")).toBeNull();
  });

  it("headers from the manifest: every matching rule, later ones winning", () => {
    const headers = buildHeadersFromManifest({
      headers: [
        {
          regex: "^/(.*)$",
          headers: [
            { key: "A", value: "1" },
            { key: "B", value: "1" },
          ],
        },
        { regex: "^/api/(.*)$", headers: [{ key: "B", value: "2" }] },
      ],
    });
    expect(headers("/api/x")).toEqual({ A: "1", B: "2" });
    expect(headers("/besok")).toEqual({ A: "1", B: "1" });
  });
});

describe.each(testDatabases)("GET /api/appointments on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let server: Awaited<ReturnType<typeof startDataRouteServer>>;
  let base: string;
  let patientId: string;
  let cookie: string;
  const globals = globalThis as unknown as { vardtidDb?: unknown };

  async function sessionCookie(id: string): Promise<{ cookie: string; sessionId: string }> {
    const e = env();
    const { sessionId } = await createSession(handle.db, {
      patientId: id,
      now: new Date(),
      limits: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    });
    const jwt = await encode({ token: { sid: sessionId }, secret: e.AUTH_SECRET, maxAge: 3600 });
    return { cookie: `vardtid.session=${jwt}`, sessionId };
  }

  beforeAll(async () => {
    handle = await target.open();
    // The route uses the process-wide database, as in the app.
    globals.vardtidDb = handle;
    const { clinic, type } = await makeClinic(handle.db);
    const patient = await makePatient(handle.db, "Lista");
    patientId = patient.id;
    const slot = await makeSlot(handle.db, clinic.id, type.id, new Date(Date.now() + 3 * 86_400_000));
    const booked = await bookAppointment(handle.db, { patientId, slotId: slot.id, now: new Date() });
    if (!booked.ok) throw new Error("booking failed");
    ({ cookie } = await sessionCookie(patientId));
    server = await startDataRouteServer(buildHeaders);
    base = server.base;
  });
  afterAll(async () => {
    await server?.close();
    delete globals.vardtidDb;
    await handle?.dispose();
  });

  const listReads = () =>
    handle.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.patientId, patientId), eq(s.auditEvents.action, "appointment.list")));

  it("answers the patient's visits as JSON, audited with the address our listener decided, never stored", async () => {
    const before = (await listReads()).length;
    const res = await fetch(`${base}/api/appointments`, {
      headers: { cookie, [CLIENT_IP_HEADER]: "192.0.2.7", "user-agent": "data-route-test" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(res.headers.get("vary")).toBe("Cookie");
    expect(res.headers.get("content-security-policy")).toBe(API_CSP);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const body = (await res.json()) as AppointmentList;
    expect(body.upcoming).toHaveLength(1);
    expect(body.upcoming[0]).toMatchObject({ status: "booked", typeName: "Läkarbesök" });
    expect(body.past).toEqual([]);
    expect(body.who).toEqual({ name: "Test Lista", acting: null });
    const reads = await listReads();
    expect(reads).toHaveLength(before + 1);
    expect(reads.at(-1)).toMatchObject({ actorId: patientId, ip: "192.0.2.7", userAgent: "data-route-test" });
  });

  it("speaks the patient's chosen language, else the browser's", async () => {
    const get = async (headers: Record<string, string>) =>
      ((await (await fetch(`${base}/api/appointments`, { headers: { cookie, ...headers } })).json()) as AppointmentList)
        .upcoming[0]!;
    const english = await get({ "accept-language": "en-GB,en;q=0.9" });
    expect(english.typeName).toBe("Doctor");
    const chosen = await get({ cookie: `${cookie}; NEXT_LOCALE=sv`, "accept-language": "en-GB" });
    expect(chosen.typeName).toBe("Läkarbesök");
    expect(chosen.when).not.toBe(english.when);
  });

  it("401 without a session, saying whether a session ended; nothing audited", async () => {
    const before = (await listReads()).length;
    const none = await fetch(`${base}/api/appointments`);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-security-policy")).toBe(API_CSP);
    expect(await none.json()).toEqual({ error: "unauthorized", ended: false });

    const ended = await sessionCookie(patientId);
    await revokeSession(handle.db, ended.sessionId, new Date());
    const revoked = await fetch(`${base}/api/appointments`, { headers: { cookie: ended.cookie } });
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({ error: "unauthorized", ended: true });

    const forged = await fetch(`${base}/api/appointments`, { headers: { cookie: "vardtid.session=forged.jwt.value" } });
    expect(forged.status).toBe(401);
    expect((await listReads()).length).toBe(before);
  });

  it("a query with a NUL character is refused as invalid, not a 500", async () => {
    const res = await fetch(`${base}/api/appointments?x=%00`, { headers: { cookie } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid" });
  });

  it("only GET and HEAD: a write method gets 405 and changes nothing", async () => {
    const before = (await listReads()).length;
    const res = await fetch(`${base}/api/appointments`, { method: "POST", headers: { cookie }, body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect((await listReads()).length).toBe(before);
    const head = await fetch(`${base}/api/appointments`, { method: "HEAD", headers: { cookie } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("who is logged in is kept for a while, and forgotten when the person's choice changes", async () => {
    const read = async () =>
      ((await (await fetch(`${base}/api/appointments`, { headers: { cookie } })).json()) as AppointmentList).who.name;
    expect(await read()).toBe("Test Lista");
    await handle.db.update(s.patients).set({ givenName: "Ny" }).where(eq(s.patients.id, patientId));
    expect(await read()).toBe("Test Lista");
    forgetWhoIsLoggedIn(patientId);
    expect(await read()).toBe("Ny Lista");
  });
});
