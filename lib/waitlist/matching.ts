// Who should be offered a freed slot, and in what order? Pure functions of the slot, the
// clinic's and type's configuration, the waitlist and an injected clock.
//
// Every calendar notion (the wish's start date, weekday, time of day) is read in the clinic's
// time zone: a patient who asked for "mornings" means mornings on the clinic's clock, also on
// the day the clocks change.
import { TZDate } from "@date-fns/tz";
import { changeDeadline, DEFAULT_CLINIC_TIME_ZONE } from "@/lib/appointments/cancellation-policy";

const MINUTE_MS = 60_000;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export type TimeOfDay = "morning" | "afternoon" | "evening";
export type OfferFairness = "first_come" | "in_turn";

export interface FreedSlot {
  id: string;
  clinicId: string;
  typeId: string;
  startsAt: Date;
  /** The clinic's cancellation cutoff for this type; offers must lapse before it. */
  cutoffHours: number;
}

export interface WaitlistClinicConfig {
  id: string;
  /** Clinics whose waiting patients may be offered this clinic's slots. */
  sisterClinicIds: readonly string[];
  /**
   * first_come: offer a batch at once, the first to accept gets it.
   * in_turn: offer one at a time in the returned order.
   */
  fairness: OfferFairness;
  batchSize: number;
  /** Types this clinic never offers through the waitlist (e.g. ones that need preparation). */
  excludedTypeIds: readonly string[];
}

export interface WaitlistTypeConfig {
  id: string;
  allowSisterClinics: boolean;
}

export interface WaitlistWishes {
  /** Clinic-zone date "YYYY-MM-DD"; the patient cannot come before it. */
  fromDate: string;
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. Empty means any day. */
  weekdays: readonly number[];
  /** morning < 12:00, afternoon 12:00-16:59, evening >= 17:00. Empty means any time. */
  timesOfDay: readonly TimeOfDay[];
  /** The least notice the patient needs between being offered and the visit. */
  minNoticeMinutes: number;
}

export interface WaitlistEntry {
  id: string;
  patientId: string;
  /** The booked appointment the patient would like to move earlier. */
  appointment: { id: string; clinicId: string; typeId: string; startsAt: Date };
  wishes: WaitlistWishes;
  createdAt: Date;
}

export type WaitlistIneligibility =
  | "type_excluded"
  | "other_type"
  | "other_clinic"
  | "not_earlier"
  | "before_from_date"
  | "weekday"
  | "time_of_day"
  | "too_short_notice"
  | "appointment_past";

export interface MatchWaitlistInput<E extends WaitlistEntry> {
  slot: FreedSlot;
  clinic: WaitlistClinicConfig;
  type: WaitlistTypeConfig;
  entries: readonly E[];
  now: Date;
  timeZone?: string;
}

interface ClinicClock {
  date: string;
  isoWeekday: number;
  hour: number;
}

function clinicClock(instant: Date, timeZone: string): ClinicClock {
  const z = new TZDate(instant.getTime(), timeZone);
  const date = `${String(z.getFullYear()).padStart(4, "0")}-${String(z.getMonth() + 1).padStart(2, "0")}-${String(
    z.getDate(),
  ).padStart(2, "0")}`;
  const day = z.getDay();
  return { date, isoWeekday: day === 0 ? 7 : day, hour: z.getHours() };
}

export function timeOfDay(instant: Date, timeZone: string = DEFAULT_CLINIC_TIME_ZONE): TimeOfDay {
  const { hour } = clinicClock(instant, timeZone);
  if (hour < 12) return "morning";
  if (hour < 17) return "afternoon";
  return "evening";
}

/**
 * Why an entry cannot take the slot, or null if it can. Checks run from the cheapest and
 * most structural to the personal wishes, so the reason names the first thing that rules
 * the entry out.
 */
export function waitlistIneligibility(
  entry: WaitlistEntry,
  { slot, clinic, type, now, timeZone = DEFAULT_CLINIC_TIME_ZONE }: Omit<MatchWaitlistInput<WaitlistEntry>, "entries">,
): WaitlistIneligibility | null {
  if (clinic.excludedTypeIds.includes(slot.typeId)) return "type_excluded";
  if (entry.appointment.typeId !== slot.typeId) return "other_type";
  const sameClinic = entry.appointment.clinicId === slot.clinicId;
  const sister = type.allowSisterClinics && clinic.sisterClinicIds.includes(entry.appointment.clinicId);
  if (!sameClinic && !sister) return "other_clinic";
  if (entry.appointment.startsAt.getTime() <= now.getTime()) return "appointment_past";
  if (slot.startsAt.getTime() >= entry.appointment.startsAt.getTime()) return "not_earlier";

  const { wishes } = entry;
  const when = clinicClock(slot.startsAt, timeZone);
  // ISO dates compare correctly as strings.
  if (when.date < wishes.fromDate) return "before_from_date";
  if (wishes.weekdays.length > 0 && !wishes.weekdays.includes(when.isoWeekday)) return "weekday";
  if (wishes.timesOfDay.length > 0 && !wishes.timesOfDay.includes(timeOfDay(slot.startsAt, timeZone))) {
    return "time_of_day";
  }
  if (now.getTime() + wishes.minNoticeMinutes * MINUTE_MS > slot.startsAt.getTime()) return "too_short_notice";
  return null;
}

function validate(input: MatchWaitlistInput<WaitlistEntry>): void {
  const { slot, clinic, type, entries } = input;
  // Mixing up configs would silently offer the wrong patients, so refuse loudly.
  if (clinic.id !== slot.clinicId) throw new RangeError("clinic config does not belong to the slot's clinic");
  if (type.id !== slot.typeId) throw new RangeError("type config does not belong to the slot's type");
  if (!Number.isInteger(clinic.batchSize) || clinic.batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${clinic.batchSize}`);
  }
  for (const entry of entries) {
    const { fromDate, minNoticeMinutes, weekdays } = entry.wishes;
    if (!DATE_PATTERN.test(fromDate)) throw new RangeError(`entry ${entry.id}: fromDate must be YYYY-MM-DD`);
    if (!Number.isFinite(minNoticeMinutes) || minNoticeMinutes < 0) {
      throw new RangeError(`entry ${entry.id}: minNoticeMinutes must be a non-negative number`);
    }
    if (weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
      throw new RangeError(`entry ${entry.id}: weekdays must be 1 (Monday) to 7 (Sunday)`);
    }
  }
}

/**
 * The entries to offer the slot to, in offer order. For `in_turn` that is the whole queue
 * (offer the first, then the next when it lapses); for `first_come` the first `batchSize`.
 *
 * Order: longest on the list first (createdAt ascending), then the one who gains the most
 * time, then entry id so that the order never depends on the input's order. A patient with
 * several matching entries appears once, with their best-placed entry: one slot can only be
 * taken once, and two offers for it would only confuse.
 */
export function matchWaitlist<E extends WaitlistEntry>(input: MatchWaitlistInput<E>): E[] {
  validate(input);
  const { slot, entries } = input;
  const gained = (e: WaitlistEntry) => e.appointment.startsAt.getTime() - slot.startsAt.getTime();

  const ordered = entries
    .filter((entry) => waitlistIneligibility(entry, input) === null)
    .sort(
      (a, b) =>
        a.createdAt.getTime() - b.createdAt.getTime() ||
        gained(b) - gained(a) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );

  const seenPatients = new Set<string>();
  const unique = ordered.filter((entry) => {
    if (seenPatients.has(entry.patientId)) return false;
    seenPatients.add(entry.patientId);
    return true;
  });

  return input.clinic.fairness === "first_come" ? unique.slice(0, input.clinic.batchSize) : unique;
}

export interface OfferExpiryInput {
  now: Date;
  answerWindowMinutes: number;
  slotStartsAt: Date;
  cutoffHours: number;
  timeZone?: string;
}

/**
 * When an offer sent now lapses: after the answer window, but never after the slot's
 * cancellation cutoff, so a patient who accepts is not bound to a visit they could not have
 * cancelled, and a declined slot can still be offered to the next in line. The cutoff is the
 * cancellation policy's own (whole days are calendar days in the clinic zone).
 * Returns null when the cutoff has already passed: then there is no time to offer the slot.
 */
export function offerExpiresAt({
  now,
  answerWindowMinutes,
  slotStartsAt,
  cutoffHours,
  timeZone = DEFAULT_CLINIC_TIME_ZONE,
}: OfferExpiryInput): Date | null {
  if (!Number.isFinite(answerWindowMinutes) || answerWindowMinutes <= 0) {
    throw new RangeError(`answerWindowMinutes must be a positive number, got ${answerWindowMinutes}`);
  }
  const cutoff = changeDeadline({ startsAt: slotStartsAt, cutoffHours, timeZone }).getTime();
  if (now.getTime() >= cutoff) return null;
  return new Date(Math.min(now.getTime() + answerWindowMinutes * MINUTE_MS, cutoff));
}
