// FileIO: the local implementation on a temporary directory; the configuration from the environment; the S3 wire
// format (locations, addressing, canned XML responses); and S3FileIO against a scripted HTTP server for what a real
// server rarely does on demand (5xx to retry, a 200 that carries an error, a server that ignores Range).
// tests/interop/test_s3_fileio.py runs S3FileIO against a real S3 server (moto).
#include "floe/io/file_io.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "floe/io/aws_sigv4.h"
#include "floe/io/s3_file_io.h"

namespace floe::io {
namespace {

namespace fs = std::filesystem;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class LocalFileIOTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/floe-fileio-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string P(const std::string& rel) const { return dir_ + "/" + rel; }

  std::string dir_;
  LocalFileIO io_;
};

TEST_F(LocalFileIOTest, WriteThenReadGivesTheSameBytes) {
  std::string data("binary\0data\xff\n", 13);
  ASSERT_TRUE(io_.Write(P("a.bin"), data).ok());
  auto read = io_.Read(P("a.bin"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, data);
  EXPECT_EQ(*io_.Size(P("a.bin")), 13);
  ASSERT_TRUE(io_.Write(P("empty"), "").ok());
  EXPECT_EQ(*io_.Read(P("empty")), "");
  EXPECT_EQ(*io_.Size(P("empty")), 0);
}

TEST_F(LocalFileIOTest, WriteCreatesParentDirectories) {
  ASSERT_TRUE(io_.Write(P("t/metadata/deep/v1.json"), "{}").ok());
  EXPECT_EQ(*io_.Read(P("t/metadata/deep/v1.json")), "{}");
}

TEST_F(LocalFileIOTest, ReadRangeClipsAtTheEndAndRejectsRangesPastIt) {
  ASSERT_TRUE(io_.Write(P("f"), "0123456789").ok());
  EXPECT_EQ(*io_.ReadRange(P("f"), 2, 3), "234");
  EXPECT_EQ(*io_.ReadRange(P("f"), 0, 10), "0123456789");
  EXPECT_EQ(*io_.ReadRange(P("f"), 8, 100), "89");
  EXPECT_EQ(*io_.ReadRange(P("f"), 3, 0), "");
  auto past = io_.ReadRange(P("f"), 10, 1);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(past.status().message(), P("f"))) << past.status().ToString();
  EXPECT_EQ(io_.ReadRange(P("f"), -1, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(io_.ReadRange(P("missing"), 0, 0).status().code(), StatusCode::kNotFound);
}

TEST_F(LocalFileIOTest, MissingFilesAreNotFoundAndErrorsNameThePath) {
  for (auto status :
       {io_.Read(P("nope/x")).status(), io_.Size(P("nope")).status(), io_.ReadRange(P("nope"), 0, 1).status()}) {
    EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
    EXPECT_TRUE(Contains(status.message(), dir_ + "/nope")) << status.ToString();
    EXPECT_TRUE(Contains(status.message(), "No such file or directory")) << status.ToString();
  }
  fs::create_directories(P("adir"));
  auto dir_read = io_.Read(P("adir"));
  EXPECT_EQ(dir_read.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(dir_read.status().message(), "is a directory"));
  // A regular file where a parent directory should be.
  ASSERT_TRUE(io_.Write(P("file"), "x").ok());
  Status blocked = io_.Write(P("file/child"), "y");
  EXPECT_FALSE(blocked.ok());
  EXPECT_TRUE(Contains(blocked.message(), P("file/child"))) << blocked.ToString();
}

TEST_F(LocalFileIOTest, WriteReplacesAtomicallyAndLeavesNoTemporaryFiles) {
  const std::string a(1 << 20, 'a'), b(2 << 20, 'b');
  ASSERT_TRUE(io_.Write(P("t/v.json"), a).ok());
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread reader([&] {
    LocalFileIO io;
    while (!done.load()) {
      auto r = io.Read(P("t/v.json"));
      if (!r.ok() || !(*r == a || *r == b)) torn.fetch_add(1);
      reads.fetch_add(1);
    }
  });
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(io_.Write(P("t/v.json"), i % 2 == 0 ? b : a).ok());
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0) << "a reader saw a missing or partly written file in " << reads.load() << " reads";
  EXPECT_EQ(*io_.Read(P("t/v.json")), a);
  int entries = 0;
  for (const auto& e : fs::directory_iterator(P("t"))) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "v.json");
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(LocalFileIOTest, ListIsRecursiveSortedAndSkipsTemporaryFiles) {
  ASSERT_TRUE(io_.Write(P("t/data/b.parquet"), "bb").ok());
  ASSERT_TRUE(io_.Write(P("t/data/a.parquet"), "a").ok());
  ASSERT_TRUE(io_.Write(P("t/metadata/v1.json"), "{}x").ok());
  ASSERT_TRUE(io_.Write(P("t2/other"), "o").ok());
  std::ofstream(P("t/data/.floe-tmp-1-0-c.parquet")) << "half";
  fs::create_directories(P("t/empty"));

  auto all = io_.List(P("t"));
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].path, P("t/data/a.parquet"));
  EXPECT_EQ((*all)[0].size, 1);
  EXPECT_EQ((*all)[1].path, P("t/data/b.parquet"));
  EXPECT_EQ((*all)[2].path, P("t/metadata/v1.json"));
  EXPECT_EQ((*all)[2].size, 3);
  auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  EXPECT_LE(std::llabs(now_ms - (*all)[0].mtime_ms), 60'000);

  // A trailing slash lists the same directory; a partial name lists what starts with it, like an S3 prefix.
  EXPECT_EQ(io_.List(P("t/"))->size(), 3u);
  auto partial = io_.List(P("t/data/b"));
  ASSERT_EQ(partial->size(), 1u);
  EXPECT_EQ((*partial)[0].path, P("t/data/b.parquet"));
  auto siblings = io_.List(P("t"));  // a directory: t2 is not under it
  for (const auto& f : *siblings) EXPECT_FALSE(Contains(f.path, "/t2/"));
  EXPECT_EQ(io_.List(P("t-nothing"))->size(), 0u);
  EXPECT_EQ(io_.List(P("missing/dir/"))->size(), 0u);
}

TEST_F(LocalFileIOTest, DeleteIgnoresMissingFiles) {
  ASSERT_TRUE(io_.Write(P("x"), "1").ok());
  ASSERT_TRUE(io_.Write(P("y"), "2").ok());
  EXPECT_TRUE(io_.Delete(P("x")).ok());
  EXPECT_EQ(io_.Read(P("x")).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(io_.Delete(P("x")).ok());
  EXPECT_TRUE(io_.DeleteMany({P("y"), P("never")}).ok());
  EXPECT_EQ(io_.List(P(""))->size(), 0u);
  fs::create_directories(P("d"));
  EXPECT_EQ(io_.Delete(P("d")).code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalFileIOTest, WriteIfAbsentCreatesOnceThenIsAlreadyExists) {
  ASSERT_TRUE(io_.WriteIfAbsent(P("t/metadata/v1.metadata.json"), "first").ok());  // parents created
  Status again = io_.WriteIfAbsent(P("t/metadata/v1.metadata.json"), "second");
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.message(), "write if absent " + P("t/metadata/v1.metadata.json") + ": the file exists");
  EXPECT_EQ(*io_.Read(P("t/metadata/v1.metadata.json")), "first");
  // A file written by Write() counts too, and no temporary file is left behind by either outcome.
  ASSERT_TRUE(io_.Write(P("t/metadata/v2.metadata.json"), "plain").ok());
  EXPECT_EQ(io_.WriteIfAbsent(P("t/metadata/v2.metadata.json"), "x").code(), StatusCode::kAlreadyExists);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(P("t/metadata"))) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"v1.metadata.json", "v2.metadata.json"}));
  ASSERT_TRUE(io_.WriteIfAbsent("file://" + P("t/metadata/v3.metadata.json"), "").ok());
  EXPECT_EQ(*io_.Size(P("t/metadata/v3.metadata.json")), 0);
}

TEST_F(LocalFileIOTest, WriteIfAbsentHasExactlyOneWinnerAmongConcurrentWriters) {
  for (int round = 0; round < 20; ++round) {
    const std::string target = P("race/v" + std::to_string(round) + ".metadata.json");
    std::atomic<int> wins{0}, exists{0}, other{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 8; ++w) {
      writers.emplace_back([&, w] {
        LocalFileIO io;
        Status s = io.WriteIfAbsent(target, std::string(4096, static_cast<char>('a' + w)));
        if (s.ok()) {
          wins.fetch_add(1);
        } else if (s.code() == StatusCode::kAlreadyExists) {
          exists.fetch_add(1);
        } else {
          other.fetch_add(1);
        }
      });
    }
    for (auto& t : writers) t.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(exists.load(), 7);
    EXPECT_EQ(other.load(), 0);
    auto data = io_.Read(target);
    ASSERT_TRUE(data.ok());
    ASSERT_EQ(data->size(), 4096u);
    EXPECT_EQ(*data, std::string(4096, (*data)[0]));  // one writer's bytes, whole
  }
  EXPECT_EQ(io_.List(P("race"))->size(), 20u);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(P("race"))) ++entries;
  EXPECT_EQ(entries, 20) << "temporary files were left behind";
}

TEST_F(LocalFileIOTest, WriteIfAbsentErrorsNameThePath) {
  ASSERT_TRUE(io_.Write(P("file"), "x").ok());
  Status blocked = io_.WriteIfAbsent(P("file/child"), "y");  // a file where a directory should be
  EXPECT_EQ(blocked.code(), StatusCode::kIoError);
  EXPECT_TRUE(Contains(blocked.message(), "write if absent " + P("file/child"))) << blocked.ToString();
  EXPECT_EQ(io_.WriteIfAbsent(P("dir/.."), "y").code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalFileIOTest, FileUrisReachTheSameFilesAndListInTheirOwnSpelling) {
  ASSERT_TRUE(io_.Write("file://" + P("u/a.txt"), "via uri").ok());
  EXPECT_EQ(*io_.Read(P("u/a.txt")), "via uri");
  EXPECT_EQ(*io_.Read("file:" + P("u/a.txt")), "via uri");  // Hadoop's file:/path
  EXPECT_EQ(*io_.Read("file://localhost" + P("u/a.txt")), "via uri");
  auto listed = io_.List("file://" + P("u"));
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].path, "file://" + P("u/a.txt"));
  EXPECT_EQ(io_.Read("file://otherhost/x").status().code(), StatusCode::kInvalidArgument);
}

TEST(FileIOTest, ForPathPicksTheImplementationByScheme) {
  FileIOConfig config;
  config.endpoint = "http://127.0.0.1:9";
  auto local = FileIO::ForPath("/tmp/x", config);
  ASSERT_TRUE(local.ok());
  EXPECT_NE(dynamic_cast<LocalFileIO*>(local->get()), nullptr);
  EXPECT_NE(dynamic_cast<LocalFileIO*>(FileIO::ForPath("relative/x", config)->get()), nullptr);
  EXPECT_NE(dynamic_cast<LocalFileIO*>(FileIO::ForPath("file:///tmp/x", config)->get()), nullptr);
  EXPECT_NE(dynamic_cast<S3FileIO*>(FileIO::ForPath("s3://b/k", config)->get()), nullptr);
  EXPECT_NE(dynamic_cast<S3FileIO*>(FileIO::ForPath("s3a://b/k", config)->get()), nullptr);
  auto gs = FileIO::ForPath("gs://b/k", config);
  EXPECT_EQ(gs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(gs.status().message(), "gs://b/k"));
  EXPECT_TRUE(IsS3Location("s3://b"));
  EXPECT_FALSE(IsS3Location("/s3://b"));
}

TEST(FileIOTest, InvalidS3ConfigIsRejectedNamingTheField) {
  FileIOConfig config;
  config.part_size = 1 << 20;
  auto io = FileIO::ForPath("s3://b/k", config);
  EXPECT_EQ(io.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(io.status().message(), "part size")) << io.status().ToString();
  config = FileIOConfig();
  config.endpoint = "127.0.0.1:9000";
  EXPECT_TRUE(Contains(config.Validate().message(), "no scheme"));
  config.endpoint = "ftp://x";
  EXPECT_FALSE(config.Validate().ok());
  config.endpoint = "http://x/base";
  EXPECT_TRUE(Contains(config.Validate().message(), "has a path"));
  config = FileIOConfig();
  config.access_key_id = "AKID";
  EXPECT_TRUE(Contains(config.Validate().message(), "without a secret"));
  EXPECT_TRUE(FileIOConfig().Validate().ok());
}

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const char* name : kNames) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      ::unsetenv(name);
    }
    for (const auto& [name, value] : vars) ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name, value->c_str(), 1);
      } else {
        ::unsetenv(name);
      }
    }
  }

 private:
  static constexpr const char* kNames[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                           "AWS_REGION",        "AWS_DEFAULT_REGION",    "AWS_ENDPOINT_URL_S3",
                                           "AWS_ENDPOINT_URL",  "AWS_CA_BUNDLE"};
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

TEST(FileIOConfigTest, FromEnvironmentReadsTheAwsVariables) {
  ScopedEnv env({{"AWS_ACCESS_KEY_ID", "AKID"},
                 {"AWS_SECRET_ACCESS_KEY", "SECRET"},
                 {"AWS_SESSION_TOKEN", "TOKEN"},
                 {"AWS_REGION", "eu-west-1"},
                 {"AWS_DEFAULT_REGION", "us-west-2"},
                 {"AWS_ENDPOINT_URL_S3", "http://s3.local:9000"},
                 {"AWS_ENDPOINT_URL", "http://all.local:4566"}});
  FileIOConfig c = FileIOConfig::FromEnvironment();
  EXPECT_EQ(c.access_key_id, "AKID");
  EXPECT_EQ(c.secret_access_key, "SECRET");
  EXPECT_EQ(c.session_token, "TOKEN");
  EXPECT_EQ(c.region, "eu-west-1");               // AWS_REGION before AWS_DEFAULT_REGION
  EXPECT_EQ(c.endpoint, "http://s3.local:9000");  // the S3-specific endpoint first
  EXPECT_FALSE(c.path_style.has_value());
  EXPECT_EQ(c.multipart_threshold, 8 * FileIOConfig::kMiB);
  EXPECT_EQ(c.part_size, 8 * FileIOConfig::kMiB);
}

TEST(FileIOConfigTest, FallbackVariablesAndExplicitSettingsWin) {
  ScopedEnv env({{"AWS_DEFAULT_REGION", "us-west-2"}, {"AWS_ENDPOINT_URL", "http://all.local:4566"}});
  FileIOConfig c = FileIOConfig::FromEnvironment();
  EXPECT_EQ(c.region, "us-west-2");
  EXPECT_EQ(c.endpoint, "http://all.local:4566");
  EXPECT_EQ(c.access_key_id, "");
  c.region = "ap-south-1";  // a caller's explicit setting replaces the environment's
  EXPECT_EQ(c.region, "ap-south-1");
  ScopedEnv none({});
  FileIOConfig empty = FileIOConfig::FromEnvironment();
  EXPECT_EQ(empty.endpoint, "");
  EXPECT_EQ(empty.region, "");
}

// --- The S3 wire format ---

TEST(S3WireFormatTest, ParsesS3Locations) {
  auto loc = ParseS3Location("s3://lake/t/data/0.parquet");
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->scheme, "s3");
  EXPECT_EQ(loc->bucket, "lake");
  EXPECT_EQ(loc->key, "t/data/0.parquet");
  EXPECT_EQ(ParseS3Location("s3a://lake")->key, "");
  EXPECT_EQ(ParseS3Location("s3a://lake/")->scheme, "s3a");
  EXPECT_EQ(ParseS3Location("s3:///key").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseS3Location("s3://bad bucket/key").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseS3Location("/local").status().code(), StatusCode::kInvalidArgument);
}

TEST(S3WireFormatTest, PathStyleAndVirtualHostStyleTargets) {
  FileIOConfig c;
  c.endpoint = "http://127.0.0.1:9000";
  auto path = ResolveS3Target(c, "lake", "t/a b.json");  // a custom endpoint defaults to path style
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->base_url, "http://127.0.0.1:9000");
  EXPECT_EQ(path->host, "127.0.0.1:9000");
  EXPECT_EQ(path->path, "/lake/t/a b.json");
  EXPECT_EQ(ResolveS3Target(c, "lake", "")->path, "/lake");

  c.path_style = false;
  EXPECT_TRUE(Contains(ResolveS3Target(c, "lake", "k").status().message(), "IP address"));
  c.endpoint = "http://localhost:9000/";
  auto vhost = ResolveS3Target(c, "lake", "t/x");
  ASSERT_TRUE(vhost.ok()) << vhost.status().ToString();
  EXPECT_EQ(vhost->base_url, "http://lake.localhost:9000");
  EXPECT_EQ(vhost->host, "lake.localhost:9000");
  EXPECT_EQ(vhost->path, "/t/x");

  FileIOConfig aws;  // AWS itself: virtual-host style on the regional endpoint
  aws.region = "eu-central-1";
  auto a = ResolveS3Target(aws, "lake", "k");
  EXPECT_EQ(a->base_url, "https://lake.s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(a->path, "/k");
  aws.path_style = true;
  EXPECT_EQ(ResolveS3Target(aws, "lake", "k")->base_url, "https://s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(ResolveS3Target(FileIOConfig(), "b", "k")->host, "b.s3.us-east-1.amazonaws.com");
}

TEST(S3WireFormatTest, ParsesAListObjectsV2Page) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>lake</Name><Prefix>t/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>t/data/a&amp;b &lt;1&gt;.parquet</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>t/metadata/v1.json</Key><LastModified>2024-02-29T23:59:59.5Z</LastModified>
    <ETag>"x"</ETag><Size>0</Size><Owner><ID>o</ID><DisplayName>d</DisplayName></Owner>
  </Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";
  auto page = ParseListObjectsV2(xml);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "t/data/a&b <1>.parquet");
  EXPECT_EQ(page->objects[0].size, 434234);
  EXPECT_EQ(page->objects[0].mtime_ms, 1255369830000);
  EXPECT_EQ(page->objects[1].key, "t/metadata/v1.json");
  EXPECT_EQ(page->objects[1].size, 0);
  EXPECT_EQ(page->objects[1].mtime_ms, 1709251199500);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3WireFormatTest, DecodesUrlEncodedKeysAndEmptyListings) {
  const char* encoded = R"(<ListBucketResult><EncodingType>url</EncodingType><Prefix>a+b</Prefix>
<Contents><Key>a+b%2Bc/%D0%BA%D0%BB%D1%8E%D1%87%25.txt</Key><Size>7</Size></Contents>
<IsTruncated>false</IsTruncated></ListBucketResult>)";
  auto page = ParseListObjectsV2(encoded);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "a b+c/ключ%.txt");
  EXPECT_EQ(page->objects[0].mtime_ms, 0);
  EXPECT_FALSE(page->truncated);

  auto empty = ParseListObjectsV2(
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix/>"
      "<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->objects.empty());
}

TEST(S3WireFormatTest, MalformedListingsAreCorruption) {
  EXPECT_EQ(ParseListObjectsV2("<html>proxy error</html>").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(
      ParseListObjectsV2("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>").status().code(),
      StatusCode::kCorruption);
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents>"
                               "</ListBucketResult>")
                .status()
                .code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
                               "<LastModified>yesterday</LastModified></Contents></ListBucketResult>")
                .status()
                .code(),
            StatusCode::kCorruption);
}

TEST(S3WireFormatTest, ParsesErrorsUploadIdsAndTimes) {
  S3Error e = ParseS3Error(R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message>
<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>)");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The resource you requested does not exist");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(ParseS3Error("<ListBucketResult/>").code, "");

  auto id = ParseUploadId(R"(<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<Bucket>example-bucket</Bucket><Key>example-object</Key>
<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>)");
  EXPECT_EQ(*id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  EXPECT_EQ(ParseUploadId("<Error/>").status().code(), StatusCode::kCorruption);

  EXPECT_EQ(*ParseIso8601Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseIso8601Millis("1970-01-01T00:00:01.2Z"), 1200);
  EXPECT_EQ(*ParseIso8601Millis("2000-03-01T00:00:00+00:00"), 951868800000);
  EXPECT_FALSE(ParseIso8601Millis("2000-13-01T00:00:00Z").ok());
}

TEST(S3WireFormatTest, XmlHelpers) {
  EXPECT_EQ(XmlEscape("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d&apos;");
  for (std::string s : {"plain", "a&b<c>\"d'", "ключ", "&amp; literally"}) EXPECT_EQ(XmlUnescape(XmlEscape(s)), s);
  EXPECT_EQ(XmlUnescape("&#65;&#x42;&#x43A;&#128512;"), "AB\xD0\xBA\xF0\x9F\x98\x80");
  EXPECT_EQ(XmlUnescape("& &bogus; &#xZZ;"), "& &bogus; &#xZZ;");
  EXPECT_EQ(XmlFirst("<a><Keys>1</Keys><Key>2</Key></a>", "Key"), "2");  // not confused by a longer name
  EXPECT_EQ(XmlFirst("<a><Key attr=\"x\">3</Key></a>", "Key"), "3");
  EXPECT_EQ(XmlFirst("<a><Key/></a>", "Key"), "");
  EXPECT_EQ(XmlFirst("<a></a>", "Key"), std::nullopt);
  auto all = XmlAll("<r><C>1</C><C/><C>3</C></r>", "C");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], "1");
  EXPECT_EQ(all[1], "");
  EXPECT_EQ(all[2], "3");
}

// --- S3FileIO against a scripted HTTP server ---

struct FakeRequest {
  std::string method;
  std::string target;                                        // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;  // lowercase names
  std::string body;

  std::string Header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
};

struct FakeReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Serves one request per connection (answers "Connection: close"), each answered by `handler`.
class FakeHttpServer {
 public:
  explicit FakeHttpServer(std::function<FakeReply(const FakeRequest&)> handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeHttpServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<FakeRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      FakeRequest req;
      if (ReadRequest(c, &req)) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back(req);
        }
        FakeReply reply = handler_(req);
        std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nConnection: close\r\n";
        bool has_length = false;
        for (const auto& [n, v] : reply.headers) {
          out += n + ": " + v + "\r\n";
          has_length = has_length || n == "Content-Length";
        }
        if (!has_length) out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
        out += "\r\n";
        if (req.method != "HEAD") out += reply.body;
        for (size_t done = 0; done < out.size();) {
          ssize_t n = ::send(c, out.data() + done, out.size() - done, MSG_NOSIGNAL);
          if (n <= 0) break;
          done += static_cast<size_t>(n);
        }
      }
      ::close(c);
    }
  }

  static bool ReadRequest(int c, FakeRequest* req) {
    std::string data;
    char buf[65536];
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      data.append(buf, static_cast<size_t>(n));
    }
    std::string head = data.substr(0, head_end);
    size_t eol = head.find("\r\n");
    std::string line = head.substr(0, eol);
    size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    req->method = line.substr(0, sp1);
    req->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t content_length = 0;
    for (size_t pos = eol + 2; pos < head.size() && eol != std::string::npos;) {
      size_t next = head.find("\r\n", pos);
      std::string h = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      size_t colon = h.find(':');
      std::string name = h.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") content_length = std::stoul(value);
      req->headers.emplace_back(name, value);
      if (next == std::string::npos) break;
      pos = next + 2;
    }
    req->body = data.substr(head_end + 4);
    while (req->body.size() < content_length) {
      ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      req->body.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  std::function<FakeReply(const FakeRequest&)> handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<FakeRequest> requests_;
};

FakeReply S3ErrorReply(int status, const std::string& code, const std::string& message) {
  return {status,
          "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>" + message +
              "</Message><RequestId>REQ1</RequestId></Error>",
          {{"Content-Type", "application/xml"}}};
}

FileIOConfig FakeConfig(const FakeHttpServer& server) {
  FileIOConfig c;
  c.endpoint = server.endpoint();
  c.region = "eu-central-1";
  c.access_key_id = "AKIDFAKE";
  c.secret_access_key = "secret";
  c.retry_base_delay_ms = 1;
  return c;
}

std::unique_ptr<S3FileIO> MakeS3(const FileIOConfig& c) {
  auto io = S3FileIO::Make(c);
  EXPECT_TRUE(io.ok()) << io.status().ToString();
  return std::move(*io);
}

TEST(S3FileIOTest, SignsRequestsAndSendsTheirPayloadHash) {
  FakeHttpServer server([](const FakeRequest&) { return FakeReply{200, "", {{"ETag", "\"e\""}}}; });
  auto io = MakeS3(FakeConfig(server));
  ASSERT_TRUE(io->Write("s3://lake/t/a b+c.json", "{\"v\":1}").ok());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const FakeRequest& r = reqs[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/lake/t/a%20b%2Bc.json");
  EXPECT_EQ(r.body, "{\"v\":1}");
  EXPECT_EQ(r.Header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.Header("x-amz-content-sha256"), Sha256Hex("{\"v\":1}"));
  std::string auth = r.Header("authorization");
  std::string date = r.Header("x-amz-date");
  ASSERT_EQ(date.size(), 16u);
  EXPECT_EQ(auth.substr(0, auth.find(", Signature=")),
            "AWS4-HMAC-SHA256 Credential=AKIDFAKE/" + date.substr(0, 8) +
                "/eu-central-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date");
  // The signature is the one SigV4 gives for exactly what arrived.
  SigV4Request again{"PUT",
                     "/lake/t/a b+c.json",
                     {},
                     {{"host", r.Header("host")}, {"x-amz-content-sha256", r.Header("x-amz-content-sha256")}},
                     Sha256Hex(r.body)};
  EXPECT_EQ(SignRequest(&again, {"AKIDFAKE", "secret", ""}, "eu-central-1", "s3", date), auth);
}

TEST(S3FileIOTest, RetriesServerErrorsAndThenSucceeds) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const FakeRequest&) {
    if (calls.fetch_add(1) < 2) return S3ErrorReply(503, "SlowDown", "Please reduce your request rate.");
    return FakeReply{200, "payload", {}};
  });
  auto io = MakeS3(FakeConfig(server));
  auto data = io->Read("s3://lake/k");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "payload");
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(S3FileIOTest, GivesUpAfterTheRetryBudgetWithUnavailable) {
  FakeHttpServer server([](const FakeRequest&) { return S3ErrorReply(500, "InternalError", "We hit a snag."); });
  FileIOConfig c = FakeConfig(server);
  c.max_retries = 2;
  auto data = MakeS3(c)->Read("s3://lake/k");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(data.status().message(),
            "read s3://lake/k: HTTP 500 InternalError: We hit a snag (request id REQ1) (after 3 attempts)");
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(S3FileIOTest, ClientErrorsAreNotRetriedAndNameTheS3Code) {
  FakeHttpServer server([](const FakeRequest&) {
    return S3ErrorReply(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.");
  });
  auto data = MakeS3(FakeConfig(server))->Read("s3://lake/t/v1.json");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(data.status().message(), "read s3://lake/t/v1.json: HTTP 403 SignatureDoesNotMatch"))
      << data.status().ToString();
  EXPECT_TRUE(Contains(data.status().message(), "AWS_SECRET_ACCESS_KEY"));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(S3FileIOTest, MissingObjectsAreNotFoundAndDeletingThemIsFine) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.target.find("/nobucket/") == 0) return S3ErrorReply(404, "NoSuchBucket", "The bucket does not exist");
    if (r.method == "HEAD") return FakeReply{404, "", {}};
    return S3ErrorReply(404, "NoSuchKey", "The specified key does not exist.");
  });
  auto io = MakeS3(FakeConfig(server));
  auto read = io->Read("s3://lake/missing");
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(read.status().message(), "s3://lake/missing: HTTP 404 NoSuchKey"));
  auto size = io->Size("s3://lake/missing");
  EXPECT_EQ(size.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(size.status().message(), "size s3://lake/missing: HTTP 404"));
  EXPECT_TRUE(io->Delete("s3://lake/missing").ok());
  Status no_bucket = io->Delete("s3://nobucket/k");
  EXPECT_EQ(no_bucket.code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(no_bucket.message(), "NoSuchBucket"));
}

TEST(S3FileIOTest, ReadRangeAsksForTheRangeAndCopesWithServersThatIgnoreIt) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.target == "/lake/ignores") return FakeReply{200, "0123456789", {}};
    if (r.target == "/lake/short") return S3ErrorReply(416, "InvalidRange", "The requested range is not satisfiable");
    return FakeReply{206, "234", {{"Content-Range", "bytes 2-4/10"}}};
  });
  auto io = MakeS3(FakeConfig(server));
  EXPECT_EQ(*io->ReadRange("s3://lake/k", 2, 3), "234");
  EXPECT_EQ(server.requests()[0].Header("range"), "bytes=2-4");
  EXPECT_EQ(*io->ReadRange("s3://lake/ignores", 8, 5), "89");
  auto past = io->ReadRange("s3://lake/short", 100, 1);
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(past.status().message(), "InvalidRange")) << past.status().ToString();
}

TEST(S3FileIOTest, ListFollowsContinuationTokens) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.target.find("continuation-token=") == std::string::npos) {
      return FakeReply{200,
                       "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
                       "<Contents><Key>t/b</Key><Size>2</Size></Contents>"
                       "<NextContinuationToken>tok/1+=</NextContinuationToken></ListBucketResult>",
                       {}};
    }
    return FakeReply{200,
                     "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
                     "<Contents><Key>t/a%20x</Key><Size>1</Size></Contents></ListBucketResult>",
                     {}};
  });
  auto io = MakeS3(FakeConfig(server));
  auto files = io->List("s3a://lake/t/");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "s3a://lake/t/a x");
  EXPECT_EQ((*files)[1].path, "s3a://lake/t/b");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/lake?list-type=2&encoding-type=url&prefix=t%2F");
  EXPECT_EQ(reqs[1].target, "/lake?list-type=2&encoding-type=url&prefix=t%2F&continuation-token=tok%2F1%2B%3D");
}

TEST(S3FileIOTest, MultipartUploadSendsPartsInOrderAndCompletes) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.method == "POST" && r.target.find("uploads") != std::string::npos) {
      return FakeReply{
          200, "<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>", {}};
    }
    if (r.method == "PUT") return FakeReply{200, "", {{"ETag", "\"etag-" + std::to_string(r.body.size()) + "\""}}};
    return FakeReply{200, "<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>", {}};
  });
  FileIOConfig c = FakeConfig(server);
  c.multipart_threshold = 5 * FileIOConfig::kMiB;
  c.part_size = 5 * FileIOConfig::kMiB;
  std::string data(12 * FileIOConfig::kMiB, 'x');
  Status s = MakeS3(c)->Write("s3://lake/big.parquet", data);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 5u);
  EXPECT_EQ(reqs[0].target, "/lake/big.parquet?uploads");
  EXPECT_EQ(reqs[1].target, "/lake/big.parquet?partNumber=1&uploadId=u-1");
  EXPECT_EQ(reqs[1].body.size(), 5u * FileIOConfig::kMiB);
  EXPECT_EQ(reqs[3].target, "/lake/big.parquet?partNumber=3&uploadId=u-1");
  EXPECT_EQ(reqs[3].body.size(), 2u * FileIOConfig::kMiB);
  EXPECT_EQ(reqs[3].Header("x-amz-content-sha256"), Sha256Hex(reqs[3].body));
  EXPECT_EQ(reqs[4].method, "POST");
  EXPECT_EQ(reqs[4].target, "/lake/big.parquet?uploadId=u-1");
  EXPECT_TRUE(Contains(reqs[4].body,
                       "<Part><PartNumber>1</PartNumber><ETag>&quot;etag-5242880&quot;</ETag></Part>"
                       "<Part><PartNumber>2</PartNumber>"));
  EXPECT_TRUE(Contains(reqs[4].body, "<PartNumber>3</PartNumber><ETag>&quot;etag-2097152&quot;</ETag>"));
}

TEST(S3FileIOTest, AnErrorInsideA200CompleteAbortsTheUpload) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.method == "POST" && r.target.find("uploads") != std::string::npos) {
      return FakeReply{
          200, "<InitiateMultipartUploadResult><UploadId>u-2</UploadId></InitiateMultipartUploadResult>", {}};
    }
    if (r.method == "PUT") return FakeReply{200, "", {{"ETag", "\"e\""}}};
    if (r.method == "DELETE") return FakeReply{204, "", {}};
    return FakeReply{200,
                     "\n\n<Error><Code>InvalidPart</Code><Message>One or more parts could not be found"
                     "</Message></Error>",
                     {}};
  });
  FileIOConfig c = FakeConfig(server);
  c.multipart_threshold = 0;
  c.part_size = 5 * FileIOConfig::kMiB;
  Status s = MakeS3(c)->Write("s3://lake/big", std::string(6 * FileIOConfig::kMiB, 'y'));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.message(), "write (CompleteMultipartUpload) s3://lake/big: HTTP 200 InvalidPart"))
      << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "multipart upload u-2 aborted")) << s.ToString();
  auto reqs = server.requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs.back().method, "DELETE");
  EXPECT_EQ(reqs.back().target, "/lake/big?uploadId=u-2");
}

TEST(S3FileIOTest, DeleteManyBatchesPerBucketWithContentMd5) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.body.find("<Key>bad</Key>") != std::string::npos) {
      return FakeReply{200,
                       "<DeleteResult><Error><Key>bad</Key><Code>AccessDenied</Code><Message>Access Denied"
                       "</Message></Error></DeleteResult>",
                       {}};
    }
    return FakeReply{200, "<DeleteResult></DeleteResult>", {}};
  });
  auto io = MakeS3(FakeConfig(server));
  ASSERT_TRUE(io->DeleteMany({"s3://a/x", "s3://b/y", "s3://a/a&b"}).ok());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/a?delete");
  EXPECT_TRUE(Contains(reqs[0].body, "<Object><Key>x</Key></Object><Object><Key>a&amp;b</Key></Object>"));
  EXPECT_FALSE(reqs[0].Header("content-md5").empty());
  Status s = io->DeleteMany({"s3://a/bad", "s3://a/fine"});
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.message(), "delete s3://a/bad: AccessDenied")) << s.ToString();
}

TEST(S3FileIOTest, VirtualHostStyleUsesTheBucketHostName) {
  FakeHttpServer server([](const FakeRequest&) { return FakeReply{200, "v", {}}; });
  FileIOConfig c = FakeConfig(server);
  std::string port = std::to_string(server.port());
  c.endpoint = "http://s3.floe.test:" + port;
  c.path_style = false;
  c.resolve = {"lake.s3.floe.test:" + port + ":127.0.0.1"};
  auto data = MakeS3(c)->Read("s3://lake/dir/k");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/dir/k");
  EXPECT_EQ(reqs[0].Header("host"), "lake.s3.floe.test:" + port);
}

TEST(S3FileIOTest, WriteIfAbsentSendsIfNoneMatchAndMapsPreconditionFailed) {
  std::mutex mu;
  std::map<std::string, std::string> objects;
  FakeHttpServer server([&](const FakeRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (r.target == "/lake/busy") {
      return S3ErrorReply(409, "ConditionalRequestConflict",
                          "A conflicting conditional operation is currently in progress against this resource.");
    }
    if (r.method == "PUT") {
      if (r.Header("if-none-match") == "*" && objects.count(r.target)) {
        return S3ErrorReply(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
      }
      objects[r.target] = r.body;
      return FakeReply{200, "", {{"ETag", "\"e\""}}};
    }
    return FakeReply{200, objects[r.target], {}};
  });
  FileIOConfig c = FakeConfig(server);
  c.multipart_threshold = 0;  // a conditional write is one PUT whatever the size
  auto io = MakeS3(c);
  ASSERT_TRUE(io->WriteIfAbsent("s3://lake/t/v1.metadata.json", "first").ok());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].target, "/lake/t/v1.metadata.json");
  EXPECT_EQ(reqs[0].Header("if-none-match"), "*");
  EXPECT_TRUE(Contains(reqs[0].Header("authorization"), "SignedHeaders=host;if-none-match;x-amz-content-sha256"))
      << reqs[0].Header("authorization");

  Status again = io->WriteIfAbsent("s3://lake/t/v1.metadata.json", "second");
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.message(),
            "write if absent s3://lake/t/v1.metadata.json: HTTP 412 PreconditionFailed: At least one of the "
            "pre-conditions you specified did not hold (request id REQ1)");
  EXPECT_EQ(objects["/lake/t/v1.metadata.json"], "first");
  EXPECT_EQ(server.requests().size(), 2u);  // not retried, not read back

  Status busy = io->WriteIfAbsent("s3://lake/busy", "x");
  EXPECT_EQ(busy.code(), StatusCode::kConflict);
  EXPECT_TRUE(Contains(busy.message(), "write if absent s3://lake/busy: HTTP 409 ConditionalRequestConflict"))
      << busy.ToString();
  EXPECT_EQ(io->WriteIfAbsent("s3://lake/", "x").code(), StatusCode::kInvalidArgument);
}

TEST(S3FileIOTest, WriteIfAbsentRetriedAfterItsOwnWriteSucceedsWhenTheBytesAreOurs) {
  // The server stores the object and then fails the answer (503): the retry meets 412, and a read-back tells whether
  // the object is the one this call wrote.
  std::mutex mu;
  std::map<std::string, std::string> objects;
  FakeHttpServer server([&](const FakeRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (r.method == "PUT") {
      if (objects.count(r.target)) return S3ErrorReply(412, "PreconditionFailed", "Precondition failed");
      objects[r.target] = r.target == "/lake/theirs" ? "someone else" : r.body;
      return S3ErrorReply(503, "SlowDown", "Please reduce your request rate.");
    }
    return FakeReply{200, objects[r.target], {}};
  });
  auto io = MakeS3(FakeConfig(server));
  Status ours = io->WriteIfAbsent("s3://lake/ours", "metadata");
  EXPECT_TRUE(ours.ok()) << ours.ToString();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);  // PUT (stored, 503), PUT (412), GET
  EXPECT_EQ(reqs[2].method, "GET");
  Status theirs = io->WriteIfAbsent("s3://lake/theirs", "metadata");
  EXPECT_EQ(theirs.code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(Contains(theirs.message(), "HTTP 412 PreconditionFailed")) << theirs.ToString();
  EXPECT_TRUE(Contains(theirs.message(), "(after 2 attempts)")) << theirs.ToString();
}

TEST(S3FileIOTest, NetworkErrorsAreRetriedThenReportedAsUnavailable) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // nothing listens on this port now
  FileIOConfig c;
  c.endpoint = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  c.max_retries = 2;
  c.retry_base_delay_ms = 1;
  auto data = MakeS3(c)->Read("s3://lake/k");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Contains(data.status().message(), "read s3://lake/k: GET " + c.endpoint + "/lake/k: "))
      << data.status().ToString();
  EXPECT_TRUE(Contains(data.status().message(), "(after 3 attempts)")) << data.status().ToString();
}

}  // namespace
}  // namespace floe::io
