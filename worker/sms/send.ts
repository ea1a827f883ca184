// Sending: the ready rows of a pass go to the gateway, at most `concurrency` calls in flight per
// worker, each only after its fence says the row is still ours. The gateway call carries the row's
// idempotency key, so a send repeated after a crash is recognised by the operator (see
// worker/sms-dispatch.ts for the residual risk). What came of each send goes to the OutcomeWriter.
import { deliveryCallbackUrls } from "@/lib/sms/delivery-reports";
import type { SentSms } from "@/lib/sms/types";
import { Fences } from "./fences";
import type { OutcomeWriter } from "./outcomes";
import { afterFailedSend, retryPolicyOf } from "./retry-policy";
import { concurrencyOf, type Outcome, type Ready, type SmsDispatchConfig } from "./types";

/**
 * Bounds the gateway calls in flight to `concurrency`, shared by the passes a worker overlaps
 * (see startSmsWorker).
 */
export class SendSlots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** Sends the ready rows, at most `concurrency` at a time, each only after a fresh fence. */
export async function sendAll(
  config: SmsDispatchConfig,
  ready: Ready[],
  claimedAt: number,
  writer: OutcomeWriter,
  slots: SendSlots,
  now: () => Date,
  count: (o: Outcome) => void,
): Promise<void> {
  const concurrency = concurrencyOf(config);
  const fences = new Fences(config, ready, claimedAt, concurrency * 4, now);
  const callbackUrl = deliveryCallbackUrls(config.publicBaseUrl, config.webhookSecret);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, ready.length) }, async () => {
    for (;;) {
      // The slot first, then the row and its fence: a fence is asked for only when its send can
      // start at once, and rows are taken (and fenced in chunks) in order.
      await slots.acquire();
      if (next >= ready.length) {
        slots.release();
        return;
      }
      const i = next++;
      try {
        count(await sendOne(config, ready[i]!, fences.ours(i), callbackUrl, writer, now));
      } finally {
        slots.release();
      }
    }
  });
  await Promise.all(lanes);
}

async function sendOne(
  config: SmsDispatchConfig,
  item: Ready,
  fence: Promise<boolean>,
  callbackUrl: (messageId: string) => string,
  writer: OutcomeWriter,
  now: () => Date,
): Promise<Outcome> {
  try {
    // A worker whose lease ran out while it waited must not send the row as well.
    if (!(await fence)) return "skipped";
  } catch (error) {
    // A database hiccup: the lease runs out and another pass takes the row again.
    config.log?.(
      `sms worker: message ${item.claimed.id} left for retry (${error instanceof Error ? error.name : "unknown"})`,
    );
    return "retried";
  }
  let sent: SentSms;
  try {
    sent = await config.gateway.send({
      idempotencyKey: item.idempotencyKey,
      from: config.sender,
      to: item.to,
      text: item.text,
      callbackUrl: callbackUrl(item.claimed.id),
    });
  } catch (error) {
    return failed(config, item, error, writer, now());
  }
  writer.sent({ id: item.claimed.id, providerId: sent.providerId, parts: sent.parts }, now());
  return "sent";
}

function failed(config: SmsDispatchConfig, item: Ready, error: unknown, writer: OutcomeWriter, at: Date): Outcome {
  const next = afterFailedSend(retryPolicyOf(config), {
    error,
    attempts: item.claimed.attempts,
    at,
    visit: item.purpose === "reminder" ? item.visit : null,
  });
  writer.final({ ...item.claimed, ...next }, at);
  if (next.status === "dead")
    config.log?.(`sms worker: message ${item.claimed.id} dead after ${item.claimed.attempts} attempts`);
  return next.status === "queued" ? "retried" : next.status;
}
