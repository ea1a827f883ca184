import "server-only";
// The one way pages, actions and route handlers learn who is logged in. Every patient-facing read
// and write goes through requirePatient (the data-access layer calls it), never through proxy.ts.
import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { patients } from "@/db/schema";
import { env } from "@/lib/env";
import { sessionCookieName } from "./cookies";
import { sessionIdFromCookie } from "./session-cookie";
import { validateSession } from "./sessions";
import { safeReturnTo } from "./return-to";

export interface PatientSession {
  patientId: string;
  sessionId: string;
  sessionHash: string;
}

/** Per request (React cache): the validated session, or null. */
export const currentSession = cache(async (): Promise<PatientSession | null> => {
  const token = (await cookies()).get(sessionCookieName())?.value;
  if (!token) return null;
  const e = env();
  const sid = await sessionIdFromCookie(token, e.AUTH_SECRET);
  if (!sid) return null;
  const result = await validateSession(db(), sid, new Date(), {
    idleMinutes: e.SESSION_IDLE_MINUTES,
    absoluteHours: e.SESSION_ABSOLUTE_HOURS,
  });
  return result.ok ? { patientId: result.patientId, sessionId: sid, sessionHash: result.sessionHash } : null;
});

/**
 * For pages: the patient, or a redirect to login that comes back to `returnTo` afterwards. A
 * browser that still holds a session cookie had a session that ended (logged out elsewhere, idle,
 * ended from another device): the login page then says so instead of appearing out of nowhere.
 */
export async function requirePatient(returnTo: string): Promise<PatientSession> {
  const session = await currentSession();
  if (!session) {
    const hadSession = Boolean((await cookies()).get(sessionCookieName())?.value);
    redirect(`/login?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}${hadSession ? "&avslutad=1" : ""}`);
  }
  return session;
}

/** The logged-in patient's name, to show whose data this is; null without a session. */
export const currentPatientName = cache(async (): Promise<string | null> => {
  const session = await currentSession();
  if (!session) return null;
  const [row] = await db()
    .select({ givenName: patients.givenName, surname: patients.surname })
    .from(patients)
    .where(eq(patients.id, session.patientId))
    .limit(1);
  return row ? `${row.givenName} ${row.surname}` : null;
});
