#!/usr/bin/env python3
"""The simulated IoT telemetry producer in Python: msgspec for the JSON, confluent-kafka (librdkafka) for Kafka.

It sends the same stream as `floe produce`, byte for byte, for the same options: the simulation is defined in
src/floe/ingest/telemetry_generator.{h,cpp} (integer arithmetic, splitmix64, one draw per emitted reading, the
(release_ms, sequence) disorder heap) and the event JSON in src/floe/ingest/telemetry_json.{h,cpp}. The readings are
fixed-point integers; the JSON carries them divided (temperature_centi / 100, ...), and msgspec writes the shortest
decimal that reads back as that double, which for these magnitudes is exactly the fixed-point decimal with its
trailing zeros dropped (21.5, 21.0, 0.001) -- what the C++ FormatFixedShortest writes.

It is also the pure-Python baseline of the ingestion benchmark, so the generator keeps its state in local lists and
yields plain tuples; it is written to be reasonably fast, not clever.

    python ingestion/producer.py --bootstrap 127.0.0.1:9092 --sensors 1000 --rate 5000 --duration 60 \\
        --truth truth.csv
    python ingestion/producer.py --dry-run --count 10 --start-ms 1732480000000
"""
import argparse
import heapq
import math
import re
import os
import signal
import sys
import time

import msgspec

PROG = "producer.py"
U64 = 0xFFFFFFFFFFFFFFFF

# splitmix64 (Steele, Lea, Flood 2014), as telemetry_generator.h.
SPLITMIX_GAMMA = 0x9E3779B97F4A7C15
SPLITMIX_MUL1 = 0xBF58476D1CE4E5B9
SPLITMIX_MUL2 = 0x94D049BB133111EB
# Seed derivations, as telemetry_generator.cpp: sensor s uses seed ^ ((s + 1) * SENSOR_SEED_MUL), the disorder
# draws use seed ^ DISORDER_SEED_XOR.
SENSOR_SEED_MUL = 0xD1B54A32D192ED03
DISORDER_SEED_XOR = 0x6A09E667F3BCC909

TRUTH_HEADER = "window_start_ms,sensor_id,count,sum_temperature,min_temperature,max_temperature\n"


class Telemetry(msgspec.Struct):
    """One event, in the field order of the JSON (telemetry_json.h)."""
    sensor_id: str
    ts: int
    temperature: float
    humidity: float
    pressure: float
    battery: float


def sensor_id(sensor):
    """"s-" and the 0-based sensor number, zero-padded to at least 5 digits (FormatSensorId)."""
    return "s-%05d" % sensor


def splitmix64_next(state):
    """Returns (new_state, draw)."""
    state = (state + SPLITMIX_GAMMA) & U64
    z = ((state ^ (state >> 30)) * SPLITMIX_MUL1) & U64
    z = ((z ^ (z >> 27)) * SPLITMIX_MUL2) & U64
    return state, z ^ (z >> 31)


def late_threshold(late_fraction):
    """An event is late when (draw % 1_000_000) < this: the one floating-point step of the simulation."""
    return int(min(max(late_fraction, 0.0), 1.0) * 1e6 + 0.5)


def readings_in_time_order(seed, sensors, start_ms, interval_ms):
    """Every reading in event-time order, before any disorder, forever: tuples (sensor, ts_ms, temperature_centi,
    humidity_deci, pressure_deci, battery_milli). TelemetryGenerator::NextInTimeOrder."""
    sensors = max(sensors, 1)
    interval_ms = max(interval_ms, 1)
    rng, base_temp, amplitude, period, phase = [], [], [], [], []
    base_humidity, base_pressure, battery, drain = [], [], [], []
    for s in range(sensors):
        state = (seed ^ ((s + 1) * SENSOR_SEED_MUL)) & U64
        state, r1 = splitmix64_next(state)
        state, r2 = splitmix64_next(state)
        rng.append(state)
        base_temp.append(1500 + r1 % 1500)
        amplitude.append(100 + (r1 >> 16) % 400)
        p = 600 + (r1 >> 32) % 3000
        period.append(p)
        phase.append((r1 >> 48) % p)
        base_humidity.append(300 + r2 % 400)
        base_pressure.append(9900 + (r2 >> 16) % 400)
        battery.append(600000 + (r2 >> 32) % 400000)
        drain.append(1 + (r2 >> 52) % 4)
    half = [p // 2 for p in period]
    drift = [0] * sensors
    dropout = [0] * sensors
    offset = [(s * interval_ms) // sensors for s in range(sensors)]
    order = range(sensors)
    gamma, mul1, mul2, u64 = SPLITMIX_GAMMA, SPLITMIX_MUL1, SPLITMIX_MUL2, U64

    tick = 0
    while True:
        tick_ms = start_ms + tick * interval_ms
        for s in order:
            if dropout[s]:
                dropout[s] -= 1
                continue
            state = (rng[s] + gamma) & u64
            rng[s] = state
            z = ((state ^ (state >> 30)) * mul1) & u64
            z = ((z ^ (z >> 27)) * mul2) & u64
            b = z ^ (z >> 31)
            if b % 5000 == 0:  # dropout: silent for this tick and 4..60 more
                dropout[s] = 4 + (b >> 13) % 57
                continue
            d = drift[s] + (b >> 16) % 5 - 2
            if d > 500:
                d = 500
            elif d < -500:
                d = -500
            drift[s] = d
            # A triangle wave stands in for the daily cycle: tri runs 0..half and back.
            p = period[s]
            h = half[s]
            pos = (tick + phase[s]) % p
            tri = pos if pos < h else p - pos
            a = amplitude[s]
            temperature = base_temp[s] + (2 * a * tri) // h - a + d + (b >> 24) % 41 - 20
            if (b >> 32) % 1000 == 0:
                spike = 500 + (b >> 42) % 1500
                temperature += -spike if b >> 63 else spike
            # Humidity falls as the cycle warms.
            humidity = base_humidity[s] - 30 + (60 * (h + 1 - tri)) // (h + 1) + (b >> 40) % 21 - 10
            if humidity < 0:
                humidity = 0
            elif humidity > 1000:
                humidity = 1000
            level = battery[s] - drain[s]
            if level < 0:
                level = 0
            battery[s] = level
            yield (s, tick_ms + offset[s], temperature, humidity, base_pressure[s] + (b >> 48) % 11 - 5,
                   level // 1000)
        tick += 1


def telemetry_events(seed=1, sensors=1000, start_ms=0, interval_ms=1000, out_of_order_ms=0, late_fraction=0.0,
                     late_delay_ms=20000):
    """The events in send order, forever (TelemetryGenerator::Next): an event is released once the newest generated
    reading's event time has reached its ts + delay; ties go in generation order."""
    seed &= U64
    readings = readings_in_time_order(seed, sensors, start_ms, interval_ms)
    if not (out_of_order_ms > 0 or late_fraction > 0):
        return readings
    return _disordered(readings, seed, out_of_order_ms, late_fraction, late_delay_ms)


def _disordered(readings, seed, out_of_order_ms, late_fraction, late_delay_ms):
    threshold = late_threshold(late_fraction)
    late_span = late_delay_ms + 1
    jitter_span = out_of_order_ms + 1 if out_of_order_ms > 0 else 0
    state = (seed ^ DISORDER_SEED_XOR) & U64
    gamma, mul1, mul2, u64 = SPLITMIX_GAMMA, SPLITMIX_MUL1, SPLITMIX_MUL2, U64
    pending = []
    push, pop = heapq.heappush, heapq.heappop
    sequence = 0
    frontier = 0
    for e in readings:
        ts = e[1]
        frontier = ts
        state = (state + gamma) & u64
        z = ((state ^ (state >> 30)) * mul1) & u64
        z = ((z ^ (z >> 27)) * mul2) & u64
        d = z ^ (z >> 31)
        if d % 1000000 < threshold:
            delay = late_delay_ms + (d >> 20) % late_span
        elif jitter_span:
            delay = (d >> 20) % jitter_span
        else:
            delay = 0
        push(pending, (ts + delay, sequence, e))
        sequence += 1
        while pending[0][0] <= frontier:
            yield pop(pending)[2]
            if not pending:
                break


def format_centi(value):
    """value / 100 with exactly two decimals, exact: 1234.50, -0.05, 0.00 (FormatFixed)."""
    sign = "-" if value < 0 else ""
    q, r = divmod(abs(value), 100)
    return "%s%d.%02d" % (sign, q, r)


class WindowTruth:
    """Exact per-(window, sensor) aggregates of temperature in centi-degrees (window_truth.h)."""

    def __init__(self, window_ms=10000):
        self.window_ms = max(window_ms, 1)
        self.aggregates = {}  # (window_start_ms, sensor) -> [count, sum, min, max]
        self.events = 0

    def add(self, sensor, ts_ms, temperature_centi):
        w = self.window_ms
        key = (ts_ms // w * w, sensor)  # floor division: windows align to the epoch for negative times too
        a = self.aggregates.get(key)
        if a is None:
            self.aggregates[key] = [1, temperature_centi, temperature_centi, temperature_centi]
        else:
            a[0] += 1
            a[1] += temperature_centi
            if temperature_centi < a[2]:
                a[2] = temperature_centi
            elif temperature_centi > a[3]:
                a[3] = temperature_centi
        self.events += 1

    def csv(self):
        rows = [TRUTH_HEADER]
        for (start, sensor), (count, total, low, high) in sorted(self.aggregates.items()):
            rows.append("%d,%s,%d,%s,%s,%s\n" % (start, sensor_id(sensor), count, format_centi(total),
                                                  format_centi(low), format_centi(high)))
        return "".join(rows)

    def write(self, path):
        """Through a temporary file renamed into place, so a reader never sees half a file."""
        tmp = path + ".tmp"
        with open(tmp, "w", newline="") as f:
            f.write(self.csv())
        os.replace(tmp, path)


# --- command line ---

INT64_MAX = 2 ** 63 - 1
MAX_SPAN_MS = 10 ** 12   # the largest interval, delay or window in ms (about 31 years), as in floe produce
MAX_START_MS = 10 ** 15  # the latest start time, epoch ms (year 33658)


def _number(kind, low=None, high=None, low_open=False):
    """An argparse type: a decimal `kind` (int or finite float) within [low, high] ((low, high] if low_open)."""
    def parse(text):
        try:
            if kind is int and not re.fullmatch(r"[+-]?[0-9]+", text):
                raise ValueError(text)
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {'an integer' if kind is int else 'a number'}")
        if kind is float and not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
        if low is not None and (v <= low if low_open else v < low):
            raise argparse.ArgumentTypeError(f"{text} must be {'more than' if low_open else 'at least'} {low}")
        if high is not None and v > high:
            raise argparse.ArgumentTypeError(f"{text} must be at most {high}")
        return v
    return parse


def _client_property(text):
    key, eq, value = text.partition("=")
    if not eq or not key:
        raise argparse.ArgumentTypeError(f"'{text}' is not KEY=VALUE (a librdkafka property)")
    return key, value


def _parser():
    p = argparse.ArgumentParser(
        prog=PROG, description="Send simulated IoT telemetry (JSON events keyed by sensor id) to a Kafka topic: the "
        "same events as `floe produce` for the same options.")
    p.add_argument("--bootstrap", default="127.0.0.1:9092", metavar="HOST:PORT",
                   help="Kafka bootstrap servers HOST:PORT[,HOST:PORT...] (default %(default)s)")
    p.add_argument("--topic", default="telemetry", help="topic to send to (default %(default)s)")
    p.add_argument("--sensors", type=_number(int, 1, 1_000_000), default=1000, metavar="N",
                   help="number of simulated sensors (default %(default)s)")
    p.add_argument("--count", type=_number(int, 0, INT64_MAX), default=0, metavar="N",
                   help="stop after this many events (0: no limit)")
    p.add_argument("--duration", type=_number(float, 0), default=0.0, metavar="SECONDS",
                   help="stop after this many seconds (0: no limit)")
    p.add_argument("--rate", type=_number(float, 0), default=1000.0, metavar="EVENTS_PER_S",
                   help="events per second (0: as fast as possible; default %(default)s)")
    p.add_argument("--seed", type=_number(int, 0, U64), default=1,
                   help="random seed, 0..2^64-1: the same seed gives the same events (default %(default)s)")
    p.add_argument("--start-ms", type=_number(int, 0, MAX_START_MS), default=None,
                   help="event time of the first reading, epoch ms (default: now)")
    p.add_argument("--interval-ms", type=_number(int, 0, MAX_SPAN_MS, low_open=True), default=None,
                   help="event time between two readings of a sensor (default: sensors/rate, at least 1 ms; "
                   "1000 ms at --rate 0)")
    p.add_argument("--out-of-order-ms", type=_number(int, 0, MAX_SPAN_MS), default=0,
                   help="delay each event by up to this much event time (bounded disorder)")
    p.add_argument("--late-fraction", type=_number(float, 0.0, 1.0), default=0.0,
                   help="fraction of events delayed by --late-delay-ms or more (late for the stream's watermark)")
    p.add_argument("--late-delay-ms", type=_number(int, 0, MAX_SPAN_MS), default=20000,
                   help="least delay of a late event (default %(default)s)")
    p.add_argument("--truth", metavar="FILE",
                   help="write per-sensor, per-window aggregates of acknowledged events (CSV)")
    p.add_argument("--truth-window-ms", type=_number(int, 0, MAX_SPAN_MS, low_open=True), default=10000,
                   help="window size of the truth file (default %(default)s)")
    p.add_argument("--acks", choices=["all", "-1", "1", "0"], default="all",
                   help="all (idempotent producer), 1 or 0 (default %(default)s)")
    p.add_argument("--compression", choices=["none", "gzip", "snappy", "lz4", "zstd"], default="none",
                   help="record batch compression (default %(default)s)")
    p.add_argument("--linger-ms", type=_number(int, 0, INT64_MAX), default=5,
                   help="how long the client waits to fill a batch (default %(default)s)")
    p.add_argument("--timeout-ms", type=_number(int, 0, 2 ** 31 - 1, low_open=True), default=30000,
                   help="connect deadline, and each event's delivery deadline (default %(default)s)")
    p.add_argument("-X", dest="properties", type=_client_property, action="append", default=[],
                   metavar="KEY=VALUE", help="librdkafka client property (repeatable)")
    p.add_argument("--dry-run", action="store_true", help="print the events' JSON on stdout instead of sending them")
    p.add_argument("--progress-interval", type=_number(float, 0), default=1.0, metavar="SECONDS",
                   help="seconds between progress lines on stderr (0: none; default %(default)s)")
    return p


def default_interval_ms(sensors, rate):
    """N sensors at R events/s report every N/R seconds, so that event time follows the wall clock when paced;
    None when that does not fit in 64 bits."""
    if rate <= 0:
        return 1000
    interval = sensors * 1000 / rate
    return max(1, int(interval)) if interval <= MAX_SPAN_MS else None


# Events sent between two looks at the clock (pacing, --duration, Ctrl-C, delivery reports).
CHUNK = 256


class _Pacer:
    """Paces the send loop so that t seconds after the start about rate * t events were sent, and ends the run at
    --duration or on Ctrl-C / SIGTERM. `wait(seconds)` idles (the producer serves delivery reports meanwhile)."""

    def __init__(self, rate, duration, wait):
        self.rate, self.duration, self.wait = rate, duration, wait
        self.stopping = False
        self.start = time.monotonic()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.stopping = True

    def allowance(self, sent):
        """How many events may go now (at most CHUNK), after waiting if they are early; 0 when the run is over."""
        rate, duration = self.rate, self.duration
        while not self.stopping:
            elapsed = time.monotonic() - self.start
            if duration and elapsed >= duration:
                return 0
            if not rate:
                return CHUNK
            n = int(rate * elapsed) + 1 - sent
            if n > 0:
                return min(n, CHUNK)
            pause = sent / rate - elapsed
            if duration:
                pause = min(pause, duration - elapsed)
            self.wait(min(max(pause, 0.0), 0.1))
        return 0

    def elapsed(self):
        return time.monotonic() - self.start

    @staticmethod
    def restore_signals():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _error(message):
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def _summary(sent, where, seconds, value_bytes, acked, failed):
    """The same line as `floe produce` (MB is 2^20 bytes of event JSON, keys not counted)."""
    secs = max(seconds, 1e-9)
    return (f"produced {sent} events to {where} in {seconds:.3f} s ({sent / secs:.0f} events/s, "
            f"{value_bytes / secs / (1 << 20):.2f} MB/s): acked {acked}, failed {failed}")


def dry_run(args, events, truth):
    """Prints every event's JSON on its own line; the truth covers every printed event."""
    encode_lines = msgspec.json.Encoder().encode_lines
    out = sys.stdout.buffer
    batch = []
    value_bytes = [0]

    def write_batch():
        if batch:
            data = encode_lines(batch)
            out.write(data)
            out.flush()
            value_bytes[0] += len(data) - len(batch)  # the JSON without the newlines
            batch.clear()

    def wait(seconds):
        write_batch()  # a paced stream is printed as it is produced
        time.sleep(seconds)

    pacer = _Pacer(args.rate, args.duration, wait)
    count = args.count
    ids = {}
    add = truth.add if truth is not None else None
    append = batch.append
    sent = allowance = 0
    try:
        for s, ts, t, h, p, b in events:
            if count and sent == count:
                break
            if allowance <= 0:
                allowance = pacer.allowance(sent)
                if allowance <= 0:
                    break
                if len(batch) >= 4096:
                    write_batch()
            sid = ids.get(s)
            if sid is None:
                sid = ids[s] = sensor_id(s)
            append(Telemetry(sid, ts, t / 100, h / 10, p / 10, b / 1000))
            if add is not None:
                add(s, ts, t)
            sent += 1
            allowance -= 1
        write_batch()
    except BrokenPipeError:  # the reader (head, ...) has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    seconds = pacer.elapsed()
    pacer.restore_signals()
    if truth is not None:
        truth.write(args.truth)
    print(_summary(sent, "stdout", seconds, value_bytes[0], sent, 0), file=sys.stderr, flush=True)
    return 0


class _Progress:
    """A progress line on stderr every `interval` seconds, like `floe produce` (rewritten in place on a terminal)."""

    def __init__(self, interval):
        self.interval = interval
        self.terminal = sys.stderr.isatty()
        self.next_at = interval
        self.last_at = 0.0
        self.last_sent = 0
        self.printed = False

    def maybe(self, elapsed, sent, acked, failed):
        if not self.interval or elapsed < self.next_at:
            return
        self.next_at = elapsed + self.interval
        rate = (sent - self.last_sent) / max(elapsed - self.last_at, 1e-9)
        self.last_sent, self.last_at = sent, elapsed
        if self.terminal:
            sys.stderr.write(f"\rsent {sent} events ({rate:.0f}/s), acked {acked}, errors {failed}   ")
        else:
            sys.stderr.write(f"sent {sent} events ({rate:.0f}/s), acked {acked}, errors {failed}\n")
        sys.stderr.flush()
        self.printed = True

    def finish(self):
        if self.terminal and self.printed:
            sys.stderr.write("\n")


def produce(args, events, truth):
    from confluent_kafka import KafkaError, KafkaException, Producer

    stats = {"acked": 0, "failed": 0, "first_error": None}
    decode = msgspec.json.Decoder(Telemetry).decode

    def on_delivery(err, msg):
        if err is not None:
            stats["failed"] += 1
            if stats["first_error"] is None:
                stats["first_error"] = f"event not acknowledged by partition {msg.partition()}: {err.str()}"
            return
        stats["acked"] += 1
        if truth is not None:
            e = decode(msg.value())  # exact: |temperature * 100| is far below 2^52
            truth.add(int(e.sensor_id[2:]), e.ts, round(e.temperature * 100))

    client_errors = []

    def on_error(err):
        # librdkafka retries transient errors itself (they surface in delivery reports if they last); say each
        # distinct one once instead of librdkafka's log line per reconnect attempt.
        text = err.str()
        if err.fatal():
            _error(f"fatal Kafka client error: {text}")
        elif text not in client_errors and len(client_errors) < 20:
            client_errors.append(text)
            if connected:
                print(f"{PROG}: Kafka client: {text}", file=sys.stderr, flush=True)

    conf = {
        "bootstrap.servers": args.bootstrap,
        "client.id": "floe-producer-py",
        "acks": args.acks,
        "enable.idempotence": args.acks in ("all", "-1"),
        # Java's murmur2 partitioner, so a sensor lands where any Java client would put it (librdkafka's default,
        # consistent_random, hashes with CRC32).
        "partitioner": "murmur2_random",
        "compression.type": args.compression,
        "linger.ms": args.linger_ms,
        # The batching and queue limits `floe produce` uses, so the two producers are compared like for like.
        "batch.size": 1000000,
        "queue.buffering.max.messages": 1000000,
        "queue.buffering.max.kbytes": 1048576,
        "message.timeout.ms": args.timeout_ms,
        "on_delivery": on_delivery,
        "error_cb": on_error,
        "log_level": 2,  # errors reach on_error, which repeats none of them
    }
    conf.update(args.properties)
    try:
        producer = Producer(conf)
    except (KafkaException, ValueError, TypeError) as e:
        _error(f"invalid Kafka client configuration: {e}")
        return 2
    connected = False
    try:
        producer.list_topics(timeout=args.timeout_ms / 1000)
    except KafkaException as e:
        producer.poll(0)  # collects the client's errors: the first one says why (refused, unknown host, ...)
        err = e.args[0]
        cause = client_errors[0] if client_errors else err.str() if isinstance(err, KafkaError) else str(err)
        _error(f"no Kafka broker at {args.bootstrap} answered within {args.timeout_ms} ms ({cause}); is it "
               f"running? (--bootstrap, --timeout-ms)")
        return 1
    connected = True

    encode = msgspec.json.Encoder().encode
    send, poll = producer.produce, producer.poll
    topic = args.topic
    progress = _Progress(args.progress_interval)
    pacer = _Pacer(args.rate, args.duration, poll)
    count = args.count
    keys, ids = {}, {}
    sent = value_bytes = allowance = 0
    for s, ts, t, h, p, b in events:
        if count and sent == count:
            break
        if allowance <= 0:
            # Every CHUNK events (or when paced): serve delivery reports, print progress, check the clock.
            poll(0)
            progress.maybe(pacer.elapsed(), sent, stats["acked"], stats["failed"])
            allowance = pacer.allowance(sent)
            if allowance <= 0:
                break
        sid = ids.get(s)
        if sid is None:
            sid = ids[s] = sensor_id(s)
            keys[s] = sid.encode()
        value = encode(Telemetry(sid, ts, t / 100, h / 10, p / 10, b / 1000))
        while True:
            try:
                send(topic, value, keys[s])
                break
            except BufferError:  # the client's queue is full: serve delivery reports until there is room
                poll(0.001)
        sent += 1
        value_bytes += len(value)
        allowance -= 1
    pacer.restore_signals()

    # Wait for every outstanding delivery report: each event ends acknowledged or failed (message.timeout.ms).
    deadline = time.monotonic() + args.timeout_ms / 1000 + 5
    while len(producer) and time.monotonic() < deadline:
        producer.flush(0.1)
        progress.maybe(pacer.elapsed(), sent, stats["acked"], stats["failed"])
    if len(producer):
        producer.purge()
        producer.poll(0)
    seconds = pacer.elapsed()
    progress.finish()
    acked = stats["acked"]
    failed = sent - acked  # failed reports, and any still unanswered
    if truth is not None:
        truth.write(args.truth)
    print(_summary(sent, topic, seconds, value_bytes, acked, failed), flush=True)
    if failed:
        _error(f"{failed} of {sent} events were not acknowledged; first error: "
               f"{stats['first_error'] or 'none reported (delivery timed out)'}")
        return 1
    return 0


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.start_ms is None:
        args.start_ms = time.time_ns() // 1_000_000
    if args.interval_ms is None:
        args.interval_ms = default_interval_ms(args.sensors, args.rate)
        if args.interval_ms is None:
            parser.error(f"argument --rate: {args.rate} is so slow that the event interval overflows; "
                         f"give --interval-ms")
    events = telemetry_events(args.seed, args.sensors, args.start_ms, args.interval_ms, args.out_of_order_ms,
                              args.late_fraction, args.late_delay_ms)
    truth = WindowTruth(args.truth_window_ms) if args.truth else None
    try:
        if args.dry_run:
            return dry_run(args, events, truth)
        return produce(args, events, truth)
    except KeyboardInterrupt:  # a Ctrl-C before the send loop, or a second one during the final flush
        _error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
