// What a patient's SMS reply says: "AVBOKA 4821", "ja 4821", "إلغاء ٤٨٢١", "Kyllä", or anything else.
// Pure: no clock, no database. Keywords are accepted in every language whatever the patient's
// own language is (a Finnish-speaking patient whose texts are in Swedish may still write PERU).
import { REPLY_KEYWORDS } from "./reminder-text";

export type ReplyKind = "cancel" | "yes" | "other";
export interface ParsedReply {
  kind: ReplyKind;
  /** The four-digit visit code, when the reply carries one. */
  code: string | null;
}

// Spellings people actually type: Arabic without hamza (الغاء), Finnish without dots (KYLLA),
// Persian yes in its everyday form (آره) and Arabic yes with a final alef (نعما is not a word,
// but نعم. and نعم! are: punctuation is dropped below).
const EXTRA: Record<Exclude<ReplyKind, "other">, string[]> = {
  cancel: ["AVBOKA", "CANCEL", "الغاء", "لغو", "JOOJI", "PERU"],
  yes: ["JA", "YES", "نعم", "بله", "اره", "HAA", "KYLLA"],
};

/** Folds what phones and keyboards vary: case, Arabic letter forms, Eastern digits, diacritics. */
export function foldReply(text: string): string {
  return (
    text
      .normalize("NFKC")
      // Arabic-Indic and Persian digits to 0-9.
      .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
      .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
      // Alef with hamza or madda → bare alef; Persian yeh/kaf → Arabic ones; drop tatweel and harakat.
      .replace(/[\u0623\u0625\u0622]/g, "\u0627")
      .replace(/\u06CC/g, "\u064A")
      .replace(/\u06A9/g, "\u0643")
      .replace(/[\u0640\u064B-\u0652]/g, "")
      // Bidi marks and zero-width characters some keyboards insert.
      .replace(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g, "")
      .toUpperCase()
      .replace(/Ä/g, "A")
      .replace(/Ö/g, "O")
      .replace(/Å/g, "A")
      // Punctuation becomes space, so "AVBOKA,4821!" and "AVBOKA-4821" read like "AVBOKA 4821".
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim()
  );
}

const folded = (words: string[]) => new Set(words.map(foldReply));
const KEYWORDS: Record<Exclude<ReplyKind, "other">, Set<string>> = {
  cancel: folded([...Object.values(REPLY_KEYWORDS).map((k) => k.cancel), ...EXTRA.cancel]),
  yes: folded([...Object.values(REPLY_KEYWORDS).map((k) => k.yes), ...EXTRA.yes]),
};

export function parseReply(text: string): ParsedReply {
  // A reply is short; a long text is a message to a person, not a command.
  if (text.length > 160) return { kind: "other", code: null };
  const words = foldReply(text)
    // "AVBOKA4821": keyword and code written together.
    .replace(/^(\p{L}+)(\d{4})$/u, "$1 $2")
    .split(" ")
    .filter(Boolean);
  if (words.length === 0 || words.length > 2) return { kind: "other", code: null };
  const [word, code] = words as [string, string | undefined];
  if (code !== undefined && !/^\d{4}$/.test(code)) return { kind: "other", code: null };
  for (const kind of ["cancel", "yes"] as const) {
    if (KEYWORDS[kind].has(word)) return { kind, code: code ?? null };
  }
  return { kind: "other", code: null };
}
