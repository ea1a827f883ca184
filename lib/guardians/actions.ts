"use server";
// "Act for": the guardian picks themselves or a child. Only an id the server finds among the
// children they may act for now is stored in the session; the browser's value is never trusted.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db";
import { recordAudit } from "@/lib/audit";
import { patientAction } from "@/lib/auth/patient-action";
import { setActingFor } from "@/lib/auth/sessions";
import { mayActFor } from "./custody";
import { guardianRule } from "./dal";

type ChooseResult = { status: "ok" } | { status: "error"; error: "not_allowed" };

const choose = patientAction(
  z.object({ who: z.union([z.literal("self"), z.uuid()]) }),
  async (input, { session, ip, userAgent }): Promise<ChooseResult> => {
    if (input.who === "self") {
      await setActingFor(db(), session.sessionHash, null);
      return { status: "ok" };
    }
    const child = await mayActFor(db(), session.selfPatientId, input.who, guardianRule());
    if (!child) return { status: "error", error: "not_allowed" };
    await db().transaction(async (tx) => {
      await setActingFor(tx, session.sessionHash, child.patientId);
      await recordAudit(tx, {
        actorType: "patient",
        actorId: session.selfPatientId,
        actorRole: "guardian",
        action: "guardian.act_for",
        resourceType: "patient",
        resourceId: child.patientId,
        patientId: child.patientId,
        ip,
        userAgent,
      });
    });
    return { status: "ok" };
  },
);

/** The header's form: a plain POST that works without JavaScript, then back to the visits. */
export async function chooseActingForAction(formData: FormData): Promise<void> {
  const state = await choose({ status: "idle" }, formData);
  if (state.status === "error" && state.error === "unauthorized") redirect("/login?returnTo=%2Fbesok");
  // The header (in the root layout) shows whom they act for: render every layout afresh.
  revalidatePath("/", "layout");
  redirect(state.status === "ok" ? "/besok" : "/besok?vald=nej");
}
