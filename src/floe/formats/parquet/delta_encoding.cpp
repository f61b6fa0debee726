#include "floe/formats/parquet/delta_encoding.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <type_traits>

#include "floe/base/varint.h"
#include "floe/formats/parquet/rle_bit_packed.h"

namespace floe::parquet {
namespace {

constexpr uint64_t kMaxByteArrayLength = std::numeric_limits<int32_t>::max();

void AppendUleb(std::string* out, uint64_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  out->append(reinterpret_cast<const char*>(buf), EncodeUnsignedVarint(v, buf));
}

// --- DELTA_BINARY_PACKED encoding ---

template <typename T>
void EncodeDeltas(std::span<const T> values, std::string* out, DeltaBlockShape shape) {
  using U = std::make_unsigned_t<T>;
  assert(shape.block_size > 0 && shape.block_size % 128 == 0 && shape.miniblocks > 0 &&
         shape.block_size % shape.miniblocks == 0 && (shape.block_size / shape.miniblocks) % 32 == 0);
  const size_t n = values.size();
  const size_t per_miniblock = shape.block_size / shape.miniblocks;
  AppendUleb(out, shape.block_size);
  AppendUleb(out, shape.miniblocks);
  AppendUleb(out, n);
  AppendUleb(out, ZigZagEncode64(n == 0 ? 0 : values[0]));
  if (n <= 1) return;

  std::vector<U> deltas(shape.block_size);
  U prev = static_cast<U>(values[0]);
  for (size_t i = 1; i < n;) {
    const size_t k = std::min<size_t>(shape.block_size, n - i);
    // Deltas wrap in the unsigned type; the minimum is taken as signed, as the spec's zigzag min delta is.
    T min_delta = std::numeric_limits<T>::max();
    for (size_t j = 0; j < k; ++j) {
      const U v = static_cast<U>(values[i + j]);
      deltas[j] = v - prev;
      prev = v;
      min_delta = std::min(min_delta, static_cast<T>(deltas[j]));
    }
    for (size_t j = 0; j < k; ++j) deltas[j] -= static_cast<U>(min_delta);
    std::fill(deltas.begin() + k, deltas.end(), U{0});  // padding of the last miniblock
    AppendUleb(out, ZigZagEncode64(min_delta));

    const size_t used = (k + per_miniblock - 1) / per_miniblock;
    const size_t widths_at = out->size();
    out->resize(widths_at + shape.miniblocks, '\0');  // unused miniblocks keep width 0
    for (size_t m = 0; m < used; ++m) {
      U bits = 0;
      for (size_t j = m * per_miniblock; j < (m + 1) * per_miniblock; ++j) bits |= deltas[j];
      const int width = BitWidthOf(bits);
      (*out)[widths_at + m] = static_cast<char>(width);
      const size_t at = out->size();
      out->resize(at + per_miniblock / 8 * width);
      PackBitGroups(deltas.data() + m * per_miniblock, width, per_miniblock / 8,
                    reinterpret_cast<uint8_t*>(out->data() + at));
    }
    i += k;
  }
}

// --- DELTA_BINARY_PACKED decoding ---

// Reads the ULEB128 at data[*pos]; false if it is cut off or longer than 10 bytes.
bool ReadUleb(std::string_view data, size_t* pos, uint64_t* v) {
  return DecodeUnsignedVarint64(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()),
                                pos, v);
}

Status Malformed(std::string_view what, size_t offset, const std::string& problem) {
  return Status::Corruption(std::string(what) + " at byte " + std::to_string(offset) + ": " + problem);
}

// Decodes a stream of T values (int32_t or int64_t), appending them converted to O.
template <typename T, typename O>
Status DecodeDeltas(std::string_view data, size_t max_values, std::vector<O>* out, size_t* consumed,
                    std::string_view what) {
  using U = std::make_unsigned_t<T>;
  constexpr int kTypeBits = sizeof(T) * 8;
  size_t pos = 0;
  uint64_t block_size, miniblocks, count, first_zz;
  if (!ReadUleb(data, &pos, &block_size) || !ReadUleb(data, &pos, &miniblocks) || !ReadUleb(data, &pos, &count) ||
      !ReadUleb(data, &pos, &first_zz)) {
    return Malformed(what, pos, "the header is cut off or holds a varint longer than 10 bytes");
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > (uint64_t{1} << 31) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Malformed(what, 0,
                     "invalid block shape: " + std::to_string(block_size) + " values in " + std::to_string(miniblocks) +
                         " miniblocks (the block size must be a multiple of 128 and split into miniblocks of a "
                         "multiple of 32 values)");
  }
  if (count > max_values) {
    return Malformed(what, 0,
                     "the header says " + std::to_string(count) + " values, more than the " +
                         std::to_string(max_values) + " expected");
  }
  const int64_t first = ZigZagDecode64(first_zz);
  if (first < std::numeric_limits<T>::min() || first > std::numeric_limits<T>::max()) {
    return Malformed(what, 0, "first value " + std::to_string(first) + " does not fit the type");
  }
  const size_t base = out->size();
  if (count == 0) {
    *consumed = pos;
    return Status::Ok();
  }
  out->resize(base + count);
  O* dst = out->data() + base;
  auto fail = [&](size_t at, const std::string& problem) {
    out->resize(base);
    return Malformed(what, at, problem);
  };

  const size_t per_miniblock = block_size / miniblocks;
  U last = static_cast<U>(first);
  dst[0] = static_cast<O>(static_cast<T>(last));
  size_t produced = 1;
  constexpr size_t kChunkGroups = 32;
  U chunk[kChunkGroups * 8];
  while (produced < count) {
    const size_t block_at = pos;
    uint64_t min_zz;
    if (!ReadUleb(data, &pos, &min_zz)) return fail(block_at, "a block's min delta is cut off or too long");
    const int64_t min_delta64 = ZigZagDecode64(min_zz);
    if (min_delta64 < std::numeric_limits<T>::min() || min_delta64 > std::numeric_limits<T>::max()) {
      return fail(block_at, "min delta " + std::to_string(min_delta64) + " does not fit the type");
    }
    const U min_delta = static_cast<U>(static_cast<T>(min_delta64));
    if (data.size() - pos < miniblocks) return fail(block_at, "a block's miniblock bit widths are cut off");
    const auto* widths = reinterpret_cast<const uint8_t*>(data.data() + pos);
    pos += miniblocks;
    for (size_t m = 0; m < miniblocks && produced < count; ++m) {
      const int width = widths[m];
      if (width > kTypeBits) {
        return fail(block_at, "miniblock bit width " + std::to_string(width) + " exceeds the type's " +
                                  std::to_string(kTypeBits) + " bits");
      }
      const size_t take = std::min<size_t>(per_miniblock, count - produced);
      const size_t full_bytes = per_miniblock / 8 * width;
      const size_t avail = data.size() - pos;
      if (avail < full_bytes && avail < (take * width + 7) / 8) {
        return fail(pos, "a miniblock is cut off by the end of the data after " + std::to_string(produced) + " of " +
                             std::to_string(count) + " values");
      }
      const auto* src = reinterpret_cast<const uint8_t*>(data.data() + pos);
      const size_t groups = (take + 7) / 8;
      for (size_t g = 0; g < groups; g += kChunkGroups) {
        const size_t ng = std::min(kChunkGroups, groups - g);
        const size_t off = g * width;
        if (off + ng * width <= avail) {
          UnpackBitGroups(src + off, width, ng, chunk);
        } else {
          // The last miniblock without its padding: unpack from a zero-padded copy.
          uint8_t padded[kChunkGroups * 64] = {};
          std::memcpy(padded, src + off, avail - off);
          UnpackBitGroups(padded, width, ng, chunk);
        }
        const size_t nv = std::min(ng * 8, take - g * 8);
        for (size_t j = 0; j < nv; ++j) {
          last += min_delta + chunk[j];
          dst[produced + g * 8 + j] = static_cast<O>(static_cast<T>(last));
        }
      }
      produced += take;
      pos += std::min(full_bytes, avail);
    }
  }
  *consumed = pos;
  return Status::Ok();
}

// --- BYTE_STREAM_SPLIT ---

template <size_t W>
void SplitFixed(const uint8_t* in, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < W; ++k) out[k * n + i] = in[i * W + k];
  }
}
template <size_t W>
void JoinFixed(const uint8_t* in, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < W; ++k) out[i * W + k] = in[k * n + i];
  }
}

template <typename F>
Status DecodeSplitTyped(std::string_view data, std::vector<F>* out) {
  const size_t base = out->size();
  out->resize(base + data.size() / sizeof(F));
  size_t n = 0;
  Status s = DecodeByteStreamSplit(data, sizeof(F), out->data() + base, &n);
  if (!s.ok()) out->resize(base);
  return s;
}

// Checks the byte-array input of the encoders and returns each value's length.
Status ByteArrayLengths(std::span<const int64_t> offsets, std::string_view bytes, std::vector<int32_t>* lengths) {
  if (offsets.empty()) return Status::InvalidArgument("byte array encoder: offsets must hold n + 1 entries");
  if (offsets.front() < 0 || static_cast<uint64_t>(offsets.back()) > bytes.size()) {
    return Status::InvalidArgument("byte array encoder: offsets [" + std::to_string(offsets.front()) + ", " +
                                   std::to_string(offsets.back()) + "] fall outside the " +
                                   std::to_string(bytes.size()) + " bytes given");
  }
  lengths->resize(offsets.size() - 1);
  for (size_t i = 0; i + 1 < offsets.size(); ++i) {
    const int64_t len = offsets[i + 1] - offsets[i];
    if (len < 0 || static_cast<uint64_t>(len) > kMaxByteArrayLength) {
      return Status::InvalidArgument("byte array encoder: value " + std::to_string(i) + " has length " +
                                     std::to_string(len) + ", outside Parquet's 0 .. 2^31 - 1");
    }
    (*lengths)[i] = static_cast<int32_t>(len);
  }
  return Status::Ok();
}

// Prepares *offsets for appending: pushes the leading 0 and checks it matches *bytes.
Status StartAppend(std::string_view encoding, std::vector<int64_t>* offsets, const std::string& bytes) {
  if (offsets->empty()) offsets->push_back(0);
  if (offsets->back() != static_cast<int64_t>(bytes.size())) {
    return Status::InvalidArgument(std::string(encoding) + " decoder: the offsets end at " +
                                   std::to_string(offsets->back()) + " but the byte buffer holds " +
                                   std::to_string(bytes.size()) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

void EncodeDeltaBinaryPacked(std::span<const int32_t> values, std::string* out, DeltaBlockShape shape) {
  EncodeDeltas(values, out, shape);
}
void EncodeDeltaBinaryPacked(std::span<const int64_t> values, std::string* out, DeltaBlockShape shape) {
  EncodeDeltas(values, out, shape);
}

Status DecodeDeltaBinaryPacked(std::string_view data, size_t max_values, std::vector<int32_t>* out, size_t* consumed) {
  return DecodeDeltas<int32_t>(data, max_values, out, consumed, "DELTA_BINARY_PACKED (INT32)");
}
Status DecodeDeltaBinaryPacked(std::string_view data, size_t max_values, std::vector<int64_t>* out, size_t* consumed) {
  return DecodeDeltas<int64_t>(data, max_values, out, consumed, "DELTA_BINARY_PACKED (INT64)");
}

Status EncodeDeltaLengthByteArray(std::span<const int64_t> offsets, std::string_view bytes, std::string* out) {
  std::vector<int32_t> lengths;
  FLOE_RETURN_IF_ERROR(ByteArrayLengths(offsets, bytes, &lengths));
  EncodeDeltas<int32_t>(lengths, out, {});
  out->append(bytes.substr(offsets.front(), offsets.back() - offsets.front()));
  return Status::Ok();
}

Status EncodeDeltaByteArray(std::span<const int64_t> offsets, std::string_view bytes, std::string* out) {
  std::vector<int32_t> suffix_lengths;
  FLOE_RETURN_IF_ERROR(ByteArrayLengths(offsets, bytes, &suffix_lengths));
  const size_t n = suffix_lengths.size();
  std::vector<int32_t> prefix_lengths(n);
  std::string_view prev;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view v = bytes.substr(offsets[i], suffix_lengths[i]);
    const size_t limit = std::min(prev.size(), v.size());
    const size_t common = std::mismatch(v.begin(), v.begin() + limit, prev.begin()).first - v.begin();
    prefix_lengths[i] = static_cast<int32_t>(common);
    suffix_lengths[i] -= static_cast<int32_t>(common);
    prev = v;
  }
  EncodeDeltas<int32_t>(prefix_lengths, out, {});
  EncodeDeltas<int32_t>(suffix_lengths, out, {});
  for (size_t i = 0; i < n; ++i) out->append(bytes.substr(offsets[i] + prefix_lengths[i], suffix_lengths[i]));
  return Status::Ok();
}

Status DecodeDeltaLengthByteArray(std::string_view data, size_t max_values, std::vector<int64_t>* offsets,
                                  std::string* bytes, size_t* consumed) {
  constexpr std::string_view kWhat = "DELTA_LENGTH_BYTE_ARRAY";
  FLOE_RETURN_IF_ERROR(StartAppend(kWhat, offsets, *bytes));
  const size_t base = offsets->size();
  size_t used = 0;
  // The lengths land in the offsets' new slots and become end offsets in place.
  FLOE_RETURN_IF_ERROR(
      DecodeDeltas<int32_t>(data, max_values, offsets, &used, "DELTA_LENGTH_BYTE_ARRAY lengths (DELTA_BINARY_PACKED)"));
  const int64_t start = (*offsets)[base - 1];
  const uint64_t avail = data.size() - used;
  uint64_t total = 0;
  for (size_t i = base; i < offsets->size(); ++i) {
    const int64_t len = (*offsets)[i];
    if (len < 0 || (total += static_cast<uint64_t>(len)) > avail) {
      offsets->resize(base);
      return Status::Corruption(std::string(kWhat) + ": value " + std::to_string(i - base) +
                                (len < 0 ? " has negative length " + std::to_string(len)
                                         : " ends past the " + std::to_string(avail) + " bytes of data"));
    }
    (*offsets)[i] = start + static_cast<int64_t>(total);
  }
  bytes->append(data.substr(used, total));
  *consumed = used + total;
  return Status::Ok();
}

Status DecodeDeltaByteArray(std::string_view data, size_t max_values, std::vector<int64_t>* offsets, std::string* bytes,
                            size_t* consumed, size_t max_bytes) {
  constexpr std::string_view kWhat = "DELTA_BYTE_ARRAY";
  FLOE_RETURN_IF_ERROR(StartAppend(kWhat, offsets, *bytes));
  std::vector<int32_t> prefixes, suffixes;
  size_t used_prefixes = 0, used_suffixes = 0;
  FLOE_RETURN_IF_ERROR(DecodeDeltas<int32_t>(data, max_values, &prefixes, &used_prefixes,
                                             "DELTA_BYTE_ARRAY prefix lengths (DELTA_BINARY_PACKED)"));
  FLOE_RETURN_IF_ERROR(DecodeDeltas<int32_t>(data.substr(used_prefixes), prefixes.size(), &suffixes, &used_suffixes,
                                             "DELTA_BYTE_ARRAY suffix lengths (DELTA_BINARY_PACKED)"));
  const size_t n = prefixes.size();
  if (suffixes.size() != n) {
    return Status::Corruption(std::string(kWhat) + ": " + std::to_string(n) + " prefix lengths but " +
                              std::to_string(suffixes.size()) + " suffix lengths");
  }
  const size_t suffix_at = used_prefixes + used_suffixes;
  const uint64_t suffix_avail = data.size() - suffix_at;
  // First pass: check every length, so that the output is sized once and filled without reallocation.
  uint64_t total = 0, suffix_total = 0, prev_len = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t p = prefixes[i], s = suffixes[i];
    std::string problem;
    if (p < 0 || s < 0) {
      problem = "has a negative prefix or suffix length";
    } else if (static_cast<uint64_t>(p) > prev_len) {
      problem =
          "shares a prefix of " + std::to_string(p) + " bytes with a previous value of " + std::to_string(prev_len);
    } else if ((suffix_total += s) > suffix_avail) {
      problem = "ends past the " + std::to_string(suffix_avail) + " bytes of suffix data";
    } else if ((total += p + s) > max_bytes) {
      problem = "takes the decoded page past its limit of " + std::to_string(max_bytes) + " bytes";
    }
    if (!problem.empty()) {
      return Status::Corruption(std::string(kWhat) + ": value " + std::to_string(i) + " " + problem);
    }
    prev_len = p + s;
  }
  const size_t out_base = bytes->size();
  bytes->resize(out_base + total);
  offsets->reserve(offsets->size() + n);
  char* dst = bytes->data() + out_base;
  const char* suffix = data.data() + suffix_at;
  size_t at = 0, prev_at = 0;
  for (size_t i = 0; i < n; ++i) {
    // The previous value lies wholly before `at`, so the prefix copy never overlaps.
    std::memcpy(dst + at, dst + prev_at, prefixes[i]);
    std::memcpy(dst + at + prefixes[i], suffix, suffixes[i]);
    suffix += suffixes[i];
    prev_at = at;
    at += prefixes[i] + suffixes[i];
    offsets->push_back(static_cast<int64_t>(out_base + at));
  }
  *consumed = suffix_at + suffix_total;
  return Status::Ok();
}

void EncodeByteStreamSplit(const void* values, size_t value_width, size_t num_values, std::string* out) {
  const size_t at = out->size();
  out->resize(at + value_width * num_values);
  const auto* in = static_cast<const uint8_t*>(values);
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + at);
  switch (value_width) {
    case 4: SplitFixed<4>(in, num_values, dst); break;
    case 8: SplitFixed<8>(in, num_values, dst); break;
    default:
      for (size_t i = 0; i < num_values; ++i) {
        for (size_t k = 0; k < value_width; ++k) dst[k * num_values + i] = in[i * value_width + k];
      }
  }
}

Status DecodeByteStreamSplit(std::string_view data, size_t value_width, void* out, size_t* num_values) {
  if (value_width == 0 || data.size() % value_width != 0) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(data.size()) +
                              " bytes of data is not a whole number of " + std::to_string(value_width) +
                              "-byte values");
  }
  const size_t n = data.size() / value_width;
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  auto* dst = static_cast<uint8_t*>(out);
  switch (value_width) {
    case 4: JoinFixed<4>(in, n, dst); break;
    case 8: JoinFixed<8>(in, n, dst); break;
    default:
      for (size_t i = 0; i < n; ++i) {
        for (size_t k = 0; k < value_width; ++k) dst[i * value_width + k] = in[k * n + i];
      }
  }
  *num_values = n;
  return Status::Ok();
}

Status DecodeByteStreamSplit(std::string_view data, std::vector<float>* out) {
  return DecodeSplitTyped(data, out);
}
Status DecodeByteStreamSplit(std::string_view data, std::vector<double>* out) {
  return DecodeSplitTyped(data, out);
}

}  // namespace floe::parquet
