CREATE TYPE "public"."occupancy_source" AS ENUM('booking', 'program_session');--> statement-breakpoint
CREATE TABLE "venue_occupancies" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "venue_occupancies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"venue_id" bigint NOT NULL,
	"source" "occupancy_source" NOT NULL,
	"booking_id" bigint,
	"program_id" bigint,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"ends_at" timestamp (3) with time zone NOT NULL,
	"blocked_until" timestamp (3) with time zone NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "venue_occupancies_end_after_start" CHECK ("venue_occupancies"."ends_at" > "venue_occupancies"."starts_at"),
	CONSTRAINT "venue_occupancies_blocked_covers_end" CHECK ("venue_occupancies"."blocked_until" >= "venue_occupancies"."ends_at"),
	CONSTRAINT "venue_occupancies_source_matches_ref" CHECK (("venue_occupancies"."source" = 'booking' and "venue_occupancies"."booking_id" is not null and "venue_occupancies"."program_id" is null)
       or ("venue_occupancies"."source" = 'program_session' and "venue_occupancies"."program_id" is not null and "venue_occupancies"."booking_id" is null))
);
--> statement-breakpoint
CREATE TABLE "venue_booking_rules" (
	"venue_id" bigint PRIMARY KEY NOT NULL,
	"opening_hours" jsonb NOT NULL,
	"slot_minutes" integer NOT NULL,
	"min_minutes" integer NOT NULL,
	"max_minutes" integer NOT NULL,
	"buffer_minutes" integer NOT NULL,
	"lead_time_minutes" integer NOT NULL,
	"max_advance_days" integer NOT NULL,
	"cancel_cutoff_minutes" integer NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "venue_booking_rules_slot_positive" CHECK ("venue_booking_rules"."slot_minutes" > 0),
	CONSTRAINT "venue_booking_rules_durations_ordered" CHECK ("venue_booking_rules"."min_minutes" > 0 and "venue_booking_rules"."max_minutes" >= "venue_booking_rules"."min_minutes"),
	CONSTRAINT "venue_booking_rules_non_negative" CHECK ("venue_booking_rules"."buffer_minutes" >= 0 and "venue_booking_rules"."lead_time_minutes" >= 0 and "venue_booking_rules"."max_advance_days" > 0
          and "venue_booking_rules"."cancel_cutoff_minutes" >= 0)
);
--> statement-breakpoint
ALTER TABLE "venue_occupancies" ADD CONSTRAINT "venue_occupancies_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "venue_occupancies" ADD CONSTRAINT "venue_occupancies_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "venue_occupancies" ADD CONSTRAINT "venue_occupancies_program_id_regular_programs_id_fk" FOREIGN KEY ("program_id") REFERENCES "public"."regular_programs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "venue_booking_rules" ADD CONSTRAINT "venue_booking_rules_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "venue_occupancies_booking_id_key" ON "venue_occupancies" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "venue_occupancies_program_id_starts_at_idx" ON "venue_occupancies" USING btree ("program_id","starts_at");