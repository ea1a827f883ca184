// Every other address under /api/fhir (/api/fhir itself, /api/fhir/R4/metadata, /api/fhir/r5/…):
// the same handler answers a FHIR JSON 404 naming the base, and audits the call, so nothing under
// /api/fhir ever gets Next.js's HTML page.
import { handleFhirRequest } from "@/lib/fhir/server";

export const dynamic = "force-dynamic";

export const GET = handleFhirRequest;
export const HEAD = handleFhirRequest;
export const POST = handleFhirRequest;
export const PUT = handleFhirRequest;
export const DELETE = handleFhirRequest;
export const PATCH = handleFhirRequest;
export const OPTIONS = handleFhirRequest;
