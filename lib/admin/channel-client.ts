// How an admin CLI runs a command: through the running app's admin channel when one holds the
// PGlite folder, otherwise on the database directly (Postgres via DATABASE_URL, or the PGlite
// folder, which is then free).
import { existsSync, readFileSync } from "node:fs";
import { migrateDatabase, openDatabase } from "@/db/client";
import { channelFilePath, type ChannelFile } from "./channel-file";
import { runAdminCommand, type AdminResult } from "./run";
import "./index";

export interface AdminTarget {
  databaseUrl?: string;
  pgliteDataDir: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function viaChannel(file: string, name: string, args: Record<string, unknown>): Promise<AdminResult | null> {
  let channel: ChannelFile;
  try {
    channel = JSON.parse(readFileSync(file, "utf8")) as ChannelFile;
  } catch {
    return null;
  }
  if (!processAlive(channel.pid)) return null;
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${channel.port}/admin/${name}`, {
      method: "POST",
      headers: { authorization: `Bearer ${channel.secret}`, "content-type": "application/json" },
      body: JSON.stringify(args),
    });
  } catch {
    return null; // a stale file: the server is gone
  }
  const body = (await res.json().catch(() => null)) as AdminResult | null;
  return body ?? { ok: false, error: `the admin channel answered ${res.status}` };
}

export async function invokeAdmin(
  target: AdminTarget,
  name: string,
  args: Record<string, unknown>,
): Promise<AdminResult & { via: "channel" | "database" }> {
  if (!target.databaseUrl) {
    const file = channelFilePath(target.pgliteDataDir);
    if (existsSync(file)) {
      const result = await viaChannel(file, name, args);
      if (result) return { ...result, via: "channel" };
    }
  }
  // Two connections: migrateDatabase holds its advisory lock on one and migrates on the other
  // (with one, every admin command against Postgres failed before it started).
  const handle = openDatabase({ url: target.databaseUrl, dataDir: target.pgliteDataDir, max: 2 });
  try {
    await migrateDatabase(handle);
    return { ...(await runAdminCommand(handle.db, name, args)), via: "database" };
  } finally {
    await handle.close();
  }
}
