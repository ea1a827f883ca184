import "server-only";
// The one way pages, actions and route handlers learn who is logged in. Every patient-facing read
// and write goes through requirePatient (the data-access layer calls it), never through proxy.ts.
import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { db } from "@/db";
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

/** For pages: the patient, or a redirect to login that comes back to `returnTo` afterwards. */
export async function requirePatient(returnTo: string): Promise<PatientSession> {
  const session = await currentSession();
  if (!session) redirect(`/login?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`);
  return session;
}
