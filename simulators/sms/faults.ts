// Injected faults for the simulator's sends: the control API's fault set and the plan that decides,
// send by send, which ones fail. Two modes: `failRate`, random (the bench's load runs, where only
// the share matters), and `failFirst`, scripted (tests, which must see every path in every run: a
// retry that succeeds, a message that fails until it is dead).
import { z } from "zod";

export const faultsSchema = z
  .strictObject({
    failRate: z.number().min(0).max(1).default(0),
    failFirst: z.array(z.number().int().min(0).max(100)).max(10_000).default([]),
    status: z.number().int().min(400).max(599).default(503),
    delayMs: z.number().int().min(0).max(120_000).default(0),
    dlrStatus: z.enum(["delivered", "failed"]).default("delivered"),
    withholdDlr: z.boolean().default(false),
  })
  .refine((f) => f.failRate === 0 || f.failFirst.length === 0, {
    message: "failRate (random) and failFirst (scripted) exclude each other",
  });
export type Faults = z.output<typeof faultsSchema>;
export const NO_FAULTS: Faults = faultsSchema.parse({});

/**
 * One fault set in force and what the sends under it have used of its script. With `failFirst`,
 * each new Idempotency-Key takes the list's next entry (cycling) as the number of its first sends
 * that fail: with 40 keys and a list of 10 entries each entry is used exactly 4 times, whatever
 * order concurrent sends arrive in. A send without a key is a key of its own, used once.
 */
export class FaultPlan {
  private readonly failuresLeft = new Map<string, number>();
  private nextEntry = 0;

  constructor(readonly faults: Faults) {}

  /** The status this send is answered with instead of being accepted, or null to accept it. */
  failureFor(idempotencyKey: string | null): number | null {
    const { failFirst, failRate, status } = this.faults;
    if (failFirst.length > 0) {
      const known = idempotencyKey === null ? undefined : this.failuresLeft.get(idempotencyKey);
      const left = known ?? failFirst[this.nextEntry++ % failFirst.length]!;
      if (idempotencyKey !== null) this.failuresLeft.set(idempotencyKey, Math.max(0, left - 1));
      return left > 0 ? status : null;
    }
    return failRate > 0 && Math.random() < failRate ? status : null;
  }
}
