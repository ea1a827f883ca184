// The loading state of the list only (route group "(lista)"). It must not wrap /besok/[id]: a
// loading boundary starts the response (HTTP 200) before the page has checked that the appointment
// is the patient's own, so a foreign or made-up id could not answer 404 (finding 11). For the same
// reason there is no app/loading.tsx.
import { getTranslations } from "next-intl/server";

export default async function Loading() {
  const t = await getTranslations("appointments");
  return (
    <div className="state" role="status" aria-live="polite">
      <div className="spinner" aria-hidden="true" />
      <p>{t("loading")}</p>
    </div>
  );
}
