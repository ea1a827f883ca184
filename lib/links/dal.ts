import "server-only";
// The SMS link page's data: where a token leads the patient now viewing it. A guardian who opens
// the link of their child's reminder is switched to acting for that child, only while custody and
// the age rule hold (checked here, and again by every following request).
import { db } from "@/db";
import { currentSession } from "@/lib/auth/current-patient";
import { setActingFor } from "@/lib/auth/sessions";
import { env } from "@/lib/env";
import { mayActFor } from "@/lib/guardians/custody";
import { linkDestination } from "./destination";

export async function resolveLink(token: string) {
  const session = await currentSession();
  const e = env();
  const now = new Date();
  const destination = await linkDestination(
    db(),
    token,
    session?.patientId ?? null,
    now,
    session
      ? {
          selfPatientId: session.selfPatientId,
          mayActFor: async (patientId) =>
            (await mayActFor(db(), session.selfPatientId, patientId, {
              now,
              keys: { encryptionKey: e.PII_ENCRYPTION_KEY, hmacKey: e.PII_HMAC_KEY },
              maxAge: e.GUARDIAN_MAX_CHILD_AGE,
            })) !== null,
        }
      : undefined,
  );
  if (session && destination.kind === "go" && "actFor" in destination)
    await setActingFor(db(), session.sessionHash, destination.actFor);
  return destination;
}
