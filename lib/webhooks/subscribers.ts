// Who receives a clinic's events: every webhook endpoint of a live (not revoked) API client whose
// clinics include that clinic. The one place that knows how api_clients name their clinics (by
// HSA-id, issue 13).
import { sql, type SQL } from "drizzle-orm";

/**
 * SQL rows (event_id, endpoint_id, event_seq, appointment_id) for the outbox events `eventIds`: one
 * per event and subscribed endpoint. An event of clinic A never pairs with an endpoint whose
 * client does not hold clinic A's HSA-id. An event of a move between two clinics narrows that
 * further (lib/webhooks/events.ts): `also_clinic_id` to clients that hold the other clinic too,
 * `unless_clinic_id` to clients that do not, so each client gets one event for the move.
 */
export function subscribedPairsSql(eventIds: string[]): SQL {
  const ids = sql.join(
    eventIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  // coalesce: a clinic without an HSA-id is held by no client (`null = any(…)` is null, not false).
  return sql`
    select o.id as event_id, e.id as endpoint_id, o.seq as event_seq, o.appointment_id
    from webhook_deliveries o
    join clinics c on c.id = o.clinic_id
    join api_clients ac on c.hsa_id = any(ac.clinic_hsa_ids) and ac.revoked_at is null
    join webhook_endpoints e on e.api_client_id = ac.id
    left join clinics also_c on also_c.id = o.also_clinic_id
    left join clinics unless_c on unless_c.id = o.unless_clinic_id
    where o.id in (${ids})
      and (o.also_clinic_id is null or coalesce(also_c.hsa_id = any(ac.clinic_hsa_ids), false))
      and (o.unless_clinic_id is null or not coalesce(unless_c.hsa_id = any(ac.clinic_hsa_ids), false))`;
}
