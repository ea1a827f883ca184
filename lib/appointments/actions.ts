"use server";

import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db";
import { patientAction } from "@/lib/auth/patient-action";
import { CANCEL_REASONS, cancelAppointment, rebookAppointment } from "@/lib/appointments/service";

const cancelInput = z.object({
  appointmentId: z.uuid(),
  reason: z
    .enum(CANCEL_REASONS)
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

const cancel = patientAction(cancelInput, async (input, { session, ip, userAgent }) => {
  const result = await cancelAppointment(db(), session.patientId, {
    appointmentId: input.appointmentId,
    reason: input.reason ?? null,
    now: new Date(),
    audit: { ip, userAgent },
  });
  if (!result.ok) return { status: "error" as const, error: result.error };
  return { status: "ok" as const, appointmentId: input.appointmentId };
});

export async function cancelAction(prev: Parameters<typeof cancel>[0], formData: FormData) {
  const state = await cancel(prev, formData);
  if (state.status === "ok") {
    revalidatePath("/besok");
    redirect(`/besok/${state.appointmentId}?avbokad=1`);
  }
  return state;
}

const rebookInput = z.object({ appointmentId: z.uuid(), slotId: z.uuid() });

const rebook = patientAction(rebookInput, async (input, { session, ip, userAgent }) => {
  const result = await rebookAppointment(db(), session.patientId, {
    ...input,
    now: new Date(),
    audit: { ip, userAgent },
  });
  if (!result.ok) return { status: "error" as const, error: result.error };
  return { status: "ok" as const, appointmentId: input.appointmentId };
});

export async function rebookAction(prev: Parameters<typeof rebook>[0], formData: FormData) {
  const state = await rebook(prev, formData);
  if (state.status === "ok") {
    revalidatePath("/besok");
    redirect(`/besok/${state.appointmentId}?ombokad=1`);
  }
  return state;
}
