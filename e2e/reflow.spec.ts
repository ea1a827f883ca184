// Reflow (WCAG 1.4.10): at 320 CSS px wide (what a 1280 px screen shows at 400 % zoom, and a
// 640 px one at 200 %) nothing may scroll sideways and the header's controls stay on screen, on
// every main page, in every language the app has. One spec visits them all in one login per
// language, so the check costs seconds, not a spec per page.
import type { Page } from "@playwright/test";
import { locales, localeCookie } from "../i18n/locales";
import { loginWithBankId } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

test.use({ viewport: { width: 320, height: 640 } });

async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // Elements reaching past the right (or left) edge, outermost first, for a useful message.
    const outside = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return false;
        const style = getComputedStyle(el);
        if (style.visibility === "hidden" || style.position === "fixed") return false;
        // The visually-hidden pattern (1 px clipped) is deliberately off-layout.
        if (r.width <= 1 && r.height <= 1) return false;
        return r.right > width + 1 || r.left < -1;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className || ""} ${Math.round(el.getBoundingClientRect().right)}`);
    // Any element that scrolls sideways by itself (a nav with overflow-x: auto) hides content too.
    const scrollers = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(el).overflowX))
      .map((el) => `${el.tagName.toLowerCase()}.${el.className || ""}`);
    return { scrollWidth: document.documentElement.scrollWidth, width, outside, scrollers };
  });
  expect(overflow.scrollWidth, `${where}: page wider than ${overflow.width} px (${overflow.outside.join(", ")})`).toBe(
    overflow.width,
  );
  expect(overflow.outside, `${where}: elements past the edge`).toEqual([]);
  expect(overflow.scrollers, `${where}: boxes that scroll sideways`).toEqual([]);
}

for (const locale of locales) {
  test(`nothing scrolls sideways at 320 px in ${locale}`, async ({ page, context, baseURL }) => {
    await context.addCookies([{ name: localeCookie, value: locale, url: baseURL! }]);
    for (const path of [
      "/",
      "/login",
      "/l/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "/finns-inte",
      "/tillganglighet",
      "/integritet",
    ]) {
      await page.goto(path);
      await expectNoSidewaysScroll(page, `${locale} ${path}`);
    }
    // Logging in goes through the Swedish test helper's labels; the language comes back after.
    await context.addCookies([{ name: localeCookie, value: "sv", url: baseURL! }]);
    await loginWithBankId(page, "tolvan", "/login");
    await context.addCookies([{ name: localeCookie, value: locale, url: baseURL! }]);
    await page.goto("/besok");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    // The visits arrive after the shell: check the page with them, not its loading state.
    await expect(page.locator("li.appointment").first()).toBeVisible();
    await expectNoSidewaysScroll(page, `${locale} /besok`);
    const visit = await page
      .locator('a[href^="/besok/"]')
      .evaluateAll((links) =>
        links.map((a) => a.getAttribute("href")!).find((href) => /^\/besok\/[0-9a-f-]{36}$/.test(href)),
      );
    expect(visit, "a visit on Mina tider").toBeTruthy();
    const pages = [
      visit!,
      `${visit}/omboka`,
      `${visit}/avboka`,
      `${visit}/tidigare`,
      "/installningar",
      "/installningar/meddelanden",
      "/installningar/enhet",
      "/installningar/kalender",
      "/installningar/inloggningar",
      "/installningar/atkomst",
    ];
    for (const path of pages) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expectNoSidewaysScroll(page, `${locale} ${path}`);
    }
    // The header's visible controls are all on screen (they were clipped before; a closed menu's are not shown).
    for (const control of await page.locator(".site-header a:visible, .site-header button:visible").all()) {
      const box = (await control.boundingBox())!;
      expect(box.x, "header control inside the screen").toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(320);
    }
    await expectAccessible(page);
  });
}
