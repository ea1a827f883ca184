// Attack suite, server actions (finding 10 and item 7): every exported function of every
// "use server" module under lib/ (found by reading the tree, so a new action is covered without
// editing this file) is called as anonymous and as patient A, with wrong argument shapes, generated
// bad form fields and patient B's ids. Each call must return or redirect (a 303 to a page of ours,
// as Next answers an action's redirect), never throw anything else (Next would answer 500), never
// change B's data, and never log a personal number, phone number or token.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { createSession } from "@/lib/auth/sessions";
import { testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { holdsPersonalNumber, nastyString, nastyStrings, wrongShape } from "./inputs";

const root = path.resolve(import.meta.dirname, "../..");

/** Every module under lib/ that starts with "use server". */
function serverActionModules(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts")) {
        if (/^\s*(\/\/[^\n]*\n\s*)*["']use server["']/.test(readFileSync(full, "utf8"))) found.push(full);
      }
    }
  };
  walk(path.join(root, "lib"));
  return found.sort();
}

// The request scope Next.js gives an action, played by plain objects.
const state = vi.hoisted(() => ({
  session: null as null | { patientId: string; sessionId: string; sessionHash: string },
  db: null as unknown,
  headers: new Headers(),
  cookies: new Map<string, string>(),
}));

class RedirectSignal extends Error {
  constructor(readonly url: string) {
    super("NEXT_REDIRECT");
  }
}

vi.mock("next/headers", () => ({
  headers: async () => state.headers,
  cookies: async () => ({
    get: (name: string) => (state.cookies.has(name) ? { name, value: state.cookies.get(name) } : undefined),
    set: (name: string, value: string) => void state.cookies.set(name, value),
    delete: (name: string) => void state.cookies.delete(name),
  }),
}));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new RedirectSignal(url);
  },
  notFound: () => {
    throw new RedirectSignal("/404");
  },
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {}, refresh: () => {} }));
vi.mock("@/db", () => ({ db: () => state.db, databaseHandle: () => ({ db: state.db }) }));
vi.mock("@/lib/auth/current-patient", () => ({
  currentSession: async () => state.session,
  requirePatient: async (returnTo: string) => {
    if (!state.session) throw new RedirectSignal(`/login?returnTo=${encodeURIComponent(returnTo)}`);
    return state.session;
  },
}));

const FIELDS = [
  "appointmentId",
  "slotId",
  "offerId",
  "answer",
  "reason",
  "intent",
  "sms",
  "phone",
  "code",
  "language",
  "lang",
  "weekdays",
  "timesOfDay",
  "fromDate",
  "minNoticeMinutes",
  "d7",
  "d3",
  "d1",
  "h2",
];

const target = testDatabases[0]!; // PGlite: fast, and the action code is database-agnostic

describe("attack suite: server actions", () => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let a: { id: string };
  let b: { id: string; appointmentId: string; slotId: string };
  const logLines: string[] = [];
  const counts = { modules: 0, actions: 0, calls: 0, serverErrors: 0, leaks: 0 };
  const actions: { name: string; fn: (...args: unknown[]) => Promise<unknown> }[] = [];

  beforeAll(async () => {
    handle = await target.open();
    state.db = handle.db;
    const now = new Date();
    const { clinic, type } = await makeClinic(handle.db);
    const pa = await makePatient(handle.db, "attacker");
    const pb = await makePatient(handle.db, "victim");
    const slotB = await makeSlot(handle.db, clinic.id, type.id, new Date(now.getTime() + 9 * 86_400_000));
    const slotFree = await makeSlot(handle.db, clinic.id, type.id, new Date(now.getTime() + 10 * 86_400_000));
    const booked = await bookAppointment(handle.db, { patientId: pb.id, slotId: slotB.id, now });
    if (!booked.ok) throw new Error("booking failed");
    await createSession(handle.db, {
      patientId: pb.id,
      userAgent: "victim",
      ip: "192.0.2.1",
      now,
      limits: { idleMinutes: 30, absoluteHours: 12 },
    });
    const sa = await createSession(handle.db, {
      patientId: pa.id,
      userAgent: "attacker",
      ip: "192.0.2.2",
      now,
      limits: { idleMinutes: 30, absoluteHours: 12 },
    });
    a = pa;
    b = { id: pb.id, appointmentId: booked.appointmentId, slotId: slotFree.id };
    state.cookies.set("__session_probe", sa.sessionId);
    for (const file of serverActionModules()) {
      counts.modules++;
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, fn] of Object.entries(mod))
        if (typeof fn === "function")
          actions.push({
            name: `${path.relative(root, file)}#${name}`,
            fn: fn as (...args: unknown[]) => Promise<unknown>,
          });
    }
    counts.actions = actions.length;
    for (const level of ["log", "info", "warn", "error", "debug"] as const)
      vi.spyOn(console, level).mockImplementation(
        (...args: unknown[]) => void logLines.push(args.map(String).join(" ")),
      );
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    console.log(
      `attack suite (server actions): ${counts.modules} modules × ${counts.actions} actions × 2 roles, ` +
        `${counts.calls} calls, 5xx = ${counts.serverErrors}, leaks = ${counts.leaks}`,
    );
    await handle?.dispose();
  });

  /** What B owns, read straight from the database. */
  async function victimState() {
    const { db } = handle;
    return JSON.stringify([
      await db.select().from(s.patients).where(eq(s.patients.id, b.id)),
      await db.select().from(s.appointments).where(eq(s.appointments.patientId, b.id)),
      await db.select().from(s.waitlistEntries).where(eq(s.waitlistEntries.patientId, b.id)),
      await db.select().from(s.notificationPreferences).where(eq(s.notificationPreferences.patientId, b.id)),
      await db.select().from(s.pushSubscriptions).where(eq(s.pushSubscriptions.patientId, b.id)),
      await db.select().from(s.phoneVerifications).where(eq(s.phoneVerifications.patientId, b.id)),
      (await db.select().from(s.sessions).where(eq(s.sessions.patientId, b.id))).map((r) => [r.idHash, r.revokedAt]),
      await db.select({ status: s.slots.status }).from(s.slots).where(eq(s.slots.id, b.slotId)),
    ]);
  }

  /** Calls an action and classifies the outcome; anything but a value or a redirect is a 500. */
  async function attempt(action: (typeof actions)[number], args: unknown[]): Promise<void> {
    counts.calls++;
    try {
      await action.fn(...args);
    } catch (error) {
      if (error instanceof RedirectSignal) {
        // A redirect must stay on our own site and must not carry B's ids.
        expect(error.url.startsWith("/") && !error.url.startsWith("//"), `${action.name} → ${error.url}`).toBe(true);
        return;
      }
      counts.serverErrors++;
      throw new Error(`${action.name} threw (HTTP 500) for ${JSON.stringify(args).slice(0, 200)}: ${String(error)}`);
    }
  }

  function formOf(entries: [string, string][]): FormData {
    const form = new FormData();
    for (const [k, v] of entries) form.append(k, v);
    return form;
  }

  const roles = [
    ["anonymous", () => (state.session = null)],
    [
      "patient A",
      () => (state.session = { patientId: a.id, sessionId: "attack-session-a", sessionHash: "attack-session-a-hash" }),
    ],
  ] as const;

  it.each(roles)("as %s: wrong argument shapes never answer 500 (finding 10)", async (_role, become) => {
    become();
    const before = await victimState();
    const shapes: unknown[][] = [
      [],
      [undefined],
      [null],
      ["x"],
      [42],
      [{}],
      [[]],
      [{ get: "not a function" }],
      [{ status: "idle" }],
      [{ status: "idle" }, undefined],
      [{ status: "idle" }, null],
      [{ status: "idle" }, "appointmentId=1"],
      [{ status: "idle" }, { appointmentId: b.appointmentId }],
      [{ status: "idle" }, [["appointmentId", b.appointmentId]]],
      [new FormData()],
      [{ status: "idle" }, new FormData()],
    ];
    for (const action of actions) for (const args of shapes) await attempt(action, args);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...actions), wrongShape, wrongShape, async (action, x, y) => {
        await attempt(action, [x, y]);
      }),
      { numRuns: 300 },
    );
    expect(await victimState()).toBe(before);
  });

  it.each(roles)("as %s: generated form fields and B's ids change nothing of B's", async (_role, become) => {
    become();
    const before = await victimState();
    const value = fc.oneof(nastyString, fc.constantFrom(b.appointmentId, b.slotId, b.id, "accept", "on", "sv"));
    const form = fc.array(fc.tuple(fc.constantFrom(...FIELDS), value), { maxLength: 8 }).map(formOf);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...actions), form, async (action, fd) => {
        await attempt(action, [fd]);
        await attempt(action, [{ status: "idle" }, fd]);
      }),
      { numRuns: 400 },
    );
    // And the plainly well-formed takeover attempts, each field holding B's own ids.
    const bForm = formOf([
      ["appointmentId", b.appointmentId],
      ["slotId", b.slotId],
      ["offerId", b.appointmentId],
      ["answer", "accept"],
      ["fromDate", "2030-01-01"],
      ["minNoticeMinutes", "0"],
      ["weekdays", "1"],
    ]);
    for (const action of actions) {
      await attempt(action, [bForm]);
      await attempt(action, [{ status: "idle" }, bForm]);
    }
    expect(await victimState()).toBe(before);
  });

  it("no log line holds a personal number, phone number or token", () => {
    const secrets = [
      { test: holdsPersonalNumber },
      /\+46\d{6,}/,
      /attack-session-a/,
      new RegExp(b.id),
      new RegExp(a.id),
    ];
    const leaking = logLines.filter((line) => secrets.some((re) => re.test(line)));
    counts.leaks = leaking.length;
    expect(leaking).toEqual([]);
    // The suite did exercise the error paths (so "no leak" is not "no log").
    expect(counts.calls).toBeGreaterThan(1000);
    expect(nastyStrings.length).toBeGreaterThan(10);
  });
});
