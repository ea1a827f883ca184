// The shape every resource module has: the router, the Bundle processor, conditional
// interactions and the CapabilityStatement are written once against this.
import type { Resource } from "@medplum/fhirtypes";
import type { FhirContext } from "../context";
import type { ScopeResourceType } from "../scopes";

export interface SearchParamDef {
  name: string;
  type: "token" | "reference" | "date" | "string";
  documentation: string;
}

export interface SearchResult {
  resources: Resource[];
  /** There are more matches after this page. */
  more: boolean;
}

export interface ResourceModule {
  type: ScopeResourceType;
  /** Parameters beyond the common ones (_id, _lastUpdated, identifier, _count). */
  searchParams: SearchParamDef[];
  read(ctx: FhirContext, id: string): Promise<Resource | null>;
  search(ctx: FhirContext, params: URLSearchParams, page: { count: number; offset: number }): Promise<SearchResult>;
  create(ctx: FhirContext, body: unknown): Promise<Resource>;
  update(ctx: FhirContext, id: string, body: unknown, ifMatch: number | undefined): Promise<Resource>;
  delete?(ctx: FhirContext, id: string): Promise<void>;
  /** What the type means here, for the CapabilityStatement. */
  documentation?: string;
  /** What DELETE does for this type (the CapabilityStatement says it). */
  deleteDocumentation?: string;
  /** The patient a resource concerns, for the patient's access log. */
  patientOf?(resource: Resource): string | undefined;
}
