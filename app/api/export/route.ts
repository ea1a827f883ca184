import { z } from "zod";
import { patientRoute } from "@/lib/auth/patient-route";
import { env } from "@/lib/env";
import { exportPatientData } from "@/lib/privacy/access-log";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

export const dynamic = "force-dynamic";

// The patient's own data as a JSON file (GDPR art. 15/20). Never cached anywhere.
export const GET = patientRoute(z.object({}), async (_input, { session, meta, db }) => {
  const e = env();
  const data = await exportPatientData(db, session.patientId, piiKeysFromEnv(e), meta, new Date());
  if (!data) return Response.json({ error: "not_found" }, { status: 404 });
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": 'attachment; filename="vardtid-mina-uppgifter.json"',
      "Cache-Control": "private, no-store",
    },
  });
});
