// Broker load tool: one librdkafka client, the same settings against floe and against Apache Kafka, so the broker
// is the only thing that differs between the two figures (bench/broker_* and bench/broker_perf.py).
//
//   floe_bench_rdkafka_perf create  --bootstrap B --topic T [--partitions 3]
//   floe_bench_rdkafka_perf produce --bootstrap B --topic T --records N [--size 100] [--acks 1|all] [--rate R]
//                                   [--linger-ms 5] [--batch-size BYTES] [--compression none] [--chunk 1000]
//   floe_bench_rdkafka_perf consume --bootstrap B --topic T --records N
//
// produce prints {"records", "seconds", "records_per_sec", "mb_per_sec", "latency_ms": {p50, p99, p999, max, avg},
// "errors", "first_error"}: throughput from the first send to the last delivery report, latency per record from the
// produce() call to its delivery report. --rate R paces sends at R records/s (0: as fast as the queue takes them).
// consume reads every partition of T from the beginning with the simple consumer (no group, no commits) until it
// has N records; it prints {"records", "seconds", "records_per_sec", "mb_per_sec"}. MB is 2^20 bytes of record
// values, as in Kafka's ProducerPerformance/ConsumerPerformance. Exit status 1 on any failure, with the reason on
// stderr.

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "rdkafka_perf: %s\n", msg.c_str());
  std::exit(1);
}

struct Args {
  std::string mode;
  std::map<std::string, std::string> opts;

  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = opts.find(k);
    return it == opts.end() ? def : it->second;
  }
  std::string Need(const std::string& k) const {
    auto it = opts.find(k);
    if (it == opts.end()) Die("missing --" + k);
    return it->second;
  }
  int64_t Int(const std::string& k, int64_t def) const {
    auto it = opts.find(k);
    if (it == opts.end()) return def;
    char* end = nullptr;
    long long v = std::strtoll(it->second.c_str(), &end, 10);
    if (end == it->second.c_str() || *end != '\0') Die("--" + k + " wants an integer, got " + it->second);
    return v;
  }
};

Args Parse(int argc, char** argv) {
  if (argc < 2) Die("usage: rdkafka_perf create|produce|consume --bootstrap B --topic T [options]");
  Args a;
  a.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || i + 1 >= argc) Die("bad argument " + k);
    a.opts[k.substr(2)] = argv[++i];
  }
  return a;
}

void Set(rd_kafka_conf_t* conf, const char* key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    Die(std::string("config ") + key + "=" + value + ": " + err);
  }
}

rd_kafka_conf_t* BaseConf(const Args& a) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Set(conf, "bootstrap.servers", a.Need("bootstrap"));
  Set(conf, "client.id", "floe-bench-rdkafka-perf");
  return conf;
}

// --- create ---

int Create(const Args& a) {
  rd_kafka_conf_t* conf = BaseConf(a);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) Die(std::string("rd_kafka_new: ") + err);
  std::string topic = a.Need("topic");
  int partitions = static_cast<int>(a.Int("partitions", 3));
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof(err));
  if (!nt) Die(std::string("NewTopic: ") + err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, 30000, err, sizeof(err));
  rd_kafka_AdminOptions_set_request_timeout(opts, 30000, err, sizeof(err));
  rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 60000);
  if (!ev) Die("CreateTopics: no answer in 60 s");
  if (rd_kafka_event_error(ev)) Die(std::string("CreateTopics: ") + rd_kafka_event_error_string(ev));
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* s = rd_kafka_topic_result_error_string(results[i]);
      Die(std::string("CreateTopics ") + topic + ": " + rd_kafka_err2name(e) + " " + (s ? s : ""));
    }
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  // Wait until the metadata shows every partition with a leader, so that produce starts against a ready topic.
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  bool ready = false;
  for (int attempt = 0; attempt < 300 && !ready; ++attempt) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
      const auto& t = md->topics[0];
      ready = t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt == partitions;
      for (int p = 0; ready && p < t.partition_cnt; ++p) ready = t.partitions[p].leader >= 0;
    }
    if (md) rd_kafka_metadata_destroy(md);
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  if (!ready) Die("topic " + topic + " has no leaders after 30 s");
  std::printf("{\"topic\": \"%s\", \"partitions\": %d}\n", topic.c_str(), partitions);
  return 0;
}

// --- produce ---

struct ProduceState {
  std::vector<int64_t> sent_ns;     // per record, when produce() accepted it
  std::vector<int32_t> latency_us;  // per delivered record
  int64_t delivered = 0;
  int64_t errors = 0;
  int64_t last_dr_ns = 0;
  std::string first_error;
  std::vector<const rd_kafka_message_t*> reports = std::vector<const rd_kafka_message_t*>(10000);  // one event's
};

// Takes the delivery reports waiting on the client's main queue (waiting up to timeout_ms for the first). Reports
// come as events of many records each (one per acknowledged batch), all delivered at the same instant, so the clock
// is read once per event rather than once per record.
void ServeDeliveries(rd_kafka_queue_t* q, ProduceState& st, int timeout_ms) {
  std::vector<const rd_kafka_message_t*>& msgs = st.reports;
  for (rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms); ev != nullptr; ev = rd_kafka_queue_poll(q, 0)) {
    if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) {
      const int64_t now = NowNs();
      st.last_dr_ns = now;
      size_t n;
      while ((n = rd_kafka_event_message_array(ev, msgs.data(), msgs.size())) > 0) {
        for (size_t i = 0; i < n; ++i) {
          const rd_kafka_message_t* m = msgs[i];
          ++st.delivered;
          if (m->err) {
            if (st.errors++ == 0) st.first_error = rd_kafka_err2str(m->err);
            continue;
          }
          auto idx = reinterpret_cast<uintptr_t>(m->_private);
          st.latency_us.push_back(static_cast<int32_t>((now - st.sent_ns[idx]) / 1000));
        }
      }
    } else if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_ERROR && rd_kafka_event_error_is_fatal(ev)) {
      Die(std::string("fatal client error: ") + rd_kafka_event_error_string(ev));
    }
    rd_kafka_event_destroy(ev);
  }
}

// The q-quantile in ms. Partial selection, not a sort: the client's CPU seconds are part of what the benchmark
// reports, and sorting 15 M latencies would add about a second to them. Asking for increasing q in turn keeps each
// selection to the part above the previous one.
double Percentile(std::vector<int32_t>& v, double q, size_t& from) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin() + static_cast<std::ptrdiff_t>(std::min(from, i)),
                   v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  from = i;
  return v[i] / 1000.0;
}

int Produce(const Args& a) {
  const int64_t records = a.Int("records", 1000000);
  const int64_t size = a.Int("size", 100);
  const int64_t rate = a.Int("rate", 0);
  rd_kafka_conf_t* conf = BaseConf(a);
  Set(conf, "acks", a.Get("acks", "1"));
  Set(conf, "linger.ms", a.Get("linger-ms", "5"));
  if (!a.Get("batch-size").empty()) Set(conf, "batch.size", a.Get("batch-size"));
  Set(conf, "compression.codec", a.Get("compression", "none"));
  Set(conf, "enable.idempotence", "false");
  Set(conf, "queue.buffering.max.messages", "1000000");
  Set(conf, "queue.buffering.max.kbytes", "1048576");
  Set(conf, "message.timeout.ms", "120000");
  ProduceState st;
  st.sent_ns.resize(static_cast<size_t>(records));
  st.latency_us.reserve(static_cast<size_t>(records));
  rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) Die(std::string("rd_kafka_new: ") + err);
  std::string topic = a.Need("topic");
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  rd_kafka_queue_t* reports = rd_kafka_queue_get_main(rk);

  std::vector<char> payload(static_cast<size_t>(size));
  uint32_t x = 2463534242u;
  for (auto& c : payload) {  // xorshift bytes: not trivially compressible, the same every run
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }

  // The topic's partition count, so records can be handed to librdkafka a chunk at a time per partition.
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t me = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
  if (me != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("metadata: ") + rd_kafka_err2str(me));
  if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt < 1) Die("topic " + topic + " not found");
  const int32_t partitions = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);

  // Records go out in chunks of --chunk, each chunk to the next partition in turn (what the sticky partitioner does
  // for keyless records, a batch at a time), through rd_kafka_produce_batch: one queue lock and clock read per chunk
  // instead of per record, so the client spends its CPU on what every Kafka client must do (build batches, send,
  // handle acks) and the broker's share of the 2 cores shows. A chunk the local queue refuses in part is resent
  // from its first refused record after serving the queue.
  const int64_t chunk = std::max<int64_t>(1, a.Int("chunk", 1000));
  std::vector<rd_kafka_message_t> msgs(static_cast<size_t>(chunk));
  const int64_t start = NowNs();
  const double interval_ns = rate > 0 ? 1e9 / static_cast<double>(rate) : 0;
  int32_t partition = 0;
  for (int64_t i = 0; i < records;) {
    int64_t n = std::min(chunk, records - i);
    if (rate > 0) {
      // Send what is due by now (at most a chunk); sleep (never spin, the broker needs the core) until the next record
      // is due when nothing is.
      int64_t now = NowNs();
      int64_t due = std::min(records, static_cast<int64_t>(static_cast<double>(now - start) / interval_ns) + 1);
      if (due <= i) {
        ServeDeliveries(reports, st, 0);
        int64_t next = start + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
        if (next > now) std::this_thread::sleep_for(std::chrono::nanoseconds(next - now));
        continue;
      }
      n = std::min(n, due - i);
    }
    const int64_t sent = NowNs();
    for (int64_t j = 0; j < n; ++j) {
      rd_kafka_message_t& m = msgs[static_cast<size_t>(j)];
      m = rd_kafka_message_t{};
      m.payload = payload.data();
      m.len = payload.size();
      m._private = reinterpret_cast<void*>(static_cast<uintptr_t>(i + j));
      st.sent_ns[static_cast<size_t>(i + j)] = sent;
    }
    int64_t done = 0;
    while (done < n) {
      const int good = rd_kafka_produce_batch(rkt, partition, 0, msgs.data() + done, static_cast<int>(n - done));
      done += good;
      if (done == n) break;
      rd_kafka_resp_err_t e = msgs[static_cast<size_t>(done)].err;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) Die(std::string("produce: ") + rd_kafka_err2str(e));
      ServeDeliveries(reports, st, 1);
      const int64_t again = NowNs();
      for (int64_t j = done; j < n; ++j) {
        msgs[static_cast<size_t>(j)].err = RD_KAFKA_RESP_ERR_NO_ERROR;
        st.sent_ns[static_cast<size_t>(i + j)] = again;
      }
    }
    partition = (partition + 1) % partitions;
    i += n;
    ServeDeliveries(reports, st, 0);
  }
  while (st.delivered < records) {
    ServeDeliveries(reports, st, 100);
    if (NowNs() - start > 600LL * 1000000000LL) Die("delivery reports missing after 600 s");
  }
  const double seconds = static_cast<double>(st.last_dr_ns - start) / 1e9;
  rd_kafka_queue_destroy(reports);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);

  size_t from = 0;
  const double p50 = Percentile(st.latency_us, 0.50, from), p99 = Percentile(st.latency_us, 0.99, from),
               p999 = Percentile(st.latency_us, 0.999, from), max = Percentile(st.latency_us, 1.0, from);
  double sum = 0;
  for (int32_t l : st.latency_us) sum += l;
  const double avg = st.latency_us.empty() ? 0 : sum / static_cast<double>(st.latency_us.size()) / 1000.0;
  const double ok = static_cast<double>(records - st.errors);
  std::printf("{\"records\": %" PRId64
              ", \"seconds\": %.3f, \"records_per_sec\": %.1f, \"mb_per_sec\": %.3f, "
              "\"latency_ms\": {\"p50\": %.3f, \"p99\": %.3f, \"p999\": %.3f, \"max\": %.3f, \"avg\": %.3f}, "
              "\"errors\": %" PRId64 ", \"first_error\": \"%s\", \"acks\": \"%s\", \"rate\": %" PRId64 "}\n",
              records, seconds, ok / seconds, ok * static_cast<double>(size) / (1024.0 * 1024.0) / seconds, p50, p99,
              p999, max, avg, st.errors, st.first_error.c_str(), a.Get("acks", "1").c_str(), rate);
  return st.errors ? 1 : 0;
}

// --- consume ---

int Consume(const Args& a) {
  const int64_t records = a.Int("records", 1000000);
  rd_kafka_conf_t* conf = BaseConf(a);
  // No group: the simple consumer (as kcat uses) reads each partition from the beginning, no coordinator, no commits.
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (!rk) Die(std::string("rd_kafka_new: ") + err);
  std::string topic = a.Need("topic");
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("metadata: ") + rd_kafka_err2str(e));
  if (md->topic_cnt != 1 || md->topics[0].err) Die("topic " + topic + " not found");
  std::vector<int32_t> partitions;
  for (int p = 0; p < md->topics[0].partition_cnt; ++p) partitions.push_back(md->topics[0].partitions[p].id);
  rd_kafka_metadata_destroy(md);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);

  const int64_t start = NowNs();
  for (int32_t p : partitions) {
    if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q) != 0) {
      Die(std::string("consume_start: ") + rd_kafka_err2str(rd_kafka_last_error()));
    }
  }
  int64_t got = 0, bytes = 0, last = start;
  std::vector<rd_kafka_message_t*> batch(10000);
  while (got < records) {
    ssize_t n = rd_kafka_consume_batch_queue(q, 1000, batch.data(), batch.size());
    int64_t now = NowNs();
    if (n < 0) Die(std::string("consume: ") + rd_kafka_err2str(rd_kafka_last_error()));
    if (n == 0 && now - last > 30LL * 1000000000LL) {
      Die("consume: no record for 30 s after " + std::to_string(got) + " of " + std::to_string(records));
    }
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[static_cast<size_t>(i)];
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) Die(std::string("consume: ") + rd_kafka_message_errstr(m));
      } else {
        ++got;
        bytes += static_cast<int64_t>(m->len);
        last = now;
      }
      rd_kafka_message_destroy(m);
    }
  }
  const double seconds = static_cast<double>(last - start) / 1e9;
  for (int32_t p : partitions) rd_kafka_consume_stop(rkt, p);
  rd_kafka_queue_destroy(q);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  std::printf("{\"records\": %" PRId64 ", \"seconds\": %.3f, \"records_per_sec\": %.1f, \"mb_per_sec\": %.3f}\n", got,
              seconds, static_cast<double>(got) / seconds, static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = Parse(argc, argv);
  if (a.mode == "create") return Create(a);
  if (a.mode == "produce") return Produce(a);
  if (a.mode == "consume") return Consume(a);
  Die("unknown mode " + a.mode + " (create, produce or consume)");
}
