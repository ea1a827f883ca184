// Where /l/<token> sends whoever opened it. The link names an appointment; only its own patient is
// sent on to it. Anyone else's session (a forwarded SMS, a shared phone) gets the same neutral
// answer as an unknown token, so the page reveals nothing of the other patient, not even ids in a
// redirect (finding 6).
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { appointments } from "@/db/schema";
import { deepLinkPath, resolveDeepLink } from "./deep-links";

export type LinkDestination =
  | { kind: "login" } // a valid link, nobody logged in: log in, then come back here
  | { kind: "go"; path: string } // the viewer's own appointment or offer
  | { kind: "unavailable" }; // unknown, expired, or someone else's: one answer for all

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
  if (owner?.patientId !== viewerPatientId) return { kind: "unavailable" };
  return { kind: "go", path: deepLinkPath(target) };
}
