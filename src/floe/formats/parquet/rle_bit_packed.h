// The RLE / bit-packing hybrid encoding of Parquet (apache/parquet-format, Encodings.md, "Run Length Encoding /
// Bit-Packing Hybrid"), used for definition and repetition levels, dictionary indices and RLE booleans; and the
// bit-packing it shares with DELTA_BINARY_PACKED miniblocks.
//
//   encoded-data := run*
//   run          := bit-packed-run | rle-run
//   bit-packed   := ULEB128(groups << 1 | 1) then groups * bit_width bytes: 8 values per group, packed LSB first
//   rle-run      := ULEB128(count << 1) then the value in ceil(bit_width / 8) little-endian bytes
//
// The runs carry no value count: the page header says how many values there are, and the last bit-packed group is
// padded to 8 values. In v1 data pages levels are preceded by a 4-byte little-endian byte length (see
// SplitLengthPrefixed); in v2 pages and for dictionary indices they are not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "floe/base/status.h"

namespace floe::parquet {

// --- Bit-packing: groups of 8 values of `bit_width` bits in exactly `bit_width` bytes, LSB first. ---

// Unpacks `num_groups` groups (8 * num_groups values) from in[0, num_groups * bit_width). `bit_width` is 0..32 for
// 32-bit output, 0..16 for 16-bit, 0..8 for 8-bit and 0..64 for 64-bit output (the caller checks).
void UnpackBitGroups(const uint8_t* in, int bit_width, size_t num_groups, uint8_t* out);
void UnpackBitGroups(const uint8_t* in, int bit_width, size_t num_groups, uint16_t* out);
void UnpackBitGroups(const uint8_t* in, int bit_width, size_t num_groups, uint32_t* out);
void UnpackBitGroups(const uint8_t* in, int bit_width, size_t num_groups, uint64_t* out);

// Packs 8 * num_groups values, each of which must fit in `bit_width` bits (0..64; 0..32 for 32-bit input), into
// out[0, num_groups * bit_width).
void PackBitGroups(const uint32_t* in, int bit_width, size_t num_groups, uint8_t* out);
void PackBitGroups(const uint64_t* in, int bit_width, size_t num_groups, uint8_t* out);

// The number of bits needed for `max_value` (0 for 0): the bit width of levels up to a max level, or of indices
// into a dictionary of max_value + 1 entries.
inline int BitWidthOf(uint64_t max_value) {
  return max_value == 0 ? 0 : 64 - __builtin_clzll(max_value);
}

// --- The hybrid encoding. ---

// Encodes values of a fixed bit width as the hybrid runs. Like parquet-java and Arrow it starts an RLE run when 8
// or more equal values begin at a multiple of 8 values, bit-packs the rest, and ends a bit-packed run after 63
// groups so that its header stays one byte; for the same input it writes the same bytes as they do.
class RleBitPackedEncoder {
 public:
  // `bit_width` is 0..32.
  explicit RleBitPackedEncoder(int bit_width);

  // Adds one value, which must fit in bit_width bits (higher bits are dropped).
  void Put(uint32_t value);
  // Add values[0, n) or `count` copies of `value`: the same bytes as that many calls of Put, but a group of 8 at a
  // time (a run of equal groups is counted, consecutive mixed groups are packed in one call), for the writer's
  // dictionary indices and definition levels.
  void PutBatch(const uint32_t* values, size_t n);
  void PutBatch(const uint8_t* values, size_t n);
  void PutRepeated(uint32_t value, size_t count);
  // Flushes the pending values (padding the last bit-packed group with zeros), appends all runs since the last
  // Finish or Reset to *out (no length prefix), and leaves the encoder empty for reuse.
  void Finish(std::string* out);
  // Drops everything put since the last Finish.
  void Reset();
  // An upper bound of the bytes Finish would append now.
  size_t EstimatedSize() const;
  int bit_width() const { return bit_width_; }

 private:
  void FlushGroup();        // the 8 buffered values: into the bit-packed run, or dropped if they repeat
  void EndBitPackedRun();   // writes the pending bit-packed run's header into its reserved byte
  void WriteRepeatedRun();  // writes an RLE run of repeat_count_ copies of current_value_
  template <typename T>
  void PutBatchImpl(const T* values, size_t n);

  int bit_width_;
  uint32_t mask_;
  std::string buffer_;            // complete runs, plus the pending bit-packed run's header byte and groups
  uint32_t group_[8];             // values not yet packed
  int num_buffered_ = 0;          // in group_
  uint32_t current_value_ = 0;    // the value of the current repeat
  uint64_t repeat_count_ = 0;     // how many times current_value_ repeats, counted from a group boundary
  size_t bit_packed_groups_ = 0;  // groups in the pending bit-packed run
  size_t bit_packed_header_ = 0;  // offset of the pending run's header byte in buffer_
};

// Decodes hybrid runs. The decoder never reads outside `data`, which must stay live while it is in use. Every
// malformed input (a header varint longer than 5 bytes, a zero-length run, an RLE value wider than the bit width, a
// run that ends past the data) is reported as Corruption once the values it concerns are asked for. A last
// bit-packed group cut short (writers pad it to 8 values) still yields the values whose bits are present.
class RleBitPackedDecoder {
 public:
  // `bit_width` is 0..32; Get into 8- or 16-bit outputs needs a width of at most 8 or 16.
  RleBitPackedDecoder(std::string_view data, int bit_width);

  // Reads the next `n` values into out[0, n). Fails with Corruption ("... data ended after k values") when the runs
  // hold fewer; the first k values are then in `out`.
  Status Get(uint32_t* out, size_t n);
  Status Get(uint16_t* out, size_t n);
  Status Get(uint8_t* out, size_t n);
  // Skips the next `n` values; fails as Get does.
  Status Skip(size_t n);
  // If the next values are a repeated (RLE) run, sets *value and returns how many of them are left (>= 1), without
  // consuming them; returns 0 when the next values are bit-packed, the data has ended or is malformed (Get then
  // reports why). Lets a reader take a run of "all defined" levels without materializing it.
  size_t PeekRepeatedRun(uint32_t* value);

  // Values returned so far (for error messages and callers that track positions).
  uint64_t values_read() const { return values_read_; }
  int bit_width() const { return bit_width_; }

 private:
  template <typename T>
  Status GetImpl(T* out, size_t n);
  // Reads the next run header. Returns false at the end of the data or on malformed input (sets error_).
  bool NextRun();
  // Unpacks the next bit-packed group (possibly truncated at the end of the data) into group_.
  bool LoadGroup();
  Status EndedError() const;

  const uint8_t* pos_;
  const uint8_t* end_;
  const uint8_t* begin_;
  int bit_width_;
  int value_bytes_;
  uint64_t repeat_left_ = 0;  // values left in the current RLE run
  uint32_t repeat_value_ = 0;
  uint64_t bit_packed_left_ = 0;  // values left in the current bit-packed run, not counting group_
  uint32_t group_[8];             // one unpacked group
  int group_pos_ = 0, group_end_ = 0;
  uint64_t values_read_ = 0;
  std::string error_;  // why NextRun failed, empty when the data simply ended
};

// Splits the v1 data page form `<4-byte LE length><encoded-data>` off the front of `page`: returns the encoded data
// and sets *consumed to 4 + its length. Corruption if `page` is shorter than the length says.
Result<std::string_view> SplitLengthPrefixed(std::string_view page, size_t* consumed);

}  // namespace floe::parquet
