CREATE TABLE "schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"clinic_id" uuid NOT NULL,
	"type_id" uuid NOT NULL,
	"practitioner_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"external_system" text,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "appointments" DROP CONSTRAINT "appointments_status_ck";--> statement-breakpoint
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_actor_ck";--> statement-breakpoint
ALTER TABLE "api_clients" DROP CONSTRAINT "api_clients_clinic_id_clinics_id_fk";
--> statement-breakpoint
DROP INDEX "api_clients_key_uq";--> statement-breakpoint
ALTER TABLE "appointment_types" ADD COLUMN "code_system" text;--> statement-breakpoint
ALTER TABLE "appointment_types" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "appointment_types" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "external_system" text;--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "hsa_id" text;--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "sms_on_clinic_change" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "external_system" text;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "practitioners" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "slots" ADD COLUMN "schedule_id" uuid;--> statement-breakpoint
ALTER TABLE "slots" ADD COLUMN "external_system" text;--> statement-breakpoint
ALTER TABLE "slots" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "slots" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_clinic_id_clinics_id_fk" FOREIGN KEY ("clinic_id") REFERENCES "public"."clinics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_type_id_appointment_types_id_fk" FOREIGN KEY ("type_id") REFERENCES "public"."appointment_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_practitioner_id_practitioners_id_fk" FOREIGN KEY ("practitioner_id") REFERENCES "public"."practitioners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "schedules_external_uq" ON "schedules" USING btree ("clinic_id","external_system","external_id");--> statement-breakpoint
CREATE INDEX "schedules_type_idx" ON "schedules" USING btree ("type_id");--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appointments_updated_idx" ON "appointments" USING btree ("updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "clinics_hsa_id_uq" ON "clinics" USING btree ("hsa_id");--> statement-breakpoint
CREATE UNIQUE INDEX "practitioners_external_uq" ON "practitioners" USING btree ("clinic_id","external_system","external_id");--> statement-breakpoint
CREATE INDEX "slots_schedule_idx" ON "slots" USING btree ("schedule_id","starts_at");--> statement-breakpoint
ALTER TABLE "api_clients" DROP COLUMN "clinic_id";--> statement-breakpoint
ALTER TABLE "api_clients" DROP COLUMN "key_hash";--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_status_ck" CHECK ("appointments"."status" in ('booked', 'cancelled', 'completed', 'no_show', 'entered_in_error'));--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_ck" CHECK ("audit_events"."actor_type" in ('patient', 'system', 'clinic', 'anonymous', 'api_client'));