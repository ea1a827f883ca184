// (Over ~300 lines: the table of one pure rule's cases, wishes, summer-time edges, ordering; nothing to set up.)
import { describe, expect, it } from "vitest";
import {
  matchWaitlist,
  offerExpiresAt,
  timeOfDay,
  waitlistIneligibility,
  type FreedSlot,
  type MatchWaitlistInput,
  type WaitlistClinicConfig,
  type WaitlistEntry,
  type WaitlistTypeConfig,
  type WaitlistWishes,
} from "./matching";

// +01:00 is Stockholm winter time (CET), +02:00 summer time (CEST).
const at = (iso: string) => new Date(iso);
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);

// Tuesday 2026-05-12 09:00 in Stockholm.
const slot: FreedSlot = {
  id: "slot-1",
  clinicId: "c1",
  typeId: "t1",
  startsAt: at("2026-05-12T09:00:00+02:00"),
  cutoffHours: 24,
};
const clinic: WaitlistClinicConfig = {
  id: "c1",
  sisterClinicIds: ["c2"],
  fairness: "in_turn",
  batchSize: 2,
  excludedTypeIds: [],
};
const type: WaitlistTypeConfig = { id: "t1", allowSisterClinics: true };
const now = at("2026-05-10T12:00:00+02:00");

let counter = 0;
function entry(
  overrides: {
    id?: string;
    patientId?: string;
    clinicId?: string;
    typeId?: string;
    appointmentAt?: string;
    createdAt?: string;
    wishes?: Partial<WaitlistWishes>;
  } = {},
): WaitlistEntry {
  counter += 1;
  const id = overrides.id ?? `e${counter}`;
  return {
    id,
    patientId: overrides.patientId ?? `p-${id}`,
    appointment: {
      id: `a-${id}`,
      clinicId: overrides.clinicId ?? "c1",
      typeId: overrides.typeId ?? "t1",
      startsAt: at(overrides.appointmentAt ?? "2026-06-01T10:00:00+02:00"),
    },
    wishes: { fromDate: "2026-05-01", weekdays: [], timesOfDay: [], minNoticeMinutes: 60, ...overrides.wishes },
    createdAt: at(overrides.createdAt ?? "2026-04-01T10:00:00+02:00"),
  };
}

function input(entries: WaitlistEntry[], changes: Partial<MatchWaitlistInput<WaitlistEntry>> = {}) {
  return { slot, clinic, type, entries, now, ...changes };
}

function reason(e: WaitlistEntry, changes: Partial<MatchWaitlistInput<WaitlistEntry>> = {}) {
  return waitlistIneligibility(e, input([e], changes));
}

function slotAt(iso: string): FreedSlot {
  return { ...slot, startsAt: at(iso) };
}

describe("timeOfDay", () => {
  it.each([
    ["2026-05-12T00:00:00+02:00", "morning"],
    ["2026-05-12T11:59:59+02:00", "morning"],
    ["2026-05-12T12:00:00+02:00", "afternoon"],
    ["2026-05-12T16:59:00+02:00", "afternoon"],
    ["2026-05-12T17:00:00+02:00", "evening"],
    ["2026-05-12T23:59:00+02:00", "evening"],
  ])("%s is %s in Stockholm", (iso, expected) => {
    expect(timeOfDay(at(iso))).toBe(expected);
  });
});

describe("waitlistIneligibility and matchWaitlist", () => {
  it("matches a plain entry for the same clinic and type", () => {
    const e = entry();
    expect(reason(e)).toBeNull();
    expect(matchWaitlist(input([e]))).toEqual([e]);
  });

  describe("types and clinics", () => {
    it("offers nothing when the clinic excludes the slot's type", () => {
      const e = entry();
      const excluding = { ...clinic, excludedTypeIds: ["t1"] };
      expect(reason(e, { clinic: excluding })).toBe("type_excluded");
      expect(matchWaitlist(input([e], { clinic: excluding }))).toEqual([]);
    });

    it("ignores entries for another appointment type", () => {
      expect(reason(entry({ typeId: "t2" }))).toBe("other_type");
    });

    it("takes a sister clinic's patients when the type allows it", () => {
      expect(reason(entry({ clinicId: "c2" }))).toBeNull();
    });

    it("does not take a sister clinic's patients when the type does not allow it", () => {
      expect(reason(entry({ clinicId: "c2" }), { type: { id: "t1", allowSisterClinics: false } })).toBe("other_clinic");
      // Its own patients still match.
      expect(reason(entry(), { type: { id: "t1", allowSisterClinics: false } })).toBeNull();
    });

    it("never takes patients of a clinic that is not a sister", () => {
      expect(reason(entry({ clinicId: "c3" }))).toBe("other_clinic");
    });
  });

  describe("earlier than the booked appointment", () => {
    it("requires the slot to be strictly earlier", () => {
      expect(reason(entry({ appointmentAt: "2026-05-12T09:00:00+02:00" }))).toBe("not_earlier");
      expect(reason(entry({ appointmentAt: "2026-05-11T09:00:00+02:00" }))).toBe("not_earlier");
      expect(reason(entry({ appointmentAt: "2026-05-12T09:00:00.001+02:00" }))).toBeNull();
    });

    it("ignores entries whose appointment is already past", () => {
      const e = entry({ appointmentAt: "2026-05-10T12:00:00+02:00" });
      expect(reason(e, { slot: slotAt("2026-05-09T09:00:00+02:00") })).toBe("appointment_past");
    });
  });

  describe("wishes", () => {
    it("respects the first date the patient can come, as a Stockholm date", () => {
      expect(reason(entry({ wishes: { fromDate: "2026-05-12" } }))).toBeNull();
      expect(reason(entry({ wishes: { fromDate: "2026-05-13" } }))).toBe("before_from_date");
      // 22:30 UTC on the 11th is already 00:30 on the 12th in Stockholm.
      const late = { slot: slotAt("2026-05-11T22:30:00Z") };
      expect(reason(entry({ wishes: { fromDate: "2026-05-12" } }), late)).toBeNull();
    });

    it("respects weekdays (1 = Monday ... 7 = Sunday)", () => {
      expect(reason(entry({ wishes: { weekdays: [2] } }))).toBeNull(); // Tuesday
      expect(reason(entry({ wishes: { weekdays: [1, 3, 4, 5] } }))).toBe("weekday");
      const sunday = { slot: slotAt("2026-05-17T10:00:00+02:00") };
      expect(reason(entry({ wishes: { weekdays: [7] } }), sunday)).toBeNull();
      expect(reason(entry({ wishes: { weekdays: [6] } }), sunday)).toBe("weekday");
    });

    it("treats no weekdays or no times of day as no preference", () => {
      expect(reason(entry({ wishes: { weekdays: [], timesOfDay: [] } }))).toBeNull();
    });

    it("respects times of day at their edges", () => {
      const wishMorning = entry({ wishes: { timesOfDay: ["morning"] } });
      const wishAfternoon = entry({ wishes: { timesOfDay: ["afternoon"] } });
      const wishEvening = entry({ wishes: { timesOfDay: ["evening"] } });
      const s1159 = { slot: slotAt("2026-05-12T11:59:00+02:00") };
      const s1200 = { slot: slotAt("2026-05-12T12:00:00+02:00") };
      const s1659 = { slot: slotAt("2026-05-12T16:59:00+02:00") };
      const s1700 = { slot: slotAt("2026-05-12T17:00:00+02:00") };
      expect(reason(wishMorning, s1159)).toBeNull();
      expect(reason(wishMorning, s1200)).toBe("time_of_day");
      expect(reason(wishAfternoon, s1200)).toBeNull();
      expect(reason(wishAfternoon, s1659)).toBeNull();
      expect(reason(wishAfternoon, s1700)).toBe("time_of_day");
      expect(reason(wishEvening, s1700)).toBeNull();
      expect(reason(entry({ wishes: { timesOfDay: ["morning", "evening"] } }), s1700)).toBeNull();
    });

    it("respects the notice the patient needs, inclusive", () => {
      const e = entry({ wishes: { minNoticeMinutes: 120 } });
      const exactly = { now: ms(slot.startsAt, -120 * 60_000) };
      expect(reason(e, exactly)).toBeNull();
      expect(reason(e, { now: ms(exactly.now, 1) })).toBe("too_short_notice");
    });

    it("allows zero notice up to the start", () => {
      const e = entry({ wishes: { minNoticeMinutes: 0 } });
      expect(reason(e, { now: slot.startsAt })).toBeNull();
      expect(reason(e, { now: ms(slot.startsAt, 1) })).toBe("too_short_notice");
    });
  });

  describe("summer-time edges, read on the Stockholm clock", () => {
    const morning = entry({ wishes: { timesOfDay: ["morning"], weekdays: [7], fromDate: "2026-03-01" } });
    const early = { now: at("2026-03-20T12:00:00+01:00") };

    it("counts 11:59 on the spring switch Sunday as morning", () => {
      // 09:59 UTC: 11:59 CEST (it would be 10:59 in CET).
      expect(reason(morning, { ...early, slot: slotAt("2026-03-29T09:59:00Z") })).toBeNull();
    });

    it("counts 12:00 CEST on the spring switch Sunday as afternoon, though it is 11:00 in CET", () => {
      expect(reason(morning, { ...early, slot: slotAt("2026-03-29T10:00:00Z") })).toBe("time_of_day");
    });

    it("counts a slot in the morning right after the switch as morning on Sunday", () => {
      // 01:00 UTC is 03:00 CEST, the first minute of summer time.
      expect(reason(morning, { ...early, slot: slotAt("2026-03-29T01:00:00Z") })).toBeNull();
    });

    it("reads the weekday and date in Stockholm just after midnight", () => {
      // 22:30 UTC on Sunday 29 March is 00:30 on Monday 30 March in summer time.
      const monday = { ...early, slot: slotAt("2026-03-29T22:30:00Z") };
      expect(reason(morning, monday)).toBe("weekday");
      expect(
        reason(entry({ wishes: { weekdays: [1], fromDate: "2026-03-30", timesOfDay: ["morning"] } }), monday),
      ).toBeNull();
    });

    it("counts 11:30 CET on the autumn switch Sunday as morning, though it is 12:30 in CEST", () => {
      const autumn = { now: at("2026-10-01T12:00:00+02:00"), slot: slotAt("2026-10-25T10:30:00Z") };
      const wish = entry({
        appointmentAt: "2026-11-30T10:00:00+01:00",
        wishes: { timesOfDay: ["morning"], weekdays: [7] },
      });
      expect(reason(wish, autumn)).toBeNull();
      expect(reason(wish, { ...autumn, slot: slotAt("2026-10-25T11:00:00Z") })).toBe("time_of_day"); // 12:00 CET
    });
  });

  describe("ordering", () => {
    const oldest = entry({ id: "oldest", createdAt: "2026-03-01T10:00:00+01:00" });
    const tiedGainsMore = entry({
      id: "tied-b",
      createdAt: "2026-04-01T10:00:00+02:00",
      appointmentAt: "2026-07-01T10:00:00+02:00",
    });
    const tiedGainsLess = entry({
      id: "tied-a",
      createdAt: "2026-04-01T10:00:00+02:00",
      appointmentAt: "2026-06-01T10:00:00+02:00",
    });
    const newest = entry({
      id: "newest",
      createdAt: "2026-05-01T10:00:00+02:00",
      appointmentAt: "2026-12-01T10:00:00+01:00",
    });
    const fullyTiedA = entry({ id: "same-a", createdAt: "2026-05-02T10:00:00+02:00" });
    const fullyTiedB = entry({ id: "same-b", createdAt: "2026-05-02T10:00:00+02:00" });
    const all = [newest, fullyTiedB, tiedGainsLess, oldest, fullyTiedA, tiedGainsMore];
    const expectedOrder = ["oldest", "tied-b", "tied-a", "newest", "same-a", "same-b"];

    it("puts the longest waiting first, then the one who gains the most, then by id (in_turn returns all)", () => {
      expect(matchWaitlist(input(all)).map((e) => e.id)).toEqual(expectedOrder);
    });

    it("does not depend on the order of the input", () => {
      expect(matchWaitlist(input([...all].reverse())).map((e) => e.id)).toEqual(expectedOrder);
    });

    it("returns the first batch for first_come", () => {
      const firstCome = { ...clinic, fairness: "first_come" as const, batchSize: 3 };
      expect(matchWaitlist(input(all, { clinic: firstCome })).map((e) => e.id)).toEqual(expectedOrder.slice(0, 3));
    });

    it("returns fewer than a batch when fewer match", () => {
      const firstCome = { ...clinic, fairness: "first_come" as const, batchSize: 10 };
      expect(matchWaitlist(input([oldest, entry({ typeId: "t9" })], { clinic: firstCome }))).toEqual([oldest]);
    });

    it("leaves ineligible entries out of the order", () => {
      const wrongDay = entry({ id: "wrong-day", createdAt: "2026-01-01T10:00:00+01:00", wishes: { weekdays: [1] } });
      expect(matchWaitlist(input([wrongDay, ...all])).map((e) => e.id)).toEqual(expectedOrder);
    });

    it("offers a patient the slot once, through their best-placed entry", () => {
      const first = entry({ id: "x1", patientId: "same", createdAt: "2026-02-01T10:00:00+01:00" });
      const second = entry({ id: "x2", patientId: "same", createdAt: "2026-02-02T10:00:00+01:00" });
      expect(matchWaitlist(input([second, oldest, first])).map((e) => e.id)).toEqual(["x1", "oldest"]);
    });

    it("keeps the caller's extra fields", () => {
      const rich = { ...entry(), phoneHash: "h" };
      const [match] = matchWaitlist({ slot, clinic, type, now, entries: [rich] });
      expect(match?.phoneHash).toBe("h");
    });

    it("returns nothing for an empty list", () => {
      expect(matchWaitlist(input([]))).toEqual([]);
    });
  });

  describe("configuration errors", () => {
    it.each<[string, Partial<MatchWaitlistInput<WaitlistEntry>>]>([
      ["another clinic's config", { clinic: { ...clinic, id: "c2" } }],
      ["another type's config", { type: { id: "t2", allowSisterClinics: true } }],
      ["a zero batch size", { clinic: { ...clinic, batchSize: 0 } }],
      ["a fractional batch size", { clinic: { ...clinic, batchSize: 1.5 } }],
    ])("refuses %s", (_label, changes) => {
      expect(() => matchWaitlist(input([entry()], changes))).toThrow(RangeError);
    });

    it.each<[string, Partial<WaitlistWishes>]>([
      ["a malformed fromDate", { fromDate: "12/05/2026" }],
      ["weekday 0", { weekdays: [0] }],
      ["weekday 8", { weekdays: [8] }],
      ["negative notice", { minNoticeMinutes: -5 }],
    ])("refuses an entry with %s", (_label, wishes) => {
      expect(() => matchWaitlist(input([entry({ wishes })]))).toThrow(RangeError);
    });
  });
});

describe("offerExpiresAt", () => {
  const slotStartsAt = at("2026-05-12T09:00:00+02:00");
  const cutoff = at("2026-05-11T09:00:00+02:00");

  it("gives the full answer window when the cutoff is far away", () => {
    expect(
      offerExpiresAt({ now: at("2026-05-10T12:00:00+02:00"), answerWindowMinutes: 120, slotStartsAt, cutoffHours: 24 }),
    ).toEqual(at("2026-05-10T14:00:00+02:00"));
  });

  it("stops at the cutoff when the window would run past it", () => {
    expect(
      offerExpiresAt({ now: at("2026-05-11T08:00:00+02:00"), answerWindowMinutes: 120, slotStartsAt, cutoffHours: 24 }),
    ).toEqual(cutoff);
  });

  it("returns null at or after the cutoff", () => {
    expect(offerExpiresAt({ now: cutoff, answerWindowMinutes: 120, slotStartsAt, cutoffHours: 24 })).toBeNull();
    expect(
      offerExpiresAt({ now: ms(cutoff, 60_000), answerWindowMinutes: 120, slotStartsAt, cutoffHours: 24 }),
    ).toBeNull();
  });

  it("still gives a sliver one millisecond before the cutoff", () => {
    expect(offerExpiresAt({ now: ms(cutoff, -1), answerWindowMinutes: 120, slotStartsAt, cutoffHours: 24 })).toEqual(
      cutoff,
    );
  });

  it("puts a whole-day cutoff at the same wall-clock time across the spring switch", () => {
    // Slot Sunday 2026-03-29 10:00 CEST; 24 h cutoff is Saturday 10:00 CET (23 real hours).
    const sundaySlot = at("2026-03-29T10:00:00+02:00");
    expect(
      offerExpiresAt({
        now: at("2026-03-28T08:30:00+01:00"),
        answerWindowMinutes: 120,
        slotStartsAt: sundaySlot,
        cutoffHours: 24,
      }),
    ).toEqual(at("2026-03-28T10:00:00+01:00"));
    expect(
      offerExpiresAt({
        now: at("2026-03-28T10:00:00+01:00"),
        answerWindowMinutes: 120,
        slotStartsAt: sundaySlot,
        cutoffHours: 24,
      }),
    ).toBeNull();
  });

  it("puts a whole-day cutoff at the same wall-clock time across the autumn switch", () => {
    const sundaySlot = at("2026-10-25T10:00:00+01:00");
    expect(
      offerExpiresAt({
        now: at("2026-10-24T09:00:00+02:00"),
        answerWindowMinutes: 120,
        slotStartsAt: sundaySlot,
        cutoffHours: 24,
      }),
    ).toEqual(at("2026-10-24T10:00:00+02:00"));
  });

  it("uses absolute hours for other cutoffs, and the start itself for zero", () => {
    expect(
      offerExpiresAt({ now: at("2026-05-12T05:00:00+02:00"), answerWindowMinutes: 120, slotStartsAt, cutoffHours: 3 }),
    ).toEqual(at("2026-05-12T06:00:00+02:00"));
    expect(
      offerExpiresAt({ now: at("2026-05-12T08:30:00+02:00"), answerWindowMinutes: 120, slotStartsAt, cutoffHours: 0 }),
    ).toEqual(slotStartsAt);
  });

  it("refuses nonsensical windows and cutoffs", () => {
    const base = { now: at("2026-05-10T12:00:00+02:00"), slotStartsAt };
    expect(() => offerExpiresAt({ ...base, answerWindowMinutes: 0, cutoffHours: 24 })).toThrow(RangeError);
    expect(() => offerExpiresAt({ ...base, answerWindowMinutes: 60, cutoffHours: -1 })).toThrow(RangeError);
  });
});
