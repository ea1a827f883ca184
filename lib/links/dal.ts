import "server-only";
// The SMS link page's data: where a token leads the patient now viewing it.
import { db } from "@/db";
import { currentSession } from "@/lib/auth/current-patient";
import { linkDestination } from "./destination";

export async function resolveLink(token: string) {
  const session = await currentSession();
  return linkDestination(db(), token, session?.patientId ?? null, new Date());
}
