// Claiming: which rows a pass owns. One statement takes up to a batch of due rows (and rows whose
// worker died: lease run out) with FOR UPDATE SKIP LOCKED, so any number of workers share the queue;
// the claim raises `attempts`, and (id, attempts) is the fencing token every later write checks
// (worker/lease.ts, shared with the push worker).
import { messages } from "@/db/schema";
import { claimDueMessages, type Claimed } from "../lease";
import { DEFAULT_SMS_BATCH_SIZE, leaseOf, type SmsDispatchConfig } from "./types";

/** Claims up to a batch of due rows in one statement: attempts + 1 and a fresh lease. */
export async function claimDueSms(config: SmsDispatchConfig, now: Date): Promise<Claimed[]> {
  return claimDueMessages(
    config.db,
    { channel: "sms", now, limit: config.batchSize ?? DEFAULT_SMS_BATCH_SIZE, leaseMs: leaseOf(config) },
    { id: messages.id, attempts: messages.attempts },
  );
}
