import "server-only";
// The logins page's data: the patient's active sessions, the current one marked.
import { db } from "@/db";
import { env } from "@/lib/env";
import { requirePatient } from "./current-patient";
import { requestMeta } from "./request-context";
import { listActiveSessions } from "./sessions";

export async function mySessions() {
  const session = await requirePatient("/installningar/inloggningar");
  const e = env();
  const meta = await requestMeta();
  return listActiveSessions(
    db(),
    session.selfPatientId,
    session.sessionHash,
    new Date(),
    { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    { ip: meta.ip, userAgent: meta.userAgent },
  );
}
