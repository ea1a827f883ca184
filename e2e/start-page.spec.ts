import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { expect, expectAccessible, test } from "./fixtures";

test.describe("start page", () => {
  test("explains Vårdtid in Swedish and offers BankID login", async ({ page }, testInfo) => {
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "sv");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dina vårdbesök, enkelt och säkert");
    await expect(page.getByRole("link", { name: "Logga in med BankID" })).toBeVisible();
    await expectAccessible(page);
    await page.screenshot({ path: testInfo.outputPath("start-sv.png"), fullPage: true });
  });

  test("switches to English and back", async ({ page }, testInfo) => {
    await page.goto("/");
    await page.locator("summary", { hasText: "Svenska" }).click();
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your healthcare appointments, simple and secure");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expectAccessible(page);
    await page.screenshot({ path: testInfo.outputPath("start-en.png"), fullPage: true });
    await page.locator("summary", { hasText: "English" }).click();
    await page.getByRole("button", { name: "Svenska" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dina vårdbesök, enkelt och säkert");
  });

  test("the demo opened on 127.0.0.1 moves to the configured localhost address instead of failing later", async ({
    page,
    baseURL,
  }) => {
    const own = new URL(baseURL!);
    await page.goto(`http://127.0.0.1:${own.port}/login?returnTo=%2Fbesok`);
    await expect(page).toHaveURL(`${own.origin}/login?returnTo=%2Fbesok`);
    await expect(page.getByRole("heading", { level: 1, name: "Logga in" })).toBeVisible();
  });

  test("an unknown page gets a designed not-found page", async ({ page }) => {
    const response = await page.goto("/finns-inte");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Sidan finns inte" })).toBeVisible();
    await expectAccessible(page);
  });
});

test.describe("security baseline", () => {
  test("pages carry a nonce-based CSP and the hardening headers", async ({ page }) => {
    const response = await page.goto("/");
    const headers = response!.headers();
    const csp = headers["content-security-policy"]!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(headers["strict-transport-security"]).toMatch(/max-age=\d{7,}/);
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["permissions-policy"]).toContain("camera=()");
    // Every script the server rendered carries this request's nonce.
    const scriptNonces = await page
      .locator("script")
      .evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
    expect(scriptNonces.length).toBeGreaterThan(0);
    for (const n of scriptNonces) expect(n).toBe(nonce);
    // A second request gets a different nonce.
    const again = await page.request.get("/");
    expect(again.headers()["content-security-policy"]).not.toContain(nonce!);
  });

  test("health endpoint reports database and migrations", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", database: "ok", migrations: { current: true } });
  });
});

test.describe("installable app", () => {
  // Installability is never reported in an incognito-like context: use a persistent profile.
  test("the manifest is valid and Chromium finds the page installable", async ({ baseURL, browserName }, testInfo) => {
    expect(browserName).toBe("chromium");
    const launch = testInfo.project.use.launchOptions ?? {};
    const context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), "vardtid-profile-")), {
      ...launch,
      headless: true,
      viewport: testInfo.project.use.viewport ?? null,
    });
    try {
      const page = await context.newPage();
      await page.goto(baseURL!);
      const manifest = await (await page.request.get("/manifest.webmanifest")).json();
      expect(manifest).toMatchObject({ display: "standalone", start_url: expect.any(String), scope: "/" });
      expect(
        manifest.icons.some(
          (i: { sizes: string; purpose: string }) => i.sizes === "512x512" && i.purpose === "maskable",
        ),
      ).toBe(true);
      const cdp = await context.newCDPSession(page);
      const parsed = (await cdp.send("Page.getAppManifest")) as { errors: { message: string }[] };
      expect(parsed.errors).toEqual([]);
      await expect
        .poll(
          async () =>
            (
              (await cdp.send("Page.getInstallabilityErrors")) as { installabilityErrors: { errorId: string }[] }
            ).installabilityErrors.map((e) => e.errorId),
          { timeout: 15_000 },
        )
        .toEqual([]);
    } finally {
      await context.close();
    }
  });
});
