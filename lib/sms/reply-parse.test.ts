import { describe, expect, it } from "vitest";
import { parseReply } from "./reply-parse";

describe("parseReply", () => {
  it.each([
    ["AVBOKA 4821", "cancel", "4821"],
    ["avboka 4821", "cancel", "4821"],
    ["  Avboka   4821 ", "cancel", "4821"],
    ["AVBOKA4821", "cancel", "4821"],
    ["Avboka, 4821!", "cancel", "4821"],
    ["AVBOKA", "cancel", null],
    ["CANCEL 4821", "cancel", "4821"],
    ["إلغاء 4821", "cancel", "4821"],
    ["الغاء ٤٨٢١", "cancel", "4821"],
    ["لغو ۴۸۲۱", "cancel", "4821"],
    ["jooji 4821", "cancel", "4821"],
    ["Peru 4821", "cancel", "4821"],
    ["JA 4821", "yes", "4821"],
    ["ja", "yes", null],
    ["Ja.", "yes", null],
    ["YES 4821", "yes", "4821"],
    ["نعم 4821", "yes", "4821"],
    ["بله ۴۸۲۱", "yes", "4821"],
    ["haa 4821", "yes", "4821"],
    ["KYLLÄ 4821", "yes", "4821"],
    ["kylla", "yes", null],
  ] as const)("%j → %s %s", (text, kind, code) => {
    expect(parseReply(text)).toEqual({ kind, code });
  });

  it.each([
    "",
    "   ",
    "Hej, jag kommer inte på tisdag",
    "AVBOKA 48211",
    "AVBOKA 482",
    "AVBOKA 4821 4822",
    "JA TACK",
    "NEJ",
    "STOPP",
    "4821",
    "x".repeat(500),
  ])("%j is something else", (text) => {
    expect(parseReply(text)).toEqual({ kind: "other", code: null });
  });
});
