// The header of Mina tider: who is logged in and whom a guardian may act for. It changes rarely
// (a name, a custody), yet every view asked Postgres for it twice; a short per-process memory
// keeps it for 30 s per person and choice. Only for showing: every act-for choice and every read
// is still checked against the database when it is made (lib/guardians/custody.ts).
//
// Plain arguments, no Next.js request APIs: the data route that uses it is served by our own
// server before Next.js (server/data-routes). The memory lives on globalThis, because that server
// and Next's bundle load this module separately, and a change of choice made through Next
// (app/api/acting-for) must be forgotten by both.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { patients } from "@/db/schema";
import type { WhoIsLoggedIn } from "@/lib/appointments/list-item";
import type { PatientSession } from "@/lib/auth/resolve-session";
import { childrenFor, type GuardianRuleOptions } from "./custody";

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
const shared = globalThis as unknown as { vardtidWhoMemory?: Map<string, { at: number; who: WhoIsLoggedIn }> };
const memory = (shared.vardtidWhoMemory ??= new Map());

export async function whoIsLoggedIn(
  db: DbOrTx,
  session: PatientSession,
  rule: GuardianRuleOptions,
  now = Date.now(),
): Promise<WhoIsLoggedIn> {
  const key = `${session.selfPatientId}|${session.patientId}|${session.notice ?? ""}`;
  const hit = memory.get(key);
  if (hit && now - hit.at < TTL_MS) return hit.who;
  const [self] = await db
    .select({ givenName: patients.givenName, surname: patients.surname })
    .from(patients)
    .where(eq(patients.id, session.selfPatientId))
    .limit(1);
  const children = self ? await childrenFor(db, session.selfPatientId, rule) : [];
  const who: WhoIsLoggedIn = {
    name: self ? `${self.givenName} ${self.surname}` : null,
    acting:
      self && (children.length > 0 || session.notice)
        ? {
            selfGivenName: self.givenName,
            children: children.map((c) => ({ patientId: c.patientId, givenName: c.givenName, age: c.age })),
            current: session.actingFor ? session.patientId : null,
            notice: session.notice,
          }
        : null,
  };
  // A notice (custody ended) is said once, as the header does: not kept.
  if (!session.notice) {
    if (memory.size >= MAX_ENTRIES) memory.delete(memory.keys().next().value!);
    memory.set(key, { at: now, who });
  }
  return who;
}

/** Forgets what was kept for a person (their act-for choice or account changed). */
export function forgetWhoIsLoggedIn(selfPatientId: string): void {
  for (const key of memory.keys()) if (key.startsWith(`${selfPatientId}|`)) memory.delete(key);
}
