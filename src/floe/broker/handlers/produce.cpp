// Produce: validates each partition's record batches (v2 magic, length, CRC-32C), appends them to the partition
// log as produced (offsets assigned, LogAppendTime stamped when the topic asks, never re-encoded), and answers with
// the base offset. acks=0 requests get no response at all; the server handles that.
#include <fmt/format.h>

#include "floe/base/logging.h"
#include "floe/broker/handlers/handlers.h"
#include "floe/kafka/record_batch.h"

namespace floe::broker {

using kafka::ErrorCode;
using kafka::ProduceResponse;

namespace {

// Checks every batch before any is appended, so a request is appended whole or not at all.
Status ValidateBatches(std::span<const uint8_t> records, const std::string& where) {
  if (records.empty()) return Status::InvalidArgument(fmt::format("{}: no record batches", where));
  auto batches = kafka::SplitBatches(records);
  if (!batches.ok()) return batches.status().WithContext(where);
  for (size_t i = 0; i < batches->size(); ++i) {
    auto batch = (*batches)[i];
    auto header = kafka::RecordBatchHeader::Parse(batch);
    if (!header.ok()) return header.status().WithContext(fmt::format("{}: batch {}", where, i));
    Status crc = kafka::VerifyCrc(batch);
    if (!crc.ok()) return crc.WithContext(fmt::format("{}: batch {}", where, i));
    if (header->is_transactional() || header->is_control()) {
      return Status::Unsupported(fmt::format("{}: batch {}: transactional batches are not supported", where, i));
    }
  }
  return Status::Ok();
}

ErrorCode ErrorFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kCorruption: return ErrorCode::kCorruptMessage;
    case StatusCode::kUnsupported: return ErrorCode::kUnsupportedForMessageFormat;
    case StatusCode::kInvalidArgument: return ErrorCode::kInvalidRecord;
    default: return ErrorCode::kUnknownServerError;
  }
}

}  // namespace

void HandleProduce(RequestContext& ctx, const kafka::ProduceRequest& req, kafka::ProduceResponse& resp) {
  Broker& broker = ctx.broker;
  bool acks_valid = req.acks == -1 || req.acks == 0 || req.acks == 1;
  bool appended = false;
  for (const auto& topic_data : req.topic_data) {
    ProduceResponse::TopicProduceResponse topic_resp;
    topic_resp.name = topic_data.name;
    Topic* topic = broker.FindTopic(topic_data.name);
    if (!topic && acks_valid && broker.config().auto_create_topics) {
      auto created = broker.CreateTopic(topic_data.name, broker.config().default_partitions, {});
      topic = created.ok() ? *created : broker.FindTopic(topic_data.name);
    }
    for (const auto& part : topic_data.partition_data) {
      ProduceResponse::PartitionProduceResponse pr;
      pr.index = part.index;
      pr.base_offset = -1;
      auto fail = [&](ErrorCode code, std::string message) {
        pr.error_code = kafka::Code(code);
        pr.error_message = std::move(message);
      };
      PartitionLog* log = topic && part.index >= 0 && part.index < static_cast<int32_t>(topic->partitions.size())
                              ? topic->partitions[static_cast<size_t>(part.index)].get()
                              : nullptr;
      std::string where = fmt::format("produce to {}-{}", topic_data.name, part.index);
      if (!acks_valid) {
        fail(ErrorCode::kInvalidRequiredAcks, fmt::format("acks={} is not -1, 0 or 1", req.acks));
      } else if (req.transactional_id) {
        fail(ErrorCode::kInvalidTxnState, "transactions are not supported by floe");
      } else if (!log) {
        fail(topic ? ErrorCode::kUnknownTopicOrPartition
                   : (Broker::ValidateTopicName(topic_data.name).ok() ? ErrorCode::kUnknownTopicOrPartition
                                                                      : ErrorCode::kInvalidTopicException),
             fmt::format("{}: no such topic-partition", where));
      } else if (Status st = ValidateBatches(part.records.data, where); !st.ok()) {
        FLOE_LOG_WARN("rejected produce", {{"peer", ctx.peer}, {"error", st.message()}});
        fail(ErrorFor(st), st.message());
      } else {
        // The records point into the connection's own request buffer, which is mutable and used once: the log
        // stamps offsets into it in place rather than copying.
        std::span<uint8_t> bytes(const_cast<uint8_t*>(part.records.data.data()), part.records.data.size());
        int64_t append_time = topic->log_append_time ? ctx.now_ms : -1;
        auto result = log->Append(bytes, ctx.now_ms, append_time);
        if (!result.ok()) {
          FLOE_LOG_ERROR("append failed", {{"partition", where}, {"error", result.status().message()}});
          fail(ErrorCode::kUnknownServerError, result.status().message());
        } else if (result->sequence != SequenceCheck::kOk && result->sequence != SequenceCheck::kDuplicate) {
          FLOE_LOG_WARN("rejected idempotent produce", {{"partition", where}, {"error", result->sequence_error}});
          fail(result->sequence == SequenceCheck::kFencedEpoch       ? ErrorCode::kInvalidProducerEpoch
               : result->sequence == SequenceCheck::kUnknownProducer ? ErrorCode::kUnknownProducerId
                                                                     : ErrorCode::kOutOfOrderSequenceNumber,
               fmt::format("{}: {}", where, result->sequence_error));
        } else {
          // A duplicate (a retry of a batch already written) is answered like the original append.
          pr.base_offset = result->base_offset;
          pr.log_append_time_ms = result->log_append_time_ms;
          pr.log_start_offset = log->log_start_offset();
          appended = true;
        }
      }
      topic_resp.partition_responses.push_back(std::move(pr));
    }
    resp.responses.push_back(std::move(topic_resp));
  }
  if (appended) broker.NotifyAppended();
}

}  // namespace floe::broker
