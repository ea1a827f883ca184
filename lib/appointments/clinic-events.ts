// The outbox for the clinic's booking system: a change event written in the change's own
// transaction (the webhook worker delivers it), so the clinic can never miss a committed change.
import type { Tx } from "@/db/client";
import { webhookDeliveries } from "@/db/schema";

export async function queueClinicEvent(tx: Tx, clinicId: string, eventType: string, payload: Record<string, unknown>) {
  await tx.insert(webhookDeliveries).values({ clinicId, eventType, payload });
}
