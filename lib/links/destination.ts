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

/**
 * `guardian` (optional): the logged-in person behind the session, and whether they may act for a
 * given patient now (custody and the age rule, checked afresh). A guardian who opens the link of
 * a child's reminder is then sent on as that child (`actFor`), and one acting for a child who
 * opens their own link is sent on as themselves; anyone else still gets "someone else".
 */
export async function linkDestination(
  db: DbOrTx,
  token: string,
  viewerPatientId: string | null,
  now: Date,
  guardian?: { selfPatientId: string; mayActFor: (patientId: string) => Promise<boolean> },
): Promise<LinkDestination | { kind: "go"; path: string; actFor: string | null }> {
  const target = await resolveDeepLink(db, token, now);
  if (!target) return { kind: "unavailable" };
  if (!viewerPatientId) return { kind: "login" };
  const [owner] = await db
    .select({ patientId: appointments.patientId })
    .from(appointments)
    .where(eq(appointments.id, target.appointmentId))
    .limit(1);
  if (!owner) return { kind: "unavailable" };
  if (owner.patientId === viewerPatientId) return { kind: "go", path: deepLinkPath(target) };
  if (guardian && owner.patientId === guardian.selfPatientId)
    return { kind: "go", path: deepLinkPath(target), actFor: null };
  if (guardian && (await guardian.mayActFor(owner.patientId)))
    return { kind: "go", path: deepLinkPath(target), actFor: owner.patientId };
  return { kind: "someone_else" };
}
