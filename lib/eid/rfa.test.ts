import { describe, expect, it } from "vitest";
import sv from "@/messages/sv/bankid.json";
import en from "@/messages/en/bankid.json";
import { RFA_KEYS, rfaForError, rfaForHint, type StartedBy, type UserDevice } from "./rfa";

const starts: StartedBy[] = ["qr", "autostart"];
const devices: UserDevice[] = ["mobile", "desktop"];
const everyContext = starts.flatMap((s) => devices.map((d) => [s, d] as const));

describe("rfaForHint: pending", () => {
  it("outstandingTransaction: RFA13 when started by autostart, else RFA1", () => {
    for (const device of devices) {
      expect(rfaForHint("pending", "outstandingTransaction", "autostart", device)).toBe("RFA13");
      expect(rfaForHint("pending", "outstandingTransaction", "qr", device)).toBe("RFA1");
    }
  });

  it("noClient: RFA1", () => {
    for (const [s, d] of everyContext) expect(rfaForHint("pending", "noClient", s, d)).toBe("RFA1");
  });

  it("started: RFA15A on a computer, RFA15B on a mobile", () => {
    for (const s of starts) {
      expect(rfaForHint("pending", "started", s, "desktop")).toBe("RFA15A");
      expect(rfaForHint("pending", "started", s, "mobile")).toBe("RFA15B");
    }
  });

  it.each([
    ["userMrtd", "RFA23"],
    ["userCallConfirm", "RFA21"],
    ["userSign", "RFA9"],
    ["somethingNew", "RFA21"],
    ["", "RFA21"],
  ])("%s: %s", (hint, rfa) => {
    for (const [s, d] of everyContext) expect(rfaForHint("pending", hint, s, d)).toBe(rfa);
  });
});

describe("rfaForHint: failed", () => {
  it.each([
    ["expiredTransaction", "RFA8"],
    ["certificateErr", "RFA16"],
    ["userCancel", "RFA6"],
    ["cancelled", "RFA3"],
    ["userDeclinedCall", "RFA22"],
    ["notSupportedByUserApp", "RFA22"],
    ["transactionRiskBlocked", "RFA22"],
    ["somethingNew", "RFA22"],
  ])("%s: %s", (hint, rfa) => {
    for (const [s, d] of everyContext) expect(rfaForHint("failed", hint, s, d)).toBe(rfa);
  });

  it("startFailed: RFA17A after autostart, RFA17B after QR", () => {
    for (const d of devices) {
      expect(rfaForHint("failed", "startFailed", "autostart", d)).toBe("RFA17A");
      expect(rfaForHint("failed", "startFailed", "qr", d)).toBe("RFA17B");
    }
  });

  it("does not confuse a failed hint with a pending one of the same name", () => {
    expect(rfaForHint("failed", "started", "qr", "mobile")).toBe("RFA22");
    expect(rfaForHint("pending", "cancelled", "qr", "mobile")).toBe("RFA21");
  });
});

describe("rfaForError", () => {
  it.each([
    ["alreadyInProgress", "RFA4"],
    ["invalidParameters", "RFA22"],
    ["unauthorized", "RFA22"],
    ["notFound", "RFA22"],
    ["methodNotAllowed", "RFA22"],
    ["unsupportedMediaType", "RFA22"],
    ["requestTimeout", "RFA5"],
    ["tooManyRequests", "RFA5"],
    ["internalError", "RFA5"],
    ["maintenance", "RFA5"],
    ["timeout", "RFA5"],
    ["network", "RFA5"],
    ["invalidResponse", "RFA22"],
    ["aCodeBankIdAddsNextYear", "RFA22"],
  ])("%s → %s", (code, rfa) => {
    expect(rfaForError(code)).toBe(rfa);
  });
});

describe("message files", () => {
  it.each([
    ["sv", sv],
    ["en", en],
  ])("%s has a text for every RFA key and nothing else", (_locale, messages) => {
    expect(Object.keys(messages.rfa).sort()).toEqual([...RFA_KEYS].sort());
    for (const text of Object.values(messages.rfa)) expect(text.trim()).not.toBe("");
  });

  it("keeps the spec's wording", () => {
    expect(sv.rfa.RFA1).toBe("Starta BankID-appen.");
    expect(en.rfa.RFA4).toBe(
      "An identification or signing for this personal number is already started. Please try again.",
    );
    expect(sv.rfa.RFA17B).toBe("Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.");
  });
});
