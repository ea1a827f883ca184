import { latestPendingOrder, loginWithBankId, simulator, testPatients } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

test.afterEach(async () => {
  await simulator("/__simulator/faults", { status: 200, count: 0 }).catch(() => undefined);
});

async function startQrLogin(page: import("@playwright/test").Page) {
  await page.goto("/login");
  await page.getByLabel("BankID på annan enhet").check();
  await page.getByRole("button", { name: "Logga in", exact: true }).click();
  await expect(page.getByRole("img", { name: /QR-kod/ })).toBeVisible();
  return latestPendingOrder();
}

const status = (page: import("@playwright/test").Page) => page.getByTestId("bankid-status");

test.describe("log in with BankID", () => {
  test("a QR order survives the tab being hidden (the patient opens the BankID test app in another tab)", async ({
    page,
  }) => {
    const order = await startQrLogin(page);
    // What a browser does when another tab or app comes to the front.
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await simulator(`/__simulator/orders/${order.orderRef}/scan`, {
      personalNumber: testPatients.tolvan.personalNumber,
    });
    expect((await simulator(`/__simulator/orders/${order.orderRef}/approve`, testPatients.tolvan)).ok).toBe(true);
    await page.waitForURL("**/besok");
  });

  test("other device: the QR code animates, the phone scans and approves, the patient lands on their appointments", async ({
    page,
  }) => {
    await page.goto("/login");
    await expectAccessible(page);
    const order = await startQrLogin(page);
    await expect(status(page)).toHaveText("Starta BankID-appen.");
    // The QR image is redrawn by the server every second.
    const first = await page.getByRole("img", { name: /QR-kod/ }).getAttribute("src");
    await expect.poll(async () => page.getByRole("img", { name: /QR-kod/ }).getAttribute("src")).not.toBe(first);
    await simulator(`/__simulator/orders/${order.orderRef}/scan`, {
      personalNumber: testPatients.tolvan.personalNumber,
    });
    await expect(status(page)).toHaveText(
      "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
    );
    await simulator(`/__simulator/orders/${order.orderRef}/approve`, testPatients.tolvan);
    await page.waitForURL("**/besok");
    await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
    // No personal number anywhere in the page or its address.
    expect(await page.content()).not.toContain("191212121212");
    expect(await page.content()).not.toContain("19121212-1212");
  });

  test("same device: the button opens the BankID app with the autostart token", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("BankID på den här enheten").check();
    await page.getByRole("button", { name: "Logga in", exact: true }).click();
    const openApp = page.getByRole("link", { name: "Öppna BankID-appen" });
    await expect(openApp).toBeVisible();
    const href = new URL((await openApp.getAttribute("href"))!);
    expect(href.pathname).toBe("/app");
    expect(href.searchParams.get("autostarttoken")).toMatch(/^[0-9a-f-]{36}$/);
    await expect(status(page)).toHaveText("Försöker starta BankID-appen.");
    const order = await latestPendingOrder();
    await simulator(`/__simulator/orders/${order.orderRef}/scan`, {
      personalNumber: testPatients.tolvan.personalNumber,
      via: "autostart",
    });
    await simulator(`/__simulator/orders/${order.orderRef}/approve`, testPatients.tolvan);
    await page.waitForURL("**/besok");
    await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
  });

  test("cancel shows RFA3 and retry starts a new order", async ({ page }) => {
    const order = await startQrLogin(page);
    await page.getByRole("button", { name: "Avbryt" }).click();
    await expect(status(page)).toHaveText("Åtgärden avbröts. Försök igen.");
    await page.getByRole("button", { name: "Försök igen" }).click();
    const next = await latestPendingOrder();
    expect(next.orderRef).not.toBe(order.orderRef);
    await expect(page.getByRole("img", { name: /QR-kod/ })).toBeVisible();
  });

  for (const [name, call, message] of [
    ["userCancel", (ref: string) => simulator(`/__simulator/orders/${ref}/cancel`, {}), "Åtgärden avbröts."],
    [
      "expiredTransaction",
      (ref: string) => simulator(`/__simulator/orders/${ref}/fail`, { hintCode: "expiredTransaction" }),
      "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. Försök sedan igen.",
    ],
    [
      "startFailed",
      (ref: string) => simulator(`/__simulator/orders/${ref}/fail`, { hintCode: "startFailed" }),
      "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.",
    ],
  ] as const) {
    test(`${name} shows its Swedish message and retry works`, async ({ page }) => {
      const order = await startQrLogin(page);
      await call(order.orderRef);
      await expect(status(page)).toHaveText(message);
      await page.getByRole("button", { name: "Försök igen" }).click();
      await expect(page.getByRole("img", { name: /QR-kod/ })).toBeVisible();
    });
  }

  test("BankID in maintenance (503) shows RFA5, and retry works once it is back", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("BankID på annan enhet").check();
    await simulator("/__simulator/faults", { status: 503, errorCode: "maintenance", count: 10 });
    await page.getByRole("button", { name: "Logga in", exact: true }).click();
    await expect(status(page)).toHaveText("Något gick fel. Försök igen.", { timeout: 20_000 });
    await simulator("/__simulator/reset", {});
    await page.getByRole("button", { name: "Försök igen" }).click();
    await expect(page.getByRole("img", { name: /QR-kod/ })).toBeVisible();
  });

  test("after logout, the cookie is dead and back-navigation shows nothing private", async ({ page, context }) => {
    await loginWithBankId(page, "tolvan");
    await expect(page.getByRole("heading", { name: "Kommande besök" })).toBeVisible();
    const cookie = (await context.cookies()).find((c) => c.name.endsWith("vardtid.session"));
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");
    // Who am I, where am I: the name is shown, and the start page does not offer to log in again.
    await expect(page.getByText("Inloggad: Tolvan Tolvansson")).toBeVisible();
    await page.goto("/");
    await expect(page.getByText("Du är inloggad som Tolvan Tolvansson.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Logga in med BankID" })).toHaveCount(0);
    await page.getByRole("link", { name: "Till mina tider" }).click();
    await page.waitForURL("**/besok");
    // Focus follows the navigation to the new page's heading (not left on <body>).
    await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
    await page.getByRole("button", { name: "Logga ut" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await expect(page.getByText(/^Du är utloggad\./)).toBeVisible();
    await expectAccessible(page);
    await page.goBack();
    await expect(page.getByRole("heading", { name: "Kommande besök" })).toHaveCount(0);
    // A replayed cookie gets nothing: the session is revoked on the server. A device whose session
    // ended elsewhere is told why it has to log in again.
    await context.addCookies([cookie!]);
    await page.goto("/besok");
    await page.waitForURL(/\/login\?returnTo=/);
    await expect(page.getByText(/Du har blivit utloggad/)).toBeVisible();
  });

  test("a deep link is kept across login, but only to our own paths", async ({ page }) => {
    await page.goto("/installningar/inloggningar");
    await page.waitForURL(/\/login\?returnTo=%2Finstallningar%2Finloggningar/);
    await loginWithBankId(page, "tolvan", page.url());
    await expect(page).toHaveURL(/\/installningar\/inloggningar$/);
    await expect(page.getByText("Den här enheten")).toBeVisible();
    await expectAccessible(page);
  });

  test("login starts are rate limited per address (429 with Retry-After)", async ({ page, baseURL }) => {
    const headers = {
      Origin: new URL(baseURL!).origin,
      "X-Forwarded-For": "198.51.100.77",
      "Content-Type": "application/json",
    };
    let last;
    for (let i = 0; i < 101; i++)
      last = await page.request.post("/api/bankid/start", { headers, data: { method: "qr" } });
    expect(last!.status()).toBe(429);
    expect(Number(last!.headers()["retry-after"])).toBeGreaterThan(0);
    await simulator("/__simulator/reset", {});
  });

  test("a state-changing call from another origin is refused", async ({ page }) => {
    const res = await page.request.post("/api/bankid/start", {
      headers: { Origin: "https://evil.example", "Content-Type": "application/json" },
      data: { method: "qr" },
    });
    expect(res.status()).toBe(403);
  });
});
