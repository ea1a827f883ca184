// (Over ~300 lines: the table of one pure rule's cases, DST switches, quiet hours, lead time; nothing to set up.)
import { describe, expect, it } from "vitest";
import {
  computeReminderTimes,
  isInQuietHours,
  nextQuietHoursEnd,
  reminderOffsetKey,
  lastWakingMomentBefore,
  offersChange,
  offersChangeWhenSent,
  type Adjustment,
  type ComputeReminderTimesInput,
  type ReminderOffset,
  type ReminderPlan,
  type ChangeWindow,
} from "./schedule";
import { changeDeadline } from "@/lib/appointments/cancellation-policy";

// +01:00 is Stockholm winter time (CET), +02:00 summer time (CEST).
const at = (iso: string) => new Date(iso);
const TZ = "Europe/Stockholm";

function plan(input: Partial<ComputeReminderTimesInput> & Pick<ComputeReminderTimesInput, "startsAt" | "offsets">) {
  return computeReminderTimes({ timeZone: TZ, now: at("2026-01-01T12:00:00+01:00"), channel: "sms", ...input });
}

function due(offsetKey: string, dueAt: string, adjustment: Adjustment = "none", offersChange = false): ReminderPlan {
  return { status: "due", offsetKey, dueAt: at(dueAt), adjustment, offersChange };
}

const d = (days: number, atTime?: string): ReminderOffset =>
  atTime === undefined ? { kind: "days_before", days } : { kind: "days_before", days, at: atTime };
const h = (hours: number): ReminderOffset => ({ kind: "hours_before", hours });

describe("reminderOffsetKey", () => {
  it("gives short stable keys", () => {
    expect(reminderOffsetKey(d(3))).toBe("d3");
    expect(reminderOffsetKey(d(1, "18:00"))).toBe("d1@18:00");
    expect(reminderOffsetKey(h(2))).toBe("h2");
    expect(reminderOffsetKey(h(1.5))).toBe("h1.5");
  });
});

describe("isInQuietHours (21:00-08:00 Stockholm)", () => {
  it.each([
    ["20:59", "2026-05-12T20:59:00+02:00", false],
    ["20:59:59.999", "2026-05-12T20:59:59.999+02:00", false],
    ["21:00", "2026-05-12T21:00:00+02:00", true],
    ["midnight", "2026-05-13T00:00:00+02:00", true],
    ["07:59", "2026-05-13T07:59:00+02:00", true],
    ["07:59:59.999", "2026-05-13T07:59:59.999+02:00", true],
    ["08:00", "2026-05-13T08:00:00+02:00", false],
    ["noon", "2026-05-13T12:00:00+02:00", false],
  ])("%s is quiet: %s", (_label, iso, expected) => {
    expect(isInQuietHours(at(iso), TZ)).toBe(expected);
  });

  it("reads the wall clock in the clinic zone, not UTC", () => {
    // 19:30 UTC is 21:30 in Stockholm in summer, 20:30 in winter.
    expect(isInQuietHours(at("2026-07-01T19:30:00Z"), TZ)).toBe(true);
    expect(isInQuietHours(at("2026-01-15T19:30:00Z"), TZ)).toBe(false);
  });

  it("handles the night of the spring switch", () => {
    expect(isInQuietHours(at("2026-03-29T01:30:00Z"), TZ)).toBe(true); // 03:30 CEST
    expect(isInQuietHours(at("2026-03-29T06:00:00Z"), TZ)).toBe(false); // 08:00 CEST
    expect(isInQuietHours(at("2026-03-29T06:59:00Z"), TZ)).toBe(false); // 08:59 CEST, would be 07:59 in CET
  });

  it("supports a window that does not span midnight, and an empty one", () => {
    const lunch = { start: "12:00", end: "13:00" };
    expect(isInQuietHours(at("2026-05-12T11:59:00+02:00"), TZ, lunch)).toBe(false);
    expect(isInQuietHours(at("2026-05-12T12:00:00+02:00"), TZ, lunch)).toBe(true);
    expect(isInQuietHours(at("2026-05-12T13:00:00+02:00"), TZ, lunch)).toBe(false);
    expect(isInQuietHours(at("2026-05-12T03:00:00+02:00"), TZ, { start: "08:00", end: "08:00" })).toBe(false);
  });

  it("refuses malformed times", () => {
    expect(() => isInQuietHours(at("2026-05-12T12:00:00Z"), TZ, { start: "9:00", end: "08:00" })).toThrow(RangeError);
    expect(() => isInQuietHours(at("2026-05-12T12:00:00Z"), TZ, { start: "21:00", end: "24:00" })).toThrow(RangeError);
  });
});

describe("nextQuietHoursEnd", () => {
  it("goes to 08:00 the next morning from the evening, the same morning after midnight", () => {
    expect(nextQuietHoursEnd(at("2026-05-12T21:00:00+02:00"), TZ)).toEqual(at("2026-05-13T08:00:00+02:00"));
    expect(nextQuietHoursEnd(at("2026-05-13T03:00:00+02:00"), TZ)).toEqual(at("2026-05-13T08:00:00+02:00"));
  });

  it("lands on 08:00 summer time after the spring switch night", () => {
    expect(nextQuietHoursEnd(at("2026-03-28T22:00:00+01:00"), TZ)).toEqual(at("2026-03-29T08:00:00+02:00"));
  });

  it("lands on 08:00 winter time after the autumn switch night", () => {
    expect(nextQuietHoursEnd(at("2026-10-24T22:00:00+02:00"), TZ)).toEqual(at("2026-10-25T08:00:00+01:00"));
  });
});

describe("computeReminderTimes", () => {
  describe("across the spring switch: visit Monday 2026-03-30 09:00", () => {
    const startsAt = at("2026-03-30T09:00:00+02:00");
    const now = at("2026-03-20T12:00:00+01:00");

    it("keeps 09:00 wall-clock for 1 and 3 days before", () => {
      expect(plan({ startsAt, now, offsets: [d(3), d(1)] })).toEqual([
        due("d3", "2026-03-27T09:00:00+01:00"), // Friday, still winter time
        due("d1", "2026-03-29T09:00:00+02:00"), // Sunday, already summer time
      ]);
    });

    it("sends 'the day before at 18:00' at 18:00 local", () => {
      expect(plan({ startsAt, now, offsets: [d(1, "18:00")] })).toEqual([due("d1@18:00", "2026-03-29T18:00:00+02:00")]);
    });

    it("reads 24 and 72 hours as whole days, like the cancellation cutoff", () => {
      expect(plan({ startsAt, now, offsets: [h(24), h(72)] })).toEqual([
        due("h24", "2026-03-29T09:00:00+02:00"),
        due("h72", "2026-03-27T09:00:00+01:00"),
      ]);
    });

    it("counts other hours as real elapsed time", () => {
      const sundayVisit = at("2026-03-29T10:00:00+02:00");
      // 8 real hours before 10:00 CEST is 00:00 UTC = 01:00 CET (wall-clock arithmetic would say 02:00).
      expect(plan({ startsAt: sundayVisit, now, offsets: [h(8)], channel: "push" })).toEqual([
        due("h8", "2026-03-29T01:00:00+01:00"),
      ]);
      expect(plan({ startsAt: sundayVisit, now, offsets: [h(8)] })).toEqual([
        due("h8", "2026-03-29T08:00:00+02:00", "quiet_hours"),
      ]);
    });
  });

  describe("across the autumn switch: visit Monday 2026-10-26 09:00", () => {
    const startsAt = at("2026-10-26T09:00:00+01:00");
    const now = at("2026-10-01T12:00:00+02:00");

    it("keeps 09:00 wall-clock for 1 and 3 days before", () => {
      expect(plan({ startsAt, now, offsets: [d(3), d(1)] })).toEqual([
        due("d3", "2026-10-23T09:00:00+02:00"), // Friday, still summer time
        due("d1", "2026-10-25T09:00:00+01:00"), // Sunday, already winter time
      ]);
    });

    it("sends 'the day before at 18:00' at 18:00 local", () => {
      expect(plan({ startsAt, now, offsets: [d(1, "18:00")] })).toEqual([due("d1@18:00", "2026-10-25T18:00:00+01:00")]);
    });
  });

  describe("quiet hours edges (SMS)", () => {
    const startsAt = at("2026-05-13T10:00:00+02:00");
    const now = at("2026-05-01T12:00:00+02:00");

    it("sends at 20:59", () => {
      expect(plan({ startsAt, now, offsets: [d(1, "20:59")] })).toEqual([due("d1@20:59", "2026-05-12T20:59:00+02:00")]);
    });

    it("moves 21:00 to 08:00 the next morning", () => {
      expect(plan({ startsAt, now, offsets: [d(1, "21:00")] })).toEqual([
        due("d1@21:00", "2026-05-13T08:00:00+02:00", "quiet_hours"),
      ]);
    });

    it("moves 07:59 to 08:00", () => {
      expect(plan({ startsAt, now, offsets: [d(0, "07:59")] })).toEqual([
        due("d0@07:59", "2026-05-13T08:00:00+02:00", "quiet_hours"),
      ]);
    });

    it("sends at 08:00", () => {
      expect(plan({ startsAt, now, offsets: [d(0, "08:00")] })).toEqual([due("d0@08:00", "2026-05-13T08:00:00+02:00")]);
    });

    it("leaves push alone unless quiet hours are passed", () => {
      expect(plan({ startsAt, now, channel: "push", offsets: [d(1, "22:00")] })).toEqual([
        due("d1@22:00", "2026-05-12T22:00:00+02:00"),
      ]);
      expect(
        plan({
          startsAt,
          now,
          channel: "push",
          quietHours: { start: "22:00", end: "07:00" },
          offsets: [d(1, "22:00")],
        }),
      ).toEqual([due("d1@22:00", "2026-05-13T07:00:00+02:00", "quiet_hours")]);
    });

    it("uses the quiet hours it is given for SMS", () => {
      expect(plan({ startsAt, now, quietHours: { start: "22:00", end: "07:00" }, offsets: [d(1, "21:30")] })).toEqual([
        due("d1@21:30", "2026-05-12T21:30:00+02:00"),
      ]);
    });

    it("sends one message when two reminders land on the same 08:00", () => {
      // 13 h before 10:00 is 21:00 (moved to 08:00); 2 h before is 08:00 itself.
      expect(plan({ startsAt, now, offsets: [h(13), h(2)] })).toEqual([
        { status: "skipped", offsetKey: "h13", reason: "same_time" },
        due("h2", "2026-05-13T08:00:00+02:00"),
      ]);
    });
  });

  describe("an early visit", () => {
    const startsAt = at("2026-05-13T07:30:00+02:00");
    const now = at("2026-05-01T12:00:00+02:00");

    it("skips a 1-hour SMS reminder for a 07:30 visit: 06:30 is quiet and 08:00 is too late", () => {
      expect(plan({ startsAt, now, offsets: [h(1)] })).toEqual([
        { status: "skipped", offsetKey: "h1", reason: "quiet_hours" },
      ]);
    });

    it("still sends it by push", () => {
      expect(plan({ startsAt, now, offsets: [h(1)], channel: "push" })).toEqual([
        due("h1", "2026-05-13T06:30:00+02:00"),
      ]);
    });

    it("skips when 08:00 would be exactly the start of the visit", () => {
      expect(plan({ startsAt: at("2026-05-13T08:00:00+02:00"), now, offsets: [h(1)] })).toEqual([
        { status: "skipped", offsetKey: "h1", reason: "quiet_hours" },
      ]);
    });

    it("still sends the day-before reminder, moved out of quiet hours", () => {
      expect(plan({ startsAt, now, offsets: [d(1), h(1)] })).toEqual([
        due("d1", "2026-05-12T08:00:00+02:00", "quiet_hours"),
        { status: "skipped", offsetKey: "h1", reason: "quiet_hours" },
      ]);
    });
  });

  describe("overdue reminders", () => {
    const startsAt = at("2026-05-13T09:00:00+02:00");

    it("sends an overdue reminder now when now is not quiet", () => {
      const now = at("2026-05-12T10:15:00+02:00");
      expect(plan({ startsAt, now, offsets: [d(1)] })).toEqual([due("d1", "2026-05-12T10:15:00+02:00", "overdue")]);
    });

    it("does not treat a reminder due exactly now as overdue", () => {
      const now = at("2026-05-12T09:00:00+02:00");
      expect(plan({ startsAt, now, offsets: [d(1)] })).toEqual([due("d1", "2026-05-12T09:00:00+02:00")]);
    });

    it("collapses several overdue reminders into one message, keeping the one closest to the visit", () => {
      const now = at("2026-05-12T10:15:00+02:00");
      expect(plan({ startsAt, now, offsets: [d(3), d(1), h(2)] })).toEqual([
        { status: "skipped", offsetKey: "d3", reason: "same_time" },
        due("d1", "2026-05-12T10:15:00+02:00", "overdue"),
        due("h2", "2026-05-13T08:00:00+02:00", "quiet_hours"),
      ]);
    });

    it("waits for 08:00 when it becomes overdue during quiet hours", () => {
      const now = at("2026-05-12T23:10:00+02:00");
      expect(plan({ startsAt, now, offsets: [d(1)] })).toEqual([due("d1", "2026-05-13T08:00:00+02:00", "quiet_hours")]);
    });

    it("gives up when 08:00 is not before the visit", () => {
      const now = at("2026-05-12T23:10:00+02:00");
      expect(plan({ startsAt: at("2026-05-13T07:45:00+02:00"), now, offsets: [d(1)] })).toEqual([
        { status: "skipped", offsetKey: "d1", reason: "quiet_hours" },
      ]);
    });

    it("sends an overdue push reminder at once, even at night", () => {
      const now = at("2026-05-12T23:10:00+02:00");
      expect(plan({ startsAt, now, offsets: [d(1)], channel: "push" })).toEqual([
        due("d1", "2026-05-12T23:10:00+02:00", "overdue"),
      ]);
    });
  });

  describe("past visits", () => {
    const startsAt = at("2026-05-13T09:00:00+02:00");

    it("skips every offset for a visit that is over", () => {
      expect(plan({ startsAt, now: at("2026-05-13T11:00:00+02:00"), offsets: [d(1), h(2)] })).toEqual([
        { status: "skipped", offsetKey: "d1", reason: "past" },
        { status: "skipped", offsetKey: "h2", reason: "past" },
      ]);
    });

    it("skips a visit that starts right now", () => {
      expect(plan({ startsAt, now: startsAt, offsets: [h(2)] })).toEqual([
        { status: "skipped", offsetKey: "h2", reason: "past" },
      ]);
    });
  });

  describe("odd configurations", () => {
    const startsAt = at("2026-05-13T09:00:00+02:00");
    const now = at("2026-05-01T12:00:00+02:00");

    it("skips an offset that lands at or after the visit", () => {
      expect(plan({ startsAt, now, offsets: [d(0, "18:00"), d(0), d(0, "07:00")] })).toEqual([
        { status: "skipped", offsetKey: "d0@18:00", reason: "not_before_visit" },
        { status: "skipped", offsetKey: "d0", reason: "not_before_visit" },
        due("d0@07:00", "2026-05-13T08:00:00+02:00", "quiet_hours"),
      ]);
    });

    it("skips a repeated offset", () => {
      expect(plan({ startsAt, now, offsets: [d(1), d(1)] })).toEqual([
        due("d1", "2026-05-12T09:00:00+02:00"),
        { status: "skipped", offsetKey: "d1", reason: "duplicate_key" },
      ]);
    });

    it("keeps the first of two different offsets with the same nominal time", () => {
      expect(plan({ startsAt, now, offsets: [h(24), d(1)] })).toEqual([
        due("h24", "2026-05-12T09:00:00+02:00"),
        { status: "skipped", offsetKey: "d1", reason: "same_time" },
      ]);
    });

    it("returns nothing for no offsets", () => {
      expect(plan({ startsAt, now, offsets: [] })).toEqual([]);
    });

    it.each<[string, ReminderOffset]>([
      ["negative days", d(-1)],
      ["fractional days", d(1.5)],
      ["a bad time", d(1, "24:00")],
      ["a short time", d(1, "9:00")],
      ["zero hours", h(0)],
      ["negative hours", h(-2)],
      ["NaN hours", h(Number.NaN)],
    ])("refuses %s", (_label, offset) => {
      expect(() => plan({ startsAt, now, offsets: [offset] })).toThrow(RangeError);
    });

    it("refuses malformed quiet hours", () => {
      expect(() => plan({ startsAt, now, offsets: [d(1)], quietHours: { start: "21", end: "08:00" } })).toThrow(
        RangeError,
      );
    });

    it("does not mutate or share the caller's Date objects", () => {
      const result = plan({ startsAt, now: at("2026-05-12T10:00:00+02:00"), offsets: [d(1)] });
      const first = result[0];
      expect(first?.status).toBe("due");
      if (first?.status === "due") {
        first.dueAt.setTime(0);
        expect(startsAt).toEqual(at("2026-05-13T09:00:00+02:00"));
      }
    });
  });
});

describe("reminders that offer a change leave time to make it", () => {
  // A 24 h cutoff and the clinic's default 2 h lead: an offer to cancel must arrive by 07:00
  // the day before a 09:00 visit.
  const window = (startsAt: Date, over: Partial<ChangeWindow> = {}): ChangeWindow => ({
    deadline: changeDeadline({ startsAt, cutoffHours: 24, timeZone: TZ }),
    minLeadMinutes: 120,
    selfService: true,
    ...over,
  });

  it("moves 'the day before' off the cutoff to the last waking minute that leaves the lead", () => {
    // Visit Thursday 09:00: deadline Wednesday 09:00, 2 h earlier is 07:00 (quiet), so 20:59 Tuesday.
    const startsAt = at("2026-05-14T09:00:00+02:00");
    const now = at("2026-05-01T12:00:00+02:00");
    expect(plan({ startsAt, now, offsets: [d(3), d(1)], change: window(startsAt) })).toEqual([
      due("d3", "2026-05-11T09:00:00+02:00", "none", true),
      due("d1", "2026-05-12T20:59:00+02:00", "before_cutoff", true),
    ]);
  });

  it("moves it to exactly the lead before the deadline when that is waking time", () => {
    const startsAt = at("2026-05-14T14:00:00+02:00");
    const now = at("2026-05-01T12:00:00+02:00");
    expect(plan({ startsAt, now, offsets: [d(1)], change: window(startsAt) })).toEqual([
      due("d1", "2026-05-13T12:00:00+02:00", "before_cutoff", true),
    ]);
  });

  it("follows the clinic's own lead and waking hours", () => {
    const startsAt = at("2026-05-14T09:00:00+02:00");
    const now = at("2026-05-01T12:00:00+02:00");
    const quietHours = { start: "22:00", end: "06:00" };
    expect(
      plan({ startsAt, now, offsets: [d(1)], quietHours, change: window(startsAt, { minLeadMinutes: 180 }) }),
    ).toEqual([due("d1", "2026-05-13T06:00:00+02:00", "before_cutoff", true)]);
  });

  it("keeps the wall-clock rule across the spring switch (deadline Sunday 09:00 CEST, 07:00 quiet)", () => {
    const startsAt = at("2026-03-30T09:00:00+02:00");
    const now = at("2026-03-20T12:00:00+01:00");
    expect(plan({ startsAt, now, offsets: [d(1)], change: window(startsAt) })).toEqual([
      // Saturday 20:59 is still winter time.
      due("d1", "2026-03-28T20:59:00+01:00", "before_cutoff", true),
    ]);
  });

  it("and across the autumn switch", () => {
    const startsAt = at("2026-10-26T15:00:00+01:00");
    const now = at("2026-10-01T12:00:00+02:00");
    // Deadline Sunday 15:00 CET; 2 real hours earlier is 13:00 CET, after the switch.
    expect(plan({ startsAt, now, offsets: [d(1)], change: window(startsAt) })).toEqual([
      due("d1", "2026-10-25T13:00:00+01:00", "before_cutoff", true),
    ]);
  });

  it("does not offer a change in a reminder meant for after the cutoff", () => {
    const startsAt = at("2026-05-14T14:00:00+02:00");
    const now = at("2026-05-01T12:00:00+02:00");
    expect(plan({ startsAt, now, offsets: [h(2)], change: window(startsAt) })).toEqual([
      due("h2", "2026-05-14T12:00:00+02:00", "none", false),
    ]);
  });

  it("does not offer a change when the clinic does not allow one, and does not move the reminder", () => {
    const startsAt = at("2026-05-14T14:00:00+02:00");
    const now = at("2026-05-01T12:00:00+02:00");
    expect(plan({ startsAt, now, offsets: [d(1)], change: window(startsAt, { selfService: false }) })).toEqual([
      due("d1", "2026-05-13T14:00:00+02:00", "none", false),
    ]);
  });

  it("sends a late-planned 'day before' as planned, without the offer, when the earlier moment has passed", () => {
    const startsAt = at("2026-05-14T14:00:00+02:00");
    const now = at("2026-05-13T12:30:00+02:00"); // after 12:00, before the nominal 14:00
    expect(plan({ startsAt, now, offsets: [d(1)], change: window(startsAt) })).toEqual([
      due("d1", "2026-05-13T14:00:00+02:00", "none", false),
    ]);
  });

  it("offersChange needs the whole lead before the deadline", () => {
    const startsAt = at("2026-05-14T14:00:00+02:00");
    const w = window(startsAt);
    expect(offersChange(at("2026-05-13T12:00:00+02:00"), w)).toBe(true);
    expect(offersChange(at("2026-05-13T12:00:01+02:00"), w)).toBe(false);
    expect(offersChange(at("2026-05-13T12:00:00+02:00"), undefined)).toBe(false);
  });

  it("a worker may write the text up to 15 minutes late and still offer the change, not later", () => {
    const w = window(at("2026-05-14T14:00:00+02:00"));
    expect(offersChangeWhenSent(at("2026-05-13T12:00:30+02:00"), w)).toBe(true);
    expect(offersChangeWhenSent(at("2026-05-13T12:15:00+02:00"), w)).toBe(true);
    expect(offersChangeWhenSent(at("2026-05-13T12:15:01+02:00"), w)).toBe(false);
    expect(offersChangeWhenSent(at("2026-05-13T12:00:00+02:00"), { ...w, selfService: false })).toBe(false);
  });

  it("lastWakingMomentBefore finds the evening before a morning in quiet hours, and leaves waking times alone", () => {
    const q = { start: "21:00", end: "08:00" };
    expect(lastWakingMomentBefore(at("2026-05-13T07:00:00+02:00"), TZ, q)).toEqual(at("2026-05-12T20:59:00+02:00"));
    expect(lastWakingMomentBefore(at("2026-05-13T23:00:00+02:00"), TZ, q)).toEqual(at("2026-05-13T20:59:00+02:00"));
    expect(lastWakingMomentBefore(at("2026-05-13T12:00:00+02:00"), TZ, q)).toEqual(at("2026-05-13T12:00:00+02:00"));
  });
});

describe("a reminder whose time has passed when it is planned", () => {
  it("is not sent: 7 days before a visit 6 days away", () => {
    const startsAt = at("2026-05-14T09:00:00+02:00");
    const now = at("2026-05-08T10:00:00+02:00");
    expect(plan({ startsAt, now, offsets: [d(7), d(3)], overdue: "skip" })).toEqual([
      { status: "skipped", offsetKey: "d7", reason: "passed", nominalAt: at("2026-05-07T09:00:00+02:00") },
      due("d3", "2026-05-11T09:00:00+02:00"),
    ]);
  });
});
