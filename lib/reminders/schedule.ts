// When should each reminder for an appointment go out? A pure function of the visit time,
// the clinic's (or patient's) reminder offsets, the clinic's time zone and an injected clock.
//
// Offsets are counted in the clinic's wall-clock time so they survive summer-time switches:
// "3 days before" a Monday 09:00 visit is Friday 09:00 even though that Friday is in winter
// time, and "the day before at 18:00" is 18:00 local. `hours_before` is absolute time, except
// that a whole number of days (24, 48, ...) is read as calendar days, the same rule the
// cancellation cutoff uses, so "24 h" means the same thing everywhere in the app.
//
// SMS respects quiet hours (21:00-08:00 clinic time by default): a reminder that would fall
// inside them waits until they end, and is dropped if that is not before the visit. Push
// has no quiet hours unless the caller passes some (e.g. from the patient's preferences).
//
// A reminder that offers "cancel or rebook" must leave the patient time to do it: it has to
// arrive at least the clinic's minimum lead before the change deadline (the cutoff). A reminder
// meant to arrive around the cutoff (the "1 day before" one with a 24 h cutoff lands exactly on
// it) is moved earlier to the last waking moment that leaves that lead; one that cannot be (it
// is meant for after the cutoff, like "2 hours before", or the earlier time has passed) goes out
// as planned but is marked not to offer a change, and its text says to call the clinic instead.
//
// A reminder whose time has already passed when it is planned (the patient picks "7 days
// before" for a visit in 6 days, or a visit is booked 2 days ahead) is not sent: an SMS at once
// would be a surprise, not a reminder. Callers that want the old "send it now" (the demo seed)
// pass `overdue: "send_now"`.
// (Slightly over ~300 lines: one pure rule with its DST, quiet-hours, waking-hours and lead-time
// cases kept together so the reminder time is decided in one place.)
import { addDays, subDays } from "date-fns";
import { TZDate } from "@date-fns/tz";

export const DEFAULT_QUIET_HOURS: QuietHours = { start: "21:00", end: "08:00" };

const HOUR_MS = 3_600_000;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export type ReminderOffset =
  /** `at` is "HH:MM" clinic time; without it, the visit's own wall-clock time. */
  { kind: "days_before"; days: number; at?: string } | { kind: "hours_before"; hours: number };

/** Wall-clock "HH:MM" in the clinic zone; `start` after `end` means the window spans midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

export type ReminderChannel = "sms" | "push";

export type ReminderSkipReason =
  /** The visit has started or is over. */
  | "past"
  /** Quiet hours last until the visit (or later), so there is no decent time to send it. */
  | "quiet_hours"
  /** The offset lands at or after the visit itself (e.g. "0 days before at 18:00" for a morning visit). */
  | "not_before_visit"
  /** Another offset in the list has the same key. */
  | "duplicate_key"
  /** The reminder's time had already passed when it was planned (see `overdue`). */
  | "passed"
  /**
   * Another reminder goes out at the very same instant (typically several overdue reminders
   * all becoming "now", or two landing on the end of quiet hours); one message is enough.
   */
  | "same_time";

export type ReminderPlan =
  | {
      status: "due";
      offsetKey: string;
      dueAt: Date;
      /** Why dueAt differs from the offset's nominal time, if it does. */
      adjustment: Adjustment;
      /**
       * Whether the reminder, sent at dueAt, leaves the patient the clinic's minimum lead to
       * cancel or rebook by themselves. Always false without a `change` input.
       */
      offersChange: boolean;
    }
  | { status: "skipped"; offsetKey: string; reason: ReminderSkipReason; nominalAt?: Date };

export type Adjustment =
  | "none"
  | "overdue"
  | "quiet_hours"
  /** Moved earlier so that it arrives at least the minimum lead before the change deadline. */
  | "before_cutoff";

/** What the patient may still change, and how much notice a reminder offering it must give. */
export interface ChangeWindow {
  /** The last instant the patient may cancel or rebook (see changeDeadline). */
  deadline: Date;
  /** The clinic's minimum time between a reminder that offers a change and the deadline. */
  minLeadMinutes: number;
  /** Whether the clinic and appointment type let the patient cancel or rebook at all. */
  selfService: boolean;
}

export interface ComputeReminderTimesInput {
  startsAt: Date;
  offsets: readonly ReminderOffset[];
  timeZone: string;
  now: Date;
  /** Defaults to 21:00-08:00 for SMS and to none for push. */
  quietHours?: QuietHours;
  channel: ReminderChannel;
  /** Without it, no reminder offers a change and none is moved before the cutoff. */
  change?: ChangeWindow;
  /** A reminder whose time has passed: skipped ("passed", the default) or sent at once. */
  overdue?: "skip" | "send_now";
}

/**
 * Whether a reminder sent at `sendAt` may offer "cancel or rebook": the patient can, and has at
 * least the clinic's minimum lead to do it. The worker asks again (offersChangeWhenSent) at the
 * moment it writes the text, so a late send never promises a change that is no longer possible.
 */
export function offersChange(sendAt: Date, change: ChangeWindow | undefined): boolean {
  if (!change || !change.selfService) return false;
  return sendAt.getTime() + change.minLeadMinutes * 60_000 <= change.deadline.getTime();
}

/**
 * How late a worker may write a reminder's text and still keep its plan's promise: a reminder
 * planned at exactly the lead before the deadline is written a poll (seconds) later. A send later
 * than this (a worker that was down) says to call instead; the patient still had most of the lead.
 */
export const SEND_GRACE_MINUTES = 15;

/** offersChange at the moment of sending, allowing SEND_GRACE_MINUTES of the lead for the worker's delay. */
export function offersChangeWhenSent(now: Date, change: ChangeWindow): boolean {
  const grace = Math.min(SEND_GRACE_MINUTES, change.minLeadMinutes);
  return offersChange(now, { ...change, minLeadMinutes: change.minLeadMinutes - grace });
}

/** The latest instant before `instant` that is outside quiet hours (`instant` itself if it is). */
export function lastWakingMomentBefore(instant: Date, timeZone: string, quietHours: QuietHours): Date {
  if (!isInQuietHours(instant, timeZone, quietHours)) return instant;
  const { hours, minutes } = parseHhMm(quietHours.start, "quietHours.start");
  const local = new TZDate(instant.getTime(), timeZone);
  let start = new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), hours, minutes, 0, 0, timeZone);
  // Inside a window that began the evening before (e.g. 06:30 in 21:00-08:00): its start is yesterday's.
  if (start.getTime() > instant.getTime()) start = subDays(start, 1);
  // One minute before the window: quiet hours are whole minutes, so HH:MM-1 is the last waking one.
  return new Date(start.getTime() - 60_000);
}

/**
 * A stable key per offset (`d3`, `d1@18:00`, `h2`) to build idempotency keys from, so a
 * recomputation after a crash or a rebook finds the same reminder again.
 */
export function reminderOffsetKey(offset: ReminderOffset): string {
  if (offset.kind === "days_before") {
    return offset.at === undefined ? `d${offset.days}` : `d${offset.days}@${offset.at}`;
  }
  return `h${offset.hours}`;
}

function parseHhMm(value: string, what: string): { hours: number; minutes: number } {
  const match = HH_MM.exec(value);
  if (!match) throw new RangeError(`${what} must be "HH:MM" (00:00-23:59), got "${value}"`);
  return { hours: Number(match[1]), minutes: Number(match[2]) };
}

function validateOffset(offset: ReminderOffset): void {
  if (offset.kind === "days_before") {
    if (!Number.isInteger(offset.days) || offset.days < 0) {
      throw new RangeError(`days_before.days must be a non-negative integer, got ${offset.days}`);
    }
    if (offset.at !== undefined) parseHhMm(offset.at, "days_before.at");
  } else if (!Number.isFinite(offset.hours) || offset.hours <= 0) {
    throw new RangeError(`hours_before.hours must be a positive number, got ${offset.hours}`);
  }
}

function nominalDueAt(startsAt: Date, offset: ReminderOffset, timeZone: string): Date {
  const local = new TZDate(startsAt.getTime(), timeZone);
  if (offset.kind === "hours_before") {
    if (offset.hours % 24 === 0) return new Date(subDays(local, offset.hours / 24).getTime());
    return new Date(startsAt.getTime() - offset.hours * HOUR_MS);
  }
  const day = subDays(local, offset.days);
  if (offset.at === undefined) return new Date(day.getTime());
  const { hours, minutes } = parseHhMm(offset.at, "days_before.at");
  return new Date(
    new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), hours, minutes, 0, 0, timeZone).getTime(),
  );
}

function minuteOfDay(instant: Date, timeZone: string): number {
  const local = new TZDate(instant.getTime(), timeZone);
  return local.getHours() * 60 + local.getMinutes();
}

/**
 * Whether an instant falls inside quiet hours, in the clinic's wall-clock time.
 * The window is half-open: 21:00 is quiet, 08:00 is not. Equal start and end means none.
 */
export function isInQuietHours(instant: Date, timeZone: string, quietHours: QuietHours = DEFAULT_QUIET_HOURS): boolean {
  const start = parseHhMm(quietHours.start, "quietHours.start");
  const end = parseHhMm(quietHours.end, "quietHours.end");
  const startMin = start.hours * 60 + start.minutes;
  const endMin = end.hours * 60 + end.minutes;
  // Seconds are dropped deliberately: the boundaries are whole minutes, so 07:59:59 is still
  // before 08:00 and 20:59:59 still before 21:00.
  const m = minuteOfDay(instant, timeZone);
  if (startMin === endMin) return false;
  if (startMin < endMin) return m >= startMin && m < endMin;
  return m >= startMin || m < endMin;
}

/** The first instant after `instant` at which quiet hours end (the next 08:00 by default). */
export function nextQuietHoursEnd(instant: Date, timeZone: string, quietHours: QuietHours = DEFAULT_QUIET_HOURS): Date {
  const { hours, minutes } = parseHhMm(quietHours.end, "quietHours.end");
  const local = new TZDate(instant.getTime(), timeZone);
  let candidate = new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), hours, minutes, 0, 0, timeZone);
  // addDays on a TZDate keeps the wall-clock time, so this stays 08:00 across a switch.
  if (candidate.getTime() <= instant.getTime()) candidate = addDays(candidate, 1);
  return new Date(candidate.getTime());
}

/**
 * One plan per offset, in the order given. Throws RangeError for a malformed offset or
 * quiet-hours value: that is configuration, and silently dropping reminders would hide it.
 */
export function computeReminderTimes({
  startsAt,
  offsets,
  timeZone,
  now,
  quietHours,
  channel,
  change,
  overdue = "send_now",
}: ComputeReminderTimesInput): ReminderPlan[] {
  const quiet = quietHours ?? (channel === "sms" ? DEFAULT_QUIET_HOURS : null);
  if (quiet) {
    parseHhMm(quiet.start, "quietHours.start");
    parseHhMm(quiet.end, "quietHours.end");
  }
  offsets.forEach(validateOffset);

  const seenKeys = new Set<string>();
  const plans: ReminderPlan[] = [];
  // The nominal time is kept to decide which of several coinciding reminders survives.
  const nominals = new Map<number, number>();

  offsets.forEach((offset, index) => {
    const offsetKey = reminderOffsetKey(offset);
    if (seenKeys.has(offsetKey)) {
      plans.push({ status: "skipped", offsetKey, reason: "duplicate_key" });
      return;
    }
    seenKeys.add(offsetKey);

    if (startsAt.getTime() <= now.getTime()) {
      plans.push({ status: "skipped", offsetKey, reason: "past" });
      return;
    }

    const nominal = nominalDueAt(startsAt, offset, timeZone);
    if (nominal.getTime() >= startsAt.getTime()) {
      plans.push({ status: "skipped", offsetKey, reason: "not_before_visit" });
      return;
    }

    let dueAt = nominal;
    let adjustment: Adjustment = "none";
    if (nominal.getTime() < now.getTime()) {
      if (overdue === "skip") {
        plans.push({ status: "skipped", offsetKey, reason: "passed", nominalAt: nominal });
        return;
      }
      dueAt = now;
      adjustment = "overdue";
    }
    if (quiet && isInQuietHours(dueAt, timeZone, quiet)) {
      dueAt = nextQuietHoursEnd(dueAt, timeZone, quiet);
      adjustment = "quiet_hours";
      if (dueAt.getTime() >= startsAt.getTime()) {
        plans.push({ status: "skipped", offsetKey, reason: "quiet_hours" });
        return;
      }
    }

    // Meant for the cutoff or just before it, too late to act on: move it earlier, if the
    // earlier waking moment is still ahead. A reminder meant for after the deadline stays put.
    if (change?.selfService && !offersChange(dueAt, change) && dueAt.getTime() <= change.deadline.getTime()) {
      let earlier = new Date(change.deadline.getTime() - change.minLeadMinutes * 60_000);
      if (quiet) earlier = lastWakingMomentBefore(earlier, timeZone, quiet);
      if (earlier.getTime() > now.getTime()) {
        dueAt = earlier;
        adjustment = "before_cutoff";
      }
    }

    nominals.set(index, nominal.getTime());
    plans.push({
      status: "due",
      offsetKey,
      dueAt: new Date(dueAt.getTime()),
      adjustment,
      offersChange: offersChange(dueAt, change),
    });
  });

  // Of reminders that go out at the same instant, keep the one meant closest to the visit:
  // its content is the same, and it is the one the patient would have got anyway.
  const keeperByTime = new Map<number, number>();
  plans.forEach((plan, index) => {
    if (plan.status !== "due") return;
    const t = plan.dueAt.getTime();
    const current = keeperByTime.get(t);
    if (current === undefined || (nominals.get(index) ?? 0) > (nominals.get(current) ?? 0)) {
      keeperByTime.set(t, index);
    }
  });
  return plans.map((plan, index) =>
    plan.status === "due" && keeperByTime.get(plan.dueAt.getTime()) !== index
      ? { status: "skipped", offsetKey: plan.offsetKey, reason: "same_time" }
      : plan,
  );
}
