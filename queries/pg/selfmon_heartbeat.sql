-- An instance was up and ready in this minute.
--   $1 minute   $2 instance
INSERT INTO selfmon_heartbeats (minute, instance) VALUES ($1, $2)
ON CONFLICT DO NOTHING
