// POST /api/csp-report: the browser's Content-Security-Policy violation reports (lib/security/csp-report.ts).
import { requestMeta } from "@/lib/auth/request-context";
import { CspReportReceiver } from "@/lib/security/csp-report";

export const dynamic = "force-dynamic";

let receiver: CspReportReceiver | undefined;

export async function POST(request: Request) {
  receiver ??= new CspReportReceiver();
  const { ip } = await requestMeta();
  return new Response(null, { status: await receiver.receive(request, ip) });
}
