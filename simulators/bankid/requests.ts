import { isIP } from "node:net";
import { z } from "zod";
import { isValidPersonalNumber } from "../../lib/personal-number";

/**
 * Request bodies the simulator accepts, as strict as BankID: a client that passes here should
 * pass there. The top level is strict so a v5 habit (a top-level personalNumber) is caught.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const base64 = (max: number) => z.string().min(1).max(max).regex(BASE64);

const personalNumber = z
  .string()
  .regex(/^\d{12}$/)
  .refine(isValidPersonalNumber);

const requirement = z.object({
  pinCode: z.boolean().optional(),
  mrtd: z.boolean().optional(),
  cardReader: z.enum(["class1", "class2"]).optional(),
  certificatePolicies: z.array(z.string().min(1)).optional(),
  personalNumber: personalNumber.optional(),
  risk: z.enum(["low", "moderate"]).optional(),
});

const visibleDataFormat = z.enum(["plaintext", "simpleMarkdownV1"]);

// BankID's limits, counted after base64 encoding.
const userVisibleData = base64(40_000);
const userNonVisibleData = base64(200_000);

const authFields = {
  endUserIp: z.string().refine((v) => isIP(v) !== 0),
  requirement: requirement.optional(),
  userVisibleData: userVisibleData.optional(),
  userVisibleDataFormat: visibleDataFormat.optional(),
  userNonVisibleData: userNonVisibleData.optional(),
  returnUrl: z.string().min(1).max(512).optional(),
  returnRisk: z.boolean().optional(),
  web: z
    .object({
      referringDomain: z.string().optional(),
      userAgent: z.string().optional(),
      deviceIdentifier: z.string().optional(),
    })
    .optional(),
  app: z
    .object({
      appIdentifier: z.string().optional(),
      deviceOS: z.string().optional(),
      deviceModelName: z.string().optional(),
      deviceIdentifier: z.string().optional(),
    })
    .optional(),
};

export const authRequest = z.strictObject(authFields);
export const signRequest = z.strictObject({ ...authFields, userVisibleData });

const phoneFields = {
  personalNumber,
  callInitiator: z.enum(["user", "RP"]),
  requirement: requirement.optional(),
  userVisibleData: userVisibleData.optional(),
  userVisibleDataFormat: visibleDataFormat.optional(),
  userNonVisibleData: userNonVisibleData.optional(),
};

export const phoneAuthRequest = z.strictObject(phoneFields);
export const phoneSignRequest = z.strictObject({ ...phoneFields, userVisibleData });

export const orderRefRequest = z.strictObject({ orderRef: z.string().min(1) });

// Control API and test app: looser, these are our own tools.

const name = z.string().trim().min(1).max(100);

export const scanBody = z.object({
  personalNumber: z.string().optional(),
  via: z.enum(["qr", "autostart"]).optional(),
});

export const approveBody = z.object({
  personalNumber: z.string().optional(),
  givenName: name.optional(),
  surname: name.optional(),
});

export const failBody = z.object({ hintCode: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/) });

export const faultBody = z
  .object({
    status: z.number().int().min(200).max(599).optional(),
    errorCode: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/)
      .optional(),
    count: z.number().int().min(1).max(10_000).default(1),
    delayMs: z.number().int().min(0).max(120_000).optional(),
    /** For 429 answers: the Retry-After and RateLimit-Reset seconds. Default 1. */
    retryAfterSeconds: z.number().int().min(0).max(3_600).optional(),
  })
  .refine((f) => f.status !== undefined || f.delayMs !== undefined, "give status, delayMs or both");

export const scanQrBody = z.object({ qrData: z.string().min(1).max(500), personalNumber: z.string().optional() });

export const openAutostartBody = z.object({
  autoStartToken: z.string().min(1).max(100),
  personalNumber: z.string().optional(),
});

/**
 * BankID-style `details` naming the first bad field. Only names: the values may be personal data.
 */
export function describeIssue(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length > 0 ? ` in ${issue.path.join(".")}` : "";
    return `Unknown parameter${issue.keys.length > 1 ? "s" : ""}${where}: ${issue.keys.join(", ")}`;
  }
  const field = issue.path.join(".");
  if (field === "") return issue.message;
  return valueAt(input, issue.path) === undefined ? `Missing ${field}` : `Incorrect ${field}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
