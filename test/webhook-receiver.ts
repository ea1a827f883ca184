// A booking system's webhook receiver for tests: records every request (raw body and headers),
// answers as the test says (a status, or never), and counts how many tries of one webhook-id were
// in flight at the same moment. Ports from this engineer's range (3400–3499), one block per file.
import http from "node:http";

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  headers: Record<string, string>;
  at: number;
}

export type Answer = number | "hang";

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Highest number of concurrent requests seen for any one webhook-id. */
  maxInFlightPerId(): number;
  /** What to answer to the n-th request (0-based) overall. Default 204. */
  answer: (n: number, req: ReceivedWebhook) => Answer | Promise<Answer>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(ports: { from: number; to: number }): Promise<WebhookReceiver> {
  const inFlight = new Map<string, number>();
  let maxPerId = 0;
  const hanging = new Set<http.ServerResponse>();
  const receiver: WebhookReceiver = {
    url: "",
    received: [],
    maxInFlightPerId: () => maxPerId,
    answer: () => 204,
    close: async () => {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
      );
      const got: ReceivedWebhook = {
        id: headers["webhook-id"] ?? "",
        timestamp: headers["webhook-timestamp"] ?? "",
        signature: headers["webhook-signature"] ?? "",
        body: Buffer.concat(chunks).toString("utf8"),
        headers,
        at: Date.now(),
      };
      const n = receiver.received.push(got) - 1;
      const count = (inFlight.get(got.id) ?? 0) + 1;
      inFlight.set(got.id, count);
      maxPerId = Math.max(maxPerId, count);
      const done = () => inFlight.set(got.id, (inFlight.get(got.id) ?? 1) - 1);
      res.on("close", done);
      const answer = await receiver.answer(n, got);
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { "content-type": "text/plain" }).end("ok");
    });
  });
  for (let port = ports.from; port <= ports.to; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (ok) {
      receiver.url = `http://127.0.0.1:${port}/hooks/vardtid`;
      return receiver;
    }
  }
  throw new Error(`no free port in ${ports.from}-${ports.to}`);
}
