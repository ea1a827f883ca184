// `npm run audit:verify` and the worker's scheduled check find a row edited in the database.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { recordAudit } from "./index";
import { auditChainStatus, checkAuditChain } from "./chain-status";

const root = path.resolve(import.meta.dirname, "../..");

describe("audit chain check", () => {
  it("logs a broken chain loudly and reports it, without throwing", async () => {
    const handle = openDatabase({ dataDir: "memory" });
    await migrateDatabase(handle);
    for (let i = 0; i < 5; i++) await recordAudit(handle.db, { actorType: "system", action: `test.${i}` });
    const lines: string[] = [];
    expect((await checkAuditChain(handle.db, (l) => lines.push(l))).intact).toBe(true);
    expect(lines).toEqual([]);
    await handle.db.update(auditEvents).set({ action: "test.edited" }).where(eq(auditEvents.seq, 3));
    const status = await checkAuditChain(handle.db, (l) => lines.push(l));
    expect(status).toMatchObject({ intact: false, problemCount: 1 });
    expect(status.problems[0]).toEqual({ seq: 3, kind: "hash_mismatch" });
    expect(auditChainStatus()).toBe(status);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^AUDIT CHAIN BROKEN: .* first at seq 3/);
    await handle.close();
  }, 120_000);

  it("npm run audit:verify exits 0 on an intact chain and 2 after a row was edited", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vardtid-audit-verify-"));
    const dataDir = path.join(dir, "pglite");
    try {
      const handle = openDatabase({ dataDir });
      await migrateDatabase(handle);
      for (let i = 0; i < 3; i++) await recordAudit(handle.db, { actorType: "system", action: `cli.${i}` });
      await handle.close();
      const run = () =>
        spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/audit-verify.ts"], {
          cwd: root,
          env: { ...process.env, VARDTID_MODE: "demo", PGLITE_DATA_DIR: dataDir, DATABASE_URL: "" },
          encoding: "utf8",
          timeout: 180_000,
        });
      const ok = run();
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain("Audit chain intact");
      const edit = openDatabase({ dataDir });
      await edit.db.update(auditEvents).set({ ip: "203.0.113.66" }).where(eq(auditEvents.seq, 2));
      await edit.close();
      const broken = run();
      expect(broken.status).toBe(2);
      expect(broken.stderr).toContain("AUDIT CHAIN BROKEN");
      expect(broken.stderr).toContain("seq 2: hash_mismatch");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});
