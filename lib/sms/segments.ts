/**
 * SMS length rules (3GPP TS 23.038), so the adapter, the simulator and any cost
 * preview agree on how many parts a text costs.
 */

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  parts: number;
}

// The GSM 03.38 default alphabet minus 0x1B (ESC), which only introduces the extension table.
const GSM7_BASIC = new Set(
  Array.from(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
  ),
);

// Sent as ESC + character, so each costs two septets. Form feed is in the standard
// table too, although no one types it into a reminder.
const GSM7_EXTENSION = new Set(Array.from("\f^{}\\[~]|€"));

const LIMITS: Record<SmsEncoding, { single: number; perPart: number }> = {
  // A split message loses room to the concatenation header (UDH): 7 septets, 3 UCS-2 units.
  "GSM-7": { single: 160, perPart: 153 },
  "UCS-2": { single: 70, perPart: 67 },
};

export function isGsm7Char(char: string): boolean {
  return GSM7_BASIC.has(char) || GSM7_EXTENSION.has(char);
}

export function countSegments(text: string): SegmentCount {
  // Array.from walks code points, so an astral character (emoji) stays one element of
  // length 2 and a lone surrogate stays one element of length 1.
  const chars = Array.from(text);
  const encoding: SmsEncoding = chars.every(isGsm7Char) ? "GSM-7" : "UCS-2";
  const widths = chars.map((char) => (encoding === "GSM-7" ? (GSM7_EXTENSION.has(char) ? 2 : 1) : char.length));
  const units = widths.reduce((sum, width) => sum + width, 0);
  const { single, perPart } = LIMITS[encoding];
  // An empty text still goes out as one (empty) SMS.
  if (units <= single) return { encoding, units, parts: 1 };

  // Operators never cut an escape pair or a surrogate pair in two, so a two-unit
  // character that does not fit moves whole to the next part; that is why this packs
  // greedily instead of dividing units by the part size.
  let parts = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > perPart) {
      parts += 1;
      used = 0;
    }
    used += width;
  }
  return { encoding, units, parts };
}
