import "server-only";
// Server actions are public POST endpoints. Every patient action is built with this helper, so
// input validation and the session check cannot be forgotten.
import type { z } from "zod";
import { asSessionActor, currentSession, type PatientSession } from "./current-patient";
import { requestMeta } from "./request-context";

export type ActionError = "unauthorized" | "invalid" | "unexpected";
export type ActionState<R> = { status: "idle" } | R | { status: "error"; error: ActionError };

export function patientAction<S extends z.ZodType, R extends { status: "ok" | "error" }>(
  schema: S,
  handler: (input: z.infer<S>, ctx: { session: PatientSession; ip: string; userAgent: string | null }) => Promise<R>,
) {
  return async (_prev: ActionState<R>, formData: FormData): Promise<ActionState<R>> => {
    const session = await currentSession();
    if (!session) return { status: "error", error: "unauthorized" };
    // A server action is a public endpoint: it may be called with any arguments, not only a form.
    if (!(formData instanceof FormData)) return { status: "error", error: "invalid" };
    const parsed = schema.safeParse(Object.fromEntries(formData));
    if (!parsed.success) return { status: "error", error: "invalid" };
    const meta = await requestMeta();
    try {
      return await asSessionActor(session, () =>
        handler(parsed.data, { session, ip: meta.ip, userAgent: meta.userAgent }),
      );
    } catch (error) {
      // Logged without input (which may hold patient data); the patient sees a calm message.
      console.error("patient action failed:", error instanceof Error ? error.name : "unknown");
      return { status: "error", error: "unexpected" };
    }
  };
}
