-- The seed stack's stream job: telemetry events from Kafka, archived as they come and aggregated into
-- 10-second windows per sensor, both into Iceberg. Flink runs this file unchanged (sql-client.sh -f).
SET 'execution.checkpointing.interval' = '1s';
SET 'table.local-time-zone' = 'UTC';

CREATE TABLE telemetry (
  sensor_id   STRING NOT NULL,
  ts_ms       BIGINT COMMENT 'event time, epoch milliseconds',
  temperature DOUBLE,
  humidity    DOUBLE,
  pressure    DOUBLE,
  battery     DOUBLE,
  ts AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'telemetry',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'floe-telemetry',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'json'
);

/* Raw events, archived. */
CREATE TABLE readings (
  sensor_id   STRING NOT NULL,
  ts          TIMESTAMP_LTZ(3),
  temperature DOUBLE,
  humidity    DOUBLE,
  pressure    DOUBLE,
  battery     DOUBLE
) WITH (
  'connector' = 'iceberg',
  'catalog-name' = 'floe',
  'catalog-type' = 'rest',
  'uri' = 'http://localhost:19120/iceberg',
  'catalog-database' = 'telemetry',
  'catalog-table' = 'readings'
);

-- One row per sensor and 10-second window, written when the watermark passes the window's end.
CREATE TABLE sensor_10s (
  window_start    TIMESTAMP(3) NOT NULL,
  window_end      TIMESTAMP(3) NOT NULL,
  sensor_id       STRING NOT NULL,
  readings        BIGINT NOT NULL,
  avg_temperature DOUBLE,
  min_temperature DOUBLE,
  max_temperature DOUBLE,
  avg_humidity    DOUBLE,
  PRIMARY KEY (window_start, sensor_id) NOT ENFORCED
) WITH (
  'connector' = 'iceberg',
  'catalog-name' = 'floe',
  'catalog-type' = 'rest',
  'uri' = 'http://localhost:19120/iceberg',
  'catalog-database' = 'telemetry',
  'catalog-table' = 'sensor_10s'
);

EXECUTE STATEMENT SET
BEGIN
  INSERT INTO readings
  SELECT sensor_id, ts, temperature, humidity, pressure, battery
  FROM telemetry
  WHERE temperature IS NOT NULL;

  INSERT INTO sensor_10s
  SELECT window_start, window_end, sensor_id,
         COUNT(*)         AS readings,
         AVG(temperature) AS avg_temperature,
         MIN(temperature) AS min_temperature,
         MAX(temperature) AS max_temperature,
         AVG(humidity)    AS avg_humidity
  FROM TABLE(TUMBLE(TABLE telemetry, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end, sensor_id;
END;
