"use server";

import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db";
import { patientAction } from "@/lib/auth/patient-action";
import { CANCEL_REASONS, cancelAppointment } from "@/lib/appointments/service";

// The visit's version as the patient's page showed it: a change made meanwhile (another tab, the
// back button) is never overwritten; the patient is shown what happened instead.
const version = z.coerce.number().int().min(0).max(1_000_000).optional();

/**
 * A change refused because the visit changed after the page was shown (or was already cancelled):
 * the visit's own page shows its current state and what happened, never "call the clinic".
 */
function showWhatHappened(state: { status: string; error?: string; appointmentId?: string }) {
  if (state.status !== "error" || (state.error !== "stale" && state.error !== "not_booked")) return;
  // Only an id the guard parsed (the action's own input), never the raw form: anything the guard
  // refused has no appointmentId here.
  if (!state.appointmentId) return;
  revalidatePath("/besok");
  redirect(`/besok/${state.appointmentId}?redan=1`);
}

const cancelInput = z.object({
  appointmentId: z.uuid(),
  version,
  reason: z
    .enum(CANCEL_REASONS)
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

const cancel = patientAction(cancelInput, async (input, { session, ip, userAgent }) => {
  const result = await cancelAppointment(db(), session.patientId, {
    appointmentId: input.appointmentId,
    reason: input.reason ?? null,
    expectedVersion: input.version,
    now: new Date(),
    audit: { ip, userAgent },
  });
  if (!result.ok) return { status: "error" as const, error: result.error, appointmentId: input.appointmentId };
  return { status: "ok" as const, appointmentId: input.appointmentId };
});

export async function cancelAction(prev: Parameters<typeof cancel>[0], formData: FormData) {
  const state = await cancel(prev, formData);
  showWhatHappened(state);
  if (state.status === "ok") {
    revalidatePath("/besok");
    redirect(`/besok/${state.appointmentId}?avbokad=1`);
  }
  return state;
}

// The rebook picker's confirm is POST /api/rebook (server/data-routes/rebook.ts): answered by our own
// server as JSON, without a server action's page render.
