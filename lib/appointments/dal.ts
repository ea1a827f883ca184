import "server-only";
// The data-access layer for patient pages: every read is scoped to the logged-in patient and
// audited (service.ts). Pages call these; nothing else in app/ touches the database.
import { and, eq } from "drizzle-orm";
import { notFound } from "next/navigation";
import { getLocale } from "next-intl/server";
import { db } from "@/db";
import { appointmentTypes } from "@/db/schema";
import { asSessionActor, requirePatient } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { getAppointment, type Locale } from "./service";

async function context(returnTo: string) {
  const session = await requirePatient(returnTo);
  const meta = await requestMeta();
  const locale = (await getLocale()) as Locale;
  return { session, locale, now: new Date(), audit: { ip: meta.ip, userAgent: meta.userAgent } };
}

/** The appointment, or the not-found page: for a foreign id exactly as for a made-up one. */
export async function myAppointment(id: string, returnTo: string) {
  const ctx = await context(returnTo);
  const appointment = await asSessionActor(ctx.session, () => getAppointment(db(), ctx.session.patientId, id, ctx));
  if (!appointment) notFound();
  return { appointment, locale: ctx.locale, now: ctx.now };
}

/** Whether a clinic has video appointments (for "I'd prefer a video visit" on the cancel page). */
export async function clinicOffersVideo(clinicId: string): Promise<boolean> {
  const [row] = await db()
    .select({ id: appointmentTypes.id })
    .from(appointmentTypes)
    .where(and(eq(appointmentTypes.clinicId, clinicId), eq(appointmentTypes.isVideo, true)))
    .limit(1);
  return Boolean(row);
}
