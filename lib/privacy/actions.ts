"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db";
import { sessionCookieName } from "@/lib/auth/cookies";
import { patientAction, type ActionState } from "@/lib/auth/patient-action";
import { deleteAccount } from "./delete-account";

type DeleteResult = { status: "ok" } | { status: "error"; error: "step_up_required" | "guardian_not_allowed" };

// The confirm step is a checkbox the patient ticks ("I understand …"): without it, nothing happens.
const remove = patientAction(z.object({ understand: z.literal("on") }), async (_input, { session, ip, userAgent }) => {
  // A guardian acting for a child never deletes the child's account (README, "Guardians").
  if (session.actingFor) return { status: "error" as const, error: "guardian_not_allowed" as const };
  const result = await deleteAccount(db(), {
    patientId: session.patientId,
    sessionHash: session.sessionHash,
    now: new Date(),
    ip,
    userAgent,
  });
  return result.ok ? { status: "ok" as const } : { status: "error" as const, error: result.error };
});

export async function deleteAccountAction(
  prev: ActionState<DeleteResult>,
  formData: FormData,
): Promise<ActionState<DeleteResult>> {
  const state = await remove(prev, formData);
  if (state.status === "ok") {
    // Every session is gone in the database; this browser's cookie goes too.
    const jar = await cookies();
    jar.delete(sessionCookieName());
    jar.delete("next-auth.csrf-token");
    jar.delete("next-auth.callback-url");
    redirect("/login?raderat=1");
  }
  if (state.status === "error" && state.error === "unauthorized")
    redirect("/login?returnTo=%2Finstallningar%2Fradera-konto");
  if (state.status === "error" && state.error === "guardian_not_allowed") redirect("/installningar/radera-konto");
  // Too long since the login: back to the page, which offers the BankID step-up again.
  if (state.status === "error" && state.error === "step_up_required") redirect("/installningar/radera-konto?igen=1");
  return state;
}
