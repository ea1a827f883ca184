import type { Db } from "@/db/client";
import { recordAudit } from "@/lib/audit";
import type { PatientSession } from "./current-patient";
import { revokeSession } from "./sessions";

/** Logout: the session is revoked and the logout audited in one transaction. */
export async function endSession(
  db: Db,
  session: PatientSession,
  meta: { ip: string; userAgent: string | null },
  now: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    await revokeSession(tx, session.sessionId, now);
    await recordAudit(tx, {
      actorType: "patient",
      actorId: session.selfPatientId,
      action: "auth.logout",
      resourceType: "session",
      patientId: session.selfPatientId,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  });
}
