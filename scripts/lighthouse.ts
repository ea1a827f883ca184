// `npm run lighthouse`: Lighthouse (npm `lighthouse`, run through npx, with /usr/bin/chromium) on
// the start, login and appointments pages of a running demo (`npm start`). Logs in as Tolvan
// through the BankID simulator to get a session cookie for the appointments page.
// Usage: npm run lighthouse [-- http://localhost:3000 http://127.0.0.1:3101]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const base = process.argv[2] ?? "http://localhost:3000";
const sim = process.argv[3] ?? "http://127.0.0.1:3101";
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const flags =
  "--headless=new --no-sandbox --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-gpu";

async function sessionCookie(): Promise<string> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: flags.split(" ").slice(1) });
  // Swedish, whatever the machine's locale: the labels below are the Swedish page's.
  const page = await (await browser.newContext({ locale: "sv-SE" })).newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("BankID på annan enhet").check();
  await page.getByRole("button", { name: "Logga in", exact: true }).click();
  await page.waitForSelector("img[alt^='QR-kod']");
  const { orders } = (await (await fetch(`${sim}/__simulator/orders`)).json()) as {
    orders: { orderRef: string; status: string }[];
  };
  const open = orders.filter((o) => o.status === "pending").at(-1)!;
  await fetch(`${sim}/__simulator/orders/${open.orderRef}/approve`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  await page.waitForURL(`${base}/besok`);
  const cookie = (await page.context().cookies()).find((c) => c.name.endsWith("vardtid.session"))!;
  await browser.close();
  return `${cookie.name}=${cookie.value}`;
}

const out = mkdtempSync(path.join(tmpdir(), "vardtid-lighthouse-"));
const cookie = await sessionCookie();
const rows: string[] = [];
for (const [name, pagePath, withCookie] of [
  ["start", "/", false],
  ["login", "/login", false],
  ["appointments", "/besok", true],
] as const) {
  const file = path.join(out, `${name}.json`);
  const args = [
    "--yes",
    "lighthouse@12.8.2",
    `${base}${pagePath}`,
    "--quiet",
    `--chrome-flags=${flags}`,
    "--output=json",
    `--output-path=${file}`,
  ];
  if (withCookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
  const run = spawnSync("npx", args, { env: { ...process.env, CHROME_PATH: chromiumPath }, stdio: "inherit" });
  if (run.status !== 0) throw new Error(`lighthouse failed on ${pagePath}`);
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    categories: Record<string, { score: number }>;
    audits: Record<string, { displayValue?: string }>;
  };
  const score = (k: string) => Math.round(report.categories[k]!.score * 100);
  rows.push(
    `| ${pagePath} | ${score("performance")} | ${score("accessibility")} | ${score("best-practices")} | ${score("seo")} | ${report.audits["total-blocking-time"]?.displayValue} | ${report.audits["cumulative-layout-shift"]?.displayValue} |`,
  );
}
console.log(
  [
    "| page | performance | accessibility | best practices | SEO | TBT | CLS |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n"),
);
