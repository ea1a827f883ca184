"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useActionState, useState } from "react";
import { rebookAction } from "@/lib/appointments/actions";
import type { Locale } from "@/i18n/locales";
import { capitalizeFirst, formatDay, formatTime, formatVisit, formatWeek } from "@/lib/format";

interface Slot {
  id: string;
  startsAt: string;
  clinicName: string;
  sameClinic: boolean;
}

export interface RebookText {
  filterLegend: string;
  all: string;
  morning: string;
  afternoon: string;
  previousWeek: string;
  nextWeek: string;
  noSlots: string;
  loading: string;
  error: string;
  confirmTitle: string;
  confirm: string;
  back: string;
  moving: string;
  otherClinic: string; // contains {clinic}
  chooseLabel: string; // contains {time}
  weekLabel: string; // contains {week} and {dates}
  confirmText: string; // contains {from} and {to}
  errors: Record<string, string>;
}

const TZ = "Europe/Stockholm";

export function RebookPicker({
  appointmentId,
  locale,
  currentLabel,
  text,
}: {
  appointmentId: string;
  locale: Locale;
  currentLabel: string;
  text: RebookText;
}) {
  const [week, setWeek] = useState(0);
  const [part, setPart] = useState<"all" | "morning" | "afternoon">("all");
  const [chosen, setChosen] = useState<Slot | null>(null);
  const queryClient = useQueryClient();
  // Someone else was faster: back to the list, fetched again so the taken time disappears.
  const [state, action, pending] = useActionState(
    async (prev: Parameters<typeof rebookAction>[0], formData: FormData) => {
      const next = await rebookAction(prev, formData);
      if (next.status === "error") {
        setChosen(null);
        void queryClient.invalidateQueries({ queryKey: ["free-slots", appointmentId] });
      }
      return next;
    },
    { status: "idle" },
  );
  // Every date through lib/format.ts: lowercase Swedish names, weekday and year where it matters.
  const dayLabel = (iso: string) => formatDay(new Date(iso), locale, TZ);
  const timeLabel = (iso: string) => formatTime(new Date(iso), locale, TZ);

  const slots = useQuery({
    queryKey: ["free-slots", appointmentId, week, part],
    queryFn: async () => {
      const res = await fetch(`/api/appointments/${appointmentId}/slots?week=${week}&part=${part}`, {
        cache: "no-store",
      });
      if (!res.ok) throw new Error(String(res.status));
      return (await res.json()) as { from: string; slots: Slot[] };
    },
    placeholderData: keepPreviousData,
  });

  const errorMessage = state.status === "error" ? (text.errors[state.error] ?? text.errors.unexpected) : "";

  if (chosen) {
    const to = formatVisit(new Date(chosen.startsAt), locale, TZ, new Date());
    return (
      <form action={action} className="card stack" aria-labelledby="confirm-title">
        <h2 id="confirm-title">{text.confirmTitle}</h2>
        <p>{text.confirmText.replace("{from}", currentLabel).replace("{to}", to)}</p>
        {!chosen.sameClinic ? (
          <p className="notice">{text.otherClinic.replace("{clinic}", chosen.clinicName)}</p>
        ) : null}
        <input type="hidden" name="appointmentId" value={appointmentId} />
        <input type="hidden" name="slotId" value={chosen.id} />
        <p role="status" aria-live="polite" className="visually-hidden">
          {pending ? text.moving : ""}
        </p>
        <div className="actions">
          <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
            {pending ? text.moving : text.confirm}
          </button>
          <button type="button" className="button button--secondary" onClick={() => setChosen(null)} disabled={pending}>
            {text.back}
          </button>
        </div>
      </form>
    );
  }

  const byDay = new Map<string, Slot[]>();
  for (const s of slots.data?.slots ?? []) {
    const key = dayLabel(s.startsAt);
    byDay.set(key, [...(byDay.get(key) ?? []), s]);
  }
  const shownWeek = slots.data ? formatWeek(new Date(slots.data.from), locale, TZ) : null;
  const weekLabel = shownWeek
    ? text.weekLabel.replace("{week}", String(shownWeek.week)).replace("{dates}", shownWeek.dates)
    : "";

  return (
    <div className="stack">
      <p role="alert" className={errorMessage ? "notice notice--error" : "visually-hidden"}>
        {errorMessage}
      </p>
      <fieldset className="segmented segmented--row">
        <legend>{text.filterLegend}</legend>
        {(["all", "morning", "afternoon"] as const).map((p) => (
          <label key={p}>
            <input type="radio" name="part" value={p} checked={part === p} onChange={() => setPart(p)} />
            <span>{text[p]}</span>
          </label>
        ))}
      </fieldset>
      <nav className="week-nav" aria-label={weekLabel || undefined}>
        <button
          type="button"
          className="button button--secondary"
          onClick={() => setWeek((w) => Math.max(0, w - 1))}
          disabled={week === 0}
        >
          <span className="arrow" aria-hidden="true">
            ←
          </span>{" "}
          {text.previousWeek}
        </button>
        <strong aria-live="polite">{weekLabel}</strong>
        <button type="button" className="button button--secondary" onClick={() => setWeek((w) => Math.min(26, w + 1))}>
          {text.nextWeek}{" "}
          <span className="arrow" aria-hidden="true">
            →
          </span>
        </button>
      </nav>
      <div aria-busy={slots.isFetching} aria-live="polite">
        {slots.isPending ? (
          <p role="status">{text.loading}</p>
        ) : slots.isError ? (
          <p className="notice notice--error">{text.error}</p>
        ) : byDay.size === 0 ? (
          <p className="card">{text.noSlots}</p>
        ) : (
          [...byDay.entries()].map(([day, list]) => (
            <section key={day} className="day" aria-label={day}>
              <h3>{capitalizeFirst(day)}</h3>
              <ul className="slot-list">
                {list.map((s) => {
                  const time = timeLabel(s.startsAt);
                  return (
                    <li key={s.id}>
                      <button
                        type="button"
                        className="slot"
                        onClick={() => setChosen(s)}
                        aria-label={`${text.chooseLabel.replace("{time}", `${day} ${time}`)}${s.sameClinic ? "" : `, ${text.otherClinic.replace("{clinic}", s.clinicName)}`}`}
                      >
                        {time}
                        {!s.sameClinic ? <small>{s.clinicName}</small> : null}
                      </button>
                    </li>
                  );
                })}
              </ul>
            </section>
          ))
        )}
      </div>
    </div>
  );
}
