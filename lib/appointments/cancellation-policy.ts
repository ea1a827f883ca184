// May a patient cancel or rebook an appointment by themselves right now?
// Pure functions of the appointment, the clinic's policy and an injected clock.
//
// How the cutoff is measured: clinics state it as "N hours before", and patients read
// "24 hours" as "the same time the day before". So when N is a whole number of days
// (a multiple of 24) the deadline is the same wall-clock time N/24 calendar days earlier in
// the clinic's time zone: 24 h before a 10:00 visit is 10:00 the day before, even across a
// summer-time switch (where that is really 23 or 25 hours). Any other N is absolute hours.
// If the wall-clock time does not exist on the target day (02:30 on the spring-forward
// Sunday), @date-fns/tz moves it forward to 03:30; an ambiguous one (02:30 on the
// autumn Sunday) resolves to the second occurrence (+01:00). Clinics do not see patients
// at those hours, but the result is still defined.
//
// The deadline itself is inclusive: at exactly the deadline the patient may still act,
// one millisecond later they may not.
import { subDays } from "date-fns";
import { TZDate } from "@date-fns/tz";

export const DEFAULT_CLINIC_TIME_ZONE = "Europe/Stockholm";

const HOUR_MS = 3_600_000;

export type PatientChangeRefusal =
  /** The clinic or appointment type does not allow self-service; the patient must call. */
  | "not_allowed"
  /** Too close to the visit; `deadline` says when the window closed. */
  | "past_cutoff"
  /** Already cancelled, completed or a no-show. */
  | "not_booked"
  /** The visit has started or is over. */
  | "past";

export type PatientChangeDecision =
  { allowed: true; deadline: Date } | { allowed: false; reason: PatientChangeRefusal; deadline?: Date };

export interface CutoffInput {
  startsAt: Date;
  cutoffHours: number;
  /** IANA zone of the clinic. */
  timeZone?: string;
}

interface PatientChangeBase extends CutoffInput {
  now: Date;
  /**
   * The appointment's status; only "booked" can be changed. Typed as string because it
   * comes straight from a text column ('booked' | 'cancelled' | 'completed' | 'no_show').
   */
  status: string;
}

export interface CancelCheckInput extends PatientChangeBase {
  /** Clinic policy combined with the appointment type's "cancellable" flag by the caller. */
  selfServiceCancel: boolean;
}

export interface RebookCheckInput extends PatientChangeBase {
  /** Clinic policy combined with the appointment type's "rebookable" flag by the caller. */
  selfServiceRebook: boolean;
}

const DAY_CUTOFF_CACHE_MAX = 8_192;
const dayCutoffCache = new Map<string, number>();

/** The last instant at which a patient may still cancel or rebook by themselves. */
export function changeDeadline({ startsAt, cutoffHours, timeZone = DEFAULT_CLINIC_TIME_ZONE }: CutoffInput): Date {
  if (!Number.isFinite(cutoffHours) || cutoffHours < 0) {
    // A misconfigured clinic must fail loudly rather than silently allow or refuse everything.
    throw new RangeError(`cutoffHours must be a non-negative number, got ${cutoffHours}`);
  }
  if (cutoffHours > 0 && cutoffHours % 24 === 0) {
    // The same local time whole days earlier needs the zone's rules (TZDate, ~30 µs); the SMS
    // worker asks it for every reminder, mostly for the few start times of a clinic's grid.
    const key = `${startsAt.getTime()}|${cutoffHours}|${timeZone}`;
    let ms = dayCutoffCache.get(key);
    if (ms === undefined) {
      if (dayCutoffCache.size >= DAY_CUTOFF_CACHE_MAX) dayCutoffCache.clear();
      ms = subDays(new TZDate(startsAt.getTime(), timeZone), cutoffHours / 24).getTime();
      dayCutoffCache.set(key, ms);
    }
    return new Date(ms);
  }
  return new Date(startsAt.getTime() - cutoffHours * HOUR_MS);
}

function decide(input: PatientChangeBase, selfService: boolean): PatientChangeDecision {
  // Order matters: a patient looking at a cancelled or past visit should be told that,
  // not that the clinic does not allow self-service.
  if (input.status !== "booked") return { allowed: false, reason: "not_booked" };
  if (input.startsAt.getTime() <= input.now.getTime()) return { allowed: false, reason: "past" };
  if (!selfService) return { allowed: false, reason: "not_allowed" };

  const deadline = changeDeadline(input);
  if (input.now.getTime() > deadline.getTime()) {
    return { allowed: false, reason: "past_cutoff", deadline };
  }
  return { allowed: true, deadline };
}

export function canPatientCancel(input: CancelCheckInput): PatientChangeDecision {
  return decide(input, input.selfServiceCancel);
}

/**
 * Rebooking releases the original time just like a cancellation does, so the same cutoff
 * applies: otherwise "rebook to next month" would be a way around the cancellation rules.
 */
export function canPatientRebook(input: RebookCheckInput): PatientChangeDecision {
  return decide(input, input.selfServiceRebook);
}
