// iCalendar output: one appointment as a downloadable .ics, and a patient's personal feed.
//
// Privacy: calendars leak. They sync to work accounts, are shared with family and show up on
// lock screens and smart watches. Callers must pass minimal text: a summary such as
// "Besök, Vårdcentralen Centrum" (using the clinic's SMS-safe name), no patient name, no
// personal number, no diagnosis or appointment type that reveals the kind of care, and a
// uid that is an opaque id (e.g. the appointment's uuid), never something derived from the
// patient. Events are also marked CLASS:PRIVATE so that shared calendars hide the details.
//
// Times are written as local Stockholm times with TZID and a VTIMEZONE block, rather than
// UTC, so a calendar shows "09:40" even if the device's zone is set oddly, and reads the
// rules for the CET/CEST switches from the file itself.
import ical, { ICalCalendarMethod, ICalEventClass, ICalEventStatus, ICalEventTransparency } from "ical-generator";
import type { ICalCalendar } from "ical-generator";
import { TZDate } from "@date-fns/tz";

export const CALENDAR_TIME_ZONE = "Europe/Stockholm";

// Sweden has followed the EU rule (last Sunday of March 02:00 CET, last Sunday of October
// 03:00 CEST, i.e. 01:00 UTC both times) since 1996; a calendar only needs the current rule.
const STOCKHOLM_VTIMEZONE = [
  "BEGIN:VTIMEZONE",
  "TZID:Europe/Stockholm",
  "X-LIC-LOCATION:Europe/Stockholm",
  "BEGIN:DAYLIGHT",
  "TZOFFSETFROM:+0100",
  "TZOFFSETTO:+0200",
  "TZNAME:CEST",
  "DTSTART:19700329T020000",
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
  "END:DAYLIGHT",
  "BEGIN:STANDARD",
  "TZOFFSETFROM:+0200",
  "TZOFFSETTO:+0100",
  "TZNAME:CET",
  "DTSTART:19701025T030000",
  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
  "END:STANDARD",
  "END:VTIMEZONE",
].join("\r\n");

export type AppointmentIcsStatus = "CONFIRMED" | "CANCELLED";

export interface AppointmentIcsInput {
  /**
   * Stable, opaque and globally unique (e.g. `<appointment uuid>@vardtid`). The same uid with
   * a higher sequence is how a calendar learns that an event moved or was cancelled.
   */
  uid: string;
  /** Bump on every change the patient should see (the appointment's version works). */
  sequence: number;
  startsAt: Date;
  endsAt: Date;
  /** Minimal text; see the privacy note at the top of this file. */
  summary: string;
  location?: string;
  description?: string;
  status: AppointmentIcsStatus;
  /** Link back to the appointment in Vårdtid (it requires login, so it carries no data). */
  url?: string;
  /** DTSTAMP: when this file was produced. Injected so output is reproducible; defaults to now. */
  stamp?: Date;
}

export interface CalendarFeedOptions {
  /** Calendar name shown in the patient's calendar app. */
  name?: string;
  /** DTSTAMP for every event; defaults to now. */
  stamp?: Date;
  /** How often calendar apps should poll the feed. */
  refreshMinutes?: number;
}

const UID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,254}$/;

function validate(event: AppointmentIcsInput): void {
  // ical-generator writes the UID verbatim, so anything outside this set could inject lines.
  if (!UID_PATTERN.test(event.uid)) throw new RangeError("uid must be 1-255 characters of [A-Za-z0-9._@:+-]");
  if (!Number.isInteger(event.sequence) || event.sequence < 0) {
    throw new RangeError(`sequence must be a non-negative integer, got ${event.sequence}`);
  }
  if (Number.isNaN(event.startsAt.getTime()) || Number.isNaN(event.endsAt.getTime())) {
    throw new RangeError("startsAt and endsAt must be valid dates");
  }
  if (event.endsAt.getTime() <= event.startsAt.getTime()) throw new RangeError("endsAt must be after startsAt");
  if (event.url !== undefined) {
    const protocol = URL.canParse(event.url) ? new URL(event.url).protocol : "";
    if (protocol !== "https:" && protocol !== "http:") throw new RangeError("url must be an absolute http(s) URL");
  }
}

function newCalendar(name?: string, refreshMinutes?: number): ICalCalendar {
  return ical({
    prodId: { company: "Vårdtid", product: "Vårdtid", language: "SV" },
    method: ICalCalendarMethod.PUBLISH,
    // No name on purpose: a named calendar zone makes ical-generator write DTSTAMP as local
    // time without "Z", which RFC 5545 forbids. The events carry the zone instead, and the
    // generator still emits the VTIMEZONE block for it.
    timezone: { name: null, generator: (tz) => (tz === CALENDAR_TIME_ZONE ? STOCKHOLM_VTIMEZONE : null) },
    ...(name !== undefined ? { name } : {}),
    ...(refreshMinutes !== undefined ? { ttl: refreshMinutes * 60 } : {}),
  });
}

function addEvent(calendar: ICalCalendar, event: AppointmentIcsInput, defaultStamp: Date): void {
  validate(event);
  const cancelled = event.status === "CANCELLED";
  calendar.createEvent({
    id: event.uid,
    sequence: event.sequence,
    stamp: event.stamp ?? defaultStamp,
    // ical-generator formats a plain Date in the server's own zone when a TZID is set; a
    // TZDate makes it use the clinic's wall clock whatever the server runs in.
    start: new TZDate(event.startsAt.getTime(), CALENDAR_TIME_ZONE),
    end: new TZDate(event.endsAt.getTime(), CALENDAR_TIME_ZONE),
    timezone: CALENDAR_TIME_ZONE,
    summary: event.summary,
    location: event.location ?? null,
    description: event.description ?? null,
    url: event.url ?? null,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    class: ICalEventClass.PRIVATE,
    // A cancelled visit should no longer make the patient look busy.
    transparency: cancelled ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
  });
}

/** A single appointment for "Add to calendar" (METHOD:PUBLISH, no attendees, no RSVP). */
export function appointmentIcs(event: AppointmentIcsInput): string {
  const calendar = newCalendar();
  addEvent(calendar, event, event.stamp ?? new Date());
  return calendar.toString();
}

/**
 * A patient's subscribable feed. Cancelled appointments stay in it with STATUS:CANCELLED
 * (and a higher sequence) for a while, because a calendar app that merely stops seeing an
 * event may keep showing it; how long to keep them is the caller's choice.
 */
export function calendarFeedIcs(events: readonly AppointmentIcsInput[], options: CalendarFeedOptions = {}): string {
  const seen = new Set<string>();
  for (const event of events) {
    // Two events with one UID would make calendar apps keep an arbitrary one of them.
    if (seen.has(event.uid)) throw new RangeError(`duplicate uid in feed: ${event.uid}`);
    seen.add(event.uid);
  }
  const refreshMinutes = options.refreshMinutes ?? 60;
  if (!Number.isInteger(refreshMinutes) || refreshMinutes <= 0) {
    throw new RangeError(`refreshMinutes must be a positive integer, got ${refreshMinutes}`);
  }
  const calendar = newCalendar(options.name ?? "Vårdtid", refreshMinutes);
  const stamp = options.stamp ?? new Date();
  for (const event of events) addEvent(calendar, event, stamp);
  return calendar.toString();
}
