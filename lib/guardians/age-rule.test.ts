import { describe, expect, it } from "vitest";
import { ageOn, guardianMayActFor, patientMayUseOnline } from "./age-rule";

// Instants in UTC; the rule counts on the Stockholm calendar (UTC+1 in winter, +2 in summer).
const born = { year: 2012, month: 3, day: 10 };

describe("the guardian age rule", () => {
  it("counts whole years on the Stockholm date, turning at local midnight", () => {
    // 2025-03-09 23:30 Stockholm (22:30 UTC): still 12. 2025-03-10 00:00 Stockholm (23:00 UTC on the 9th): 13.
    expect(ageOn(born, new Date("2025-03-09T22:30:00Z"))).toBe(12);
    expect(ageOn(born, new Date("2025-03-09T22:59:59Z"))).toBe(12);
    expect(ageOn(born, new Date("2025-03-09T23:00:00Z"))).toBe(13);
  });

  it("uses summer time in summer", () => {
    const summer = { year: 2012, month: 6, day: 15 };
    expect(ageOn(summer, new Date("2025-06-14T21:59:59Z"))).toBe(12);
    expect(ageOn(summer, new Date("2025-06-14T22:00:00Z"))).toBe(13);
  });

  it("lets a guardian act until the day before the 13th birthday, and not from it", () => {
    expect(guardianMayActFor(born, new Date("2025-03-09T12:00:00Z"), 13)).toBe(true);
    expect(guardianMayActFor(born, new Date("2025-03-10T12:00:00Z"), 13)).toBe(false);
    // From 13 to 15 neither: still no at 14 and at 15.
    expect(guardianMayActFor(born, new Date("2026-12-01T12:00:00Z"), 13)).toBe(false);
    expect(guardianMayActFor(born, new Date("2027-06-01T12:00:00Z"), 13)).toBe(false);
  });

  it("takes the limit as a setting", () => {
    expect(guardianMayActFor(born, new Date("2025-03-10T12:00:00Z"), 16)).toBe(true);
    expect(guardianMayActFor(born, new Date("2025-03-10T12:00:00Z"), 0)).toBe(false);
  });

  it("a child born on 29 February turns older on 28 February in a common year", () => {
    const leapling = { year: 2012, month: 2, day: 29 };
    expect(ageOn(leapling, new Date("2025-02-27T12:00:00Z"))).toBe(12);
    expect(ageOn(leapling, new Date("2025-02-28T12:00:00Z"))).toBe(13);
    expect(ageOn(leapling, new Date("2024-02-28T12:00:00Z"))).toBe(11);
    expect(ageOn(leapling, new Date("2024-02-29T12:00:00Z"))).toBe(12);
  });

  it("a newborn counts (age 0), someone not yet born does not", () => {
    const baby = { year: 2026, month: 11, day: 30 };
    expect(guardianMayActFor(baby, new Date("2026-11-30T12:00:00Z"), 13)).toBe(true);
    expect(guardianMayActFor(baby, new Date("2026-11-29T12:00:00Z"), 13)).toBe(false);
  });

  it("lets a patient use the service themselves from the self-service age, not the day before", () => {
    const sixteen = { year: 2010, month: 7, day: 6 };
    expect(patientMayUseOnline(sixteen, new Date("2026-07-05T12:00:00Z"), 16)).toBe(false);
    expect(patientMayUseOnline(sixteen, new Date("2026-07-06T12:00:00Z"), 16)).toBe(true);
    // Between the guardian limit and the self-service age: neither online.
    expect(patientMayUseOnline(born, new Date("2026-12-01T12:00:00Z"), 16)).toBe(false);
    expect(guardianMayActFor(born, new Date("2026-12-01T12:00:00Z"), 13)).toBe(false);
  });
});
