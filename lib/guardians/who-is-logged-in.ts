import "server-only";
// The header of Mina tider: who is logged in and whom a guardian may act for. It changes rarely
// (a name, a custody), yet every view asked Postgres for it twice; a short per-process memory
// keeps it for 30 s per person and choice. Only for showing: every act-for choice and every read
// is still checked against the database when it is made (lib/guardians/custody.ts).
import { currentPatientName, type PatientSession } from "@/lib/auth/current-patient";
import type { WhoIsLoggedIn } from "@/lib/appointments/list-item";
import { myActingChoice } from "./dal";

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
const memory = new Map<string, { at: number; who: WhoIsLoggedIn }>();

export async function whoIsLoggedIn(session: PatientSession, now = Date.now()): Promise<WhoIsLoggedIn> {
  const key = `${session.selfPatientId}|${session.patientId}|${session.notice ?? ""}`;
  const hit = memory.get(key);
  if (hit && now - hit.at < TTL_MS) return hit.who;
  const name = await currentPatientName();
  const acting = name ? await myActingChoice(name.split(" ")[0]!) : null;
  const who: WhoIsLoggedIn = {
    name,
    acting: acting && {
      selfGivenName: acting.selfGivenName,
      children: acting.children.map((c) => ({ patientId: c.patientId, givenName: c.givenName, age: c.age })),
      current: acting.current,
      notice: acting.notice,
    },
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
