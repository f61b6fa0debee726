// floe_fileio_tool: drives floe's FileIO (src/floe/io/file_io.h) from the command line, for the S3 interop tests
// (tests/interop/test_s3_fileio.py) and for poking at a bucket by hand.
//
//   floe_fileio_tool [options] put LOCATION < data
//   floe_fileio_tool [options] put-if-absent LOCATION < data   (FileIO::WriteIfAbsent; AlreadyExists: exit 1)
//   floe_fileio_tool [options] get LOCATION [--offset N --length M] > data
//   floe_fileio_tool [options] size LOCATION
//   floe_fileio_tool [options] ls PREFIX            (one "path<TAB>size" line per object)
//   floe_fileio_tool [options] rm LOCATION...
//
// S3 settings come from the AWS environment variables (FileIOConfig::FromEnvironment) and then these options:
//   --endpoint URL  --region R  --path-style | --virtual-host  --multipart-threshold BYTES  --part-size BYTES
//   --retries N  --resolve HOST:PORT:ADDRESS (repeatable; libcurl's fixed name resolution)
// Errors go to stderr with exit status 1; usage errors exit 2.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "floe/io/file_io.h"

namespace {

constexpr const char* kUsage =
    "usage: floe_fileio_tool [options] put LOCATION < data\n"
    "       floe_fileio_tool [options] put-if-absent LOCATION < data\n"
    "       floe_fileio_tool [options] get LOCATION [--offset N --length M] > data\n"
    "       floe_fileio_tool [options] size LOCATION\n"
    "       floe_fileio_tool [options] ls PREFIX\n"
    "       floe_fileio_tool [options] rm LOCATION...\n"
    "options: --endpoint URL --region R --path-style|--virtual-host --multipart-threshold BYTES\n"
    "         --part-size BYTES --retries N --resolve HOST:PORT:ADDRESS\n";

int Usage(const std::string& why) {
  std::cerr << "floe_fileio_tool: " << why << "\n" << kUsage;
  return 2;
}

int Fail(const floe::Status& s) {
  std::cerr << "floe_fileio_tool: " << s.ToString() << "\n";
  return 1;
}

bool ParseInt(const std::string& text, int64_t* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || v < 0) return false;
  *out = v;
  return true;
}

std::string ReadStdin() {
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) data.append(buf, n);
  return data;
}

}  // namespace

int main(int argc, char** argv) {
  floe::io::FileIOConfig config = floe::io::FileIOConfig::FromEnvironment();
  std::vector<std::string> positional;
  int64_t offset = -1, length = -1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    auto number = [&](int64_t* out) {
      std::string v;
      return value(&v) && ParseInt(v, out);
    };
    int64_t n = 0;
    if (arg == "--endpoint") {
      if (!value(&config.endpoint)) return Usage("--endpoint needs a URL");
    } else if (arg == "--region") {
      if (!value(&config.region)) return Usage("--region needs a region");
    } else if (arg == "--path-style") {
      config.path_style = true;
    } else if (arg == "--virtual-host") {
      config.path_style = false;
    } else if (arg == "--multipart-threshold") {
      if (!number(&config.multipart_threshold)) return Usage("--multipart-threshold needs a byte count");
    } else if (arg == "--part-size") {
      if (!number(&config.part_size)) return Usage("--part-size needs a byte count");
    } else if (arg == "--retries") {
      if (!number(&n)) return Usage("--retries needs a count");
      config.max_retries = static_cast<int>(n);
    } else if (arg == "--resolve") {
      std::string entry;
      if (!value(&entry)) return Usage("--resolve needs HOST:PORT:ADDRESS");
      config.resolve.push_back(entry);
    } else if (arg == "--offset") {
      if (!number(&offset)) return Usage("--offset needs a byte offset");
    } else if (arg == "--length") {
      if (!number(&length)) return Usage("--length needs a byte count");
    } else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      return Usage("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() < 2) return Usage("a command and a location are required");
  const std::string& command = positional[0];
  const std::string& location = positional[1];

  auto io = floe::io::FileIO::ForPath(location, config);
  if (!io.ok()) return Fail(io.status());

  if (command == "put") {
    if (positional.size() != 2) return Usage("put takes one location");
    floe::Status s = (*io)->Write(location, ReadStdin());
    return s.ok() ? 0 : Fail(s);
  }
  if (command == "put-if-absent") {
    if (positional.size() != 2) return Usage("put-if-absent takes one location");
    floe::Status s = (*io)->WriteIfAbsent(location, ReadStdin());
    return s.ok() ? 0 : Fail(s);
  }
  if (command == "get") {
    if (positional.size() != 2) return Usage("get takes one location");
    if ((offset < 0) != (length < 0)) return Usage("--offset and --length go together");
    auto data = offset < 0 ? (*io)->Read(location) : (*io)->ReadRange(location, offset, length);
    if (!data.ok()) return Fail(data.status());
    std::fwrite(data->data(), 1, data->size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  if (command == "size") {
    if (positional.size() != 2) return Usage("size takes one location");
    auto size = (*io)->Size(location);
    if (!size.ok()) return Fail(size.status());
    std::cout << *size << "\n";
    return 0;
  }
  if (command == "ls") {
    if (positional.size() != 2) return Usage("ls takes one prefix");
    auto files = (*io)->List(location);
    if (!files.ok()) return Fail(files.status());
    for (const auto& f : *files) std::cout << f.path << "\t" << f.size << "\n";
    return 0;
  }
  if (command == "rm") {
    std::vector<std::string> paths(positional.begin() + 1, positional.end());
    floe::Status s = paths.size() == 1 ? (*io)->Delete(paths[0]) : (*io)->DeleteMany(paths);
    return s.ok() ? 0 : Fail(s);
  }
  return Usage("unknown command " + command);
}
