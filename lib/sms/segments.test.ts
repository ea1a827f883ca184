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

  describe("per language", () => {
    it("counts Arabic as UCS-2, one unit a letter: 70 fit, 71 split in two", () => {
      const seventy = "موعد".repeat(17) + "مو";
      expect(seventy).toHaveLength(70);
      expect(countSegments(seventy)).toEqual({ encoding: "UCS-2", units: 70, parts: 1 });
      expect(countSegments(`${seventy}ع`)).toEqual({ encoding: "UCS-2", units: 71, parts: 2 });
      // 67 a part once split: 134 fit in two, 135 need three.
      expect(countSegments("ع".repeat(134)).parts).toBe(2);
      expect(countSegments("ع".repeat(135)).parts).toBe(3);
    });

    it("counts Persian's zero-width non-joiner (سه‌شنبه) as a unit of its own", () => {
      expect(countSegments("سه\u200Cشنبه")).toEqual({ encoding: "UCS-2", units: 7, parts: 1 });
    });

    it("makes a Latin link, digits and GSM-7 punctuation inside Arabic text UCS-2 too (one unit each)", () => {
      const text = "للإلغاء أرسل: إلغاء 4821 https://x/l/a{b}";
      // { and } would be two septets in GSM-7; in UCS-2 they are one unit like any other.
      expect(countSegments(text)).toEqual({ encoding: "UCS-2", units: Array.from(text).length, parts: 1 });
    });

    it("keeps Somali (Latin letters and the apostrophe of la'aan) in GSM-7", () => {
      expect(countSegments("Ku jawaab JOOJI 4821 si aad u joojiso. Internet la'aan.").encoding).toBe("GSM-7");
    });

    it("keeps Finnish ä, ö and å in GSM-7, but a loanword's š makes the whole text UCS-2", () => {
      expect(countSegments("Vastaa PERU 4821 peruaksesi. Käynti, hyvää päivää, Åbo").encoding).toBe("GSM-7");
      expect(countSegments("šekki").encoding).toBe("UCS-2");
    });

    it("counts an emoji in Arabic text as two units and never splits it", () => {
      expect(countSegments(`${"ع".repeat(68)}🙂`)).toEqual({ encoding: "UCS-2", units: 70, parts: 1 });
      // 134 units would fill two parts exactly, but the emoji cannot straddle units 67 and 68.
      const text = `${"ع".repeat(66)}🙂${"ع".repeat(66)}`;
      expect(countSegments(text)).toEqual({ encoding: "UCS-2", units: 134, parts: 3 });
    });
  });
});
