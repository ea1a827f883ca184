CREATE TABLE "guardianships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"child_patient_id" uuid NOT NULL,
	"guardian_personal_number_hash" text NOT NULL,
	"guardian_personal_number_enc" text NOT NULL,
	"relationship" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"period_start" timestamp with time zone,
	"period_end" timestamp with time zone,
	"api_client_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "actor_role" text;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "hash_version" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "sms_guardian_patient_id" uuid;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "acting_for_patient_id" uuid;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "acting_notice" text;--> statement-breakpoint
ALTER TABLE "guardianships" ADD CONSTRAINT "guardianships_child_patient_id_patients_id_fk" FOREIGN KEY ("child_patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardianships" ADD CONSTRAINT "guardianships_api_client_id_api_clients_id_fk" FOREIGN KEY ("api_client_id") REFERENCES "public"."api_clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "guardianships_child_guardian_uq" ON "guardianships" USING btree ("child_patient_id","guardian_personal_number_hash");--> statement-breakpoint
CREATE INDEX "guardianships_guardian_idx" ON "guardianships" USING btree ("guardian_personal_number_hash");--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_sms_guardian_patient_id_patients_id_fk" FOREIGN KEY ("sms_guardian_patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_acting_for_patient_id_patients_id_fk" FOREIGN KEY ("acting_for_patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_role_ck" CHECK ("audit_events"."actor_role" is null or "audit_events"."actor_role" = 'guardian');--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_hash_version_ck" CHECK ("audit_events"."hash_version" in (1, 2));