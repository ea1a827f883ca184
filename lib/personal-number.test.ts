import { describe, expect, it } from "vitest";
import {
  formatPersonalNumber,
  isValidPersonalNumber,
  luhnCheckDigit,
  normalizePersonalNumber,
  parsePersonalNumber,
} from "./personal-number";

describe("luhnCheckDigit", () => {
  // Worked by hand from the spec's rule, so a broken implementation cannot agree with itself:
  // 121212121 × 212121212 → 2+2+2+2+2+2+2+2+2 = 18 → (10 − 8) mod 10 = 2
  // 811228987 × 212121212 → (1+6)+1+2+2+4+8+(1+8)+8+(1+4) = 46 → 4
  // 780202238 × 212121212 → (1+4)+8+0+2+0+2+4+3+(1+6) = 31 → 9
  it.each([
    ["121212121", 2],
    ["811228987", 4],
    ["780202238", 9],
  ])("gives the check digit of %s", (nine, expected) => {
    expect(luhnCheckDigit(nine)).toBe(expected);
  });

  it("refuses anything but nine digits", () => {
    expect(() => luhnCheckDigit("12345678")).toThrow(RangeError);
    expect(() => luhnCheckDigit("12345678a")).toThrow(RangeError);
  });
});

describe("parsePersonalNumber", () => {
  it.each(["191212121212", "198112289874", "197802022389"])("accepts the test identity %s", (pnr) => {
    const parsed = parsePersonalNumber(pnr);
    expect(parsed).toEqual({
      ok: true,
      personalNumber: expect.objectContaining({ value: pnr, isCoordinationNumber: false }),
    });
  });

  it("accepts the hyphenated form and returns the 12 digits", () => {
    const parsed = parsePersonalNumber("19121212-1212");
    expect(parsed.ok && parsed.personalNumber.value).toBe("191212121212");
    expect(parsed.ok && parsed.personalNumber.birthDate).toEqual({ year: 1912, month: 12, day: 12 });
  });

  it("tolerates surrounding whitespace from a pasted value", () => {
    expect(normalizePersonalNumber(" 198112289874\n")).toBe("198112289874");
  });

  it("rejects a wrong check digit", () => {
    expect(parsePersonalNumber("191212121213")).toEqual({ ok: false, error: "checksum" });
    expect(parsePersonalNumber("19121212-1211")).toEqual({ ok: false, error: "checksum" });
  });

  it.each([
    ["month 13", "191213121212"],
    ["30 February", "200002301234"],
    ["29 February in a common year", "190102291234"],
    ["day 0", "191212001212"],
    ["day 32", "191212321212"],
    ["coordination day 92 (= 32)", "191212921212"],
  ])("rejects a bad date: %s", (_label, pnr) => {
    expect(parsePersonalNumber(pnr)).toEqual({ ok: false, error: "date" });
  });

  it("accepts 29 February in a leap year when the check digit fits", () => {
    // 000229123 × 212121212 → 0+0+0+2+4+9+2+2+6 = 25 → 5
    expect(isValidPersonalNumber("200002291235")).toBe(true);
  });

  it("recognises a coordination number (day + 60)", () => {
    // 701063239 × 212121212 → (1+4)+0+2+0+(1+2)+3+4+3+(1+8) = 29 → 1
    const parsed = parsePersonalNumber("197010632391");
    expect(parsed).toEqual({
      ok: true,
      personalNumber: {
        value: "197010632391",
        birthDate: { year: 1970, month: 10, day: 3 },
        isCoordinationNumber: true,
      },
    });
  });

  it.each(["", "1912121212", "19121212+1212", "191212-121212", "1912121212123", "19121212 1212", "abcdefghijkl"])(
    "rejects the malformed input %j",
    (input) => {
      expect(parsePersonalNumber(input)).toEqual({ ok: false, error: "format" });
    },
  );
});

describe("formatPersonalNumber", () => {
  it("shows YYYYMMDD-NNNC", () => {
    expect(formatPersonalNumber("191212121212")).toBe("19121212-1212");
    expect(formatPersonalNumber("19780202-2389")).toBe("19780202-2389");
  });

  it("formats an already parsed number", () => {
    const parsed = parsePersonalNumber("198112289874");
    if (!parsed.ok) throw new Error("test identity must parse");
    expect(formatPersonalNumber(parsed.personalNumber)).toBe("19811228-9874");
  });

  it("throws without echoing the number", () => {
    let caught: unknown;
    try {
      formatPersonalNumber("191212121213");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect(String(caught)).not.toContain("1212121213");
  });
});
