// Every SMS text in every language: the wording, the encoding it forces and what it costs in parts.
// The part counts are pinned on purpose: a reworded Arabic reminder that grows from two parts to
// three costs every region 50 % more for those patients, and should be a decision, not an accident.
import { describe, expect, it } from "vitest";
import { locales } from "@/i18n/locales";
import { reminderPushText } from "@/lib/push/reminder-push-text";
import { clinicChangeText, offerText, reminderText, verificationText, when } from "./reminder-text";
import { countSegments } from "./segments";

const TZ = "Europe/Stockholm";
const LINK = "https://vardtid.example.se/l/Zm9vYmFyYmF6cXV4MTIzNDU2";
const base = {
  startsAt: new Date("2030-12-03T13:20:00Z"),
  timeZone: TZ,
  clinicSmsName: "Mottagningen Ågatan",
  link: LINK,
  offersChange: true,
};

describe("the visit's time in each language", () => {
  it.each([
    ["sv", "tis 3 dec kl 14:20"],
    ["en", "Tue 3 Dec at 14:20"],
    ["ar", "الثلاثاء، 3 ديسمبر الساعة 14:20"],
    ["fa", "سه‌شنبه 3 دسامبر ساعت 14:20"],
    ["so", "Talaado, Diseembar 3 saacadda 14:20"],
    ["fi", "ti 3.12. klo 14.20"],
  ] as const)("%s: %s", (lang, expected) => {
    expect(when(base.startsAt, lang, TZ)).toBe(expected);
  });

  it("is Gregorian with Latin digits in Persian (not the Solar Hijri 12 Azar 1409)", () => {
    expect(when(base.startsAt, "fa", TZ)).not.toMatch(/[۰-۹]|آذر/);
  });
});

describe("reminder texts", () => {
  it.each([
    [
      "ar",
      "تذكير: لديك موعد الثلاثاء، 3 ديسمبر الساعة 14:20 في Mottagningen Ågatan. للاطلاع أو الإلغاء أو التغيير: " + LINK,
    ],
    ["fa", "یادآوری: نوبت شما سه‌شنبه 3 دسامبر ساعت 14:20 در Mottagningen Ågatan. دیدن، لغو یا تغییر: " + LINK],
    [
      "so",
      "Xusuusin: ballantaadu waa Talaado, Diseembar 3 saacadda 14:20, Mottagningen Ågatan. Eeg, jooji ama beddel: " +
        LINK,
    ],
    ["fi", "Muistutus: sinulla on aika ti 3.12. klo 14.20, Mottagningen Ågatan. Katso, peru tai siirrä: " + LINK],
  ] as const)("%s", (lang, expected) => {
    expect(reminderText({ ...base, lang })).toBe(expected);
  });

  it("ends with the reply code where the clinic takes SMS replies", () => {
    expect(reminderText({ ...base, lang: "sv", replyCode: "4821" })).toMatch(/ Svara AVBOKA 4821 för att avboka\.$/);
    expect(reminderText({ ...base, lang: "en", replyCode: "4821" })).toMatch(/ Reply CANCEL 4821 to cancel\.$/);
    expect(reminderText({ ...base, lang: "ar", replyCode: "4821" })).toMatch(/ للإلغاء أرسل: إلغاء 4821$/);
    expect(reminderText({ ...base, lang: "fi", replyCode: "4821" })).toMatch(/ Vastaa PERU 4821 peruaksesi\.$/);
  });

  it("refuses a reply code that is not four digits", () => {
    expect(() => reminderText({ ...base, lang: "sv", replyCode: "48a1" })).toThrow(RangeError);
  });

  // [language, encoding, parts without reply code, parts with it], for a 55-character link. The
  // reply line the issue asks for ("Svara AVBOKA 4821 för att avboka.") costs a second part in
  // GSM-7; Arabic and Persian are UCS-2 whatever we do (67 characters a part once split).
  it.each([
    ["sv", "GSM-7", 1, 2],
    ["en", "GSM-7", 1, 2],
    ["so", "GSM-7", 1, 2],
    ["fi", "GSM-7", 1, 2],
    ["ar", "UCS-2", 3, 3],
    ["fa", "UCS-2", 3, 3],
  ] as const)("%s is %s: %i part(s), %i with the reply code", (lang, encoding, parts, partsWithCode) => {
    const plain = countSegments(reminderText({ ...base, lang }));
    const coded = countSegments(reminderText({ ...base, lang, replyCode: "4821" }));
    expect(plain.encoding).toBe(encoding);
    expect(plain.parts).toBe(parts);
    expect(coded.encoding).toBe(encoding);
    expect(coded.parts).toBe(partsWithCode);
  });

  it("keeps Swedish, English, Somali and Finnish in GSM-7 on every day of the year", () => {
    for (const lang of ["sv", "en", "so", "fi"] as const) {
      for (let day = 0; day < 366; day += 1) {
        const startsAt = new Date(Date.UTC(2030, 0, 1, 8, 0) + day * 86_400_000);
        expect(countSegments(reminderText({ ...base, startsAt, lang, replyCode: "4821" })).encoding).toBe("GSM-7");
      }
    }
  });

  it("never needs more than three parts in any language on any day, with the longest clinic name a region uses", () => {
    for (const lang of locales) {
      for (let day = 0; day < 366; day += 1) {
        const startsAt = new Date(Date.UTC(2030, 0, 1, 8, 0) + day * 86_400_000);
        const text = reminderText({
          ...base,
          startsAt,
          lang,
          clinicSmsName: "Vårdcentralen Östra Sala",
          replyCode: "4821",
        });
        expect(countSegments(text).parts).toBeLessThanOrEqual(3);
      }
    }
  });
});

describe("reminders that can no longer offer a change (offersChange false)", () => {
  const CALL = {
    sv: "Ring mottagningen för att ändra",
    en: "To change, call the clinic",
    ar: "للتغيير اتصل بالعيادة",
    fa: "برای تغییر با درمانگاه تماس بگیرید",
    so: "Beddel? Wac rugta",
    fi: "Soita vastaanotolle muuttaaksesi",
  } as const;

  // [language, parts]: the call variant costs no more parts than the one offering a change.
  it.each([
    ["sv", 1],
    ["en", 1],
    ["so", 1],
    ["fi", 1],
    ["ar", 3],
    ["fa", 3],
  ] as const)("%s says to call, without a reply code, in %i part(s)", (lang, parts) => {
    const text = reminderText({ ...base, lang, offersChange: false, replyCode: "4821" });
    expect(text).toContain(`${CALL[lang]}: ${LINK}`);
    expect(text.endsWith(LINK)).toBe(true);
    expect(text).not.toContain("4821");
    expect(countSegments(text).parts).toBe(parts);
  });

  it.each(locales)("%s push says to call instead of offering cancel or rebook", (lang) => {
    const offers = reminderPushText({ ...base, lang, offersChange: true });
    const call = reminderPushText({ ...base, lang, offersChange: false });
    expect(call.title).toBe(offers.title);
    expect(call.body).not.toBe(offers.body);
    expect(call.body).toContain(when(base.startsAt, lang, TZ));
  });
});

describe("clinic change texts exist in every language", () => {
  it.each(locales)("%s", (lang) => {
    const previousStartsAt = new Date("2030-12-02T09:00:00Z");
    const moved = clinicChangeText({ ...base, lang, kind: "moved", previousStartsAt });
    const cancelled = clinicChangeText({ ...base, lang, kind: "cancelled" });
    expect(moved).toContain(when(base.startsAt, lang, TZ));
    expect(moved).toContain(when(previousStartsAt, lang, TZ));
    expect(cancelled).toContain(when(base.startsAt, lang, TZ));
    for (const t of [moved, cancelled]) {
      expect(t).toContain("Mottagningen Ågatan");
      expect(t.endsWith(LINK)).toBe(true);
      expect(countSegments(t).parts).toBeLessThanOrEqual(3);
    }
  });

  it("differ between languages", () => {
    const texts = locales.map((lang) => clinicChangeText({ ...base, lang, kind: "cancelled" }).replace(/[\d:.]/g, ""));
    expect(new Set(texts).size).toBe(locales.length);
  });
});

describe("offer, verification and push texts exist in every language", () => {
  const offer = {
    ...base,
    respondBy: new Date("2030-12-02T15:00:00Z"),
    now: new Date("2030-12-02T12:00:00Z"),
  };
  it.each(locales)("%s", (lang) => {
    const o = offerText({ ...offer, lang });
    expect(o).toContain(when(base.startsAt, lang, TZ));
    expect(o).toContain(LINK);
    // Same clinic day: the deadline is a bare time, never the full date.
    expect(o).toMatch(/16[:.]00/);
    expect(verificationText(lang, "123456")).toContain("123456");
    const push = reminderPushText({
      lang,
      startsAt: base.startsAt,
      timeZone: TZ,
      clinicSmsName: "Mottagningen Ågatan",
      offersChange: true,
    });
    expect(push.body).toContain(when(base.startsAt, lang, TZ));
    expect(push.title).toContain("Vård");
  });

  it("differ between languages (no language silently falls back to another)", () => {
    const texts = locales.map((lang) => offerText({ ...offer, lang }).replace(/[\d:.]/g, ""));
    expect(new Set(texts).size).toBe(locales.length);
    const codes = locales.map((lang) => verificationText(lang, "1"));
    expect(new Set(codes).size).toBe(locales.length);
  });
});
