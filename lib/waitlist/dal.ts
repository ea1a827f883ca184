import "server-only";
// The data-access layer for the waitlist pages: the logged-in patient's own wish and offers.
import { notFound } from "next/navigation";
import { db } from "@/db";
import { requirePatient } from "@/lib/auth/current-patient";
import { getOwnOffer, getWaitlistState } from "./wishes";

export async function myWaitlist(appointmentId: string, returnTo: string) {
  const session = await requirePatient(returnTo);
  return getWaitlistState(db(), session.patientId, appointmentId, new Date());
}

/** The offer, or the not-found page: for a foreign id exactly as for a made-up one. */
export async function myOffer(appointmentId: string, offerId: string) {
  const session = await requirePatient(`/besok/${appointmentId}/erbjudande/${offerId}`);
  const offer = await getOwnOffer(db(), session.patientId, offerId, new Date());
  if (!offer || offer.appointmentId !== appointmentId) notFound();
  return offer;
}
