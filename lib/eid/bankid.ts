import "server-only";
// One job: the BankID RP API v6.0 client (mTLS transport, retries, answer parsing). Over 300 lines
// because the wire format, the error mapping and the transport belong together; bankid-wire.ts and
// rfa.ts already hold what could be split out.
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import { z } from "zod";
import {
  EidError,
  type CollectResult,
  type EidProvider,
  type StartAuthenticationInput,
  type StartedOrder,
} from "./types";
import {
  orderAnswerSchema,
  phoneOrderAnswerSchema,
  collectAnswerSchema,
  MAX_ANSWER_BYTES,
  type RawAnswer,
  parseAnswer,
  errorFromAnswer,
  transportError,
  rateLimitWaitMs,
  sleep,
  positiveInt,
  nonNegativeInt,
} from "./bankid-wire";

/**
 * BankID Relying Party API v6.0 (shared/specs/bankid-rp-v6.md), against BankID itself or our
 * simulator. Never logs: collect answers carry personal identity numbers.
 *
 * node:https rather than fetch because BankID needs mutual TLS with a pinned CA, and fetch
 * cannot be given a client certificate without an extra dependency. (About 300 lines: the one
 * client class for the API's calls; its wire format lives in bankid-wire.ts.)
 */

export interface BankIdTlsOptions {
  /** PKCS#12 client certificate. BankID's legacy RC2-40 test file must first be converted (README). */
  pfx?: Buffer;
  passphrase?: string;
  /** PEM client certificate and key, instead of pfx. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** PEM of the only CA(s) trusted for the server certificate: BankID's own root, not the public ones. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export interface BankIdClientOptions {
  /** Ends with /rp/v6.0/, e.g. https://appapi2.test.bankid.com/rp/v6.0/ or the simulator's. */
  baseUrl: string;
  /** Required for https: (ca at least); refused for http:. */
  tls?: BankIdTlsOptions;
  /** Per call, connection and answer included. Default 10 000. */
  timeoutMs?: number;
  /** Extra attempts after a 503 maintenance answer before giving up. Default 3. */
  maintenanceRetries?: number;
  /** First wait after a 503; doubles per attempt. Default 250. */
  maintenanceBackoffMs?: number;
  /** A 429 asking us to wait longer than this is not retried. Default 5 000. */
  maxRateLimitWaitMs?: number;
  /** For tests: the clock that stamps StartedOrder.startedAt. */
  now?: () => number;
}

export interface BankIdRequirement {
  pinCode?: boolean;
  mrtd?: boolean;
  cardReader?: "class1" | "class2";
  certificatePolicies?: string[];
  /** 12 digits: only this person may complete the order. */
  personalNumber?: string;
  risk?: "low" | "moderate";
}

/** The wire format: userVisibleData and userNonVisibleData are already base64 (see encodeUserVisibleData). */
export interface BankIdAuthRequest {
  endUserIp: string;
  requirement?: BankIdRequirement;
  userVisibleData?: string;
  userVisibleDataFormat?: "plaintext" | "simpleMarkdownV1";
  userNonVisibleData?: string;
  returnUrl?: string;
  returnRisk?: boolean;
  web?: { referringDomain?: string; userAgent?: string; deviceIdentifier?: string };
  app?: { appIdentifier?: string; deviceOS?: string; deviceModelName?: string; deviceIdentifier?: string };
}

export interface BankIdSignRequest extends BankIdAuthRequest {
  userVisibleData: string;
}

export interface BankIdPhoneAuthRequest {
  personalNumber: string;
  callInitiator: "user" | "RP";
  requirement?: BankIdRequirement;
  userVisibleData?: string;
  userVisibleDataFormat?: "plaintext" | "simpleMarkdownV1";
  userNonVisibleData?: string;
}

export interface BankIdPhoneSignRequest extends BankIdPhoneAuthRequest {
  userVisibleData: string;
}

/** userVisibleData is base64 of UTF-8 text. */
export function encodeUserVisibleData(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

export class BankIdClient implements EidProvider {
  private readonly baseUrl: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly timeoutMs: number;
  private readonly maintenanceRetries: number;
  private readonly maintenanceBackoffMs: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly now: () => number;

  constructor(opts: BankIdClientOptions) {
    const base = new URL(opts.baseUrl.endsWith("/") ? opts.baseUrl : `${opts.baseUrl}/`);
    this.baseUrl = base;
    this.timeoutMs = positiveInt(opts.timeoutMs ?? 10_000, "timeoutMs");
    this.maintenanceRetries = nonNegativeInt(opts.maintenanceRetries ?? 3, "maintenanceRetries");
    this.maintenanceBackoffMs = nonNegativeInt(opts.maintenanceBackoffMs ?? 250, "maintenanceBackoffMs");
    this.maxRateLimitWaitMs = nonNegativeInt(opts.maxRateLimitWaitMs ?? 5_000, "maxRateLimitWaitMs");
    this.now = opts.now ?? Date.now;

    if (base.protocol === "http:") {
      if (opts.tls) {
        // Certificates next to an http: URL mean someone believes this link is protected.
        throw new Error("BankIdClient: tls options need an https: baseUrl");
      }
      this.transport = http;
      this.agent = new http.Agent({ keepAlive: true });
    } else if (base.protocol === "https:") {
      const t = opts.tls;
      if (!t?.ca) {
        throw new Error("BankIdClient: https needs tls.ca, BankID's root CA (the public CAs are not trusted)");
      }
      const secure = {
        ca: t.ca,
        pfx: t.pfx,
        passphrase: t.passphrase,
        cert: t.cert,
        key: t.key,
        minVersion: "TLSv1.2" as const,
        rejectUnauthorized: true,
      };
      try {
        // Fail at start-up, not at a patient's first login, when the certificate cannot be read.
        tls.createSecureContext(secure);
      } catch (err) {
        throw new Error(
          "BankIdClient: the client certificate or CA cannot be read. A BankID .p12 in the legacy " +
            "RC2-40 format must first be converted with `openssl pkcs12 -legacy` (see simulators/bankid/README.md)",
          { cause: err },
        );
      }
      this.transport = https;
      this.agent = new https.Agent({ ...secure, keepAlive: true });
    } else {
      throw new Error(`BankIdClient: unsupported baseUrl protocol ${base.protocol}`);
    }
  }

  async startAuthentication(input: StartAuthenticationInput): Promise<StartedOrder> {
    const request: BankIdAuthRequest = { endUserIp: input.endUserIp };
    if (input.returnUrl !== undefined) request.returnUrl = input.returnUrl;
    return this.auth(request);
  }

  auth(request: BankIdAuthRequest): Promise<StartedOrder> {
    return this.startOrder("auth", request);
  }

  sign(request: BankIdSignRequest): Promise<StartedOrder> {
    return this.startOrder("sign", request);
  }

  async phoneAuth(request: BankIdPhoneAuthRequest): Promise<{ orderRef: string }> {
    return this.call("phone/auth", request, phoneOrderAnswerSchema);
  }

  async phoneSign(request: BankIdPhoneSignRequest): Promise<{ orderRef: string }> {
    return this.call("phone/sign", request, phoneOrderAnswerSchema);
  }

  async collect(orderRef: string): Promise<CollectResult> {
    const answer = await this.call("collect", { orderRef }, collectAnswerSchema);
    if (answer.status !== "complete") return answer;
    const { user, device, bankIdIssueDate, stepUp, signature, ocspResponse, risk } = answer.completionData;
    const result: CollectResult = {
      status: "complete",
      orderRef: answer.orderRef,
      identity: {
        personalNumber: user.personalNumber,
        givenName: user.givenName,
        surname: user.surname,
        name: user.name,
      },
      device:
        device.uhi === undefined ? { ipAddress: device.ipAddress } : { ipAddress: device.ipAddress, uhi: device.uhi },
      signature,
    };
    if (bankIdIssueDate !== undefined) result.bankIdIssueDate = bankIdIssueDate;
    if (stepUp !== undefined) result.stepUp = stepUp;
    if (ocspResponse !== undefined) result.ocspResponse = ocspResponse;
    if (risk !== undefined) result.risk = risk;
    return result;
  }

  async cancel(orderRef: string): Promise<void> {
    await this.call("cancel", { orderRef }, z.object({}));
  }

  /** Closes kept-alive connections, so a test or a shutting-down process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private async startOrder(path: "auth" | "sign", request: BankIdAuthRequest): Promise<StartedOrder> {
    const answer = await this.call(path, request, orderAnswerSchema);
    // Second 0 of the QR code is when the answer arrived, not when we asked.
    return { ...answer, startedAt: this.now() };
  }

  private async call<T>(path: string, body: object, schema: z.ZodType<T>): Promise<T> {
    let maintenanceLeft = this.maintenanceRetries;
    let backoff = this.maintenanceBackoffMs;
    let rateLimitRetried = false;
    for (;;) {
      const answer = await this.send(path, body);
      if (answer.status === 200) return parseAnswer(path, answer, schema);

      if (answer.status === 503 && maintenanceLeft > 0) {
        maintenanceLeft -= 1;
        await sleep(backoff);
        backoff *= 2;
        continue;
      }
      if (answer.status === 429 && !rateLimitRetried) {
        const wait = rateLimitWaitMs(answer.headers);
        if (wait <= this.maxRateLimitWaitMs) {
          rateLimitRetried = true;
          await sleep(wait);
          continue;
        }
      }
      throw errorFromAnswer(path, answer);
    }
  }

  private send(path: string, body: object, retried = false): Promise<RawAnswer> {
    const url = new URL(path, this.baseUrl);
    const payload = Buffer.from(JSON.stringify(body), "utf8");
    return new Promise<RawAnswer>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };

      const req = this.transport.request(
        url,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "Content-Length": payload.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              finish(() =>
                reject(
                  new EidError("invalidResponse", {
                    retryable: false,
                    httpStatus: res.statusCode,
                    details: `${path}: answer larger than ${MAX_ANSWER_BYTES} bytes`,
                  }),
                ),
              );
              req.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on("end", () =>
            finish(() =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString("utf8"),
              }),
            ),
          );
          res.on("error", (err) => finish(() => reject(transportError(path, err, this.transport === https))));
        },
      );

      const timer = setTimeout(() => {
        finish(() =>
          reject(
            new EidError("requestTimeout", {
              // BankID: no automatic retry, the order may exist even though we never saw it.
              retryable: false,
              details: `${path}: no answer within ${this.timeoutMs} ms`,
            }),
          ),
        );
        req.destroy();
      }, this.timeoutMs);

      req.on("error", (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed while idle, just as we reused it: the request
        // never reached BankID, so sending it once more on a fresh connection is safe (Node's
        // documented pattern for `reusedSocket`). Any other error is the caller's to see.
        if (!retried && req.reusedSocket && err.code === "ECONNRESET") {
          return finish(() => resolve(this.send(path, body, true)));
        }
        finish(() => reject(transportError(path, err, this.transport === https)));
      });
      req.end(payload);
    });
  }
}
