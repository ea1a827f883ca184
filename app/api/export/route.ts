import { db } from "@/db";
import { currentSession } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { env } from "@/lib/env";
import { exportPatientData } from "@/lib/privacy/access-log";

export const dynamic = "force-dynamic";

// The patient's own data as a JSON file (GDPR art. 15/20). Never cached anywhere.
export async function GET() {
  const session = await currentSession();
  if (!session) return Response.json({ error: "unauthorized" }, { status: 401 });
  const e = env();
  const data = await exportPatientData(
    db(),
    session.patientId,
    { encryptionKey: e.PII_ENCRYPTION_KEY, hmacKey: e.PII_HMAC_KEY },
    await requestMeta(),
    new Date(),
  );
  if (!data) return Response.json({ error: "not_found" }, { status: 404 });
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": 'attachment; filename="vardtid-mina-uppgifter.json"',
      "Cache-Control": "private, no-store",
    },
  });
}
