import "server-only";
// The header's data: whom the logged-in person may act for now, and whom they act for.
import { cache } from "react";
import { db } from "@/db";
import { currentSession } from "@/lib/auth/current-patient";
import { childrenFor, guardianRule, type ChildChoice } from "./custody";

export { guardianRule };

export interface ActingChoice {
  /** The logged-in person's first name ("Du: Tolvan"). */
  selfGivenName: string;
  children: ChildChoice[];
  /** The chosen child's id, or null for themselves. */
  current: string | null;
  notice: "custody_ended" | null;
}

/** Null without a session, or for someone with no child they may act for and no notice to show. */
export const myActingChoice = cache(async (selfGivenName: string): Promise<ActingChoice | null> => {
  const session = await currentSession();
  if (!session) return null;
  const children = await childrenFor(db(), session.selfPatientId, guardianRule());
  if (children.length === 0 && !session.notice) return null;
  return {
    selfGivenName,
    children,
    current: session.actingFor ? session.patientId : null,
    notice: session.notice,
  };
});

/** Whether the logged-in person is acting for a child on this request. */
export async function actingForChild(): Promise<boolean> {
  return (await currentSession())?.actingFor != null;
}
