import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

async function serviceWorkerReady(page: import("@playwright/test").Page) {
  await page.waitForFunction(
    async () => {
      const reg = await navigator.serviceWorker.ready;
      return Boolean(reg.active) && navigator.serviceWorker.controller !== null;
    },
    undefined,
    { timeout: 20_000 },
  );
}

test.describe("installable app, offline", () => {
  test("the service worker registers and anyone offline sees the designed offline page", async ({ page, context }) => {
    await page.goto("/");
    await serviceWorkerReady(page);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(new URL(scope).pathname).toBe("/");
    await context.setOffline(true);
    await page.goto("/besok").catch(() => undefined);
    await expect(page.getByRole("heading", { level: 1, name: "Du är offline" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Försök igen" })).toBeVisible();
    await context.setOffline(false);
  });

  test("an opted-in patient still sees their upcoming appointments without network", async ({ page, context }) => {
    await loginWithBankId(page, "tolvan");
    await serviceWorkerReady(page);
    await page.goto("/installningar/enhet");
    await page.getByLabel("Sparas på den här enheten").check();
    await expect(page.getByText(/Dina tider är sparade på enheten/)).toBeVisible();
    await context.setOffline(true);
    await page.goto("/besok").catch(() => undefined);
    await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
    // When it was saved (date and time: a copy may be days old), and each clinic's number to call.
    await expect(page.getByText(/^Sparad \d{1,2} \p{L}+ kl\. \d\d:\d\d\./u)).toBeVisible();
    await expect(page.getByRole("heading", { name: "Vårdcentralen Centrum" }).first()).toBeVisible();
    await expect(page.getByRole("link", { name: "Ring 018-611 00 01" }).first()).toHaveAttribute(
      "href",
      "tel:+46186110001",
    );
    await expectAccessible(page);
    await context.setOffline(false);
    // Switching it off deletes the copy.
    await page.goto("/installningar/enhet");
    await page.getByLabel("Sparas på den här enheten").uncheck();
    await expect(page.getByText("Den sparade kopian är borttagen.")).toBeVisible();
    expect(await page.evaluate(async () => (await caches.keys()).includes("vardtid-patient"))).toBe(false);
  });

  test("logout clears the saved copy from the device, and offline then shows our page", async ({ page, context }) => {
    await loginWithBankId(page, "tolvan");
    await page.goto("/installningar/enhet");
    await page.getByLabel("Sparas på den här enheten").check();
    await expect(page.getByText(/Dina tider är sparade på enheten/)).toBeVisible();
    await serviceWorkerReady(page);
    // The patient loses the network right after logging out, before a new service worker could
    // be fetched: the one they had must still be there.
    await page.route("**/sw.js", (route) => route.abort());
    await page.getByRole("button", { name: "Logga ut" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await expect
      .poll(async () => page.evaluate(async () => (await caches.keys()).includes("vardtid-patient")))
      .toBe(false);
    expect(await page.evaluate(() => window.localStorage.getItem("vardtid.offline"))).toBeNull();
    await expect(page.getByRole("status").filter({ hasText: "Du är utloggad" })).toBeVisible();
    // Offline after logout: our offline page, not the browser's own "no internet".
    await context.setOffline(true);
    await page.goto("/besok").catch(() => undefined);
    await expect(page.getByRole("heading", { level: 1, name: "Du är offline" })).toBeVisible();
    await context.setOffline(false);
  });
});

test.describe("web push", () => {
  test("a push delivered to the service worker shows a notification, and tapping it opens the appointment", async ({
    page,
    context,
    baseURL,
  }) => {
    await context.grantPermissions(["notifications"], { origin: baseURL });
    await loginWithBankId(page, "tolvan");
    await serviceWorkerReady(page);
    const appointmentPath = await page
      .getByRole("region", { name: "Kommande besök" })
      .getByRole("listitem")
      .first()
      .getByRole("link")
      .getAttribute("href");
    const cdp = await context.newCDPSession(page);
    const registrationId = await new Promise<string>((resolve) => {
      cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        (event: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
          const reg = event.registrations.find((r) => r.scopeURL === `${baseURL}/` && !r.isDeleted);
          if (reg) resolve(reg.registrationId);
        },
      );
      void cdp.send("ServiceWorker.enable");
    });
    const payload = { title: "Påminnelse", body: "Du har en tid hos Vårdcentralen Centrum.", url: appointmentPath };
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: baseURL!,
      registrationId,
      data: JSON.stringify(payload),
    });
    await expect
      .poll(async () =>
        page.evaluate(async () =>
          (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => `${n.title}|${n.body}`),
        ),
      )
      .toEqual(["Påminnelse|Du har en tid hos Vårdcentralen Centrum."]);
    // Tap the notification: dispatch the click inside the service worker, as the browser would.
    const [worker] = context.serviceWorkers();
    expect(worker).toBeDefined();
    await page.goto("/");
    await worker!.evaluate(async () => {
      const sw = self as unknown as ServiceWorkerGlobalScope;
      const [notification] = await sw.registration.getNotifications();
      sw.dispatchEvent(new NotificationEvent("notificationclick", { notification: notification! }));
    });
    await page.waitForURL(`**${appointmentPath}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  });
});
