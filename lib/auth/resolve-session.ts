// The one place a request's patient is decided: the session, and for a guardian who chose a
// child, a fresh check of custody and the age rule on every request. `currentSession` (pages,
// patientAction, patientRoute) goes through here, so no entry point can skip the check.
import type { DbOrTx } from "@/db/client";
import { runActingAs } from "@/lib/audit";
import { mayActFor, type GuardianRuleOptions } from "@/lib/guardians/custody";
import { endActingFor, validateSession } from "./sessions";
import type { SessionLimits } from "./session-policy";

export interface PatientSession {
  /** Whose data this request reads and changes: the chosen child, or the logged-in person. */
  patientId: string;
  /** The logged-in person (for logins, logout, the actor in the audit trail). */
  selfPatientId: string;
  /** Acting for a child: their first name and age (for the header). */
  actingFor: { givenName: string; age: number } | null;
  /** The choice ended at this or an earlier request (custody ended or the child aged out). */
  notice: "custody_ended" | null;
  sessionId: string;
  sessionHash: string;
}

export async function resolvePatientSession(
  db: DbOrTx,
  sessionId: string,
  now: Date,
  limits: SessionLimits,
  guardianRule: Omit<GuardianRuleOptions, "now">,
): Promise<PatientSession | null> {
  const result = await validateSession(db, sessionId, now, limits);
  if (!result.ok) return null;
  const self = {
    patientId: result.patientId,
    selfPatientId: result.patientId,
    actingFor: null,
    notice: result.actingNotice,
    sessionId,
    sessionHash: result.sessionHash,
  };
  if (!result.actingForPatientId) return self;
  const child = await mayActFor(db, result.patientId, result.actingForPatientId, { ...guardianRule, now });
  if (!child) {
    await endActingFor(db, result.sessionHash);
    return { ...self, notice: "custody_ended" };
  }
  return { ...self, patientId: child.patientId, actingFor: { givenName: child.givenName, age: child.age } };
}

/**
 * Runs `fn` so that every audit event it writes about the chosen child names the logged-in
 * guardian as actor (lib/audit/acting-actor.ts). patientAction, patientRoute and the data routes
 * do this for every handler; the data-access layers do it for page reads.
 */
export function asSessionActor<T>(session: PatientSession, fn: () => T): T {
  return runActingAs({ actorPatientId: session.selfPatientId, subjectPatientId: session.patientId }, fn);
}
