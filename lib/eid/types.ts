/**
 * The e-identification contract. BankID is the first provider; Freja eID follows the same
 * shape (start an order, poll it, cancel it), so nothing here may assume BankID's field names
 * beyond what every Swedish eID gives: a personal identity number and a name.
 */
import { rfaForError, type RfaKey } from "./rfa";

export interface StartAuthenticationInput {
  /** The user's IP address as our server sees it (IPv4 or IPv6). */
  endUserIp: string;
  /** Where the eID app returns on the same device; takes precedence over an autostart redirect. */
  returnUrl?: string;
}

export interface StartedOrder {
  orderRef: string;
  autoStartToken: string;
  qrStartToken: string;
  /** Server-side only: with it anyone can draw valid QR codes for this order. */
  qrStartSecret: string;
  /** When the provider's answer arrived (ms since epoch): second 0 of the animated QR code. */
  startedAt: number;
}

export interface EidIdentity {
  /** 12 digits, YYYYMMDDNNNC. Personal data: never log it. */
  personalNumber: string;
  givenName: string;
  surname: string;
  name: string;
}

export interface PendingCollect {
  status: "pending";
  orderRef: string;
  /** The provider's hint; unknown values are normal and must be shown generically. */
  hintCode: string;
}

export interface FailedCollect {
  status: "failed";
  orderRef: string;
  hintCode: string;
}

export interface CompleteCollect {
  status: "complete";
  orderRef: string;
  identity: EidIdentity;
  device: { ipAddress: string; uhi?: string };
  /** YYYY-MM-DD, when the provider tells. */
  bankIdIssueDate?: string;
  /** Base64 of the signed XML: keep it as evidence of the identification. */
  signature: string;
  /** Base64 OCSP response proving the certificate was valid at the time. */
  ocspResponse?: string;
  stepUp?: { mrtd: boolean };
  /** Only when asked for (BankID returnRisk). */
  risk?: string;
}

export type CollectResult = PendingCollect | FailedCollect | CompleteCollect;

export interface EidProvider {
  /** Throws EidError. */
  startAuthentication(input: StartAuthenticationInput): Promise<StartedOrder>;
  /** Throws EidError; a finished order that was already collected is an error, not a result. */
  collect(orderRef: string): Promise<CollectResult>;
  /** Throws EidError. */
  cancel(orderRef: string): Promise<void>;
}

/**
 * BankID's error codes, plus two of ours for calls that got no usable answer:
 * 'network' (no connection, TLS refused, connection lost) and 'invalidResponse' (an answer we
 * could not read). 'timeout' is reserved for providers without their own code for it; the
 * BankID client reports its own deadline as 'requestTimeout', the same as BankID's 408.
 */
export type KnownEidErrorCode =
  | "alreadyInProgress"
  | "invalidParameters"
  | "unauthorized"
  | "notFound"
  | "methodNotAllowed"
  | "unsupportedMediaType"
  | "requestTimeout"
  | "tooManyRequests"
  | "internalError"
  | "maintenance"
  | "timeout"
  | "network"
  | "invalidResponse";

// A provider may add error codes at any time; the raw code is kept (and shown as RFA22) rather
// than squeezed into a known one. `string & {}` keeps editor completion for the known codes.
export type EidErrorCode = KnownEidErrorCode | (string & {});

export class EidError extends Error {
  override readonly name = "EidError";
  readonly code: EidErrorCode;
  /** The message key to show the user (messages/<locale>/bankid.json, "rfa"). */
  readonly rfa: RfaKey;
  /**
   * Whether the same call may succeed if made again unchanged, later. False where a retry could
   * do harm or cannot help: our own bugs, refused certificates, and timeouts (the provider may
   * have created the order; BankID says not to retry those automatically).
   */
  readonly retryable: boolean;
  /** The provider's HTTP status, absent when no answer came. */
  readonly httpStatus?: number;
  /** The provider's `details`, or what went wrong locally. Never contains personal data. */
  readonly details?: string;

  constructor(
    code: EidErrorCode,
    opts: {
      message?: string;
      retryable: boolean;
      httpStatus?: number;
      details?: string;
      rfa?: RfaKey;
      cause?: unknown;
    },
  ) {
    super(
      opts.message ?? `eID error ${code}${opts.details ? `: ${opts.details}` : ""}`,
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.code = code;
    this.rfa = opts.rfa ?? rfaForError(code);
    this.retryable = opts.retryable;
    if (opts.httpStatus !== undefined) this.httpStatus = opts.httpStatus;
    if (opts.details !== undefined) this.details = opts.details;
  }
}
