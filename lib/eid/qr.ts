import { createHmac } from "node:crypto";

/**
 * BankID's animated QR code. The data must be computed on the server: qrStartSecret never
 * reaches the browser, or anyone who sees the page could forge fresh codes.
 *
 * Not marked 'server-only' on purpose: the standalone simulator (run by tsx, outside Next's
 * server graph) uses it to validate scans. node:crypto keeps it out of client bundles anyway.
 */

/** hex(HMAC-SHA256(key = qrStartSecret, message = decimal string of t)). */
export function qrAuthCode(qrStartSecret: string, t: number): string {
  assertSecond(t);
  return createHmac("sha256", qrStartSecret).update(String(t)).digest("hex");
}

/** "bankid." + qrStartToken + "." + t + "." + qrAuthCode: what the QR code shows at second t. */
export function qrData(qrStartToken: string, qrStartSecret: string, t: number): string {
  return `bankid.${qrStartToken}.${t}.${qrAuthCode(qrStartSecret, t)}`;
}

/** Whole seconds since the order's answer arrived (startedAt, ms); never negative. */
export function qrSecondsSince(startedAt: number, now: number): number {
  return Math.max(0, Math.floor((now - startedAt) / 1000));
}

function assertSecond(t: number): void {
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new RangeError("QR time must be a whole, non-negative number of seconds");
  }
}
