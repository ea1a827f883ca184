import { describe, expect, it } from "vitest";
import { countSegments } from "./segments";

describe("countSegments", () => {
  it("fits 160 Swedish letters in one GSM-7 SMS and splits at 161", () => {
    const text = "åäöÅÄÖéÉüÜ".repeat(16);
    expect(text).toHaveLength(160);
    expect(countSegments(text)).toEqual({ encoding: "GSM-7", units: 160, parts: 1 });
    expect(countSegments(`${text}a`)).toEqual({ encoding: "GSM-7", units: 161, parts: 2 });
  });

  it("packs 153 septets per part once split", () => {
    expect(countSegments("ä".repeat(306)).parts).toBe(2);
    expect(countSegments("ä".repeat(307)).parts).toBe(3);
  });

  it("counts the extension characters as two septets", () => {
    expect(countSegments("Pris: 100 €")).toEqual({ encoding: "GSM-7", units: 12, parts: 1 });
    expect(countSegments("^{}[]~\\|€")).toEqual({ encoding: "GSM-7", units: 18, parts: 1 });
    expect(countSegments("€".repeat(80))).toEqual({ encoding: "GSM-7", units: 160, parts: 1 });
    // 76 euro signs (152 septets) per part: the 77th would need 154.
    expect(countSegments("€".repeat(81))).toEqual({ encoding: "GSM-7", units: 162, parts: 2 });
  });

  it("never splits an escape pair: a € that does not fit opens the next part", () => {
    const text = `${"a".repeat(152)}€${"a".repeat(152)}`;
    // 306 septets would be two full parts, but the € cannot start at septet 153.
    expect(countSegments(text)).toEqual({ encoding: "GSM-7", units: 306, parts: 3 });
    expect(countSegments("a".repeat(306)).parts).toBe(2);
  });

  it("switches the whole text to UCS-2 for one character outside GSM-7", () => {
    expect(countSegments("Välkommen – Vårdtid").encoding).toBe("UCS-2");
    expect(countSegments("Tack för ditt svar’").encoding).toBe("UCS-2");
    expect(countSegments("Vänta…").encoding).toBe("UCS-2");
  });

  it("fits 70 UCS-2 units in one SMS and splits at 71", () => {
    const seventy = `${"ö".repeat(69)}–`;
    expect(countSegments(seventy)).toEqual({ encoding: "UCS-2", units: 70, parts: 1 });
    expect(countSegments(`ö${seventy}`)).toEqual({ encoding: "UCS-2", units: 71, parts: 2 });
    expect(countSegments(`${"ö".repeat(133)}–`).parts).toBe(2);
    expect(countSegments(`${"ö".repeat(134)}–`).parts).toBe(3);
  });

  it("counts an emoji as two units and never splits its surrogate pair", () => {
    expect(countSegments("😀")).toEqual({ encoding: "UCS-2", units: 2, parts: 1 });
    expect(countSegments("😀".repeat(35))).toEqual({ encoding: "UCS-2", units: 70, parts: 1 });
    const text = `${"a".repeat(66)}😀${"a".repeat(66)}`;
    // 134 units would be two full parts, but the emoji cannot start at unit 67.
    expect(countSegments(text)).toEqual({ encoding: "UCS-2", units: 134, parts: 3 });
  });

  it("treats an empty text as one SMS", () => {
    expect(countSegments("")).toEqual({ encoding: "GSM-7", units: 0, parts: 1 });
  });
});
