/**
 * Swedish personal identity numbers (personnummer) and coordination numbers
 * (samordningsnummer), always in the 12-digit form BankID uses: YYYYMMDDNNNC.
 *
 * Error results and exceptions never contain the number itself: callers put them in logs.
 */

export interface PersonalNumber {
  /** 12 digits, YYYYMMDDNNNC: the form BankID sends and expects. */
  readonly value: string;
  /** The real birth date; for a coordination number the day without the +60. */
  readonly birthDate: { readonly year: number; readonly month: number; readonly day: number };
  readonly isCoordinationNumber: boolean;
}

export type PersonalNumberError = "format" | "date" | "checksum";

export type ParsePersonalNumberResult =
  { ok: true; personalNumber: PersonalNumber } | { ok: false; error: PersonalNumberError };

// The 10-digit forms (YYMMDD-NNNC, with + for centenarians) are deliberately refused: the
// century would have to be guessed from today's date, and BankID never needs them.
const PATTERN = /^(\d{4})(\d{2})(\d{2})-?(\d{3})(\d)$/;

const COORDINATION_DAY_OFFSET = 60;

/**
 * The Luhn check digit over the nine digits YYMMDDNNN (century left out): weights 2,1,2,…,
 * the digits of each product summed.
 */
export function luhnCheckDigit(nineDigits: string): number {
  if (!/^\d{9}$/.test(nineDigits)) throw new RangeError("luhnCheckDigit needs exactly nine digits");
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    const product = (nineDigits.charCodeAt(i) - 48) * (i % 2 === 0 ? 2 : 1);
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

export function parsePersonalNumber(input: string): ParsePersonalNumberResult {
  const match = PATTERN.exec(input.trim());
  if (!match) return { ok: false, error: "format" };
  const [, yyyy, mm, dd, serial, check] = match;
  if (yyyy === undefined || mm === undefined || dd === undefined || serial === undefined || check === undefined) {
    return { ok: false, error: "format" };
  }

  const year = Number(yyyy);
  const month = Number(mm);
  const rawDay = Number(dd);
  const isCoordinationNumber = rawDay > COORDINATION_DAY_OFFSET;
  const day = isCoordinationNumber ? rawDay - COORDINATION_DAY_OFFSET : rawDay;
  if (!isValidDate(year, month, day)) return { ok: false, error: "date" };

  const value = `${yyyy}${mm}${dd}${serial}${check}`;
  if (luhnCheckDigit(value.slice(2, 11)) !== Number(check)) return { ok: false, error: "checksum" };

  return { ok: true, personalNumber: { value, birthDate: { year, month, day }, isCoordinationNumber } };
}

export function isValidPersonalNumber(input: string): boolean {
  return parsePersonalNumber(input).ok;
}

/** The 12-digit form, or null when the input is not a valid personal identity number. */
export function normalizePersonalNumber(input: string): string | null {
  const parsed = parsePersonalNumber(input);
  return parsed.ok ? parsed.personalNumber.value : null;
}

/** 'YYYYMMDD-NNNC', the form shown to people. Throws RangeError on an invalid number. */
export function formatPersonalNumber(input: string | PersonalNumber): string {
  let value: string;
  if (typeof input === "string") {
    const parsed = parsePersonalNumber(input);
    if (!parsed.ok) throw new RangeError(`Invalid personal identity number (${parsed.error})`);
    value = parsed.personalNumber.value;
  } else {
    value = input.value;
  }
  return `${value.slice(0, 8)}-${value.slice(8)}`;
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (year < 1800 || month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one; UTC keeps summer time out of it.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}
