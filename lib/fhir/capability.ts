// The CapabilityStatement and SMART configuration, built from the registry so they list exactly
// what the server does.
import type { CapabilityStatement } from "@medplum/fhirtypes";
import { RESOURCE_MODULES } from "./registry";
import { ACCESS_TOKEN_SECONDS, tokenEndpoint } from "./smart";
import { SCOPE_RESOURCE_TYPES } from "./scopes";
import { ASSERTION_ALGORITHMS } from "@/lib/api-clients/clients";

export function capabilityStatement(baseUrl: string, now: Date): CapabilityStatement {
  return {
    resourceType: "CapabilityStatement",
    status: "active",
    date: now.toISOString().slice(0, 10),
    kind: "instance",
    software: { name: "Vårdtid" },
    implementation: { description: "Vårdtid FHIR R4 integration API for booking systems", url: baseUrl },
    fhirVersion: "4.0.1",
    format: ["application/fhir+json", "json"],
    rest: [
      {
        mode: "server",
        documentation:
          "See docs/integration.md. Bundle entries are processed in order; a reference may name an earlier entry's fullUrl.",
        security: {
          cors: false,
          service: [
            {
              coding: [
                { system: "http://terminology.hl7.org/CodeSystem/restful-security-service", code: "SMART-on-FHIR" },
              ],
              text: "SMART Backend Services (client_credentials with a private_key_jwt client assertion, RS384 or ES384)",
            },
          ],
          extension: [
            {
              url: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
              extension: [{ url: "token", valueUri: tokenEndpoint(baseUrl) }],
            },
          ],
        },
        resource: RESOURCE_MODULES.map((m) => {
          return {
            type: m.type,
            ...(m.documentation ? { documentation: m.documentation } : {}),
            versioning: "versioned-update" as const,
            readHistory: false,
            updateCreate: false,
            conditionalCreate: true,
            conditionalUpdate: true,
            conditionalDelete: "not-supported" as const,
            interaction: [
              { code: "read" as const },
              { code: "search-type" as const },
              { code: "create" as const },
              { code: "update" as const },
              ...(m.delete
                ? [
                    {
                      code: "delete" as const,
                      documentation: m.deleteDocumentation ?? "Only a Slot that no Appointment holds",
                    },
                  ]
                : []),
            ],
            searchParam: [
              { name: "_id", type: "token" as const },
              { name: "_lastUpdated", type: "date" as const },
              { name: "identifier", type: "token" as const },
              ...m.searchParams.map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })),
            ],
          };
        }),
        interaction: [{ code: "transaction" }, { code: "batch" }],
      },
    ],
  };
}

export function smartConfiguration(baseUrl: string) {
  return {
    issuer: baseUrl,
    token_endpoint: tokenEndpoint(baseUrl),
    token_endpoint_auth_methods_supported: ["private_key_jwt"],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    grant_types_supported: ["client_credentials"],
    // The scopes docs/integration.md names (any SMART v2 letters of these types work; these are
    // the usual ones): every type's cruds and rs, and Organization.cru for onboarding a clinic.
    scopes_supported: [
      "system/*.cruds",
      "system/*.rs",
      ...SCOPE_RESOURCE_TYPES.flatMap((t) => [
        `system/${t}.cruds`,
        ...(t === "Organization" ? ["system/Organization.cru"] : []),
        `system/${t}.rs`,
      ]),
    ],
    capabilities: ["client-confidential-asymmetric"],
    access_token_lifetime_seconds: ACCESS_TOKEN_SECONDS,
  };
}
