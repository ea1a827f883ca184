"use client";

import { useQuery } from "@tanstack/react-query";
import { appointmentListQuery } from "@/lib/appointments/queries";

export interface WhoBarText {
  /** Contains {name}. */
  loggedInAs: string;
  chooserLabel: string;
  actingForSelf: string;
  /** Contains {name}. */
  actingFor: string;
  /** Contains {name}. */
  self: string;
  /** Contains {name} and {age}. */
  child: string;
  ended: string;
}

const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ""));

/** "Inloggad: Tolvan Tolvansson" in the shell, from the same request as the visits. */
export function WhoName({ text }: { text: Pick<WhoBarText, "loggedInAs"> }) {
  const { data } = useQuery(appointmentListQuery);
  if (!data?.who.name) return null;
  return <p className="shell-who__name">{fill(text.loggedInAs, { name: data.who.name })}</p>;
}

/**
 * Whom a guardian acts for (components/acting-for.tsx, for the shell): a plain form POST to
 * /api/acting-for, which goes back to the visits as a new page load. Shown only to guardians.
 */
export function WhoActingFor({ text }: { text: WhoBarText }) {
  const { data } = useQuery(appointmentListQuery);
  const choice = data?.who.acting;
  if (!choice) return null;
  const current = choice.children.find((c) => c.patientId === choice.current);
  return (
    <div className="acting-for">
      {choice.notice ? (
        <p className="acting-for__notice" role="status">
          {text.ended}
        </p>
      ) : null}
      {choice.children.length > 0 ? (
        <form action="/api/acting-for" method="post" className="acting-for__form" aria-label={text.chooserLabel}>
          <span className="acting-for__label">
            {current ? fill(text.actingFor, { name: current.givenName }) : text.actingForSelf}
          </span>
          <button type="submit" name="who" value="self" className="chip" aria-pressed={choice.current === null}>
            {fill(text.self, { name: choice.selfGivenName })}
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
              {fill(text.child, { name: c.givenName, age: c.age })}
            </button>
          ))}
        </form>
      ) : null}
    </div>
  );
}
