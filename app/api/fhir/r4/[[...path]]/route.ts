// The FHIR R4 integration API for booking systems: all of it lives in lib/fhir (see docs/integration.md).
import { handleFhirRequest } from "@/lib/fhir/server";

export const dynamic = "force-dynamic";

export const GET = handleFhirRequest;
// HEAD answers as GET does, without the body (lib/fhir/http.ts).
export const HEAD = handleFhirRequest;
export const POST = handleFhirRequest;
export const PUT = handleFhirRequest;
export const DELETE = handleFhirRequest;
export const PATCH = handleFhirRequest;
