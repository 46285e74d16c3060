-- One occupancy model: no two active occupancies of a venue overlap, counting each one's buffer
-- ([starts_at, blocked_until)). drizzle-kit cannot express EXCLUDE or triggers, hence this file.
ALTER TABLE "venue_occupancies" ADD CONSTRAINT "venue_occupancies_no_overlap"
  EXCLUDE USING gist (
    "venue_id" WITH =,
    tstzrange("starts_at", "blocked_until", '[)') WITH &&
  ) WHERE ("active");
--> statement-breakpoint
-- A single booking occupies its venue while pending or confirmed. The buffer is the venue's at the
-- time of the change (0 without a rules row, the default). Statement-level triggers with
-- transition tables keep bulk inserts set-based: one statement per batch, not one per row.
CREATE FUNCTION "venue_occupancy_of_new_bookings"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "venue_occupancies"
    ("venue_id", "source", "booking_id", "starts_at", "ends_at", "blocked_until", "active")
  SELECT n."venue_id", 'booking', n."id", n."start_datetime", n."end_datetime",
         n."end_datetime" + make_interval(mins => coalesce(r."buffer_minutes", 0)),
         n."status" IN ('pending', 'confirmed')
    FROM "new_bookings" n
    LEFT JOIN "venue_booking_rules" r ON r."venue_id" = n."venue_id"
   WHERE n."kind" = 'single';
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "bookings_occupancy_insert"
  AFTER INSERT ON "bookings" REFERENCING NEW TABLE AS "new_bookings"
  FOR EACH STATEMENT EXECUTE FUNCTION "venue_occupancy_of_new_bookings"();
--> statement-breakpoint
CREATE FUNCTION "venue_occupancy_of_changed_bookings"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "venue_occupancies" o
   USING "new_bookings" n
   WHERE o."booking_id" = n."id" AND n."kind" <> 'single';
  UPDATE "venue_occupancies" o
     SET "venue_id" = n."venue_id",
         "starts_at" = n."start_datetime",
         "ends_at" = n."end_datetime",
         "blocked_until" = n."end_datetime" + make_interval(mins => coalesce(r."buffer_minutes", 0)),
         "active" = n."status" IN ('pending', 'confirmed')
    FROM "new_bookings" n
    JOIN "old_bookings" b ON b."id" = n."id"
    LEFT JOIN "venue_booking_rules" r ON r."venue_id" = n."venue_id"
   WHERE o."booking_id" = n."id" AND n."kind" = 'single'
     AND (b."venue_id", b."status", b."start_datetime", b."end_datetime")
         IS DISTINCT FROM (n."venue_id", n."status", n."start_datetime", n."end_datetime");
  INSERT INTO "venue_occupancies"
    ("venue_id", "source", "booking_id", "starts_at", "ends_at", "blocked_until", "active")
  SELECT n."venue_id", 'booking', n."id", n."start_datetime", n."end_datetime",
         n."end_datetime" + make_interval(mins => coalesce(r."buffer_minutes", 0)),
         n."status" IN ('pending', 'confirmed')
    FROM "new_bookings" n
    LEFT JOIN "venue_booking_rules" r ON r."venue_id" = n."venue_id"
   WHERE n."kind" = 'single'
     AND NOT EXISTS (SELECT 1 FROM "venue_occupancies" o WHERE o."booking_id" = n."id");
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "bookings_occupancy_update"
  AFTER UPDATE ON "bookings" REFERENCING OLD TABLE AS "old_bookings" NEW TABLE AS "new_bookings"
  FOR EACH STATEMENT EXECUTE FUNCTION "venue_occupancy_of_changed_bookings"();
--> statement-breakpoint
-- Each session of an active program occupies its venue. A change re-materializes the sessions
-- that have not started yet (past ones are history); a new program materializes all of them.
CREATE FUNCTION "venue_occupancy_of_program"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  buffer integer;
  tz text;
  since timestamptz := '-infinity';
BEGIN
  IF TG_OP = 'UPDATE' THEN
    since := now();
    DELETE FROM "venue_occupancies" WHERE "program_id" = NEW."id" AND "starts_at" >= since;
  END IF;
  IF NOT NEW."is_active" THEN
    RETURN NEW;
  END IF;
  SELECT coalesce(max("buffer_minutes"), 0) INTO buffer
    FROM "venue_booking_rules" WHERE "venue_id" = NEW."venue_id";
  SELECT "timezone" INTO tz FROM "venues" WHERE "id" = NEW."venue_id";
  INSERT INTO "venue_occupancies"
    ("venue_id", "source", "program_id", "starts_at", "ends_at", "blocked_until", "active")
  SELECT NEW."venue_id", 'program_session', NEW."id", s.starts_at,
         s.starts_at + make_interval(mins => NEW."duration_minutes"),
         s.starts_at + make_interval(mins => NEW."duration_minutes" + buffer), true
    FROM (
      SELECT (NEW."starts_on" + day.n + NEW."start_time") AT TIME ZONE tz AS starts_at
        FROM generate_series(0, NEW."ends_on" - NEW."starts_on") AS day(n)
       WHERE extract(isodow FROM NEW."starts_on" + day.n)::int = any(NEW."weekdays")
    ) AS s
   WHERE s.starts_at >= since;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "regular_programs_occupancy"
  AFTER INSERT OR UPDATE OF "venue_id", "weekdays", "start_time", "duration_minutes", "starts_on",
    "ends_on", "is_active"
  ON "regular_programs" FOR EACH ROW EXECUTE FUNCTION "venue_occupancy_of_program"();
--> statement-breakpoint
-- Existing data: bookings first (they were already exclusive among themselves); a program session
-- that an older booking already overlaps is skipped rather than failing the upgrade.
INSERT INTO "venue_occupancies"
  ("venue_id", "source", "booking_id", "starts_at", "ends_at", "blocked_until", "active")
SELECT "venue_id", 'booking', "id", "start_datetime", "end_datetime", "end_datetime",
       "status" IN ('pending', 'confirmed')
  FROM "bookings" WHERE "kind" = 'single';
--> statement-breakpoint
INSERT INTO "venue_occupancies"
  ("venue_id", "source", "program_id", "starts_at", "ends_at", "blocked_until", "active")
SELECT p."venue_id", 'program_session', p."id", s.starts_at,
       s.starts_at + make_interval(mins => p."duration_minutes"),
       s.starts_at + make_interval(mins => p."duration_minutes"), true
  FROM "regular_programs" p
  JOIN "venues" v ON v."id" = p."venue_id"
  CROSS JOIN LATERAL (
    SELECT (p."starts_on" + day.n + p."start_time") AT TIME ZONE v."timezone" AS starts_at
      FROM generate_series(0, p."ends_on" - p."starts_on") AS day(n)
     WHERE extract(isodow FROM p."starts_on" + day.n)::int = any(p."weekdays")
  ) AS s
 WHERE p."is_active"
ON CONFLICT DO NOTHING;
