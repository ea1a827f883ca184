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
import { resolvePatientSession, type PatientSession } from "./resolve-session";
import { safeReturnTo } from "./return-to";

export type { PatientSession } from "./resolve-session";
export { asSessionActor } from "./resolve-session";

/** Per request (React cache): the validated session, or null. */
export const currentSession = cache(async (): Promise<PatientSession | null> => {
  const token = (await cookies()).get(sessionCookieName())?.value;
  if (!token) return null;
  const e = env();
  const sid = await sessionIdFromCookie(token, e.AUTH_SECRET);
  if (!sid) return null;
  return resolvePatientSession(
    db(),
    sid,
    new Date(),
    { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    { keys: { encryptionKey: e.PII_ENCRYPTION_KEY, hmacKey: e.PII_HMAC_KEY }, maxAge: e.GUARDIAN_MAX_CHILD_AGE },
  );
});

/**
 * For pages: the patient, or a redirect to login that comes back to `returnTo` afterwards. A
 * browser that still holds a session cookie had a session that ended (logged out elsewhere, idle,
 * ended from another device): the login page then says so instead of appearing out of nowhere.
 */
export async function requirePatient(returnTo: string): Promise<PatientSession> {
  const session = await currentSession();
  if (!session) redirect(await loginPath(returnTo));
  return session;
}

/** The login page that comes back to `returnTo`, as requirePatient sends to (and loginRedirect). */
export async function loginPath(returnTo: string): Promise<string> {
  const ended = await hadSessionCookie();
  return `/login?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}${ended ? "&avslutad=1" : ""}`;
}

/** A request without a valid session that still carries a session cookie: its session ended. */
export async function hadSessionCookie(): Promise<boolean> {
  return Boolean((await cookies()).get(sessionCookieName())?.value);
}

/** The logged-in person's name (never the child's), to show who is logged in; null without a session. */
export const currentPatientName = cache(async (): Promise<string | null> => {
  const session = await currentSession();
  if (!session) return null;
  const [row] = await db()
    .select({ givenName: patients.givenName, surname: patients.surname })
    .from(patients)
    .where(eq(patients.id, session.selfPatientId))
    .limit(1);
  return row ? `${row.givenName} ${row.surname}` : null;
});
