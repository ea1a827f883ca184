// Issue 16, item 1: "Mina tider" is a prerendered app shell (no patient data, the same for every
// patient in a language), the visits come from the audited GET /api/appointments, and the
// service worker opens the shell from its precache, so a returning patient's view asks the
// server for the data only. Read-only stories (Tolvan and Elsa only look).
import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

test.describe("the app shell of Mina tider", () => {
  test("nothing moves when a guardian's visits and act-for chooser arrive (no layout shift)", async ({ page }) => {
    await loginWithBankId(page, "tolvan");
    // Every layout shift of the next page load, summed as CLS does (shifts right after input excluded).
    await page.addInitScript(() => {
      const w = window as unknown as { __cls: number; __shifted: string[] };
      w.__cls = 0;
      w.__shifted = [];
      type Shift = { value: number; hadRecentInput: boolean; sources: { node?: Node | null }[] };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as Shift[])
          if (!e.hadRecentInput) {
            w.__cls += e.value;
            for (const s of e.sources) {
              const el = s.node instanceof Element ? s.node : s.node?.parentElement;
              w.__shifted.push(el ? `${el.tagName.toLowerCase()}.${el.className}` : "?");
            }
          }
      }).observe({ type: "layout-shift", buffered: true });
    });
    // A slow network, as on a phone: the data comes a second after the shell, and meanwhile the
    // browser offers the install hint (beforeinstallprompt, as Chrome fires it for this app).
    let releaseData = () => {};
    const dataHeld = new Promise<void>((resolve) => (releaseData = resolve));
    await page.context().route("**/api/appointments", async (route) => {
      await dataHeld;
      await route.continue();
    });
    await page.goto("/besok");
    await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
    await page.waitForTimeout(300); // hydrated: the hint listens
    await page.evaluate(() => window.dispatchEvent(new Event("beforeinstallprompt")));
    await page.waitForTimeout(700);
    releaseData();
    await expect(page.getByRole("form", { name: "Vem du agerar för" })).toBeVisible();
    await expect(page.locator("li.appointment").first()).toBeVisible();
    await expect(page.locator("aside.card")).toBeVisible();
    await page.waitForTimeout(500);
    const { cls, shifted } = await page.evaluate(() => {
      const w = window as unknown as { __cls: number; __shifted: string[] };
      return { cls: w.__cls, shifted: w.__shifted };
    });
    expect(cls, `layout shifts of ${shifted.join(", ")}`).toBeLessThan(0.01);
  });

  test("the shell holds no patient data and allows its inline scripts by hash only; the data route is the patient's", async ({
    page,
  }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (execute|load)/i.test(m.text())) violations.push(m.text());
    });
    await loginWithBankId(page, "tolvan");
    await page.goto("/besok");
    await expect(page.getByText("Inloggad: Tolvan Tolvansson")).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "Kommande besök" })).toBeVisible();
    const cards = page.locator("li.appointment");
    await expect(cards.first()).toBeVisible();
    await expectAccessible(page);
    expect(violations, "CSP violations on the shell").toEqual([]);

    // The page itself, as the server sends it: the shell, with a hash policy and no patient data.
    const shell = await page.request.get("/besok");
    expect(shell.status()).toBe(200);
    const csp = shell.headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+;/);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("nonce-");
    const html = await shell.text();
    expect(html).toContain("<h1>Mina tider</h1>");
    expect(html).not.toContain("Tolvan");
    const firstClinic = (await cards.first().locator(".appointment__meta").innerText()).split(" · ")[0]!;
    expect(html).not.toContain(firstClinic);

    // The data: the patient's own, never cached.
    const data = await page.request.get("/api/appointments");
    expect(data.status()).toBe(200);
    expect(data.headers()["cache-control"]).toContain("no-store");
    const body = (await data.json()) as { who: { name: string }; upcoming: unknown[] };
    expect(body.who.name).toBe("Tolvan Tolvansson");
    expect(body.upcoming.length).toBeGreaterThan(0);
  });

  test("a returning patient's view comes from the service worker's precache; only the data goes to the server, and it is the new session's", async ({
    page,
    context,
    baseURL,
  }) => {
    await loginWithBankId(page, "tolvan");
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active !== null, undefined, {
      timeout: 20_000,
    });
    await page.reload(); // controlled by the worker from here on
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
    await context.addCookies([{ name: "NEXT_LOCALE", value: "sv", url: baseURL! }]);

    // What the service worker itself asks the network for (its fetches of pages and data).
    const workerFetches: string[] = [];
    context.on("request", (r) => {
      if (r.serviceWorker()) workerFetches.push(new URL(r.url()).pathname);
    });
    const navigation = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/besok" && r.request().isNavigationRequest(),
    );
    await page.goto("/besok");
    const nav = await navigation;
    expect(nav.fromServiceWorker(), "the shell came from the service worker").toBe(true);
    expect(nav.headers()["x-nextjs-prerender"], "the precached prerendered shell").toBeTruthy();
    await expect(page.locator("li.appointment").first()).toBeVisible();
    expect(workerFetches, "the data went to the server").toContain("/api/appointments");
    expect(
      workerFetches.filter((p) => p === "/besok" || p.startsWith("/shell/")),
      "the page did not",
    ).toEqual([]);
    await expect(page.getByText("Inloggad: Tolvan Tolvansson")).toBeVisible();
    const tolvansFirst = await page.locator("li.appointment a").first().getAttribute("href");

    // Another patient on the same device after logout: the same shell, their own data only.
    await page.getByRole("button", { name: "Logga ut" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await loginWithBankId(page, "elsa");
    await page.goto("/besok");
    await expect(page.getByText("Inloggad: Elsa Provsson")).toBeVisible();
    await expect(page.locator("li.appointment").first()).toBeVisible();
    await expect(page.getByText("Tolvan")).toHaveCount(0);
    expect(await page.locator(`li.appointment a[href="${tolvansFirst}"]`).count()).toBe(0);
  });

  test("offline, the shell from the precache hands over to the offline page", async ({ page, context, baseURL }) => {
    await loginWithBankId(page, "tolvan");
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active !== null, undefined, {
      timeout: 20_000,
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
    await context.addCookies([{ name: "NEXT_LOCALE", value: "sv", url: baseURL! }]);
    await context.setOffline(true);
    await page.goto("/besok").catch(() => undefined);
    await expect(page.getByRole("heading", { level: 1, name: "Du är offline" })).toBeVisible();
    await context.setOffline(false);
  });

  test("in another language the shell is that language's, and the chooser works on it", async ({ page }) => {
    await loginWithBankId(page, "tolvan");
    await page.goto("/besok");
    await page.locator(".lang-chooser summary").click();
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "My appointments" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.locator("li.appointment").first()).toBeVisible();
    await page.locator(".lang-chooser summary").click();
    await page.getByRole("button", { name: "Svenska" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
  });

  test("without JavaScript the page says what to do instead of staying blank", async ({ page, browser }) => {
    await loginWithBankId(page, "tolvan");
    const noJs = await browser.newContext({
      javaScriptEnabled: false,
      storageState: await page.context().storageState(),
      baseURL: page.url(),
    });
    const p = await noJs.newPage();
    await p.goto("/besok");
    await expect(p.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
    await expect(p.getByText(/Mina tider visas med hjälp av JavaScript/)).toBeVisible();
    await noJs.close();
  });

  test("without a session the shell is not served: the login comes first", async ({ page }) => {
    await page.goto("/besok");
    await expect(page).toHaveURL(/\/login\?returnTo=%2Fbesok$/);
  });
});
