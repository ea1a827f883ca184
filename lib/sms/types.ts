/**
 * The gateway-neutral SMS contract. 46elks is the first implementation; Sinch and
 * LINK Mobility fit the same shape (shared/specs/sms-gateway.md), so
 * nothing here may assume one operator's field names or status words.
 */

export const SMS_STATUSES = ["queued", "sent", "delivered", "failed", "expired"] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

export interface OutgoingSms {
  /** Our own reference for this message; the same key on a retry means "the same SMS". */
  idempotencyKey: string;
  /** Alphanumeric sender id (1–11 characters) or an E.164 number that accepts replies. */
  from: string;
  /** E.164, e.g. +46701740605. */
  to: string;
  text: string;
  /** Where the gateway reports delivery; may carry Basic auth or a secret query parameter. */
  callbackUrl?: string;
}

export interface SentSms {
  /** The gateway's id, which its delivery reports refer to. */
  providerId: string;
  parts: number;
  /** In 1/10 000 of the account currency (3500 = 0.35 SEK), when the gateway tells. */
  cost?: number;
}

export interface DeliveryReport {
  providerId: string;
  status: SmsStatus;
  /** Only for `delivered`, when the gateway says when. */
  deliveredAt?: Date;
}

export interface IncomingSms {
  providerId: string;
  from: string;
  to: string;
  text: string;
  /** When the gateway received it, if it says; callers fall back to their own clock. */
  receivedAt?: Date;
}

export interface SmsGateway {
  /** Throws SmsError; `retryable` tells whether a retry (with the same key) may succeed. */
  send(msg: OutgoingSms): Promise<SentSms>;
  /** null for a form that is not a report this gateway sends (callers answer 2xx anyway). */
  parseDeliveryReport(form: URLSearchParams): DeliveryReport | null;
  parseIncoming(form: URLSearchParams): IncomingSms | null;
}

export class SmsError extends Error {
  override readonly name = "SmsError";
  /** 5xx and network trouble may pass; 4xx (bad field, bad credentials, no credit) will not. */
  readonly retryable: boolean;
  /** The gateway's HTTP status, absent when no answer came. */
  readonly status?: number;

  constructor(message: string, opts: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.retryable = opts.retryable;
    if (opts.status !== undefined) this.status = opts.status;
  }
}
