// The languages story: a browser set to Arabic gets Vårdtid in Arabic, right to left, on its first
// visit; the patient logs in, sees, cancels and rebooks visits in Arabic (axe clean); the language
// chooser offers each language in its own name, works at 320 px and its choice beats the browser's.
import type { Page } from "@playwright/test";
import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

test.describe.configure({ mode: "serial" });
// Accept-Language: ar, as an Arabic-language phone sends it.
test.use({ locale: "ar" });

const arabicLogin = { otherDevice: "BankID على جهاز آخر", start: "تسجيل الدخول", qrCode: /رمز QR/ };

async function box(page: Page, selector: string) {
  const b = await page.locator(selector).first().boundingBox();
  expect(b, selector).not.toBeNull();
  return b!;
}

test.describe("in Arabic, right to left", () => {
  test("the first visit follows the browser's language, and the layout mirrors", async ({ page }, testInfo) => {
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "ar");
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("مواعيدك الصحية، ببساطة وأمان");
    // Mirrored header: the brand starts on the right, the language chooser sits on the left.
    const brand = await box(page, ".brand");
    const chooser = await box(page, ".lang-chooser summary");
    expect(brand.x).toBeGreaterThan(chooser.x);
    await expectAccessible(page);
    await page.screenshot({ path: testInfo.outputPath("start-ar.png"), fullPage: true });
  });

  test("the chooser offers each language in its own name, fits 320 px, and the choice beats the browser", async ({
    page,
  }, testInfo) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto("/");
    const summary = page.locator("summary", { hasText: "العربية" });
    await expect(summary).toHaveAccessibleName("اللغة: العربية");
    await summary.click();
    const choices = page.locator(".lang-chooser__panel").getByRole("button");
    await expect(choices).toHaveText(["Svenska", "English", "العربية", "فارسی", "Soomaali", "Suomi"]);
    await expect(page.getByRole("button", { name: "فارسی" })).toHaveAttribute("lang", "fa");
    await expect(page.getByRole("button", { name: "العربية" })).toHaveAttribute("aria-current", "true");
    // Nothing sticks out sideways on the narrowest phone, with the list open.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    const panel = await box(page, ".lang-chooser__panel");
    expect(panel.x).toBeGreaterThanOrEqual(0);
    expect(panel.x + panel.width).toBeLessThanOrEqual(320);
    await expectAccessible(page);
    await page.screenshot({ path: testInfo.outputPath("chooser-320-ar.png") });
    await page.getByRole("button", { name: "Suomi" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "fi");
    await expect(page.locator("html")).toHaveAttribute("dir", "ltr");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      "Terveydenhuollon aikasi helposti ja turvallisesti",
    );
    // The browser still says Arabic; the patient's choice wins from now on.
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "fi");
    // And back to Arabic through the same chooser.
    await page.locator("summary", { hasText: "Suomi" }).click();
    await page.getByRole("button", { name: "العربية" }).click();
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  });

  test("log in, see appointments, cancel one with a reason", async ({ page }, testInfo) => {
    await loginWithBankId(page, "leila", "/login", arabicLogin);
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("heading", { level: 1, name: "مواعيدي" })).toBeVisible();
    const upcoming = page.getByRole("region", { name: "المواعيد القادمة" }).getByRole("listitem");
    await expect(upcoming).toHaveCount(2);
    // Times stay Gregorian, with Latin digits and a 24-hour clock.
    await expect(upcoming.first().locator("time")).toHaveText(/^\S+، \d{1,2} \S+ 20\d\d الساعة \d\d:\d\d$/);
    await expectAccessible(page);
    await page.screenshot({ path: testInfo.outputPath("besok-ar.png"), fullPage: true });

    await upcoming.first().getByRole("link").click();
    await expect(page).toHaveURL(/\/besok\/[0-9a-f-]{36}$/);
    // The clinic's own text is Swedish, and marked so.
    await expect(page.getByRole("heading", { level: 1 })).toHaveAttribute("lang", "sv");
    // The phone number keeps its digit groups in order inside the Arabic sentence.
    const call = page.getByRole("link", { name: /^اتصل بالرقم/ });
    await expect(call).toHaveAttribute("href", "tel:+46186110001");
    await expect(call).toContainText("\u2066018-611 00 01\u2069");
    // The back arrow points right, the way back in a right-to-left page.
    const back = page.getByRole("link", { name: "العودة إلى مواعيدي" });
    expect(await back.locator(".arrow").evaluate((el) => getComputedStyle(el).transform)).toBe(
      "matrix(-1, 0, 0, 1, 0, 0)",
    );
    await expectAccessible(page);

    await page.getByRole("link", { name: "إلغاء الموعد" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "إلغاء الموعد" })).toBeVisible();
    await page.getByLabel("ليست لدي وسيلة نقل").check();
    await expect(page.getByRole("heading", { name: "قد يحق لك الحصول على نقل المرضى" })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: "نعم، ألغِ الموعد" }).click();
    await expect(page.getByRole("status").filter({ hasText: "أُلغي الموعد." })).toBeVisible();
    await expect(page.getByText(/^أُلغي \d+ \S+ الساعة \d\d:\d\d$/)).toBeVisible();
    await expect(page.getByRole("link", { name: "إلغاء الموعد" })).toHaveCount(0);
    await expectAccessible(page);
  });

  test("rebook the other appointment and see the new time", async ({ page }, testInfo) => {
    await loginWithBankId(page, "leila", "/login", arabicLogin);
    const card = page
      .getByRole("region", { name: "المواعيد القادمة" })
      .getByRole("listitem")
      .filter({ has: page.getByText("محجوز", { exact: true }) })
      .first();
    const oldTime = await card.locator("time").textContent();
    await card.getByRole("link").click();
    await page.getByRole("link", { name: "تغيير الموعد" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "اختر موعدًا جديدًا" })).toBeVisible();
    await page.getByLabel("صباحًا").check();
    const firstSlot = page.getByRole("button", { name: /^احجز / }).first();
    await expect(firstSlot).toBeVisible();
    await expect(firstSlot).toHaveText(/^\d\d:\d\d/);
    // "Next week" carries its arrow on the left end in a right-to-left page, pointing left (forward).
    const next = page.getByRole("button", { name: "الأسبوع التالي" });
    expect(await next.locator(".arrow").evaluate((el) => getComputedStyle(el).transform)).toBe(
      "matrix(-1, 0, 0, 1, 0, 0)",
    );
    await expectAccessible(page);
    await page.screenshot({ path: testInfo.outputPath("omboka-ar.png"), fullPage: true });
    await firstSlot.click();
    await expect(page.getByRole("heading", { name: "هل تنقل الموعد؟" })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: "نعم، انقل الموعد" }).click();
    await expect(page.getByRole("status").filter({ hasText: /^تمّ! نُقل موعدك إلى/ })).toBeVisible();
    const newTime = await page.locator("dd time").textContent();
    expect(newTime).not.toBe(oldTime);
    await expect(page.getByText(/^غُيّر .* من /)).toBeVisible();
    await expectAccessible(page);
  });

  test("offline, the designed offline page speaks the language the app last showed, right to left", async ({
    page,
    context,
  }) => {
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "ar");
    await page.waitForFunction(
      async () => {
        const reg = await navigator.serviceWorker.ready;
        return Boolean(reg.active) && navigator.serviceWorker.controller !== null;
      },
      undefined,
      { timeout: 20_000 },
    );
    await context.setOffline(true);
    await page.goto("/besok").catch(() => undefined);
    await expect(page.getByRole("heading", { level: 1, name: "أنت غير متصل بالإنترنت" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("button", { name: "حاول مرة أخرى" })).toBeVisible();
    await context.setOffline(false);
  });
});
