// Every error the API gives is an OperationOutcome with the HTTP status a FHIR client expects.
// Handlers throw FhirError; the HTTP layer turns it (and anything unexpected, as a bare 500
// without details) into the response.
import type { OperationOutcome, OperationOutcomeIssue } from "@medplum/fhirtypes";
import type { z } from "zod";

export type IssueCode = OperationOutcomeIssue["code"];

export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly code: IssueCode,
    readonly diagnostics: string,
    readonly expression?: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(diagnostics);
    this.name = "FhirError";
  }
}

export const badRequest = (msg: string) => new FhirError(400, "invalid", msg);
export const notFound = (type: string, id?: string) =>
  new FhirError(404, "not-found", id ? `${type}/${id} is not known` : `${type} is not known`);
export const forbidden = (msg: string) => new FhirError(403, "forbidden", msg);
export const conflict = (msg: string) => new FhirError(409, "conflict", msg);
export const preconditionFailed = (msg: string) => new FhirError(412, "conflict", msg);
export const unprocessable = (msg: string, expression?: string[]) => new FhirError(422, "processing", msg, expression);
export const notSupported = (msg: string) => new FhirError(405, "not-supported", msg);

export function operationOutcome(
  severity: OperationOutcomeIssue["severity"],
  code: IssueCode,
  diagnostics: string,
  expression?: string[],
): OperationOutcome {
  return {
    resourceType: "OperationOutcome",
    issue: [{ severity, code, diagnostics, ...(expression?.length ? { expression } : {}) }],
  };
}

export function outcomeOf(error: FhirError): OperationOutcome {
  return operationOutcome("error", error.code, error.diagnostics, error.expression);
}

/** A zod failure as a 422 naming the FHIRPath of each bad field ("Slot.start"). */
export function invalidResource(resourceType: string, error: z.ZodError): FhirError {
  const issues = error.issues.slice(0, 10);
  const paths = issues.map((i) => fhirPath(resourceType, i.path));
  const text = issues.map((i, n) => `${paths[n]}: ${i.message}`).join("; ");
  return new FhirError(422, "processing", text, paths);
}

export function fhirPath(resourceType: string, path: readonly PropertyKey[]): string {
  let out = resourceType;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}
