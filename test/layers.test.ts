// The layer rules in eslint.config.mjs must actually refuse a forbidden import: lint each bad
// import as if it sat in the folder it is forbidden in (by alias, by relative path and as a dynamic
// import()), and check that good ones pass.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const eslint = new ESLint({ cwd: root });

// Static imports are refused by no-restricted-imports, dynamic import() by no-restricted-syntax.
const layerRuleIds = new Set(["no-restricted-imports", "no-restricted-syntax"]);

async function restrictedImportErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => layerRuleIds.has(m.ruleId ?? "")).map((m) => m.message);
}

describe("layers enforced by lint", () => {
  it("refuses components/ importing from app/", async () => {
    const errors = await restrictedImportErrors(
      "components/layer-probe.tsx",
      'import { x } from "@/app/besok/page";\nexport const y = x;\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/components\/ must not import from app\//);
  });

  it("refuses components/ reaching app/ by a relative path", async () => {
    const errors = await restrictedImportErrors(
      "components/layer-probe.tsx",
      'import { x } from "../app/(site)/besok/page";\nexport const y = x;\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/components\/ must not import from app\//);
  });

  it("refuses app/ importing @/db or @/worker", async () => {
    const errors = await restrictedImportErrors(
      "app/layer-probe/page.tsx",
      'import { db } from "@/db";\nimport { runDueSms } from "@/worker/sms-dispatch";\nexport const y = [db, runDueSms];\n',
    );
    expect(errors).toHaveLength(2);
  });

  it("refuses app/ reaching db/ or worker/ by a relative path", async () => {
    const errors = await restrictedImportErrors(
      "app/(site)/layer-probe/page.tsx",
      'import { db } from "../../../db";\nimport { slots } from "../../db/schema";\nimport { expireDueOffers } from "../../../worker/offers";\nexport const y = [db, slots, expireDueOffers];\n',
    );
    expect(errors).toHaveLength(3);
    expect(errors.filter((e) => /never db\/ directly/.test(e))).toHaveLength(2);
    expect(errors.filter((e) => /must not import the worker/.test(e))).toHaveLength(1);
  });

  it("refuses app/ importing @/db or @/worker dynamically", async () => {
    const errors = await restrictedImportErrors(
      "app/layer-probe/page.tsx",
      'export const load = () => Promise.all([import("@/db"), import("@/worker/offers")]);\n',
    );
    expect(errors).toHaveLength(2);
  });

  it("refuses db/ importing lib/ other than lib/env, and allows lib/env", async () => {
    const bad = await restrictedImportErrors(
      "db/layer-probe.ts",
      'import { recordAudit } from "@/lib/audit";\nexport const y = recordAudit;\n',
    );
    expect(bad).toHaveLength(1);
    const good = await restrictedImportErrors(
      "db/layer-probe.ts",
      'import { env } from "@/lib/env";\nexport const y = env;\n',
    );
    expect(good).toEqual([]);
  });

  it("refuses db/ reaching lib/ by a relative path other than lib/env", async () => {
    const bad = await restrictedImportErrors(
      "db/layer-probe.ts",
      'import { recordAudit } from "../lib/audit";\nexport const y = recordAudit;\n',
    );
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/db\/ depends on nothing in lib\//);
    const good = await restrictedImportErrors(
      "db/layer-probe.ts",
      'import { env } from "../lib/env";\nexport const y = env;\n',
    );
    expect(good).toEqual([]);
  });

  it("lets app/ use lib/ (the data-access layer)", async () => {
    const errors = await restrictedImportErrors(
      "app/layer-probe/page.tsx",
      'import { myAppointments } from "@/lib/appointments/dal";\nexport const y = myAppointments;\n',
    );
    expect(errors).toEqual([]);
  });
});
