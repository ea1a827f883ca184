import "server-only";
// The data-access layer for the settings pages: the logged-in patient, request metadata for the
// audit trail, and the PII keys from the environment. Pages and actions go through here.
import { db } from "@/db";
import { asSessionActor, requirePatient, type PatientSession } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { env } from "@/lib/env";
import { getNotificationSettings, listMyMessages, listPlannedReminders, type Ctx } from "./preferences";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

export function piiKeys() {
  const e = env();
  return piiKeysFromEnv(e);
}

export function contextFor(
  patientId: string,
  meta: { ip: string; userAgent: string | null },
  session?: PatientSession,
): Ctx {
  return {
    db: db(),
    keys: piiKeys(),
    patientId,
    now: new Date(),
    audit: { ip: meta.ip, userAgent: meta.userAgent },
    guardianPatientId: session?.actingFor ? session.selfPatientId : null,
  };
}

async function pageContext(returnTo: string): Promise<{ ctx: Ctx; session: PatientSession }> {
  const session = await requirePatient(returnTo);
  return { ctx: contextFor(session.patientId, await requestMeta(), session), session };
}

export async function mySettings() {
  const { ctx, session } = await pageContext("/installningar");
  const [settings, planned] = await asSessionActor(session, () =>
    Promise.all([getNotificationSettings(ctx), listPlannedReminders(ctx)]),
  );
  return { ...settings, planned };
}

export async function myMessages() {
  const { ctx, session } = await pageContext("/installningar/meddelanden");
  return asSessionActor(session, () => listMyMessages(ctx));
}
