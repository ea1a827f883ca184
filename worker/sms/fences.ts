// Fencing: right before a send, the row must still be ours (still sending, same attempt number) and
// its lease is renewed. Without it a worker that stalled past its lease (GC pause, slow gateway)
// could send a row another worker has taken over. One statement fences a chunk of rows at a time.
import { messages } from "@/db/schema";
import { stillOurs } from "../lease";
import { leaseOf, type Ready, type SmsDispatchConfig } from "./types";

/**
 * A fence is trusted for a quarter of the lease only (real time), so a send that starts under it
 * ends (the lease is at least twice the send timeout) before the lease can run out under it; a row
 * whose fence has grown older than that, behind slow sends, is fenced again.
 *
 * A first attempt needs no fence statement while its claim is that young: the claim itself made it
 * ours with attempts 1 and a full lease, nobody has ever sent it (so no earlier worker or delivery
 * report can be in the way), and no other worker can take it before the lease runs out. A retaken
 * row (attempts > 1) is always fenced: its previous worker, or that send's report, may be late.
 */
export class Fences {
  private readonly fences: ({ at: number; ours: Promise<boolean> } | undefined)[] = [];
  private readonly maxAgeMs: number;

  constructor(
    private readonly config: SmsDispatchConfig,
    private readonly items: Ready[],
    /** performance.now() when the batch was claimed. */
    private readonly claimedAt: number,
    private readonly chunk: number,
    private readonly now: () => Date,
  ) {
    this.maxAgeMs = leaseOf(config) / 4;
  }

  /** Resolves true when row i may be sent now; rejects on a database error. */
  ours(i: number): Promise<boolean> {
    if (this.claimCovers(i)) return CLAIM_IS_FENCE;
    if (!this.isFresh(i)) this.fenceFrom(i);
    return this.fences[i]!.ours;
  }

  private claimCovers(i: number): boolean {
    return this.items[i]!.claimed.attempts === 1 && performance.now() - this.claimedAt < this.maxAgeMs;
  }

  private isFresh(i: number): boolean {
    const f = this.fences[i];
    return f !== undefined && performance.now() - f.at < this.maxAgeMs;
  }

  /** Fences row i and the next rows without a fresh fence, up to a chunk. */
  private fenceFrom(i: number): void {
    const picked: number[] = [];
    for (let j = i; j < this.items.length && picked.length < this.chunk; j++)
      if (j === i || !(this.isFresh(j) || this.claimCovers(j))) picked.push(j);
    const at = performance.now();
    const now = this.now();
    const rows = this.config.db
      .update(messages)
      .set({ leaseExpiresAt: new Date(now.getTime() + leaseOf(this.config)), updatedAt: now })
      .where(stillOurs(picked.map((j) => this.items[j]!.claimed)))
      .returning({ id: messages.id })
      .then((r) => new Set(r.map((x) => x.id)));
    // A superseded fence may never be awaited: its failure must not be an unhandled rejection.
    rows.catch(() => undefined);
    for (const j of picked) {
      const ours = rows.then((ids) => ids.has(this.items[j]!.claimed.id));
      ours.catch(() => undefined);
      this.fences[j] = { at, ours };
    }
  }
}

const CLAIM_IS_FENCE = Promise.resolve(true);
