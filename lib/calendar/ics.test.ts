import { describe, expect, it } from "vitest";
import ical, { type CalendarComponent, type VEvent } from "node-ical";
import { tzOffset } from "@date-fns/tz";
import { appointmentIcs, calendarFeedIcs, type AppointmentIcsInput } from "./ics";

const STAMP = new Date("2026-03-01T10:00:00Z");

const visit: AppointmentIcsInput = {
  uid: "7f1c2a9e-0000-4000-8000-000000000001@vardtid",
  sequence: 0,
  startsAt: new Date("2026-03-30T09:40:00+02:00"),
  endsAt: new Date("2026-03-30T10:00:00+02:00"),
  summary: "Besök, Vårdcentralen Centrum",
  location: "Storgatan 1, 111 22 Stockholm",
  description: "Ta med legitimation.",
  status: "CONFIRMED",
  url: "https://vardtid.example/appointments/7f1c2a9e",
  stamp: STAMP,
};

function isEvent(component: CalendarComponent | undefined): component is VEvent {
  return component?.type === "VEVENT";
}

function events(ics: string): VEvent[] {
  return Object.values(ical.sync.parseICS(ics)).filter(isEvent);
}

function onlyEvent(ics: string): VEvent {
  const [event, ...rest] = events(ics);
  expect(rest).toHaveLength(0);
  if (!event) throw new Error("no VEVENT in output");
  return event;
}

function lines(ics: string): string[] {
  return ics.split("\r\n");
}

describe("appointmentIcs", () => {
  it("round-trips through a parser with the given UID, times, text and status", () => {
    const event = onlyEvent(appointmentIcs(visit));
    expect(event.uid).toBe(visit.uid);
    expect(event.sequence).toBe(0);
    expect(event.start.getTime()).toBe(visit.startsAt.getTime());
    expect(event.end?.getTime()).toBe(visit.endsAt.getTime());
    expect(event.start.tz).toBe("Europe/Stockholm");
    expect(event.summary).toBe("Besök, Vårdcentralen Centrum");
    expect(event.location).toBe("Storgatan 1, 111 22 Stockholm");
    expect(event.description).toBe("Ta med legitimation.");
    expect(event.status).toBe("CONFIRMED");
    expect(event.dtstamp.getTime()).toBe(STAMP.getTime());
  });

  it("writes Stockholm wall-clock times with TZID, in summer and in winter", () => {
    const summer = lines(appointmentIcs(visit));
    expect(summer).toContain("DTSTART;TZID=Europe/Stockholm:20260330T094000");
    expect(summer).toContain("DTEND;TZID=Europe/Stockholm:20260330T100000");

    const winter = lines(
      appointmentIcs({
        ...visit,
        startsAt: new Date("2026-01-15T08:40:00Z"),
        endsAt: new Date("2026-01-15T09:00:00Z"),
      }),
    );
    expect(winter).toContain("DTSTART;TZID=Europe/Stockholm:20260115T094000");
  });

  it("writes the same local time whatever zone the server runs in", () => {
    const original = process.env.TZ;
    try {
      process.env.TZ = "America/Los_Angeles";
      const elsewhere = appointmentIcs(visit);
      process.env.TZ = "UTC";
      expect(appointmentIcs(visit)).toBe(elsewhere);
      expect(lines(elsewhere)).toContain("DTSTART;TZID=Europe/Stockholm:20260330T094000");
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });

  it("is a PUBLISH calendar with a Stockholm VTIMEZONE and a UTC DTSTAMP", () => {
    const out = lines(appointmentIcs(visit));
    expect(out).toContain("METHOD:PUBLISH");
    expect(out).toContain("BEGIN:VTIMEZONE");
    expect(out).toContain("TZID:Europe/Stockholm");
    expect(out).toContain("DTSTAMP:20260301T100000Z");
    expect(out).toContain("CLASS:PRIVATE");
    expect(out).toContain("TRANSP:OPAQUE");
    expect(out).toContain("URL;VALUE=URI:https://vardtid.example/appointments/7f1c2a9e");
    // No organiser or attendee: nothing for a calendar app to send RSVPs to.
    expect(out.some((l) => l.startsWith("ORGANIZER") || l.startsWith("ATTENDEE"))).toBe(false);
  });

  it("is deterministic for the same input, so the UID and everything else are stable", () => {
    expect(appointmentIcs(visit)).toBe(appointmentIcs({ ...visit }));
  });

  it("tells the calendar about a rebooking by the same UID and a higher SEQUENCE", () => {
    const before = onlyEvent(appointmentIcs(visit));
    const after = onlyEvent(
      appointmentIcs({
        ...visit,
        sequence: 1,
        startsAt: new Date("2026-03-27T08:20:00+01:00"),
        endsAt: new Date("2026-03-27T08:40:00+01:00"),
      }),
    );
    expect(after.uid).toBe(before.uid);
    expect(after.sequence).toBe((before.sequence ?? Number.NaN) + 1);
    expect(after.start.toISOString()).toBe("2026-03-27T07:20:00.000Z");
  });

  it("marks a cancelled appointment CANCELLED and no longer busy", () => {
    const ics = appointmentIcs({ ...visit, sequence: 2, status: "CANCELLED" });
    const event = onlyEvent(ics);
    expect(event.status).toBe("CANCELLED");
    expect(event.sequence).toBe(2);
    expect(lines(ics)).toContain("TRANSP:TRANSPARENT");
  });

  it("leaves out optional fields that are not given", () => {
    const out = lines(appointmentIcs({ ...visit, location: undefined, description: undefined, url: undefined }));
    expect(out.some((l) => /^(LOCATION|DESCRIPTION|URL)[:;]/.test(l))).toBe(false);
  });

  it("escapes text so a summary cannot inject properties", () => {
    const ics = appointmentIcs({ ...visit, summary: "Besök\r\nATTENDEE:mailto:evil@example.com;x" });
    expect(lines(ics).some((l) => l.startsWith("ATTENDEE"))).toBe(false);
    expect(onlyEvent(ics).summary).toBe("Besök\nATTENDEE:mailto:evil@example.com;x");
  });

  it("uses CRLF and folds long lines at 75 octets", () => {
    const ics = appointmentIcs({ ...visit, description: "Förberedelser: ".repeat(20) });
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const line of lines(ics)) expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
    expect(onlyEvent(ics).description).toBe("Förberedelser: ".repeat(20));
  });

  it.each<[string, Partial<AppointmentIcsInput>]>([
    ["a uid with a line break", { uid: "abc\r\nATTENDEE:x" }],
    ["an empty uid", { uid: "" }],
    ["a uid with spaces", { uid: "a b" }],
    ["a negative sequence", { sequence: -1 }],
    ["a fractional sequence", { sequence: 1.5 }],
    ["an end before the start", { endsAt: new Date("2026-03-30T09:00:00+02:00") }],
    ["an end equal to the start", { endsAt: new Date("2026-03-30T09:40:00+02:00") }],
    ["an invalid date", { startsAt: new Date("nope") }],
    ["a javascript: url", { url: "javascript:alert(1)" }],
    ["a relative url", { url: "/appointments/1" }],
  ])("refuses %s", (_label, change) => {
    expect(() => appointmentIcs({ ...visit, ...change })).toThrow(RangeError);
  });
});

describe("the Stockholm VTIMEZONE block", () => {
  // Reads the block back and checks, for each year, that the switch it describes happens
  // exactly when the IANA database (through @date-fns/tz) says it does.
  const block = appointmentIcs(visit).split("BEGIN:VTIMEZONE")[1]?.split("END:VTIMEZONE")[0] ?? "";

  function rule(kind: "DAYLIGHT" | "STANDARD") {
    const body = block.split(`BEGIN:${kind}`)[1]?.split(`END:${kind}`)[0] ?? "";
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(body)?.[1]?.trim() ?? "";
    const offsetMinutes = (v: string) =>
      (v.startsWith("-") ? -1 : 1) * (Number(v.slice(1, 3)) * 60 + Number(v.slice(3, 5)));
    const rrule = field("RRULE");
    return {
      from: offsetMinutes(field("TZOFFSETFROM")),
      to: offsetMinutes(field("TZOFFSETTO")),
      month: Number(/BYMONTH=(\d+)/.exec(rrule)?.[1]),
      lastSunday: /BYDAY=-1SU/.test(rrule),
      hour: Number(field("DTSTART").slice(9, 11)),
    };
  }

  function switchInstant(year: number, r: ReturnType<typeof rule>): Date {
    const lastDay = new Date(Date.UTC(year, r.month, 0));
    const day = lastDay.getUTCDate() - lastDay.getUTCDay(); // last Sunday of the month
    return new Date(Date.UTC(year, r.month - 1, day, r.hour) - r.from * 60_000);
  }

  it.each(["DAYLIGHT", "STANDARD"] as const)("has a %s rule that matches the IANA zone 2020-2040", (kind) => {
    const r = rule(kind);
    expect(r.lastSunday).toBe(true);
    for (let year = 2020; year <= 2040; year += 1) {
      const instant = switchInstant(year, r);
      expect(tzOffset("Europe/Stockholm", new Date(instant.getTime() - 1_000))).toBe(r.from);
      expect(tzOffset("Europe/Stockholm", instant)).toBe(r.to);
    }
  });

  it("puts the 2026 switches on 29 March and 25 October at 01:00 UTC", () => {
    expect(switchInstant(2026, rule("DAYLIGHT")).toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(switchInstant(2026, rule("STANDARD")).toISOString()).toBe("2026-10-25T01:00:00.000Z");
  });
});

describe("calendarFeedIcs", () => {
  const cancelled: AppointmentIcsInput = {
    ...visit,
    uid: "7f1c2a9e-0000-4000-8000-000000000002@vardtid",
    sequence: 3,
    status: "CANCELLED",
    startsAt: new Date("2026-10-26T08:00:00+01:00"),
    endsAt: new Date("2026-10-26T08:30:00+01:00"),
  };

  it("contains every event, the cancelled one with STATUS:CANCELLED", () => {
    const parsed = events(calendarFeedIcs([visit, cancelled], { stamp: STAMP }));
    expect(parsed.map((e) => [e.uid, e.status, e.sequence])).toEqual([
      [visit.uid, "CONFIRMED", 0],
      [cancelled.uid, "CANCELLED", 3],
    ]);
    const winterEvent = parsed.find((e) => e.uid === cancelled.uid);
    expect(winterEvent?.start.toISOString()).toBe("2026-10-26T07:00:00.000Z");
  });

  it("writes one VTIMEZONE, a name, a refresh interval and METHOD:PUBLISH", () => {
    const ics = calendarFeedIcs([visit, cancelled], { stamp: STAMP, name: "Mina vårdtider", refreshMinutes: 30 });
    expect(ics.match(/BEGIN:VTIMEZONE/g)).toHaveLength(1);
    const out = lines(ics);
    expect(out).toContain("X-WR-CALNAME:Mina vårdtider");
    expect(out).toContain("REFRESH-INTERVAL;VALUE=DURATION:PT30M");
    expect(out).toContain("METHOD:PUBLISH");
    expect(out).toContain("DTSTART;TZID=Europe/Stockholm:20261026T080000");
  });

  it("defaults the name to Vårdtid and the refresh to an hour", () => {
    const out = lines(calendarFeedIcs([visit], { stamp: STAMP }));
    expect(out).toContain("X-WR-CALNAME:Vårdtid");
    expect(out).toContain("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
  });

  it("uses the feed stamp unless an event carries its own", () => {
    const unstamped = { ...cancelled, stamp: undefined };
    const feedStamp = new Date("2026-04-01T00:00:00Z");
    const parsed = events(calendarFeedIcs([visit, unstamped], { stamp: feedStamp }));
    expect(parsed.map((e) => e.dtstamp.toISOString())).toEqual([STAMP.toISOString(), feedStamp.toISOString()]);
  });

  it("is a valid empty calendar when there is nothing to show", () => {
    const ics = calendarFeedIcs([], { stamp: STAMP });
    expect(ics.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(ics.endsWith("END:VCALENDAR")).toBe(true);
    expect(events(ics)).toEqual([]);
  });

  it("refuses two events with the same UID", () => {
    expect(() => calendarFeedIcs([visit, { ...visit, sequence: 1 }], { stamp: STAMP })).toThrow(RangeError);
  });

  it("refuses a nonsensical refresh interval", () => {
    expect(() => calendarFeedIcs([visit], { refreshMinutes: 0 })).toThrow(RangeError);
  });
});
