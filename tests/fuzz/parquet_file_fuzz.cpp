// libFuzzer target: arbitrary bytes as a whole Parquet file. ParquetReader::Open and reading every row group must
// return a value or an error, never crash, hang or allocate past sane bounds. Oracle: a file that reads is
// internally consistent (each column has the row group's row count, nulls only in nullable columns).
//
// Built and run by scripts/fuzz.sh; seeds in tests/fuzz/corpus/parquet_file/ (small files floe and pyarrow wrote:
// dictionary, plain, data page v2, delta and byte-stream-split encodings, several codecs).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "floe/formats/parquet/parquet_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view file(reinterpret_cast<const char*>(data), size);
  auto reader = floe::parquet::ParquetReader::Open(file, "fuzz.parquet");
  if (!reader.ok()) return 0;
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    // Bound the work per input: a footer may promise billions of rows that the pages then do not hold.
    if (reader->row_group_rows(g) > (int64_t{1} << 20)) return 0;
    auto columns = reader->ReadRowGroup(g);
    if (!columns.ok()) continue;
    for (size_t c = 0; c < columns->size(); ++c) {
      const auto& col = (*columns)[c];
      if (static_cast<int64_t>(col.size()) != reader->row_group_rows(g)) std::abort();
      if (col.null_count() > 0 && !reader->schema().fields[c].nullable) std::abort();
    }
  }
  return 0;
}
