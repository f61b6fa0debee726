// The delta and split encodings of Parquet (apache/parquet-format, Encodings.md):
//   DELTA_BINARY_PACKED (5)      INT32/INT64: a header <block size> <miniblocks per block> <count> <first value>
//                                (ULEB128, the first value zigzag), then blocks of <min delta (zigzag)> <one bit
//                                width byte per miniblock> <bit-packed delta - min delta per miniblock>. Arithmetic
//                                wraps in two's complement, so every sequence of the type round-trips.
//   DELTA_LENGTH_BYTE_ARRAY (6)  the lengths as DELTA_BINARY_PACKED (INT32), then the bytes back to back.
//   DELTA_BYTE_ARRAY (7)         prefix lengths shared with the previous value (DELTA_BINARY_PACKED), then the
//                                suffixes as DELTA_LENGTH_BYTE_ARRAY.
//   BYTE_STREAM_SPLIT (9)        byte k of every value in stream k; the streams back to back.
//
// Byte arrays are decoded Arrow-style into an offsets vector and one contiguous byte string: value i is
// bytes[offsets[i], offsets[i + 1]). Decoders append, so that pages can be decoded one after another into the same
// column; they never read outside `data`, bound what they allocate by `max_values` (which a reader takes from the
// page header), and report malformed input as Corruption naming the encoding and byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"

namespace floe::parquet {

// --- DELTA_BINARY_PACKED ---

// The block layout an encoder writes. The defaults are parquet-java's for both types (Arrow writes blocks of 256
// values for INT64). `block_size` must be a multiple of 128 and `block_size / miniblocks` a multiple of 32.
struct DeltaBlockShape {
  uint32_t block_size = 128;
  uint32_t miniblocks = 4;
};

// Appends the encoding of `values` to *out.
void EncodeDeltaBinaryPacked(std::span<const int32_t> values, std::string* out, DeltaBlockShape shape = {});
void EncodeDeltaBinaryPacked(std::span<const int64_t> values, std::string* out, DeltaBlockShape shape = {});

// Decodes one DELTA_BINARY_PACKED stream from the front of `data`, appends its values to *out and sets *consumed to
// the bytes the stream took (what follows may be other data, as in DELTA_LENGTH_BYTE_ARRAY). Corruption if the
// header's value count exceeds `max_values`, a bit width exceeds the type's width, or the data ends early. A last
// miniblock cut short after its last value's bits is accepted (*consumed is then data.size()).
Status DecodeDeltaBinaryPacked(std::string_view data, size_t max_values, std::vector<int32_t>* out, size_t* consumed);
Status DecodeDeltaBinaryPacked(std::string_view data, size_t max_values, std::vector<int64_t>* out, size_t* consumed);

// --- Byte arrays ---

// Value i of the input is bytes[offsets[i], offsets[i + 1]): `offsets` has n + 1 non-decreasing entries (a slice of
// a column's offsets works with the column's whole byte buffer). InvalidArgument if a value is longer than
// 2^31 - 1 bytes (Parquet's limit) or the offsets do not fit `bytes`.
Status EncodeDeltaLengthByteArray(std::span<const int64_t> offsets, std::string_view bytes, std::string* out);
Status EncodeDeltaByteArray(std::span<const int64_t> offsets, std::string_view bytes, std::string* out);

// Append the decoded values: if *offsets is empty a 0 is pushed first; then one end offset per value, and the bytes
// to *bytes (on entry offsets->back() must equal bytes->size()). `max_values` bounds the value count;
// DELTA_BYTE_ARRAY output, which can be far larger than its input, is also bounded by `max_bytes`.
Status DecodeDeltaLengthByteArray(std::string_view data, size_t max_values, std::vector<int64_t>* offsets,
                                  std::string* bytes, size_t* consumed);
Status DecodeDeltaByteArray(std::string_view data, size_t max_values, std::vector<int64_t>* offsets, std::string* bytes,
                            size_t* consumed, size_t max_bytes = size_t{1} << 30);

// --- BYTE_STREAM_SPLIT ---

// Appends the split form of `num_values` values of `value_width` bytes each (4 for FLOAT/INT32, 8 for
// DOUBLE/INT64, the length of a FIXED_LEN_BYTE_ARRAY) stored back to back at `values`.
void EncodeByteStreamSplit(const void* values, size_t value_width, size_t num_values, std::string* out);
// Writes the data.size() / value_width values of `data` back to back to `out` (room for data.size() bytes). The
// streams have no header and fill the page's value section exactly, so all of `data` is consumed and a size that is
// not a multiple of `value_width` is Corruption; *num_values receives the count.
Status DecodeByteStreamSplit(std::string_view data, size_t value_width, void* out, size_t* num_values);

// Typed forms for FLOAT and DOUBLE columns; the decoders append all values of `data`.
inline void EncodeByteStreamSplit(std::span<const float> values, std::string* out) {
  EncodeByteStreamSplit(values.data(), sizeof(float), values.size(), out);
}
inline void EncodeByteStreamSplit(std::span<const double> values, std::string* out) {
  EncodeByteStreamSplit(values.data(), sizeof(double), values.size(), out);
}
Status DecodeByteStreamSplit(std::string_view data, std::vector<float>* out);
Status DecodeByteStreamSplit(std::string_view data, std::vector<double>* out);

}  // namespace floe::parquet
