// NPY reading and writing: round trips, headers byte-identical to numpy.save's (the
// expected bytes are written out by hand from the format specification and checked
// against NumPy 1.24), and an error that names the file for every malformed input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/script.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "io/npy.hpp"

namespace deepbug::io {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::HasSubstr;

const at::TensorOptions kFloat32 = at::TensorOptions().dtype(at::kFloat);

class NpyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("deepbug-npy-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string writeBytes(const std::string& name, const std::string& bytes) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
  }

  // A version 1.0 file with the given header dict and data bytes (unpadded: readers
  // must not depend on the alignment).
  std::string writeNpyBytes(const std::string& name, const std::string& dict,
                            const std::string& data, char major = 1) const {
    std::string bytes("\x93NUMPY", 6);
    bytes += major;
    bytes += '\0';
    const std::string header = dict + "\n";
    const std::size_t n = header.size();
    bytes += static_cast<char>(n & 0xff);
    bytes += static_cast<char>((n >> 8) & 0xff);
    if (major != 1) bytes += std::string(2, '\0');
    return writeBytes(name, bytes + header + data);
  }

  static std::string readBytes(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  std::vector<std::string> filesInDir() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_))
      names.push_back(entry.path().filename());
    return names;
  }

  fs::path dir_;
};

std::string floatBytes(std::initializer_list<float> values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

// The error readNpy throws for `path`, checked to name the file and carry a hint.
std::string readError(const std::string& path) {
  try {
    readNpy(path);
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("'" + path + "'"));
    EXPECT_FALSE(e.hint().empty()) << e.what();
    return std::string(e.what()) + "\n  hint: " + e.hint();
  }
  ADD_FAILURE() << "readNpy accepted " << path;
  return {};
}

TEST_F(NpyFile, RoundTripsFloat32AndFloat64OfEveryRank) {
  torch::manual_seed(7);
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {0}, {1}, {7}, {2, 3}, {3, 0, 2}, {2, 3, 4, 5}, {1, 1, 1, 1, 1, 2}, {130, 70}};
  for (const auto dtype : {at::kFloat, at::kDouble}) {
    for (const auto& shape : shapes) {
      const at::Tensor original = torch::randn(shape, at::TensorOptions().dtype(dtype));
      const std::string p = path("a.npy");
      writeNpy(p, original);
      const at::Tensor back = readNpy(p);
      EXPECT_EQ(back.scalar_type(), dtype);
      EXPECT_EQ(back.sizes(), original.sizes()) << c10::str(shape);
      EXPECT_TRUE(torch::equal(back, original)) << c10::str(shape);
      // numpy.save aligns the data on 64 bytes; so do we.
      const std::string bytes = readBytes(p);
      EXPECT_EQ((bytes.size() - back.numel() * back.element_size()) % 64, 0u);
    }
  }
}

TEST_F(NpyFile, WritesNonContiguousTensorsInLogicalOrder) {
  const at::Tensor base = torch::arange(12, at::TensorOptions().dtype(at::kFloat)).view({3, 4});
  const at::Tensor transposed = base.t();  // [4, 3], strides (1, 4)
  writeNpy(path("t.npy"), transposed);
  const at::Tensor back = readNpy(path("t.npy"));
  EXPECT_TRUE(back.is_contiguous());
  EXPECT_TRUE(torch::equal(back, transposed));
  EXPECT_EQ(back[0][1].item<float>(), 4.0f);
}

TEST_F(NpyFile, HeaderIsByteIdenticalToNumpySave) {
  // numpy.save(f, numpy.arange(6, dtype=numpy.float32).reshape(2, 3)) writes these
  // bytes: magic, version 1.0, header length 118 (0x76), the dict, 20 spaces NumPy
  // reserves to grow the first axis plus 38 of alignment padding, '\n'; 128 in all.
  const std::string header = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                             "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
                             std::string(58, ' ') + "\n";
  ASSERT_EQ(header.size(), 128u);
  const at::Tensor array = torch::arange(6, at::TensorOptions().dtype(at::kFloat)).view({2, 3});
  writeNpy(path("small.npy"), array);
  EXPECT_EQ(readBytes(path("small.npy")), header + floatBytes({0, 1, 2, 3, 4, 5}));
}

TEST_F(NpyFile, ZeroDimensionalHeaderIsByteIdenticalToNumpySave) {
  // numpy.save(f, numpy.float64(2.5)): shape () gets no growth padding.
  const std::string header = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                             "{'descr': '<f8', 'fortran_order': False, 'shape': (), }" +
                             std::string(62, ' ') + "\n";
  const double value = 2.5;
  writeNpy(path("scalar.npy"), torch::tensor(value, at::TensorOptions().dtype(at::kDouble)));
  EXPECT_EQ(readBytes(path("scalar.npy")),
            header + std::string(reinterpret_cast<const char*>(&value), sizeof value));
}

TEST_F(NpyFile, HeaderPaddingFollowsNumpySaveForLongShapes) {
  // Long shapes show NumPy's two padding details: 20 spaces reserved to grow a first
  // axis of 0 ("0" is 1 of 21 digits), and a whole 64 bytes added when the header is
  // already aligned. Both files are 192 bytes (header length 182, 0xb6) from numpy.save.
  const std::string prefix("\x93NUMPY\x01\x00\xb6\x00", 10);
  const std::vector<int64_t> grows = {0, 100, 100, 100, 100, 100, 100, 100, 100, 100};
  writeNpy(path("grows.npy"), torch::zeros(grows, kFloat32));
  EXPECT_EQ(readBytes(path("grows.npy")),
            prefix +
                "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 100, 100, 100, 100, 100, "
                "100, 100, 100, 100), }" +
                std::string(20 + 60, ' ') + "\n");
  const std::vector<int64_t> aligned = {0, 10, 10, 10, 10, 10, 10, 10, 10, 1, 1, 1};
  writeNpy(path("aligned.npy"), torch::zeros(aligned, kFloat32));
  EXPECT_EQ(readBytes(path("aligned.npy")),
            prefix +
                "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 10, 10, 10, 10, 10, 10, "
                "10, 10, 1, 1, 1), }" +
                std::string(20 + 64, ' ') + "\n");
}

TEST_F(NpyFile, ReadsVersion2And3HeadersAndOtherWritersSpellings) {
  const std::string data = floatBytes({1.5f, -2.0f});
  for (const char major : {1, 2, 3}) {
    // Double quotes, no trailing comma, a Python 2 long and odd spacing are all valid
    // Python literals that other NPY writers produce.
    const std::string p = writeNpyBytes(
        "v" + std::to_string(major) + ".npy",
        "{\"descr\":\"<f4\" ,  \"shape\":(1L,2L),'fortran_order':False}", data, major);
    const at::Tensor back = readNpy(p);
    ASSERT_EQ(back.sizes(), (std::vector<int64_t>{1, 2})) << int(major);
    EXPECT_EQ(back[0][1].item<float>(), -2.0f);
  }
}

TEST_F(NpyFile, MissingFileIsAnError) {
  EXPECT_THAT(readError(path("missing.npy")), HasSubstr("does not exist"));
  EXPECT_THAT(readError(dir_.string()), HasSubstr("not a regular file"));
}

TEST_F(NpyFile, BadMagicIsAnError) {
  EXPECT_THAT(readError(writeBytes("text.npy", "hello, this is not numpy")),
              HasSubstr("not an NPY file"));
  EXPECT_THAT(readError(writeBytes("empty.npy", "")), HasSubstr("not an NPY file"));
}

TEST_F(NpyFile, UnknownVersionIsAnError) {
  const std::string p = writeNpyBytes(
      "v4.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", floatBytes({1}), 4);
  EXPECT_THAT(readError(p), HasSubstr("version 4.0"));
}

TEST_F(NpyFile, FortranOrderIsAnError) {
  const std::string p =
      writeNpyBytes("f.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                    floatBytes({1, 2, 3, 4}));
  const std::string message = readError(p);
  EXPECT_THAT(message, HasSubstr("Fortran"));
  EXPECT_THAT(message, HasSubstr("numpy.ascontiguousarray"));
}

TEST_F(NpyFile, BigEndianIsAnError) {
  const std::string p = writeNpyBytes(
      "be.npy", "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", std::string(8, '\0'));
  const std::string message = readError(p);
  EXPECT_THAT(message, HasSubstr("big-endian"));
  EXPECT_THAT(message, HasSubstr("astype('<f8')"));
}

TEST_F(NpyFile, OtherDtypesAreErrors) {
  for (const std::string descr : {"<i8", "|u1", "<f2", "<c8", "|b1"}) {
    const std::string p = writeNpyBytes(
        "d.npy", "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }",
        std::string(8, '\0'));
    const std::string message = readError(p);
    EXPECT_THAT(message, HasSubstr("'" + descr + "'"));
    EXPECT_THAT(message, HasSubstr("numpy.float32"));
  }
  const std::string p = writeNpyBytes(
      "s.npy", "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }",
      std::string(8, '\0'));
  EXPECT_THAT(readError(p), HasSubstr("structured dtype"));
}

TEST_F(NpyFile, TruncatedFilesAreErrors) {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string short_data = writeNpyBytes("short.npy", dict, floatBytes({1, 2}));
  const std::string message = readError(short_data);
  EXPECT_THAT(message, HasSubstr("truncated"));
  EXPECT_THAT(message, HasSubstr("24 bytes"));
  EXPECT_THAT(message, HasSubstr("has 8"));

  // Cut inside the header, and inside the preamble.
  std::string whole = readBytes(writeNpyBytes("whole.npy", dict, floatBytes({1, 2, 3, 4, 5, 6})));
  EXPECT_THAT(readError(writeBytes("cut_header.npy", whole.substr(0, 30))), HasSubstr("truncated"));
  EXPECT_THAT(readError(writeBytes("cut_preamble.npy", whole.substr(0, 9))),
              HasSubstr("truncated"));
}

TEST_F(NpyFile, DataLongerThanTheHeaderSaysIsAnError) {
  const std::string p =
      writeNpyBytes("long.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                    floatBytes({1, 2, 3}));
  EXPECT_THAT(readError(p), HasSubstr("does not match its header"));
}

TEST_F(NpyFile, MalformedHeadersAreErrors) {
  for (const std::string dict : {
           "not a dict",
           "{'descr': '<f4', 'fortran_order': False}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
           "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }",
           "{'descr': '<f4', 'fortran_order': False, 'shape': [1], }",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
           "{'descr': '<f4, 'fortran_order': False, 'shape': (1,), }",
       }) {
    const std::string p = writeNpyBytes("m.npy", dict, floatBytes({1}));
    EXPECT_THAT(readError(p), HasSubstr("malformed header")) << dict;
  }
}

TEST_F(NpyFile, HugeShapeInADamagedHeaderIsAnErrorNotAnAllocation) {
  const std::string p = writeNpyBytes(
      "huge.npy",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }",
      floatBytes({1}));
  EXPECT_THAT(readError(p), AnyOf(HasSubstr("truncated"), HasSubstr("impossibly large")));
}

TEST_F(NpyFile, WritingOtherDtypesIsAnErrorNamingTheFile) {
  const std::string p = path("ints.npy");
  try {
    writeNpy(p, torch::arange(3));
    FAIL() << "int64 was written";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(p));
    EXPECT_THAT(e.what(), HasSubstr("Long"));
    EXPECT_FALSE(e.hint().empty());
  }
  EXPECT_FALSE(fs::exists(p));
}

TEST_F(NpyFile, WritingIntoAMissingFolderIsAnErrorNamingTheFile) {
  const std::string p = path("no/such/folder/a.npy");
  try {
    writeNpy(p, torch::zeros({2}));
    FAIL() << "wrote into a missing folder";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(p));
    EXPECT_THAT(e.hint(), HasSubstr("folder exists"));
  }
}

TEST_F(NpyFile, ReplacesAnExistingFileWholeAndLeavesNoTemporaryFiles) {
  const std::string p = path("a.npy");
  writeNpy(p, torch::zeros({1000}));
  writeNpy(p, torch::ones({3}));
  EXPECT_TRUE(torch::equal(readNpy(p), torch::ones({3})));
  EXPECT_EQ(filesInDir(), std::vector<std::string>{"a.npy"});
}

TEST_F(NpyFile, ReplacesByRenameNeverByRewritingTheOldFileInPlace) {
  // A hard link to the old file keeps the old bytes only if the new file was written
  // elsewhere and renamed over the name: a reader (or a crash) mid-write never sees a
  // mixture of the two.
  const std::string p = path("a.npy");
  writeNpy(p, torch::zeros({5}, kFloat32));
  fs::create_hard_link(p, path("old.npy"));
  writeNpy(p, torch::ones({2, 2}, kFloat32));
  EXPECT_TRUE(torch::equal(readNpy(path("old.npy")), torch::zeros({5}, kFloat32)));
  EXPECT_TRUE(torch::equal(readNpy(p), torch::ones({2, 2}, kFloat32)));
}

TEST_F(NpyFile, FailedWriteLeavesTheTargetAloneAndNoTemporaryFile) {
  // The rename onto a non-empty folder fails after the data was written to the
  // temporary file: it must be removed and the folder left as it was.
  fs::create_directories(dir_ / "target.npy" / "inside");
  EXPECT_THROW(writeNpy(path("target.npy"), torch::ones({4})), Error);
  EXPECT_TRUE(fs::is_directory(dir_ / "target.npy" / "inside"));
  EXPECT_EQ(filesInDir(), std::vector<std::string>{"target.npy"});
}

}  // namespace
}  // namespace deepbug::io
