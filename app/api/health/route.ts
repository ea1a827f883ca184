// For load balancers: process up, database reachable, migrations current. No patient data.
import { healthStatus } from "@/lib/health/status";

export const dynamic = "force-dynamic";

export async function GET() {
  const report = await healthStatus();
  return Response.json(report.body, { status: report.httpStatus, headers: { "Cache-Control": "no-store" } });
}
