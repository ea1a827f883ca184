import { describe, expect, it } from "vitest";
import { clinicChangeText, offerText, reminderText, type SmsLanguage } from "./reminder-text";

// Written out here independently of the module, so a mistake in its table is not repeated.
// GSM 03.38 default alphabet, basic table only (no escape sequences such as € [ ] { }).
const GSM7_BASIC_TABLE = [
  "@",
  "£",
  "$",
  "¥",
  "è",
  "é",
  "ù",
  "ì",
  "ò",
  "Ç",
  "\n",
  "Ø",
  "ø",
  "\r",
  "Å",
  "å",
  "Δ",
  "_",
  "Φ",
  "Γ",
  "Λ",
  "Ω",
  "Π",
  "Ψ",
  "Σ",
  "Θ",
  "Ξ",
  "Æ",
  "æ",
  "ß",
  "É",
  " ",
  "!",
  '"',
  "#",
  "¤",
  "%",
  "&",
  "'",
  "(",
  ")",
  "*",
  "+",
  ",",
  "-",
  ".",
  "/",
  ..."0123456789",
  ":",
  ";",
  "<",
  "=",
  ">",
  "?",
  "¡",
  ..."ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  "Ä",
  "Ö",
  "Ñ",
  "Ü",
  "§",
  "¿",
  ..."abcdefghijklmnopqrstuvwxyz",
  "ä",
  "ö",
  "ñ",
  "ü",
  "à",
];

function nonGsm7(text: string): string[] {
  const allowed = new Set(GSM7_BASIC_TABLE);
  return [...text].filter((ch) => !allowed.has(ch));
}

const TZ = "Europe/Stockholm";
const LINK = "https://x/l/abc";

describe("GSM-7 table used by these tests", () => {
  it("has the 127 characters of the basic table (ESC excluded)", () => {
    expect(new Set(GSM7_BASIC_TABLE).size).toBe(127);
  });
});

describe("reminderText", () => {
  const base = {
    startsAt: new Date("2024-12-03T09:40:00+01:00"),
    timeZone: TZ,
    clinicSmsName: "Vårdcentralen Centrum",
    link: LINK,
    offersChange: true,
  };

  it("writes the Swedish reminder", () => {
    expect(reminderText({ ...base, lang: "sv" })).toBe(
      "Påminnelse: du har en tid tis 3 dec kl 09:40 hos Vårdcentralen Centrum. Se, av- eller omboka: https://x/l/abc",
    );
  });

  it("writes the English reminder", () => {
    expect(reminderText({ ...base, lang: "en" })).toBe(
      "Reminder: you have an appointment Tue 3 Dec at 09:40 at Vårdcentralen Centrum. View, cancel or rebook: https://x/l/abc",
    );
  });

  it("a child's reminder to a guardian names the child by first name only, in GSM-7", () => {
    expect(reminderText({ ...base, lang: "sv", forName: "Lilla Tolvan" })).toBe(
      "Påminnelse: Lilla har en tid tis 3 dec kl 09:40 hos Vårdcentralen Centrum. Se, av- eller omboka: https://x/l/abc",
    );
    expect(reminderText({ ...base, lang: "en", forName: "Zoë Maria" })).toBe(
      "Reminder: Zoe has an appointment Tue 3 Dec at 09:40 at Vårdcentralen Centrum. View, cancel or rebook: https://x/l/abc",
    );
    for (const lang of ["sv", "en", "so", "fi"] as const)
      expect(nonGsm7(reminderText({ ...base, lang, forName: "Åsa–Lena Ōta" }))).toEqual([]);
    for (const lang of ["ar", "fa"] as const)
      expect(reminderText({ ...base, lang, forName: "Lilla Tolvan" })).toContain("Lilla");
  });

  it("says to call instead of offering a change the patient can no longer make", () => {
    expect(reminderText({ ...base, lang: "sv", offersChange: false })).toBe(
      "Påminnelse: du har en tid tis 3 dec kl 09:40 hos Vårdcentralen Centrum. Ring mottagningen för att ändra: https://x/l/abc",
    );
    expect(reminderText({ ...base, lang: "en", offersChange: false })).toBe(
      "Reminder: you have an appointment Tue 3 Dec at 09:40 at Vårdcentralen Centrum. To change, call the clinic: https://x/l/abc",
    );
    for (const lang of ["sv", "en"] as const) {
      expect(reminderText({ ...base, lang, offersChange: false })).not.toMatch(/omboka|rebook|avboka|cancel/i);
    }
  });

  it("shows the clinic's wall-clock time in summer", () => {
    const startsAt = new Date("2026-06-18T07:05:00Z");
    expect(reminderText({ ...base, startsAt, lang: "sv" })).toContain("tors 18 juni kl 09:05 hos");
    expect(reminderText({ ...base, startsAt, lang: "en" })).toContain("Thu 18 Jun at 09:05 at");
  });

  it("shows the right time on the morning of the spring switch", () => {
    // 01:30 UTC is 03:30 CEST; an hour earlier it was 01:30 CET.
    expect(reminderText({ ...base, startsAt: new Date("2026-03-29T01:30:00Z"), lang: "sv" })).toContain(
      "sön 29 mars kl 03:30",
    );
    expect(reminderText({ ...base, startsAt: new Date("2026-03-29T00:30:00Z"), lang: "sv" })).toContain(
      "sön 29 mars kl 01:30",
    );
  });

  it("shows the right time after the autumn switch", () => {
    expect(reminderText({ ...base, startsAt: new Date("2026-10-26T08:00:00Z"), lang: "en" })).toContain(
      "Mon 26 Oct at 09:00",
    );
  });

  it("shows the clinic's zone, not the server's", () => {
    const startsAt = new Date("2026-01-15T23:30:00Z"); // 00:30 on the 16th in Stockholm
    expect(reminderText({ ...base, startsAt, lang: "en" })).toContain("Fri 16 Jan at 00:30");
    expect(reminderText({ ...base, startsAt, lang: "en", timeZone: "Europe/London" })).toContain("Thu 15 Jan at 23:30");
  });

  it("drops the period of Swedish short month names", () => {
    expect(reminderText({ ...base, startsAt: new Date("2026-01-05T10:00:00+01:00"), lang: "sv" })).toContain(
      "mån 5 jan kl 10:00",
    );
    expect(reminderText({ ...base, startsAt: new Date("2026-05-02T10:00:00+02:00"), lang: "sv" })).toContain(
      "lör 2 maj kl 10:00",
    );
  });

  it("fits one SMS segment with a typical link", () => {
    const link = "https://vardtid.example.se/l/Zm9vYmFyYmF6cXV4MTIzNDU2";
    for (const lang of ["sv", "en"] as const) {
      for (const offersChange of [true, false]) {
        expect(reminderText({ ...base, link, lang, offersChange }).length).toBeLessThanOrEqual(160);
      }
    }
  });

  it("stays GSM-7 for every weekday and month in both languages", () => {
    for (const lang of ["sv", "en"] as const) {
      for (let day = 0; day < 366; day += 1) {
        const startsAt = new Date(Date.UTC(2026, 0, 1, 8, 0) + day * 86_400_000);
        expect(nonGsm7(reminderText({ ...base, startsAt, lang }))).toEqual([]);
      }
    }
  });

  it("folds a typographic clinic name into GSM-7", () => {
    const text = reminderText({
      ...base,
      lang: "sv",
      clinicSmsName: "  Vårdcentralen\u00A0Söder \u2013 “Barn” Noël\u2019s\u2026 \n 🏥 Øst ",
    });
    expect(nonGsm7(text)).toEqual([]);
    expect(text).toContain(`hos Vårdcentralen Söder - "Barn" Noel's... Øst. Se,`);
  });

  it.each(["not a url", "javascript:alert(1)", "https://x/l/ab{c}", "https://x/l/€", "https://x/l/a c"])(
    "refuses the link %s",
    (link) => {
      expect(() => reminderText({ ...base, lang: "sv", link })).toThrow(RangeError);
    },
  );

  it("contains nothing but the time, the clinic name and the link", () => {
    const text = reminderText({ ...base, lang: "sv" });
    const rest = text.replace("tis 3 dec kl 09:40", "").replace("Vårdcentralen Centrum", "").replace(LINK, "");
    expect(rest).toBe("Påminnelse: du har en tid  hos . Se, av- eller omboka: ");
  });
});

describe("offerText", () => {
  const base = {
    startsAt: new Date("2024-11-27T08:20:00+01:00"),
    respondBy: new Date("2024-11-26T14:00:00+01:00"),
    now: new Date("2024-11-26T12:00:00+01:00"),
    timeZone: TZ,
    clinicSmsName: "X",
    link: LINK,
  };

  it("writes the Swedish offer", () => {
    expect(offerText({ ...base, lang: "sv" })).toBe(
      "En tidigare tid finns: ons 27 nov kl 08:20 hos X. Svara senast kl 14:00 via länken: https://x/l/abc",
    );
  });

  it("writes the English offer", () => {
    expect(offerText({ ...base, lang: "en" })).toBe(
      "An earlier time is available: Wed 27 Nov at 08:20 at X. Respond by 14:00 via the link: https://x/l/abc",
    );
  });

  it("to a guardian, says whose visit by first name only, in GSM-7", () => {
    const sv = offerText({ ...base, lang: "sv", forName: "Lilla Tolvan" });
    expect(sv).toBe(
      "En tidigare tid finns för Lilla: ons 27 nov kl 08:20 hos X. Svara senast kl 14:00 via länken: https://x/l/abc",
    );
    expect(offerText({ ...base, lang: "en", forName: "Lilla Tolvan" })).toMatch(
      /^An earlier time is available for Lilla: /,
    );
    for (const lang of ["sv", "en", "so", "fi"] as const) {
      const text = offerText({ ...base, lang, forName: "Åsa-Lena Tolvansson" });
      expect(text).toContain("Åsa-Lena");
      expect(text).not.toContain("Tolvansson");
    }
  });

  it("names the day of the deadline when it is not today", () => {
    const late = {
      ...base,
      now: new Date("2024-11-25T23:00:00+01:00"),
      respondBy: new Date("2024-11-26T09:00:00+01:00"),
    };
    expect(offerText({ ...late, lang: "sv" })).toContain("Svara senast tis 26 nov kl 09:00 via länken");
    expect(offerText({ ...late, lang: "en" })).toContain("Respond by Tue 26 Nov at 09:00 via the link");
  });

  it("judges 'today' in the clinic zone", () => {
    // 23:30 UTC on the 25th is already the 26th in Stockholm.
    const text = offerText({ ...base, lang: "sv", now: new Date("2024-11-25T23:30:00Z") });
    expect(text).toContain("Svara senast kl 14:00");
  });

  it("stays GSM-7 in both languages", () => {
    for (const lang of ["sv", "en"] as SmsLanguage[]) {
      expect(nonGsm7(offerText({ ...base, lang }))).toEqual([]);
      expect(nonGsm7(offerText({ ...base, lang, now: new Date("2024-11-20T12:00:00Z") }))).toEqual([]);
    }
  });

  it("refuses a link it would have to alter", () => {
    expect(() => offerText({ ...base, lang: "en", link: "https://x/l/[abc]" })).toThrow(RangeError);
  });
});

describe("clinicChangeText to a guardian", () => {
  const base = {
    kind: "cancelled" as const,
    startsAt: new Date("2024-11-27T08:20:00+01:00"),
    timeZone: TZ,
    clinicSmsName: "X",
    link: LINK,
  };
  it("names the child by first name instead of 'your', and leaves the patient's own text alone", () => {
    expect(clinicChangeText({ ...base, lang: "sv", forName: "Lilla Tolvan" })).toMatch(/^Lillas tid ons 27 nov/);
    expect(clinicChangeText({ ...base, lang: "sv", forName: "Mats Tolvansson" })).toMatch(/^Mats tid /);
    expect(clinicChangeText({ ...base, lang: "en", forName: "Lilla Tolvan" })).toMatch(/^Lilla's appointment /);
    expect(clinicChangeText({ ...base, lang: "fi", forName: "Lilla Tolvan" })).toMatch(/^Lilla: /);
    expect(clinicChangeText({ ...base, lang: "sv" })).toMatch(/^Din tid /);
    for (const lang of ["sv", "en", "ar", "fa", "so", "fi"] as const)
      expect(clinicChangeText({ ...base, lang, forName: "Lilla Tolvan" })).not.toContain("Tolvan");
  });
});
