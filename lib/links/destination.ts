// Where /l/<token> sends whoever opened it. The link names an appointment; only its own patient is
// sent on to it. Anyone else's session (a forwarded SMS, a shared phone) is told only that the link
// is for someone else and how to log in as them: nothing of the other patient, no ids, no redirect
// (finding 6; the wording is the patient-experience issue's).
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { appointments } from "@/db/schema";
import { deepLinkPath, resolveDeepLink } from "./deep-links";

export type LinkDestination =
  | { kind: "login" } // a valid link, nobody logged in: log in, then come back here
  | { kind: "go"; path: string } // the viewer's own appointment or offer
  | { kind: "someone_else" } // a valid link of another patient: carries nothing about them
  | { kind: "unavailable" }; // unknown or expired

export async function linkDestination(
  db: DbOrTx,
  token: string,
  viewerPatientId: string | null,
  now: Date,
): Promise<LinkDestination> {
  const target = await resolveDeepLink(db, token, now);
  if (!target) return { kind: "unavailable" };
  if (!viewerPatientId) return { kind: "login" };
  const [owner] = await db
    .select({ patientId: appointments.patientId })
    .from(appointments)
    .where(eq(appointments.id, target.appointmentId))
    .limit(1);
  if (!owner) return { kind: "unavailable" };
  if (owner.patientId !== viewerPatientId) return { kind: "someone_else" };
  return { kind: "go", path: deepLinkPath(target) };
}
