import { describe, expect, it } from "vitest";
import { canPatientCancel, canPatientRebook, changeDeadline, type CancelCheckInput } from "./cancellation-policy";

// Instants are written with explicit offsets so each test states the Stockholm wall-clock
// time it means: +01:00 is winter time (CET), +02:00 summer time (CEST).
const at = (iso: string) => new Date(iso);
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);

function cancel(overrides: Partial<CancelCheckInput> & Pick<CancelCheckInput, "startsAt" | "now">) {
  return canPatientCancel({ cutoffHours: 24, selfServiceCancel: true, status: "booked", ...overrides });
}

describe("changeDeadline", () => {
  it("puts a 24 h cutoff at the same wall-clock time the day before on an ordinary day", () => {
    expect(changeDeadline({ startsAt: at("2026-05-12T10:00:00+02:00"), cutoffHours: 24 })).toEqual(
      at("2026-05-11T10:00:00+02:00"),
    );
  });

  it("keeps 10:00 the day before across the spring switch (only 23 real hours)", () => {
    // Sunday 2026-03-29: clocks go from 02:00 CET to 03:00 CEST.
    const startsAt = at("2026-03-29T10:00:00+02:00");
    const deadline = changeDeadline({ startsAt, cutoffHours: 24 });
    expect(deadline).toEqual(at("2026-03-28T10:00:00+01:00"));
    expect(startsAt.getTime() - deadline.getTime()).toBe(23 * 3_600_000);
  });

  it("keeps 10:00 the day before across the autumn switch (25 real hours)", () => {
    // Sunday 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET.
    const startsAt = at("2026-10-25T10:00:00+01:00");
    const deadline = changeDeadline({ startsAt, cutoffHours: 24 });
    expect(deadline).toEqual(at("2026-10-24T10:00:00+02:00"));
    expect(startsAt.getTime() - deadline.getTime()).toBe(25 * 3_600_000);
  });

  it("counts 48 h as two calendar days across the spring switch", () => {
    expect(changeDeadline({ startsAt: at("2026-03-30T10:00:00+02:00"), cutoffHours: 48 })).toEqual(
      at("2026-03-28T10:00:00+01:00"),
    );
  });

  it("counts 72 h as three calendar days across the autumn switch", () => {
    expect(changeDeadline({ startsAt: at("2026-10-26T08:15:00+01:00"), cutoffHours: 72 })).toEqual(
      at("2026-10-23T08:15:00+02:00"),
    );
  });

  it("uses absolute hours when the cutoff is not whole days", () => {
    const startsAt = at("2026-03-29T10:00:00+02:00");
    const deadline = changeDeadline({ startsAt, cutoffHours: 36 });
    expect(startsAt.getTime() - deadline.getTime()).toBe(36 * 3_600_000);
    // 36 real hours before 10:00 CEST is 21:00 CET, not the wall-clock 22:00.
    expect(deadline).toEqual(at("2026-03-27T21:00:00+01:00"));
  });

  it("supports fractional hours as absolute time", () => {
    const startsAt = at("2026-06-01T10:00:00+02:00");
    expect(changeDeadline({ startsAt, cutoffHours: 1.5 })).toEqual(at("2026-06-01T08:30:00+02:00"));
  });

  it("makes a zero cutoff the start of the visit", () => {
    const startsAt = at("2026-06-01T10:00:00+02:00");
    expect(changeDeadline({ startsAt, cutoffHours: 0 })).toEqual(startsAt);
  });

  it("works in the clinic zone it is given", () => {
    // New York springs forward on 2026-03-08; in Stockholm nothing happens that day.
    expect(
      changeDeadline({ startsAt: at("2026-03-08T10:00:00-04:00"), cutoffHours: 24, timeZone: "America/New_York" }),
    ).toEqual(at("2026-03-07T10:00:00-05:00"));
    expect(changeDeadline({ startsAt: at("2026-03-08T10:00:00-04:00"), cutoffHours: 24 })).toEqual(
      at("2026-03-07T14:00:00Z"),
    );
  });

  it("moves a wall-clock time that does not exist on the switch day forward", () => {
    // 02:30 on 2026-03-29 never happens in Stockholm; it resolves to 03:30 CEST.
    expect(changeDeadline({ startsAt: at("2026-03-30T02:30:00+02:00"), cutoffHours: 24 })).toEqual(
      at("2026-03-29T03:30:00+02:00"),
    );
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses a cutoff of %s", (cutoffHours) => {
    expect(() => changeDeadline({ startsAt: at("2026-06-01T10:00:00+02:00"), cutoffHours })).toThrow(RangeError);
  });
});

describe("canPatientCancel", () => {
  const startsAt = at("2026-03-29T10:00:00+02:00");
  const deadline = at("2026-03-28T10:00:00+01:00");

  it("allows cancelling well before the cutoff and reports the deadline", () => {
    expect(cancel({ startsAt, now: at("2026-03-20T12:00:00+01:00") })).toEqual({ allowed: true, deadline });
  });

  it("allows cancelling at exactly the deadline across the spring switch", () => {
    expect(cancel({ startsAt, now: deadline })).toEqual({ allowed: true, deadline });
  });

  it("refuses one millisecond after the deadline across the spring switch", () => {
    expect(cancel({ startsAt, now: ms(deadline, 1) })).toEqual({
      allowed: false,
      reason: "past_cutoff",
      deadline,
    });
  });

  it("would have allowed it under naive 24 absolute hours, which is the point of the rule", () => {
    // 24 real hours before the visit is 11:00 CET on Saturday; by then the patient is too late.
    expect(cancel({ startsAt, now: at("2026-03-28T10:30:00+01:00") })).toMatchObject({
      allowed: false,
      reason: "past_cutoff",
    });
  });

  describe("across the autumn switch", () => {
    const autumnVisit = at("2026-10-25T10:00:00+01:00");
    const autumnDeadline = at("2026-10-24T10:00:00+02:00");

    it("allows at exactly the deadline", () => {
      expect(cancel({ startsAt: autumnVisit, now: autumnDeadline })).toEqual({
        allowed: true,
        deadline: autumnDeadline,
      });
    });

    it("refuses one millisecond after", () => {
      expect(cancel({ startsAt: autumnVisit, now: ms(autumnDeadline, 1) })).toMatchObject({
        allowed: false,
        reason: "past_cutoff",
      });
    });

    it("refuses at 10:30 the day before, which 24 real hours (11:00 CEST) would still allow", () => {
      expect(cancel({ startsAt: autumnVisit, now: at("2026-10-24T10:30:00+02:00") })).toMatchObject({
        allowed: false,
        reason: "past_cutoff",
      });
    });
  });

  it("applies a zero cutoff right up to the start", () => {
    const visit = at("2026-06-01T10:00:00+02:00");
    expect(cancel({ startsAt: visit, cutoffHours: 0, now: ms(visit, -1) })).toEqual({
      allowed: true,
      deadline: visit,
    });
    expect(cancel({ startsAt: visit, cutoffHours: 0, now: visit })).toEqual({ allowed: false, reason: "past" });
  });

  it("refuses when the clinic does not allow self-service cancellation", () => {
    expect(cancel({ startsAt, now: at("2026-03-20T12:00:00+01:00"), selfServiceCancel: false })).toEqual({
      allowed: false,
      reason: "not_allowed",
    });
  });

  it.each(["cancelled", "completed", "no_show"])("refuses a %s appointment", (status) => {
    expect(cancel({ startsAt, now: at("2026-03-20T12:00:00+01:00"), status })).toEqual({
      allowed: false,
      reason: "not_booked",
    });
  });

  it("says 'past' for a visit that has started or is over, before anything else", () => {
    expect(cancel({ startsAt, now: startsAt, selfServiceCancel: false })).toEqual({ allowed: false, reason: "past" });
    expect(cancel({ startsAt, now: ms(startsAt, 60_000) })).toEqual({ allowed: false, reason: "past" });
  });

  it("says 'not_booked' for a cancelled visit in the past", () => {
    expect(cancel({ startsAt, now: ms(startsAt, 60_000), status: "cancelled" })).toEqual({
      allowed: false,
      reason: "not_booked",
    });
  });

  it("uses absolute hours for a 2 h cutoff", () => {
    const visit = at("2026-10-25T03:30:00+01:00"); // just after the autumn switch
    const twoHoursBefore = ms(visit, -2 * 3_600_000);
    expect(cancel({ startsAt: visit, cutoffHours: 2, now: twoHoursBefore })).toEqual({
      allowed: true,
      deadline: twoHoursBefore,
    });
    expect(cancel({ startsAt: visit, cutoffHours: 2, now: ms(twoHoursBefore, 1) })).toMatchObject({
      allowed: false,
      reason: "past_cutoff",
    });
  });
});

describe("canPatientRebook", () => {
  const startsAt = at("2026-10-25T10:00:00+01:00");
  const deadline = at("2026-10-24T10:00:00+02:00");
  const base = { startsAt, cutoffHours: 24, status: "booked", selfServiceRebook: true };

  it("shares the cancellation deadline", () => {
    expect(canPatientRebook({ ...base, now: deadline })).toEqual({ allowed: true, deadline });
    expect(canPatientRebook({ ...base, now: ms(deadline, 1) })).toEqual({
      allowed: false,
      reason: "past_cutoff",
      deadline,
    });
  });

  it("follows its own self-service flag", () => {
    expect(canPatientRebook({ ...base, selfServiceRebook: false, now: at("2026-10-01T09:00:00+02:00") })).toEqual({
      allowed: false,
      reason: "not_allowed",
    });
  });

  it("refuses a cancelled or past appointment", () => {
    expect(canPatientRebook({ ...base, status: "cancelled", now: at("2026-10-01T09:00:00+02:00") })).toEqual({
      allowed: false,
      reason: "not_booked",
    });
    expect(canPatientRebook({ ...base, now: ms(startsAt, 1) })).toEqual({ allowed: false, reason: "past" });
  });
});
