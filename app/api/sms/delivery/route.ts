// POST /api/sms/delivery?secret=…&m=…: 46elks delivery reports (`whendelivered`).
import { receiveDeliveryReport } from "@/lib/sms/delivery-endpoint";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  return new Response(null, { status: await receiveDeliveryReport(request) });
}
