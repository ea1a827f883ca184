import http from "node:http";
import https from "node:https";
import { z } from "zod";
import { isGsm7Char } from "./segments";
import {
  SmsError,
  type DeliveryReport,
  type IncomingSms,
  type OutgoingSms,
  type SentSms,
  type SmsGateway,
  type SmsStatus,
} from "./types";

/**
 * 46elks (https://46elks.se/docs), in production and against our simulator in demo and
 * tests. Never logs: every text and number that passes here belongs to a patient.
 */

export interface ElksGatewayOptions {
  /** e.g. https://api.46elks.com, or the simulator's URL. */
  baseUrl: string;
  username: string;
  password: string;
  /** Per send, including reading the answer. Default 10 000. */
  timeoutMs?: number;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;
// Header values must be visible ASCII; anything else would make fetch throw a TypeError
// that looks like a network error and would be retried forever.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const sendAnswerSchema = z.object({
  id: z.string().min(1),
  parts: z.number().int().positive(),
  cost: z.number().nonnegative().optional(),
});

const REPORT_STATUSES: Record<string, SmsStatus> = {
  sent: "sent",
  delivered: "delivered",
  failed: "failed",
};

export function isE164(value: string): boolean {
  return E164.test(value);
}

/**
 * The operator rule: an E.164 number, or 1–11 letters, digits and spaces with at least
 * one letter. Letters are limited to the GSM-7 alphabet because the sender id travels
 * GSM-7 packed; Swedish å ä ö are in it, so "Vårdtid" is fine.
 */
export function isValidSenderId(from: string): boolean {
  if (isE164(from)) return true;
  return /^[\p{L}0-9 ]{1,11}$/u.test(from) && /\p{L}/u.test(from) && Array.from(from).every(isGsm7Char);
}

/**
 * What came back for one POST: the status once the answer's head arrived, and its body unless
 * reading it failed (`bodyError`). A failure before the head is thrown instead.
 */
interface PostAnswer {
  status: number;
  body: string | null;
  bodyError?: unknown;
}

export class ElksGateway implements SmsGateway {
  private readonly url: URL;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(opts: ElksGatewayOptions) {
    this.url = new URL(`${opts.baseUrl.replace(/\/+$/, "")}/a1/sms`);
    this.authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString("base64")}`;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    // A keep-alive pool of connections to the operator, reused newest first. Not global fetch: its
    // Request/Response/streams machinery cost more CPU per SMS than the rest of the send path (a
    // profile of the worker at 100 000 reminders). Idle connections close after 4 s, before a
    // server's usual 5 s keep-alive timeout (Node also honours the server's Keep-Alive hint).
    const isHttps = this.url.protocol === "https:";
    const agentOptions = { keepAlive: true, scheduling: "lifo" as const, timeout: 4_000 };
    this.agent = isHttps ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = isHttps ? https.request : http.request;
  }

  async send(msg: OutgoingSms): Promise<SentSms> {
    if (!isValidSenderId(msg.from)) {
      throw new SmsError(
        "Invalid sender id: use 1–11 letters, digits or spaces with at least one letter, or an E.164 number",
        { retryable: false },
      );
    }
    if (!IDEMPOTENCY_KEY.test(msg.idempotencyKey)) {
      throw new SmsError("Invalid idempotency key: use 1–255 visible ASCII characters", {
        retryable: false,
      });
    }

    const body = new URLSearchParams({
      from: msg.from,
      to: msg.to,
      message: msg.text,
      // Patient texts need not live at the operator; we keep our own copy.
      dontlog: "message",
    });
    if (msg.callbackUrl !== undefined) body.set("whendelivered", msg.callbackUrl);

    let answer: PostAnswer;
    try {
      answer = await this.post(body.toString(), msg.idempotencyKey);
    } catch (err) {
      // A timeout does not prove the SMS was not sent; the caller's idempotency record, not
      // the operator, has to stop a second copy.
      const reason = isTimeout(err) ? `no answer within ${this.timeoutMs} ms` : "could not reach it";
      throw new SmsError(`46elks send failed: ${reason}`, { retryable: true, cause: err });
    }

    // A redirect would be a misconfigured base URL: it is not followed, and surfaces as a final 3xx.
    if (answer.status < 200 || answer.status > 299) {
      const reason = maskReason(answer.body ?? "");
      throw new SmsError(`46elks answered ${answer.status}${reason ? `: ${reason}` : ""}`, {
        retryable: answer.status >= 500,
        status: answer.status,
      });
    }

    // From here on the operator has accepted the SMS. Whatever goes wrong while reading the
    // answer, a retry would send a second copy, so these errors are final.
    let json: unknown;
    try {
      if (answer.body === null) throw answer.bodyError;
      json = JSON.parse(answer.body);
    } catch (err) {
      throw new SmsError("46elks accepted the SMS but its answer could not be read", {
        retryable: false,
        status: answer.status,
        cause: err,
      });
    }
    const parsed = sendAnswerSchema.safeParse(json);
    if (!parsed.success) {
      throw new SmsError("46elks accepted the SMS but its answer lacks id or parts", {
        retryable: false,
        status: answer.status,
      });
    }
    const sent: SentSms = { providerId: parsed.data.id, parts: parsed.data.parts };
    if (parsed.data.cost !== undefined) sent.cost = parsed.data.cost;
    return sent;
  }

  /** One POST on a pooled connection; `timeoutMs` covers the whole exchange, answer included. */
  private post(body: string, idempotencyKey: string): Promise<PostAnswer> {
    return new Promise<PostAnswer>((resolve, reject) => {
      let status: number | null = null;
      const timer = setTimeout(() => req.destroy(new SendTimeout(this.timeoutMs)), this.timeoutMs);
      const settle = (error: unknown, answer?: PostAnswer) => {
        clearTimeout(timer);
        if (answer) resolve(answer);
        // After the head, the operator has answered: the status decides, the body is lost.
        else if (status !== null) resolve({ status, body: null, bodyError: error });
        else reject(error instanceof Error ? error : new Error("request failed"));
      };
      const req = this.request(
        this.url,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            Authorization: this.authorization,
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": Buffer.byteLength(body),
            Accept: "application/json",
            // The real 46elks ignores it; our simulator counts repeats so tests can prove we
            // never send twice.
            "Idempotency-Key": idempotencyKey,
          },
        },
        (res) => {
          status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => settle(null, { status: status!, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (error) => settle(error));
          // Closed before its end (a no-op once the answer was read).
          res.on("close", () => settle(new Error("answer cut off")));
        },
      );
      req.on("error", (error) => settle(error));
      req.end(body);
    });
  }

  parseDeliveryReport(form: URLSearchParams): DeliveryReport | null {
    const id = form.get("id");
    const status = REPORT_STATUSES[form.get("status") ?? ""];
    if (!id || status === undefined) return null;
    const report: DeliveryReport = { providerId: id, status };
    if (status === "delivered") {
      const deliveredAt = parseElksTime(form.get("delivered"));
      if (deliveredAt) report.deliveredAt = deliveredAt;
    }
    return report;
  }

  parseIncoming(form: URLSearchParams): IncomingSms | null {
    const id = form.get("id");
    const from = form.get("from");
    const to = form.get("to");
    const message = form.get("message");
    const direction = form.get("direction");
    if (!id || !from || !to || message === null) return null;
    if (direction !== null && direction !== "incoming") return null;
    const incoming: IncomingSms = { providerId: id, from, to, text: message };
    const receivedAt = parseElksTime(form.get("created"));
    if (receivedAt) incoming.receivedAt = receivedAt;
    return incoming;
  }
}

/**
 * 46elks writes UTC times without a zone and with microseconds
 * ("2018-07-11T13:19:15.125000"); read them as UTC, not as the server's local time.
 */
export function parseElksTime(value: string | null): Date | undefined {
  if (!value) return undefined;
  let iso = value.trim().replace(" ", "T");
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(iso)) iso += "Z";
  // Date.parse does not promise more than milliseconds.
  iso = iso.replace(/(\.\d{3})\d+/, "$1");
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

class SendTimeout extends Error {
  override readonly name = "TimeoutError";
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

/**
 * The operator's plain-text reason ("Invalid to number"), shortened, and with anything
 * that looks like a phone number masked, because callers put this message in logs.
 */
function maskReason(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200)
    .replace(/\+?\d[\d -]{5,}\d/g, "[number]");
}
