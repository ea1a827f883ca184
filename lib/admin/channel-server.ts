// The admin channel of a running app on embedded PGlite: PGlite allows one process per data
// folder, so `npm run api-client` and friends cannot open it while the app runs. The app listens
// on 127.0.0.1 only (a random port), checks a random secret that only the folder's owner can
// read, and runs registered admin commands on its own database handle.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@/db/client";
import { channelFilePath, type ChannelFile } from "./channel-file";
import { runAdminCommand } from "./index";

const MAX_BODY = 1024 * 1024;

export async function startAdminChannel(db: Db, pgliteDataDir: string): Promise<{ server: Server; file: string }> {
  const secret = randomBytes(32).toString("base64url");
  const expected = Buffer.from(`Bearer ${secret}`);
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const given = Buffer.from(req.headers.authorization ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return send(401, { ok: false, error: "wrong admin secret" });
    const name = /^\/admin\/([a-z0-9:._-]+)$/.exec(req.url ?? "")?.[1];
    if (req.method !== "POST" || !name) return send(404, { ok: false, error: "POST /admin/<command>" });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on("end", () => {
      let args: Record<string, unknown>;
      try {
        args = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        return send(400, { ok: false, error: "the body must be JSON" });
      }
      runAdminCommand(db, name, args).then(
        (result) => send(result.ok ? 200 : 400, result),
        (error: unknown) => {
          console.error(`admin command ${name} failed: ${(error as Error).message}`);
          send(500, { ok: false, error: "the command failed; see the server log" });
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const file = channelFilePath(pgliteDataDir);
  const content: ChannelFile = { pid: process.pid, port: (server.address() as AddressInfo).port, secret };
  writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
  chmodSync(file, 0o600);
  server.unref();
  const cleanup = () => {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.once("exit", cleanup);
  return { server, file };
}
