import "server-only";
// The data-access layer for the waitlist pages: the logged-in patient's own wish and offers.
import { notFound } from "next/navigation";
import { db } from "@/db";
import { asSessionActor, requirePatient } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { getOwnOffer, getWaitlistState } from "./wishes";

export async function myWaitlist(appointmentId: string, returnTo: string) {
  const session = await requirePatient(returnTo);
  const { ip, userAgent } = await requestMeta();
  return asSessionActor(session, () =>
    getWaitlistState(db(), session.patientId, appointmentId, new Date(), { ip, userAgent }),
  );
}

/** The offer, or the not-found page: for a foreign id exactly as for a made-up one. */
export async function myOffer(appointmentId: string, offerId: string) {
  const session = await requirePatient(`/besok/${appointmentId}/erbjudande/${offerId}`);
  const { ip, userAgent } = await requestMeta();
  const offer = await asSessionActor(session, () =>
    getOwnOffer(db(), session.patientId, offerId, new Date(), { ip, userAgent }),
  );
  if (!offer || offer.appointmentId !== appointmentId) notFound();
  return offer;
}
