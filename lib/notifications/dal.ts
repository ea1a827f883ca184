import "server-only";
// The data-access layer for the settings pages: the logged-in patient, request metadata for the
// audit trail, and the PII keys from the environment. Pages and actions go through here.
import { db } from "@/db";
import { requirePatient } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { env } from "@/lib/env";
import { getNotificationSettings, listMyMessages, listPlannedReminders, type Ctx } from "./preferences";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

export function piiKeys() {
  const e = env();
  return piiKeysFromEnv(e);
}

export function contextFor(patientId: string, meta: { ip: string; userAgent: string | null }): Ctx {
  return { db: db(), keys: piiKeys(), patientId, now: new Date(), audit: { ip: meta.ip, userAgent: meta.userAgent } };
}

async function pageContext(returnTo: string): Promise<Ctx> {
  const session = await requirePatient(returnTo);
  return contextFor(session.patientId, await requestMeta());
}

export async function mySettings() {
  const ctx = await pageContext("/installningar");
  const [settings, planned] = await Promise.all([getNotificationSettings(ctx), listPlannedReminders(ctx)]);
  return { ...settings, planned };
}

export async function myMessages() {
  return listMyMessages(await pageContext("/installningar/meddelanden"));
}
