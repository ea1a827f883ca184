CREATE TABLE "sms_inbound" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider_id" text NOT NULL,
	"phone_hash" text NOT NULL,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"answered" boolean NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sms_inbound_kind_ck" CHECK ("sms_inbound"."kind" in ('cancel', 'yes', 'other'))
);
--> statement-breakpoint
CREATE TABLE "sms_reply_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"phone_hash" text NOT NULL,
	"patient_id" uuid NOT NULL,
	"appointment_id" uuid NOT NULL,
	"slot_id" uuid NOT NULL,
	"code" text NOT NULL,
	"pending_until" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sms_reply_codes_code_ck" CHECK ("sms_reply_codes"."code" ~ '^[0-9]{4}$')
);
--> statement-breakpoint
ALTER TABLE "patients" DROP CONSTRAINT "patients_language_ck";--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "sms_reply_cancel" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sms_reply_codes" ADD CONSTRAINT "sms_reply_codes_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_reply_codes" ADD CONSTRAINT "sms_reply_codes_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_reply_codes" ADD CONSTRAINT "sms_reply_codes_slot_id_slots_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."slots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sms_inbound_provider_uq" ON "sms_inbound" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "sms_inbound_phone_idx" ON "sms_inbound" USING btree ("phone_hash","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sms_reply_codes_phone_code_uq" ON "sms_reply_codes" USING btree ("phone_hash","code");--> statement-breakpoint
CREATE UNIQUE INDEX "sms_reply_codes_visit_uq" ON "sms_reply_codes" USING btree ("phone_hash","appointment_id","slot_id");--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_language_ck" CHECK ("patients"."language" in ('sv', 'en', 'ar', 'fa', 'so', 'fi'));