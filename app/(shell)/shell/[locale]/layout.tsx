// The root layout of the prerendered app shells (one per language, built at `next build`): the
// same page frame as app/(site)/layout.tsx, without anything read from the request. A shell holds
// no patient data; its client components fetch that from audited route handlers. The service
// worker precaches the shells, so a returning patient's page view asks the server for data only.
import type { Metadata, Viewport } from "next";
import { notFound } from "next/navigation";
import { NextIntlClientProvider } from "next-intl";
import { getTranslations, setRequestLocale } from "next-intl/server";
import { FocusHeading } from "@/components/focus-heading";
import { QueryProvider } from "@/components/query-provider";
import { ServiceWorker } from "@/components/service-worker";
import { ShellHeader } from "@/components/shell-header";
import { SiteFooter } from "@/components/site-footer";
import { isLocale, localeDir, locales } from "@/i18n/locales";
import { messagesFor } from "@/i18n/messages";
import { appMetadata, appViewport } from "@/lib/i18n/app-metadata";
import "../../../globals.css";

export const dynamic = "force-static";
export const dynamicParams = false;
export const generateStaticParams = () => locales.map((locale) => ({ locale }));

type Params = { params: Promise<{ locale: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { locale } = await params;
  return isLocale(locale) ? appMetadata(locale) : {};
}
export const viewport: Viewport = appViewport;

export default async function ShellLayout({ children, params }: Params & { children: React.ReactNode }) {
  const { locale } = await params;
  if (!isLocale(locale)) notFound();
  setRequestLocale(locale);
  const t = await getTranslations({ locale, namespace: "app" });
  const tp = await getTranslations({ locale, namespace: "pwa" });
  return (
    <html lang={locale} dir={localeDir(locale)}>
      <body>
        <a href="#main" className="skip-link">
          {t("skipToContent")}
        </a>
        <QueryProvider>
          <ShellHeader locale={locale} path="/besok" />
          <FocusHeading />
          <main id="main" tabIndex={-1} className="shell-main">
            <NextIntlClientProvider locale={locale} messages={{ states: messagesFor(locale).states }}>
              {children}
            </NextIntlClientProvider>
          </main>
        </QueryProvider>
        <ServiceWorker updateText={tp("updateAvailable")} reloadText={tp("reload")} />
        <SiteFooter locale={locale} />
      </body>
    </html>
  );
}
