// The whole Vårdtid data model. Constraints here are the last line of defence:
// whatever the application code does, the database refuses illegal states.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => tstz("created_at").notNull().defaultNow();
// A 64-bit transaction id (Postgres 13+), as text in JavaScript: compared only inside SQL.
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

export type ReminderOffsetConfig =
  { kind: "days_before"; days: number; at?: string } | { kind: "hours_before"; hours: number };

export const patients = pgTable(
  "patients",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // HMAC-SHA256 of the 12-digit personal number with a server key: lookup without storing it in clear.
    personalNumberHash: text("personal_number_hash").notNull(),
    // AES-256-GCM ciphertext (iv:tag:data, base64) of the personal number.
    personalNumberEnc: text("personal_number_enc").notNull(),
    givenName: text("given_name").notNull(),
    surname: text("surname").notNull(),
    phoneEnc: text("phone_enc"),
    phoneVerifiedAt: tstz("phone_verified_at"),
    language: text("language", { enum: ["sv", "en", "ar", "fa", "so", "fi"] })
      .notNull()
      .default("sv"),
    createdAt: createdAt(),
    // Bumped by the integration API (Patient.meta.lastUpdated); the patient's own pages leave it.
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("patients_personal_number_hash_uq").on(t.personalNumberHash),
    check("patients_language_ck", sql`${t.language} in ('sv', 'en', 'ar', 'fa', 'so', 'fi')`),
  ],
);

export const clinics = pgTable(
  "clinics",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    // The only name that may appear in an SMS or push text (a psychiatric clinic must not be named).
    smsName: text("sms_name").notNull(),
    region: text("region").notNull(),
    address: text("address").notNull(),
    directions: text("directions").notNull().default(""),
    phone: text("phone").notNull(),
    timeZone: text("time_zone").notNull().default("Europe/Stockholm"),
    cancelCutoffHours: integer("cancel_cutoff_hours").notNull().default(24),
    selfServiceCancel: boolean("self_service_cancel").notNull().default(true),
    selfServiceRebook: boolean("self_service_rebook").notNull().default(true),
    // Clinics in the same group may take each other's patients where the appointment type allows.
    sisterGroup: text("sister_group"),
    reminderOffsets: jsonb("reminder_offsets")
      .$type<ReminderOffsetConfig[]>()
      .notNull()
      .default(sql`'[{"kind":"days_before","days":3},{"kind":"days_before","days":1}]'::jsonb`),
    offerFairness: text("offer_fairness", { enum: ["first_come", "in_turn"] })
      .notNull()
      .default("first_come"),
    offerBatchSize: integer("offer_batch_size").notNull().default(3),
    offerAnswerMinutes: integer("offer_answer_minutes").notNull().default(120),
    // Reminders go by web push first where the patient has it; the SMS follows only if the push
    // was not opened within this many minutes (and always before the visit's cutoff).
    pushFirst: boolean("push_first").notNull().default(true),
    pushEscalationMinutes: integer("push_escalation_minutes").notNull().default(120),
    patientTransportInfo: text("patient_transport_info").notNull().default(""),
    // The clinic's own texts for patients (lib/appointments/clinic-texts.ts), Swedish and, where the
    // clinic gives one, English; empty = not shown. Set through FHIR Organization extensions.
    directionsEn: text("directions_en").notNull().default(""),
    patientTransportInfoEn: text("patient_transport_info_en").notNull().default(""),
    lateArrivalSv: text("late_arrival_sv").notNull().default(""),
    lateArrivalEn: text("late_arrival_en").notNull().default(""),
    missedVisitFeeSv: text("missed_visit_fee_sv").notNull().default(""),
    missedVisitFeeEn: text("missed_visit_fee_en").notNull().default(""),
    identificationSv: text("identification_sv").notNull().default(""),
    identificationEn: text("identification_en").notNull().default(""),
    checkInSv: text("check_in_sv").notNull().default(""),
    checkInEn: text("check_in_en").notNull().default(""),
    // Patients may cancel by replying "AVBOKA <code>" to a reminder (lib/sms/reply-cancel.ts); only
    // in effect when SMS_SENDER is a number that takes replies.
    smsReplyCancel: boolean("sms_reply_cancel").notNull().default(false),
    // A reminder that offers "cancel or rebook" arrives at least this long before the cutoff, so
    // the patient has time to act on it; one that cannot says to call instead.
    reminderMinLeadMinutes: integer("reminder_min_lead_minutes").notNull().default(120),
    // Reminder SMS go out only between these clinic wall-clock times ("HH:MM").
    wakingHoursStart: text("waking_hours_start").notNull().default("08:00"),
    wakingHoursEnd: text("waking_hours_end").notNull().default("21:00"),
    // The care unit's HSA-id: how booking systems and api_clients name the clinic (FHIR Organization).
    hsaId: text("hsa_id"),
    // Tell the patient by SMS when the clinic (its booking system) cancels or moves a visit.
    smsOnClinicChange: boolean("sms_on_clinic_change").notNull().default(false),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("clinics_slug_uq").on(t.slug),
    check("clinics_reminder_lead_ck", sql`${t.reminderMinLeadMinutes} between 0 and 10080`),
    check(
      "clinics_waking_hours_ck",
      sql`${t.wakingHoursStart} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and ${t.wakingHoursEnd} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'`,
    ),
    uniqueIndex("clinics_hsa_id_uq").on(t.hsaId),
    check("clinics_cutoff_ck", sql`${t.cancelCutoffHours} >= 0`),
    check("clinics_fairness_ck", sql`${t.offerFairness} in ('first_come', 'in_turn')`),
    check("clinics_batch_ck", sql`${t.offerBatchSize} between 1 and 50`),
  ],
);

export const appointmentTypes = pgTable(
  "appointment_types",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clinicId: uuid("clinic_id")
      .notNull()
      .references(() => clinics.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    nameSv: text("name_sv").notNull(),
    nameEn: text("name_en").notNull(),
    durationMinutes: integer("duration_minutes").notNull(),
    cancellable: boolean("cancellable").notNull().default(true),
    rebookable: boolean("rebookable").notNull().default(true),
    // Overrides the clinic's cutoff when set (e.g. 72 h for specialist care).
    cancelCutoffHours: integer("cancel_cutoff_hours"),
    preparationSv: text("preparation_sv").notNull().default(""),
    preparationEn: text("preparation_en").notNull().default(""),
    isVideo: boolean("is_video").notNull().default(false),
    allowSisterClinics: boolean("allow_sister_clinics").notNull().default(false),
    waitlistEnabled: boolean("waitlist_enabled").notNull().default(true),
    // The booking system's identifier system for `code` (FHIR HealthcareService.identifier).
    codeSystem: text("code_system"),
    version: integer("version").notNull().default(1),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("appointment_types_clinic_code_uq").on(t.clinicId, t.code),
    check("appointment_types_duration_ck", sql`${t.durationMinutes} between 5 and 480`),
  ],
);

export const practitioners = pgTable(
  "practitioners",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clinicId: uuid("clinic_id")
      .notNull()
      .references(() => clinics.id, { onDelete: "cascade" }),
    // Patients see the role ("Sjuksköterska"), not necessarily a name.
    roleSv: text("role_sv").notNull(),
    roleEn: text("role_en").notNull(),
    displayName: text("display_name"),
    // The booking system's id for this role (FHIR PractitionerRole.identifier).
    externalSystem: text("external_system"),
    externalId: text("external_id"),
    version: integer("version").notNull().default(1),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("practitioners_external_uq").on(t.clinicId, t.externalSystem, t.externalId)],
);

// A bookable calendar (FHIR Schedule): an appointment type of a clinic, optionally one
// practitioner's. Slots belong to a schedule; the type and practitioner of a slot follow from it.
export const schedules = pgTable(
  "schedules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clinicId: uuid("clinic_id")
      .notNull()
      .references(() => clinics.id, { onDelete: "cascade" }),
    typeId: uuid("type_id")
      .notNull()
      .references(() => appointmentTypes.id),
    practitionerId: uuid("practitioner_id").references(() => practitioners.id),
    active: boolean("active").notNull().default(true),
    externalSystem: text("external_system"),
    externalId: text("external_id"),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("schedules_external_uq").on(t.clinicId, t.externalSystem, t.externalId),
    index("schedules_type_idx").on(t.typeId),
  ],
);

export const slots = pgTable(
  "slots",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clinicId: uuid("clinic_id")
      .notNull()
      .references(() => clinics.id, { onDelete: "cascade" }),
    typeId: uuid("type_id")
      .notNull()
      .references(() => appointmentTypes.id),
    practitionerId: uuid("practitioner_id").references(() => practitioners.id),
    // null only for slots made before schedules existed (the backfill migration gives them one).
    scheduleId: uuid("schedule_id").references(() => schedules.id),
    startsAt: tstz("starts_at").notNull(),
    endsAt: tstz("ends_at").notNull(),
    // 'open' slots are bookable when no booked appointment holds them; 'blocked' ones never are.
    status: text("status", { enum: ["open", "blocked"] })
      .notNull()
      .default("open"),
    externalSystem: text("external_system"),
    externalId: text("external_id"),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("slots_search_idx").on(t.clinicId, t.typeId, t.startsAt),
    index("slots_schedule_idx").on(t.scheduleId, t.startsAt),
    uniqueIndex("slots_external_uq").on(t.clinicId, t.externalId),
    check("slots_time_ck", sql`${t.endsAt} > ${t.startsAt}`),
    check("slots_status_ck", sql`${t.status} in ('open', 'blocked')`),
  ],
);

export const appointments = pgTable(
  "appointments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => patients.id),
    slotId: uuid("slot_id")
      .notNull()
      .references(() => slots.id),
    status: text("status", { enum: ["booked", "cancelled", "completed", "no_show", "entered_in_error"] })
      .notNull()
      .default("booked"),
    // Bumped on every change: optimistic concurrency and the .ics SEQUENCE.
    version: integer("version").notNull().default(1),
    source: text("source", { enum: ["clinic", "patient", "waitlist"] })
      .notNull()
      .default("clinic"),
    cancelReason: text("cancel_reason"),
    cancelledAt: tstz("cancelled_at"),
    cancelledBy: text("cancelled_by"),
    rebookedAt: tstz("rebooked_at"),
    previousStartsAt: tstz("previous_starts_at"),
    // The slot the visit left when it last moved to another clinic (a sister clinic, or a booking
    // system holding both): that clinic's API client still sees it there, as cancelled with reason
    // `moved`, so its change feed says what its webhook said (lib/fhir/resources/appointment.ts).
    movedFromSlotId: uuid("moved_from_slot_id").references(() => slots.id, { onDelete: "set null" }),
    externalSystem: text("external_system"),
    externalId: text("external_id"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    // One booked appointment per slot, whatever the code does: races are decided here.
    uniqueIndex("appointments_one_booked_per_slot_uq")
      .on(t.slotId)
      .where(sql`${t.status} = 'booked'`),
    index("appointments_patient_idx").on(t.patientId, t.status),
    index("appointments_updated_idx").on(t.updatedAt),
    index("appointments_moved_from_slot_idx")
      .on(t.movedFromSlotId)
      .where(sql`${t.movedFromSlotId} is not null`),
    // entered_in_error: the clinic booked it by mistake; the patient no longer sees it.
    check(
      "appointments_status_ck",
      sql`${t.status} in ('booked', 'cancelled', 'completed', 'no_show', 'entered_in_error')`,
    ),
    check("appointments_source_ck", sql`${t.source} in ('clinic', 'patient', 'waitlist')`),
    check("appointments_cancelled_ck", sql`(${t.status} = 'cancelled') = (${t.cancelledAt} is not null)`),
  ],
);

export const waitlistEntries = pgTable(
  "waitlist_entries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => patients.id),
    appointmentId: uuid("appointment_id")
      .notNull()
      .references(() => appointments.id),
    fromDate: date("from_date", { mode: "string" }).notNull(),
    weekdays: smallint("weekdays").array().notNull(),
    timesOfDay: text("times_of_day").array().notNull(),
    minNoticeMinutes: integer("min_notice_minutes").notNull().default(120),
    status: text("status", { enum: ["active", "stopped", "fulfilled"] })
      .notNull()
      .default("active"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("waitlist_one_active_per_appointment_uq")
      .on(t.appointmentId)
      .where(sql`${t.status} = 'active'`),
    index("waitlist_active_idx").on(t.status, t.createdAt),
    check("waitlist_status_ck", sql`${t.status} in ('active', 'stopped', 'fulfilled')`),
    check("waitlist_notice_ck", sql`${t.minNoticeMinutes} >= 0`),
  ],
);

export const slotOffers = pgTable(
  "slot_offers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slotId: uuid("slot_id")
      .notNull()
      .references(() => slots.id),
    waitlistEntryId: uuid("waitlist_entry_id")
      .notNull()
      .references(() => waitlistEntries.id),
    status: text("status", { enum: ["pending", "accepted", "expired", "declined", "taken", "withdrawn"] })
      .notNull()
      .default("pending"),
    expiresAt: tstz("expires_at").notNull(),
    respondedAt: tstz("responded_at"),
    // The patient's appointment time when the offer was made (for "days gained" on accept).
    appointmentStartsAt: tstz("appointment_starts_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("slot_offers_slot_entry_uq").on(t.slotId, t.waitlistEntryId),
    index("slot_offers_pending_idx").on(t.status, t.expiresAt),
    index("slot_offers_entry_idx").on(t.waitlistEntryId, t.status),
    // withdrawn: the patient stopped waiting (or their appointment was cancelled or moved).
    check(
      "slot_offers_status_ck",
      sql`${t.status} in ('pending', 'accepted', 'expired', 'declined', 'taken', 'withdrawn')`,
    ),
  ],
);

// "Offer this slot to the waiting patients": queued in the same transaction that frees a slot
// (cancel, rebook, an accepted offer, a slot added by the clinic), done by the worker, which holds
// the keys to write the SMS. A job is only a nudge: the worker re-reads the slot and the list.
export const waitlistJobs = pgTable(
  "waitlist_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slotId: uuid("slot_id")
      .notNull()
      .references(() => slots.id),
    reason: text("reason").notNull(),
    status: text("status", { enum: ["queued", "done"] })
      .notNull()
      .default("queued"),
    runAt: tstz("run_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    doneAt: tstz("done_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("waitlist_jobs_due_idx").on(t.status, t.runAt),
    check("waitlist_jobs_status_ck", sql`${t.status} in ('queued', 'done')`),
  ],
);

export const notificationPreferences = pgTable("notification_preferences", {
  patientId: uuid("patient_id")
    .primaryKey()
    .references(() => patients.id),
  smsEnabled: boolean("sms_enabled").notNull().default(false),
  pushEnabled: boolean("push_enabled").notNull().default(false),
  // null: the clinic's default offsets.
  reminderOffsets: jsonb("reminder_offsets").$type<ReminderOffsetConfig[]>(),
  smsConsentAt: tstz("sms_consent_at"),
  pushConsentAt: tstz("push_consent_at"),
  calendarFeedTokenHash: text("calendar_feed_token_hash"),
  offlineAllowed: boolean("offline_allowed").notNull().default(false),
  // A child's SMS go to this guardian's confirmed number (set when a guardian acting for the child
  // turns SMS on); sent only while the guardian may still act for the child.
  smsGuardianPatientId: uuid("sms_guardian_patient_id").references((): AnyPgColumn => patients.id),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});

export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => patients.id),
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    lastSuccessAt: tstz("last_success_at"),
  },
  (t) => [
    uniqueIndex("push_subscriptions_endpoint_uq").on(t.endpoint),
    index("push_subscriptions_patient_idx").on(t.patientId),
  ],
);

export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => patients.id),
    appointmentId: uuid("appointment_id").references(() => appointments.id),
    channel: text("channel", { enum: ["sms", "push"] }).notNull(),
    purpose: text("purpose").notNull(),
    // appointment × reminder offset × channel (or another natural key): written before the send,
    // so a crashed worker that retries can never send the same reminder twice.
    idempotencyKey: text("idempotency_key").notNull(),
    status: text("status", {
      enum: ["queued", "sending", "sent", "delivered", "failed", "expired", "dead", "skipped", "cancelled", "opened"],
    })
      .notNull()
      .default("queued"),
    providerId: text("provider_id"),
    parts: integer("parts"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    // The recipient and the exact text, AES-256-GCM encrypted, fixed before the first send so a
    // retry repeats the very same SMS (same link, same number) and the patient's list can show it.
    toEnc: text("to_enc"),
    bodyEnc: text("body_enc"),
    dueAt: tstz("due_at").notNull(),
    // While `sending`: until when the claiming worker owns the row. A row still `sending` after
    // this (its worker died) is sent again with the same idempotency key.
    leaseExpiresAt: tstz("lease_expires_at"),
    sentAt: tstz("sent_at"),
    deliveredAt: tstz("delivered_at"),
    openedAt: tstz("opened_at"),
    // An SMS that is only sent if this push message was not opened in time (push first, SMS fallback).
    fallbackFor: uuid("fallback_for"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("messages_idempotency_uq").on(t.idempotencyKey),
    index("messages_provider_idx").on(t.providerId),
    index("messages_patient_idx").on(t.patientId, t.createdAt),
    // Channel first: each worker's claim walks only its own channel's due rows, in due order.
    index("messages_due_idx").on(t.channel, t.status, t.dueAt),
    check("messages_channel_ck", sql`${t.channel} in ('sms', 'push')`),
    check(
      "messages_status_ck",
      sql`${t.status} in ('queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'dead', 'skipped', 'cancelled', 'opened')`,
    ),
  ],
);

export const deepLinks = pgTable(
  "deep_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // SHA-256 of the token: a leaked table does not give working links.
    tokenHash: text("token_hash").notNull(),
    purpose: text("purpose", { enum: ["appointment", "offer"] }).notNull(),
    appointmentId: uuid("appointment_id").references(() => appointments.id),
    offerId: uuid("offer_id").references(() => slotOffers.id),
    expiresAt: tstz("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("deep_links_token_uq").on(t.tokenHash),
    check("deep_links_purpose_ck", sql`${t.purpose} in ('appointment', 'offer')`),
  ],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    at: tstz("at").notNull(),
    actorType: text("actor_type", { enum: ["patient", "system", "clinic", "anonymous", "api_client"] }).notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    resourceType: text("resource_type"),
    resourceId: text("resource_id"),
    patientId: uuid("patient_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    details: jsonb("details").$type<Record<string, unknown>>(),
    // In what role a patient actor acted: "guardian" when a guardian acted for a child (actorId =
    // the guardian, patientId = the child); null for everyone acting for themselves.
    actorRole: text("actor_role", { enum: ["guardian"] }),
    // Which fields the row's hash covers: 1 = the original fields, 2 = also actor_role. Rows
    // written before version 2 keep 1 (the column default), so they still verify. Version 3 rows
    // (the sequencer design) carry no hash here: the sequencer chains them in audit_chain.
    hashVersion: smallint("hash_version").notNull().default(1),
    // Versions 1 and 2 only: the chain link written with the row, under the old global lock.
    prevHash: text("prev_hash"),
    hash: text("hash"),
    // Version 3: the writing transaction's id. The sequencer seals only rows of transactions that
    // have ended (below the oldest running one), so a row that commits late is never skipped.
    xid: xid8("xid").default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index("audit_events_patient_idx").on(t.patientId, t.seq),
    uniqueIndex("audit_events_hash_uq").on(t.hash),
    index("audit_events_xid_idx").on(t.xid, t.seq),
    check("audit_events_actor_ck", sql`${t.actorType} in ('patient', 'system', 'clinic', 'anonymous', 'api_client')`),
    check("audit_events_actor_role_ck", sql`${t.actorRole} is null or ${t.actorRole} = 'guardian'`),
    check("audit_events_hash_version_ck", sql`${t.hashVersion} in (1, 2, 3)`),
    check(
      "audit_events_link_ck",
      sql`(${t.hashVersion} in (1, 2) and ${t.prevHash} is not null and ${t.hash} is not null) or (${t.hashVersion} = 3 and ${t.prevHash} is null and ${t.hash} is null and ${t.xid} is not null)`,
    ),
  ],
);

// The chain of version-3 audit rows, written by the sequencer (lib/audit/sequencer.ts), one at a
// time cluster-wide, insert-only like audit_events. Position 1 links to the last version-1/2 row's
// hash (or the genesis hash), so old and new rows form one chain.
export const auditChain = pgTable(
  "audit_chain",
  {
    position: bigint("position", { mode: "number" }).primaryKey(),
    // No foreign key: a removed audit row must show up in verification (missing_row), and the
    // five-year retention may remove old rows.
    auditSeq: bigint("audit_seq", { mode: "number" }).notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    sealedAt: tstz("sealed_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("audit_chain_audit_seq_uq").on(t.auditSeq), uniqueIndex("audit_chain_hash_uq").on(t.hash)],
);

export const sessions = pgTable(
  "sessions",
  {
    // SHA-256 of the session id; the id itself only lives in the patient's cookie.
    idHash: text("id_hash").primaryKey(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => patients.id),
    createdAt: createdAt(),
    lastSeenAt: tstz("last_seen_at").notNull(),
    absoluteExpiresAt: tstz("absolute_expires_at").notNull(),
    revokedAt: tstz("revoked_at"),
    userAgent: text("user_agent"),
    ip: text("ip"),
    // A guardian's choice of whom they act for (a child), made on the server: re-checked against
    // custody and the age rule on every request, and cleared when it no longer holds.
    actingForPatientId: uuid("acting_for_patient_id").references(() => patients.id),
    // Set when the request found the choice no longer valid, so the next page can say why.
    actingNotice: text("acting_notice", { enum: ["custody_ended"] }),
  },
  (t) => [index("sessions_patient_idx").on(t.patientId)],
);

// Custody, as the caregiver's systems know it (FHIR RelatedPerson): a guardian, identified by the
// keyed hash of their personal number (so a guardian who never logged in can be linked), for a
// child patient. Never written from the browser.
export const guardianships = pgTable(
  "guardianships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    childPatientId: uuid("child_patient_id")
      .notNull()
      .references(() => patients.id),
    guardianPersonalNumberHash: text("guardian_personal_number_hash").notNull(),
    // The guardian's personal number, encrypted, so RelatedPerson can be read back.
    guardianPersonalNumberEnc: text("guardian_personal_number_enc").notNull(),
    // v3 RoleCode: GUARD, PRN, MTH, FTH (lib/guardians/custody.ts).
    relationship: text("relationship").notNull(),
    active: boolean("active").notNull().default(true),
    periodStart: tstz("period_start"),
    periodEnd: tstz("period_end"),
    // The API client that last wrote it; its clinics scope who may read it.
    apiClientId: uuid("api_client_id").references(() => apiClients.id),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("guardianships_child_guardian_uq").on(t.childPatientId, t.guardianPersonalNumberHash),
    index("guardianships_guardian_idx").on(t.guardianPersonalNumberHash),
  ],
);

export const apiClients = pgTable(
  "api_clients",
  {
    // The SMART client_id is this id.
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    // The care units this client may see and change, by HSA-id. A clinic named here may not exist
    // yet: that is how a region onboards one (the client then creates the Organization).
    clinicHsaIds: text("clinic_hsa_ids").array().notNull(),
    // SMART v2 system scopes, e.g. {"system/Slot.cruds", "system/Appointment.rs"}.
    scopes: text("scopes").array().notNull(),
    // The client's public JSON Web Key Set: its private_key_jwt assertions must verify against it.
    jwks: jsonb("jwks").$type<{ keys: Record<string, unknown>[] }>().notNull(),
    webhookUrl: text("webhook_url"),
    createdAt: createdAt(),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [check("api_clients_clinics_ck", sql`cardinality(${t.clinicHsaIds}) > 0`)],
);

// Client assertion ids seen (SMART: a `jti` must never be accepted twice). Rows can go once the
// assertion has expired; until then the unique index refuses the replay.
export const apiClientAssertions = pgTable(
  "api_client_assertions",
  {
    clientId: uuid("client_id")
      .notNull()
      .references(() => apiClients.id, { onDelete: "cascade" }),
    jti: text("jti").notNull(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("api_client_assertions_jti_uq").on(t.clientId, t.jti),
    index("api_client_assertions_exp_idx").on(t.expiresAt),
  ],
);

// Which patients a client may see: one it created or updated (or that holds an appointment in its
// clinics, checked at read time). A booking system learns nothing of other systems' patients.
export const apiClientPatients = pgTable(
  "api_client_patients",
  {
    clientId: uuid("client_id")
      .notNull()
      .references(() => apiClients.id, { onDelete: "cascade" }),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => patients.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_client_patients_uq").on(t.clientId, t.patientId)],
);

// The outbox: one row per change and clinic, written in the booking's own transaction (the name is
// historic: a row is an *event*, and its id is the `webhook-id` every receiver sees). The webhook
// worker fans each `pending` row out to one `webhook_dispatches` row per subscribed API client of
// that clinic and marks it `dispatched`. `delivered`/`dead` are states of rows from before dispatch.
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clinicId: uuid("clinic_id")
      .notNull()
      .references(() => clinics.id),
    eventType: text("event_type").notNull(),
    // Ids only (appointment, slots, reason): what an operator's list shows.
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: ["pending", "dispatched", "delivered", "dead"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull().defaultNow(),
    deliveredAt: tstz("delivered_at"),
    createdAt: createdAt(),
    // Commit order per appointment (its row lock serialises changes): events of one appointment go
    // out in this order.
    seq: bigserial("seq", { mode: "number" }).notNull(),
    appointmentId: uuid("appointment_id"),
    // The exact JSON body every receiver gets, fixed at the change: retries and replays send the
    // same bytes.
    body: text("body"),
    // Which of the clinic's clients get it, when a change spans two clinics (a move to a sister
    // clinic): only those that hold `also_clinic_id` too, or only those that do not hold
    // `unless_clinic_id`. So a client of both clinics gets one `rebooked`, not a cancel and a booking.
    alsoClinicId: uuid("also_clinic_id").references(() => clinics.id),
    unlessClinicId: uuid("unless_clinic_id").references(() => clinics.id),
  },
  (t) => [
    index("webhook_deliveries_pending_idx").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_appointment_idx").on(t.appointmentId, t.seq),
    check("webhook_deliveries_status_ck", sql`${t.status} in ('pending', 'dispatched', 'delivered', 'dead')`),
  ],
);

// An API client's webhook subscription: where its clinics' events go and the secret they are
// signed with. The secret is stored encrypted (AES-256-GCM, the PII key) because we must sign with
// it, so a hash would not do. During a rotation the old secret signs too, until `previous_until`.
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    apiClientId: uuid("api_client_id")
      .notNull()
      .references(() => apiClients.id),
    url: text("url").notNull(),
    secretEnc: text("secret_enc").notNull(),
    previousSecretEnc: text("previous_secret_enc"),
    previousUntil: tstz("previous_until"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("webhook_endpoints_client_uq").on(t.apiClientId)],
);

// One event to one subscribed endpoint: the unit that is sent, retried, leased and replayed.
// Life: pending → (claim: attempts+1, lease) sending → delivered | pending (backoff) | failed
// (retry window over; `replay` makes it pending again).
export const webhookDispatches = pgTable(
  "webhook_dispatches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => webhookDeliveries.id),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    // Copied from the event so the "earlier event of this appointment still open?" check is one index probe.
    eventSeq: bigint("event_seq", { mode: "number" }).notNull(),
    appointmentId: uuid("appointment_id"),
    status: text("status", { enum: ["pending", "sending", "delivered", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull(),
    // The retry window is counted from here (the first try, or the last replay).
    windowStartedAt: tstz("window_started_at").notNull(),
    leaseExpiresAt: tstz("lease_expires_at"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    deliveredAt: tstz("delivered_at"),
    failedAt: tstz("failed_at"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webhook_dispatches_event_endpoint_uq").on(t.eventId, t.endpointId),
    index("webhook_dispatches_due_idx").on(t.status, t.nextAttemptAt),
    index("webhook_dispatches_order_idx").on(t.endpointId, t.appointmentId, t.eventSeq),
    check("webhook_dispatches_status_ck", sql`${t.status} in ('pending', 'sending', 'delivered', 'failed')`),
  ],
);

export const phoneVerifications = pgTable("phone_verifications", {
  patientId: uuid("patient_id")
    .primaryKey()
    .references(() => patients.id),
  phoneEnc: text("phone_enc").notNull(),
  codeHash: text("code_hash").notNull(),
  attempts: integer("attempts").notNull().default(0),
  expiresAt: tstz("expires_at").notNull(),
});

// A BankID (or other e-ID) login in progress, bound to one browser by a random cookie whose hash
// is stored here. The browser never sees the orderRef or the QR secret.
export const loginOrders = pgTable(
  "login_orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    bindingHash: text("binding_hash").notNull(),
    provider: text("provider").notNull().default("bankid"),
    orderRef: text("order_ref").notNull(),
    qrStartToken: text("qr_start_token").notNull(),
    qrStartSecretEnc: text("qr_start_secret_enc").notNull(),
    startedBy: text("started_by", { enum: ["qr", "autostart"] }).notNull(),
    device: text("device").notNull(),
    startedAt: tstz("started_at").notNull(),
    status: text("status", { enum: ["pending", "complete", "failed", "cancelled", "consumed"] })
      .notNull()
      .default("pending"),
    hintCode: text("hint_code"),
    patientId: uuid("patient_id").references(() => patients.id),
    ip: text("ip"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("login_orders_binding_uq").on(t.bindingHash),
    check("login_orders_status_ck", sql`${t.status} in ('pending', 'complete', 'failed', 'cancelled', 'consumed')`),
    check("login_orders_started_by_ck", sql`${t.startedBy} in ('qr', 'autostart')`),
  ],
);

// The code a reminder gives a visit for the number it went to ("Svara AVBOKA 4821"). Tied to the
// slot the reminder named, so after a rebook the old code no longer names the visit's time.
export const smsReplyCodes = pgTable(
  "sms_reply_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // HMAC of the E.164 number: a reply counts only from the number the reminder went to.
    phoneHash: text("phone_hash").notNull(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => patients.id),
    appointmentId: uuid("appointment_id")
      .notNull()
      .references(() => appointments.id),
    slotId: uuid("slot_id")
      .notNull()
      .references(() => slots.id),
    code: text("code").notNull(),
    // "AVBOKA" asked: a "JA" until then cancels. Kept after it passes, to tell a late "JA".
    pendingUntil: tstz("pending_until"),
    // The "JA" that was taken (once: a second one finds this set).
    confirmedAt: tstz("confirmed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("sms_reply_codes_phone_code_uq").on(t.phoneHash, t.code),
    uniqueIndex("sms_reply_codes_visit_uq").on(t.phoneHash, t.appointmentId, t.slotId),
    check("sms_reply_codes_code_ck", sql`${t.code} ~ '^[0-9]{4}$'`),
  ],
);

// Every SMS reply we received: what we made of it and whether we answered, never its text.
// The provider id makes a retried callback a no-op; the phone hash and time bound the answers.
export const smsInbound = pgTable(
  "sms_inbound",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    providerId: text("provider_id").notNull(),
    phoneHash: text("phone_hash").notNull(),
    kind: text("kind", { enum: ["cancel", "yes", "other"] }).notNull(),
    outcome: text("outcome").notNull(),
    answered: boolean("answered").notNull(),
    receivedAt: tstz("received_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("sms_inbound_provider_uq").on(t.providerId),
    index("sms_inbound_phone_idx").on(t.phoneHash, t.receivedAt),
    check("sms_inbound_kind_ck", sql`${t.kind} in ('cancel', 'yes', 'other')`),
  ],
);
