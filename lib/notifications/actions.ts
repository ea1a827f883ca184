"use server";

import { locales } from "@/i18n/locales";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { patientAction } from "@/lib/auth/patient-action";
import { contextFor } from "@/lib/notifications/dal";
import {
  confirmPhone,
  removePhone,
  requestPhoneVerification,
  setReminderOffsets,
  setSmsConsent,
  setTextLanguage,
  OFFSET_CHOICES,
  type OffsetChoice,
} from "@/lib/notifications/preferences";

export type SettingsResult =
  { status: "ok"; step?: "code_sent" | "verified" | "removed"; phone?: string } | { status: "error"; error: string };

function done(
  result: { ok: true; phone?: string } | { ok: false; error: string },
  step?: "code_sent" | "verified" | "removed",
): SettingsResult {
  if (!result.ok) return { status: "error", error: result.error };
  revalidatePath("/installningar");
  return { status: "ok", ...(step ? { step } : {}), ...(result.phone ? { phone: result.phone } : {}) };
}

const smsConsent = patientAction(z.object({ sms: z.enum(["on", "off"]) }), async (input, { session, ip, userAgent }) =>
  done(await setSmsConsent(contextFor(session.patientId, { ip, userAgent }, session), input.sms === "on")),
);

// A guardian acting for a child may not change the child's phone number (README, "Guardians").
const GUARDIAN_NOT_ALLOWED: SettingsResult = { status: "error", error: "guardian_not_allowed" };

const requestCode = patientAction(
  z.object({ phone: z.string().min(6).max(30) }),
  async (input, { session, ip, userAgent }) =>
    session.actingFor
      ? GUARDIAN_NOT_ALLOWED
      : done(
          await requestPhoneVerification(contextFor(session.patientId, { ip, userAgent }), input.phone),
          "code_sent",
        ),
);

const confirmCode = patientAction(
  z.object({
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/),
  }),
  async (input, { session, ip, userAgent }) =>
    session.actingFor
      ? GUARDIAN_NOT_ALLOWED
      : done(await confirmPhone(contextFor(session.patientId, { ip, userAgent }), input.code), "verified"),
);

const removePhone_ = patientAction(z.object({}), async (_input, { session, ip, userAgent }) =>
  session.actingFor
    ? GUARDIAN_NOT_ALLOWED
    : done(await removePhone(contextFor(session.patientId, { ip, userAgent })), "removed"),
);

const offsetFields = z.object(
  Object.fromEntries(Object.keys(OFFSET_CHOICES).map((k) => [k, z.literal("on").optional()])) as Record<
    OffsetChoice,
    z.ZodOptional<z.ZodLiteral<"on">>
  >,
);

const offsets = patientAction(offsetFields, async (input, { session, ip, userAgent }) => {
  const chosen = (Object.keys(OFFSET_CHOICES) as OffsetChoice[]).filter((k) => input[k] === "on");
  return done(await setReminderOffsets(contextFor(session.patientId, { ip, userAgent }), chosen));
});

const language = patientAction(z.object({ language: z.enum(locales) }), async (input, { session, ip, userAgent }) =>
  done(await setTextLanguage(contextFor(session.patientId, { ip, userAgent }), input.language)),
);

type State = Parameters<typeof smsConsent>[0];

// Server actions must be exported as async functions.
export async function smsConsentAction(prev: State, formData: FormData) {
  return smsConsent(prev, formData);
}
export async function requestCodeAction(prev: State, formData: FormData) {
  return requestCode(prev, formData);
}
export async function confirmCodeAction(prev: State, formData: FormData) {
  return confirmCode(prev, formData);
}
export async function removePhoneAction(prev: State, formData: FormData) {
  return removePhone_(prev, formData);
}
export async function offsetsAction(prev: State, formData: FormData) {
  return offsets(prev, formData);
}
export async function languageAction(prev: State, formData: FormData) {
  return language(prev, formData);
}
