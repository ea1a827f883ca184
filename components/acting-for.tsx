import { getTranslations } from "next-intl/server";
import type { ActingChoice } from "@/lib/guardians/dal";

/**
 * Whom a guardian acts for, on every page: "Du: Tolvan" and each child they may act for now
 * ("Lilla Tolvan, 7 år"). A plain form POST to /api/acting-for (works without JavaScript; the
 * server checks the choice), then "Mina tider" as a new page load: it is a prerendered shell with
 * its own root layout, which a server action's redirect could not switch to.
 */
export async function ActingFor({ choice }: { choice: ActingChoice }) {
  const t = await getTranslations("guardian");
  const current = choice.children.find((c) => c.patientId === choice.current);
  return (
    <div className="acting-for">
      {choice.notice ? (
        <p className="acting-for__notice" role="status">
          {t("ended")}
        </p>
      ) : null}
      {choice.children.length > 0 ? (
        <form action="/api/acting-for" method="post" className="acting-for__form" aria-label={t("chooserLabel")}>
          <span className="acting-for__label">
            {current ? t("actingFor", { name: current.givenName }) : t("actingForSelf")}
          </span>
          <button type="submit" name="who" value="self" className="chip" aria-pressed={choice.current === null}>
            {t("self", { name: choice.selfGivenName })}
          </button>
          {choice.children.map((c) => (
            <button
              key={c.patientId}
              type="submit"
              name="who"
              value={c.patientId}
              className="chip"
              aria-pressed={choice.current === c.patientId}
            >
              {t("child", { name: `${c.givenName}`, age: c.age })}
            </button>
          ))}
        </form>
      ) : null}
    </div>
  );
}
