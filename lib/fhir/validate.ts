// Every resource a client writes is checked against FHIR R4 before a module reads it, so a wrong
// resource is a 422 naming the field and changes nothing, never a silent drop:
// 1. its top-level elements are ones Vårdtid takes for that type (below). An element R4 does not
//    define ("foo") and an R4 element Vårdtid neither stores nor derives ("Slot.overbooked",
//    "modifierExtension", "contained") are both refused;
// 2. the whole resource is validated by @medplum/core (a maintained validator) against HL7's R4
//    StructureDefinitions (lib/fhir/r4-definitions.json): unknown nested elements, types,
//    cardinalities, primitive formats and R4 invariants (app-3 aside, see r4-definitions-build.ts).
// The modules' zod schemas then check what Vårdtid itself needs (a Slot's end after its start, …).
import type { Bundle, OperationOutcomeIssue, Resource } from "@medplum/fhirtypes";
import { indexStructureDefinitionBundle, OperationOutcomeError, tryGetDataType, validateResource } from "@medplum/core";
import definitions from "./r4-definitions.json";
import { FhirError } from "./outcome";
import type { ScopeResourceType } from "./scopes";

/** On every type: narrative and bookkeeping Vårdtid ignores, and extensions (FHIR lets a server ignore those it does not know). */
const COMMON_ELEMENTS = ["resourceType", "id", "meta", "text", "language", "extension"] as const;

/**
 * The top-level elements Vårdtid takes per type: what it stores, plus what it returns itself and
 * ignores when sent back (derived ones such as Appointment.serviceType), so a client may PUT back
 * what it read. A Slot's and a Schedule's `comment` is taken and not kept.
 */
export const ACCEPTED_ELEMENTS: Record<ScopeResourceType, readonly string[]> = {
  Organization: ["identifier", "active", "type", "name", "telecom", "address"],
  HealthcareService: ["identifier", "active", "providedBy", "name", "comment", "appointmentRequired"],
  PractitionerRole: ["identifier", "active", "organization", "practitioner", "code"],
  Schedule: ["identifier", "active", "actor", "comment"],
  Slot: ["identifier", "serviceType", "schedule", "status", "start", "end", "comment"],
  Patient: ["identifier", "name"],
  Appointment: [
    "identifier",
    "status",
    "cancelationReason",
    "serviceType",
    "start",
    "end",
    "minutesDuration",
    "created",
    "slot",
    "participant",
  ],
  RelatedPerson: ["identifier", "active", "patient", "relationship", "period"],
};

let indexed = false;
function ensureIndexed() {
  if (indexed) return;
  indexStructureDefinitionBundle(definitions as unknown as Bundle);
  indexed = true;
}

/** Whether R4 defines `element` on `type` (choice elements such as deceased[x] by their prefix). */
function isR4Element(type: string, element: string): boolean {
  const schema = tryGetDataType(type);
  if (!schema) return false;
  return Object.keys(schema.elements).some((name) =>
    name.endsWith("[x]") ? element.startsWith(name.slice(0, -3)) : name === element,
  );
}

/** Throws a 422 FhirError naming each bad field (at most 10), or returns when `body` is a valid R4 `type`. */
export function validateR4(type: ScopeResourceType, body: unknown): void {
  ensureIndexed();
  const accepted = new Set<string>([...COMMON_ELEMENTS, ...ACCEPTED_ELEMENTS[type]]);
  const problems: { expression: string; text: string }[] = [];
  for (const key of Object.keys(body as object)) {
    if (accepted.has(key)) continue;
    const bare = key.startsWith("_") ? key.slice(1) : key;
    if (key.startsWith("_") && accepted.has(bare)) continue; // a primitive's id and extensions
    problems.push({
      expression: `${type}.${key}`,
      text: isR4Element(type, bare)
        ? `an R4 element Vårdtid does not take for ${type}; leave it out (see docs/integration.md)`
        : `is not an element of an R4 ${type}`,
    });
  }
  if (problems.length === 0) {
    try {
      validateResource(body as Resource);
    } catch (error) {
      if (!(error instanceof OperationOutcomeError)) throw error;
      for (const issue of error.outcome.issue ?? [])
        if (issue.severity === "error") problems.push(described(type, issue));
    }
  }
  if (problems.length === 0) return;
  const shown = problems.slice(0, 10);
  throw new FhirError(
    422,
    "structure",
    shown.map((p) => `${p.expression}: ${p.text}`).join("; "),
    shown.map((p) => p.expression),
  );
}

function described(type: string, issue: OperationOutcomeIssue): { expression: string; text: string } {
  const text = (issue.details?.text ?? issue.diagnostics ?? "is not valid R4").replace(
    /^Invalid additional property "[^"]*"$/,
    "is not an element of R4",
  );
  return { expression: issue.expression?.[0] ?? type, text };
}
