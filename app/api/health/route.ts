// For load balancers: readiness (process up, database reachable, migrations current, not shutting
// down) or, with `?live`, liveness (the process answers). No patient data.
import { healthStatus } from "@/lib/health/status";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const live = new URL(request.url).searchParams.has("live");
  const report = await healthStatus({ live });
  return Response.json(report.body, { status: report.httpStatus, headers: { "Cache-Control": "no-store" } });
}
