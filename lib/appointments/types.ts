// The appointment types and small helpers shared by the per-verb files in this folder.
import type { Locale } from "@/i18n/locales";
import type { PatientChangeDecision } from "./cancellation-policy";
import type { ClinicText, ClinicTextKey } from "./clinic-texts";

export type { Locale };

export const CANCEL_REASONS = [
  "feeling_better",
  "cannot_make_it",
  "no_transport",
  "need_interpreter",
  "prefer_video",
  "other",
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export interface AuditMeta {
  ip?: string | null;
  userAgent?: string | null;
}

export interface AppointmentView {
  id: string;
  status: "booked" | "cancelled" | "completed" | "no_show";
  startsAt: Date;
  endsAt: Date;
  version: number;
  clinic: {
    id: string;
    name: string;
    smsName: string;
    address: string;
    phone: string;
    timeZone: string;
    /** Directions, transport help, check-in, ID, late arrival, missed-visit fee: shown where set. */
    texts: Record<ClinicTextKey, ClinicText | null>;
  };
  type: { id: string; code: string; name: string; preparation: string; isVideo: boolean; durationMinutes: number };
  practitionerRole: string | null;
  /**
   * The language of the clinic's own texts above (type name, preparations, role). Clinics write
   * them in Swedish and English only, so a patient reading Arabic, Persian, Somali or Finnish gets
   * the Swedish text, marked with this language so a screen reader pronounces it right.
   */
  textLang: "sv" | "en";
  cancelledAt: Date | null;
  cancelReason: string | null;
  rebookedAt: Date | null;
  previousStartsAt: Date | null;
  /** The effective cutoff (type's, else clinic's), so views never work it back from a deadline. */
  cutoffHours: number;
  cancel: PatientChangeDecision;
  rebook: PatientChangeDecision;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

export type ChangeResult =
  | {
      ok: true;
      appointment: { id: string; status: string; startsAt: Date; cancelledAt: Date | null; rebookedAt: Date | null };
    }
  | {
      ok: false;
      error:
        "not_found" | "not_allowed" | "past_cutoff" | "not_booked" | "past" | "slot_unavailable" | "taken" | "stale";
    };

export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === "23505") return true;
  }
  return false;
}
