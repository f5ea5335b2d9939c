#include "io/npy.hpp"

#include <fcntl.h>
#include <torch/script.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/error.hpp"

// NPY stores the data in the byte order its header names; only '<' (little-endian) is
// supported, so the data can be read straight into tensor memory on a little-endian
// host and nowhere else.
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "io/npy.cpp reads and writes little-endian data in place: it needs a little-endian host"
#endif

namespace deepbug::io {

namespace fs = std::filesystem;

namespace {

// The format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kAlignment = 64;  // NumPy's ARRAY_ALIGN: data starts on it
// numpy.save (NumPy 1.24, Debian bookworm's) leaves room in the header to grow the
// first axis in place; writing the same spaces keeps our files byte-identical to its.
constexpr std::size_t kGrowthAxisMaxDigits = 21;

const char* const kSaveHint = "save it with numpy.save(path, array.astype(numpy.float32))";
const char* const kResaveHint =
    "the file was cut short or damaged (an interrupted copy or save?); save it again "
    "with numpy.save";

[[noreturn]] void fail(const std::string& path, const std::string& what,
                       const std::string& hint = kSaveHint) {
  throw Error("NPY file '" + path + "' " + what, hint);
}

std::string errnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

std::string shapeText(const std::vector<int64_t>& shape) {
  // Python's repr of a tuple: (), (5,), (2, 3).
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

// The header is a Python dict literal, e.g. "{'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), }". NumPy evaluates it with ast.literal_eval; this parser accepts
// the subset any NPY writer produces for the three keys (either quote style, Python 2's
// "3L" integers) and rejects everything else as malformed.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  Header parse() {
    Header header;
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (!peekIs('}')) {
      const std::string key = parseString();
      expect(':');
      if (key == "descr") {
        header.descr = parseDescr();
        has_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = parseBool();
        has_order = true;
      } else if (key == "shape") {
        header.shape = parseShape();
        has_shape = true;
      } else {
        malformed("unknown key '" + key + "'");
      }
      if (!consume(',')) break;
    }
    expect('}');
    skipSpace();
    if (pos_ != text_.size()) malformed("text after the closing brace");
    if (!has_descr) malformed("no 'descr' key");
    if (!has_order) malformed("no 'fortran_order' key");
    if (!has_shape) malformed("no 'shape' key");
    return header;
  }

 private:
  [[noreturn]] void malformed(const std::string& what) const {
    const std::size_t end = text_.find_last_not_of(" \n");  // padding says nothing
    fail(path_, "has a malformed header (" + what + "): " + std::string(text_.substr(0, end + 1)),
         kResaveHint);
  }

  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
  }
  bool peekIs(char c) {
    skipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool consume(char c) {
    if (!peekIs(c)) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!consume(c)) malformed(std::string("expected '") + c + "'");
  }

  std::string parseString() {
    skipSpace();
    const char quote = pos_ < text_.size() ? text_[pos_] : '\0';
    if (quote != '\'' && quote != '"') malformed("expected a quoted string");
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) malformed("unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return value;
  }

  std::string parseDescr() {
    // A list here is a structured dtype (record array): named fields, not one number
    // per element.
    if (peekIs('[')) {
      fail(path_,
           "holds a structured dtype; only float32 ('<f4') and float64 ('<f8') are supported");
    }
    return parseString();
  }

  bool parseBool() {
    skipSpace();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::string_view w(word);
      if (text_.substr(pos_, w.size()) == w) {
        pos_ += w.size();
        return value;
      }
    }
    malformed("expected True or False");
  }

  std::vector<int64_t> parseShape() {
    std::vector<int64_t> shape;
    expect('(');
    while (!peekIs(')')) {
      shape.push_back(parseDimension());
      if (!consume(',')) break;
    }
    expect(')');
    return shape;
  }

  int64_t parseDimension() {
    skipSpace();
    const std::size_t start = pos_;
    int64_t value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      const int digit = text_[pos_] - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) {
        malformed("a dimension is too large");
      }
      value = value * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) malformed("expected a non-negative integer dimension");
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 long literal
    return value;
  }

  std::string_view text_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

at::ScalarType dtypeOf(const std::string& path, const std::string& descr) {
  if (descr == "<f4") return at::kFloat;
  if (descr == "<f8") return at::kDouble;
  if (descr == ">f4" || descr == ">f8") {
    fail(path, "holds big-endian data ('" + descr + "'); only little-endian is supported",
         "save it with numpy.save(path, array.astype('<" + descr.substr(1) + "'))");
  }
  fail(path, "holds dtype '" + descr + "'; only float32 ('<f4') and float64 ('<f8') are supported");
}

// Reads exactly `size` bytes or reports the file as truncated.
void readExactly(std::ifstream& in, char* data, std::size_t size, const std::string& path,
                 const char* part) {
  in.read(data, static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) {
    fail(path, std::string("is truncated: its ") + part + " is cut short", kResaveHint);
  }
}

uint32_t littleEndian(const unsigned char* bytes, std::size_t count) {
  uint32_t value = 0;
  for (std::size_t i = count; i-- > 0;)
    value = (value << 8) | bytes[i];
  return value;
}

}  // namespace

at::Tensor readNpy(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    fail(path, "does not exist", "check the path (relative paths start at the working folder)");
  }
  if (!fs::is_regular_file(status))
    fail(path, "is not a regular file", "give the path of a .npy file");
  const auto file_size = static_cast<std::size_t>(fs::file_size(path, ec));
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) fail(path, "cannot be opened: " + errnoText(errno), "check its permissions");

  // Preamble: magic, major and minor version, header length (2 bytes in 1.0, 4 after).
  std::array<unsigned char, 12> preamble{};
  auto* raw = reinterpret_cast<char*>(preamble.data());
  in.read(raw, 8);
  if (in.gcount() < static_cast<std::streamsize>(kMagic.size()) ||
      std::string_view(raw, kMagic.size()) != kMagic) {
    fail(path, "is not an NPY file: it does not start with the NPY magic string \\x93NUMPY");
  }
  if (in.gcount() != 8) fail(path, "is truncated: its preamble is cut short", kResaveHint);
  const int major = preamble[6];
  const int minor = preamble[7];
  if (minor != 0 || major < 1 || major > 3) {
    fail(path, "has NPY format version " + std::to_string(major) + "." + std::to_string(minor) +
                   "; versions 1.0, 2.0 and 3.0 are supported");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  readExactly(in, raw + 8, length_bytes, path, "preamble");
  const std::size_t header_size = littleEndian(preamble.data() + 8, length_bytes);
  const std::size_t data_offset = 8 + length_bytes + header_size;
  if (data_offset > file_size) fail(path, "is truncated: its header is cut short", kResaveHint);
  std::string header_text(header_size, '\0');
  readExactly(in, header_text.data(), header_size, path, "header");

  const Header header = HeaderParser(header_text, path).parse();
  const at::ScalarType dtype = dtypeOf(path, header.descr);
  if (header.fortran_order) {
    fail(path, "holds a Fortran-order (column-major) array; only C order is supported",
         "save it with numpy.save(path, numpy.ascontiguousarray(array))");
  }

  // Size from the header, checked against the file before allocating: a damaged
  // header must not make us allocate terabytes.
  const std::size_t item_size = dtype == at::kFloat ? 4 : 8;
  std::size_t expected = item_size;
  for (const int64_t dim : header.shape) {
    const auto d = static_cast<std::size_t>(dim);
    if (d != 0 && expected > std::numeric_limits<std::size_t>::max() / d) {
      fail(path, "has an impossibly large shape " + shapeText(header.shape), kResaveHint);
    }
    expected *= d;
  }
  const std::size_t available = file_size - data_offset;
  const std::string described = "shape " + shapeText(header.shape) + " of " +
                                (dtype == at::kFloat ? "float32" : "float64") + " needs " +
                                std::to_string(expected) + " bytes of data";
  if (available < expected) {
    fail(path, "is truncated: " + described + ", the file has " + std::to_string(available),
         kResaveHint);
  }
  if (available > expected) {
    fail(path,
         "does not match its header: " + described + ", the file has " + std::to_string(available),
         "the header and the data disagree; save the array again with numpy.save");
  }

  at::Tensor tensor = at::empty(header.shape, at::TensorOptions().dtype(dtype));
  if (expected > 0) {
    readExactly(in, static_cast<char*>(tensor.data_ptr()), expected, path, "data");
  }
  return tensor;
}

namespace {

// What numpy.save writes before the data: magic, version 1.0, header length, and the
// dict padded with spaces and ended by '\n' so that the data starts on a multiple of 64.
std::string npyPreamble(const at::Tensor& tensor) {
  const std::vector<int64_t> shape = tensor.sizes().vec();
  std::string dict = std::string("{'descr': '") +
                     (tensor.scalar_type() == at::kFloat ? "<f4" : "<f8") +
                     "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
  if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
  // NumPy's rule, including its quirk of adding a whole 64 bytes when already aligned.
  const std::size_t prefix = kMagic.size() + 2 + 2;
  const std::size_t with_newline = dict.size() + 1;
  const std::size_t padding = kAlignment - (prefix + with_newline) % kAlignment;
  const std::size_t header_size = with_newline + padding;
  TORCH_CHECK(header_size <= std::numeric_limits<uint16_t>::max(), "NPY header too long");

  std::string bytes(kMagic);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header_size & 0xff);
  bytes += static_cast<char>(header_size >> 8);
  bytes += dict;
  bytes.append(padding, ' ');
  bytes += '\n';
  return bytes;
}

// Closes the file and removes the temporary file unless the rename happened.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!renamed_) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  bool isOpen() const { return fd_ >= 0; }

  // Returns 0 or the errno of the failure.
  int write(const char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t written = ::write(fd_, data, size);
      if (written < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      data += written;
      size -= static_cast<std::size_t>(written);
    }
    return 0;
  }

  // Flushes to disk (so the rename never exposes a file whose data is not there yet),
  // closes and renames onto `target`. Returns 0 or the errno of the failure.
  int commit(const std::string& target) {
    if (::fsync(fd_) != 0) return errno;
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return errno;
    if (::rename(path_.c_str(), target.c_str()) != 0) return errno;
    renamed_ = true;
    return 0;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool renamed_ = false;
};

}  // namespace

void writeNpy(const std::string& path, const at::Tensor& tensor) {
  if (!tensor.defined())
    throw Error("cannot write NPY file '" + path + "': the tensor is empty (undefined)");
  if (tensor.scalar_type() != at::kFloat && tensor.scalar_type() != at::kDouble) {
    throw Error("cannot write NPY file '" + path + "': tensor dtype " +
                    c10::toString(tensor.scalar_type()) +
                    " is not supported (float32 and float64 are)",
                "convert the tensor first, e.g. tensor.to(at::kFloat)");
  }
  const at::Tensor data = tensor.detach().to(at::kCPU).contiguous();
  const std::string preamble = npyPreamble(data);

  // A unique name in the target's folder: rename() is atomic only within a file system.
  static std::atomic<unsigned> counter{0};
  const std::string temporary =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  TemporaryFile file(temporary);
  const auto failed = [&](int error) {
    throw Error("cannot write NPY file '" + path + "': " + errnoText(error),
                "check that its folder exists, is writable and has free space");
  };
  if (!file.isOpen()) failed(errno);
  if (int error = file.write(preamble.data(), preamble.size())) failed(error);
  const auto size = static_cast<std::size_t>(data.numel()) * data.element_size();
  if (int error = file.write(static_cast<const char*>(data.data_ptr()), size)) failed(error);
  if (int error = file.commit(path)) failed(error);
}

}  // namespace deepbug::io
