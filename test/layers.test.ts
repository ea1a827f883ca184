// The layer rules in eslint.config.mjs must actually refuse a forbidden import: lint each bad
// import as if it sat in the folder it is forbidden in, and check that good ones pass.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const eslint = new ESLint({ cwd: root });

async function restrictedImportErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
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

  it("refuses app/ importing @/db or @/worker", async () => {
    const errors = await restrictedImportErrors(
      "app/layer-probe/page.tsx",
      'import { db } from "@/db";\nimport { runDueSms } from "@/worker/sms-dispatch";\nexport const y = [db, runDueSms];\n',
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

  it("lets app/ use lib/ (the data-access layer)", async () => {
    const errors = await restrictedImportErrors(
      "app/layer-probe/page.tsx",
      'import { myAppointments } from "@/lib/appointments/dal";\nexport const y = myAppointments;\n',
    );
    expect(errors).toEqual([]);
  });
});
