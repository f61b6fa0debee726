// Value types of the Kafka protocol that are not plain C++ types (https://kafka.apache.org/protocol#protocol_types).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

namespace floe::kafka {

// UUID: 16 bytes, all zero meaning "none" (topic ids).
using Uuid = std::array<uint8_t, 16>;

// RECORDS / COMPACT_RECORDS: record batches carried as opaque bytes. Decoding does not copy: `data` points into the
// request buffer, which outlives the handler. When encoding, `data` must stay valid until the response is written.
struct RecordsRef {
  std::span<const uint8_t> data;
  bool is_null = false;
  // Encoding only: when >= 0, the records are this many bytes that the caller sends itself (a fetch response's
  // records, sent from the log file); the encoder writes their length and leaves a gap (ByteWriter::WriteGap), and
  // `data` is not used. Decoding always leaves it -1.
  int64_t external_size = -1;

  bool operator==(const RecordsRef& o) const {
    return is_null == o.is_null && external_size == o.external_size &&
           std::equal(data.begin(), data.end(), o.data.begin(), o.data.end());
  }
};

}  // namespace floe::kafka
