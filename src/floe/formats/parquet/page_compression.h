// Page compression of Parquet (apache/parquet-format, Compression.md): a data or dictionary page body is compressed
// whole with the column chunk's codec; the page header carries both sizes.
//
//   UNCOMPRESSED, SNAPPY (raw snappy block), GZIP (RFC 1952; concatenated members are accepted on read),
//   ZSTD (RFC 8878 frames), LZ4_RAW (one raw LZ4 block).
//   LZ4 (deprecated) is Hadoop's framing: blocks of <uncompressed length, BE u32> <compressed length, BE u32> <raw
//   LZ4 block>. Some old writers put a bare raw block under this name, so reading tries the Hadoop framing and then a
//   raw block, as Arrow does. New files should use LZ4_RAW.
//   BROTLI and LZO are not supported.
//
// Levels: 0 means the codec default, chosen as pyarrow's (Arrow C++ 26) defaults so that floe's files are
// comparable in size to pyarrow's: ZSTD 1 (pa.Codec.default_compression_level("zstd") == 1, and a pyarrow page
// recompressed with libzstd at level 1 is byte-identical; parquet-java uses 3), GZIP 9, LZ4/LZ4_RAW the fast
// compressor (levels 3..12 select LZ4 HC). SNAPPY and UNCOMPRESSED take no level.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "floe/base/status.h"
#include "floe/formats/parquet/parquet_types.h"

namespace floe::parquet {

// The level CompressPage uses for `level` 0 (0 for codecs without levels).
int DefaultCompressionLevel(CompressionCodec codec);

// Appends the compressed form of `in` to *out. InvalidArgument for a level the codec does not have or a page of
// 2^31 bytes or more (page sizes are i32); Unsupported for BROTLI, LZO and unknown codecs.
Status CompressPage(CompressionCodec codec, std::string_view in, std::string* out, int level = 0);

// Decompresses `in` into out[0, uncompressed_size) (the page header's uncompressed_page_size). Succeeds only if the
// codec produces exactly uncompressed_size bytes from all of `in`; otherwise Corruption naming the codec and what
// went wrong (corrupt data, output larger or smaller than expected, trailing bytes). Safe on any input.
Status DecompressPage(CompressionCodec codec, std::string_view in, char* out, size_t uncompressed_size);

}  // namespace floe::parquet
