// libFuzzer target: arbitrary bytes as a Parquet footer (ParseFileMetaData) and as a page header (ParsePageHeader).
// Neither may crash, hang or allocate past the input. Oracle: whatever parses serializes, parses again to an equal
// structure, and serializes again to the same bytes; a page header's size is the bytes its parse consumed.
//
// Built and run by scripts/fuzz.sh; seeds in tests/fuzz/corpus/parquet_footer/ (footers and page headers pyarrow
// wrote).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "floe/formats/parquet/parquet_format.h"

namespace {

[[noreturn]] void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "parquet_footer_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

void CheckFooter(std::string_view in) {
  auto md = floe::parquet::ParseFileMetaData(in);
  if (!md.ok()) {
    if (md.status().message().empty()) Die("footer", "an error without a message");
    return;
  }
  std::string bytes;
  floe::parquet::SerializeFileMetaData(*md, &bytes);
  auto again = floe::parquet::ParseFileMetaData(bytes);
  if (!again.ok()) Die("footer: the re-serialized footer does not parse", again.status().ToString());
  if (!(*again == *md)) Die("footer", "the re-parsed footer differs");
  std::string bytes_again;
  floe::parquet::SerializeFileMetaData(*again, &bytes_again);
  if (bytes_again != bytes) Die("footer", "serialization is not stable");
}

void CheckPageHeader(std::string_view in) {
  size_t size = 0;
  auto h = floe::parquet::ParsePageHeader(in, &size);
  if (!h.ok()) {
    if (h.status().message().empty()) Die("page header", "an error without a message");
    return;
  }
  if (size == 0 || size > in.size()) Die("page header", "header size " + std::to_string(size));
  std::string bytes;
  floe::parquet::SerializePageHeader(*h, &bytes);
  bytes += "trailing page body";
  size_t size_again = 0;
  auto again = floe::parquet::ParsePageHeader(bytes, &size_again);
  if (!again.ok()) Die("page header: the re-serialized header does not parse", again.status().ToString());
  if (!(*again == *h)) Die("page header", "the re-parsed header differs");
  if (size_again != bytes.size() - std::string_view("trailing page body").size()) {
    Die("page header", "the re-parsed header size is " + std::to_string(size_again));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CheckFooter(in);
  CheckPageHeader(in);
  return 0;
}
