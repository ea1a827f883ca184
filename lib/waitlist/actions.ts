"use server";
// Earlier-time actions: plain form posts (they work without JavaScript) that redirect to the page
// showing the outcome.
import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db";
import { asFormData } from "@/lib/auth/form-data";
import { patientAction } from "@/lib/auth/patient-action";
import { acceptOffer, declineOffer } from "@/lib/waitlist/offers";
import { saveWaitlistWishes, stopWaitlist, TIMES_OF_DAY } from "@/lib/waitlist/wishes";

function errorOf(state: { status: string; error?: string }): string {
  return state.status === "error" && state.error ? state.error : "unexpected";
}

const wishInput = z.object({
  appointmentId: z.uuid(),
  fromDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  minNoticeMinutes: z.coerce.number().int().min(0).max(20_160),
});

export async function saveWaitlistAction(input: FormData): Promise<void> {
  const formData = asFormData(input);
  // Checkbox groups repeat their name, which the schema's single-value parse cannot see.
  const weekdays = formData
    .getAll("weekdays")
    .map(Number)
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= 7);
  const timesOfDay = formData
    .getAll("timesOfDay")
    .filter((t): t is (typeof TIMES_OF_DAY)[number] => (TIMES_OF_DAY as readonly unknown[]).includes(t));
  const save = patientAction(wishInput, async (input, { session, ip, userAgent }) => {
    const result = await saveWaitlistWishes(db(), session.patientId, {
      ...input,
      weekdays,
      timesOfDay,
      now: new Date(),
      audit: { ip, userAgent },
    });
    return result.ok ? { status: "ok" as const } : { status: "error" as const, error: result.error };
  });
  const state = await save({ status: "idle" }, formData);
  const id = encodeURIComponent(String(formData.get("appointmentId") ?? ""));
  if (state.status !== "ok") redirect(`/besok/${id}/tidigare?fel=${errorOf(state)}`);
  revalidatePath(`/besok/${id}`);
  redirect(`/besok/${id}?tidigare=1`);
}

const appointmentInput = z.object({ appointmentId: z.uuid() });

const stop = patientAction(appointmentInput, async (input, { session, ip, userAgent }) => {
  const result = await stopWaitlist(db(), session.patientId, {
    appointmentId: input.appointmentId,
    now: new Date(),
    audit: { ip, userAgent },
  });
  return result.ok ? { status: "ok" as const } : { status: "error" as const, error: result.error };
});

export async function stopWaitlistAction(input: FormData): Promise<void> {
  const formData = asFormData(input);
  const state = await stop({ status: "idle" }, formData);
  const id = encodeURIComponent(String(formData.get("appointmentId") ?? ""));
  if (state.status !== "ok") redirect(`/besok/${id}/tidigare?fel=${errorOf(state)}`);
  revalidatePath(`/besok/${id}`);
  redirect(`/besok/${id}?slutat=1`);
}

const offerInput = z.object({ appointmentId: z.uuid(), offerId: z.uuid(), answer: z.enum(["accept", "decline"]) });

const answer = patientAction(offerInput, async (input, { session, ip, userAgent }) => {
  const args = { offerId: input.offerId, now: new Date(), audit: { ip, userAgent } };
  const result =
    input.answer === "accept"
      ? await acceptOffer(db(), session.patientId, args)
      : await declineOffer(db(), session.patientId, args);
  return result.ok ? { status: "ok" as const } : { status: "error" as const, error: result.error };
});

export async function answerOfferAction(input: FormData): Promise<void> {
  const formData = asFormData(input);
  const state = await answer({ status: "idle" }, formData);
  const id = encodeURIComponent(String(formData.get("appointmentId") ?? ""));
  const offerId = encodeURIComponent(String(formData.get("offerId") ?? ""));
  revalidatePath("/besok");
  if (state.status === "ok" && formData.get("answer") === "accept") redirect(`/besok/${id}?flyttad=1`);
  if (state.status === "ok") redirect(`/besok/${id}/erbjudande/${offerId}`);
  redirect(`/besok/${id}/erbjudande/${offerId}?fel=${errorOf(state)}`);
}
