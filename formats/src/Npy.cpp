//===- Npy.cpp - NumPy .npy files ----------------------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/npy.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace sparseflow;

namespace {

/// The value of `key` in the header dict, e.g. "'<f4'" or "(1, 2)"; empty
/// when the key is missing or its value is.
std::string field(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return "";
  size_t colon = header.find(':', at);
  if (colon == std::string::npos)
    return "";
  size_t begin = header.find_first_not_of(' ', colon + 1);
  if (begin == std::string::npos)
    return "";
  size_t end = header[begin] == '(' ? header.find(')', begin)
                                    : header.find_first_of(",}", begin);
  if (end == std::string::npos)
    return "";
  if (header[begin] == '(')
    ++end; // keep the closing parenthesis
  return header.substr(begin, end - begin);
}

template <typename T>
void convert(const char *bytes, size_t count, std::vector<float> &out) {
  out.resize(count);
  for (size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, bytes + i * sizeof(T), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

/// Parses the dimensions of a shape tuple such as "(2, 3)" or "(4,)" into
/// `shape`, and their product into `count`; false with `error` on a
/// malformed tuple, a dimension that is not a non-negative integer, or a
/// product that does not fit in 63 bits.
bool parseShape(const std::string &tuple, std::vector<int64_t> &shape,
                uint64_t &count, std::string &error) {
  if (tuple.size() < 2 || tuple.front() != '(' || tuple.back() != ')') {
    error = "malformed shape '" + tuple + "'";
    return false;
  }
  shape.clear();
  count = 1;
  std::stringstream stream(tuple.substr(1, tuple.size() - 2));
  std::string item;
  while (std::getline(stream, item, ',')) {
    size_t first = item.find_first_not_of(' ');
    if (first == std::string::npos)
      continue; // the trailing comma of a 1-tuple
    size_t last = item.find_last_not_of(' ');
    std::string digits = item.substr(first, last - first + 1);
    // 19 digits always fit in 64 bits.
    uint64_t d = digits.size() <= 19 &&
                         digits.find_first_not_of("0123456789") ==
                             std::string::npos
                     ? std::stoull(digits)
                     : ~uint64_t{0};
    if (d > uint64_t{INT64_MAX}) {
      error = "malformed shape '" + tuple + "': dimension '" + digits +
              "' is not an integer in [0, 2^63)";
      return false;
    }
    if (__builtin_mul_overflow(count, d, &count) ||
        count > uint64_t{INT64_MAX}) {
      error = "shape " + tuple + " has more elements than fit in 63 bits";
      return false;
    }
    shape.push_back(static_cast<int64_t>(d));
  }
  return true;
}

} // namespace

bool npy::parse(const std::string &bytes, Array &array, std::string &error) {
  auto fail = [&](const std::string &what) {
    error = what;
    return false;
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return fail("not a .npy file (wrong magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   static_cast<unsigned char>(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated header");
    uint32_t length;
    std::memcpy(&length, bytes.data() + 8, 4);
    headerLength = length;
    headerStart = 12;
  } else {
    return fail("unsupported .npy version " + std::to_string(major));
  }
  if (bytes.size() - headerStart < headerLength)
    return fail("truncated header: it declares " +
                std::to_string(headerLength) + " bytes, the file has " +
                std::to_string(bytes.size() - headerStart));
  std::string header = bytes.substr(headerStart, headerLength);
  std::string descr = field(header, "descr"),
              order = field(header, "fortran_order"),
              tuple = field(header, "shape");
  if (descr.size() < 2 || descr.front() != '\'' || descr.back() != '\'' ||
      order.empty() || tuple.empty())
    return fail("malformed header (needs a quoted 'descr', 'fortran_order' "
                "and a 'shape' tuple): " + header);
  if (order != "False")
    return fail("Fortran-ordered arrays are not supported");
  uint64_t count;
  if (!parseShape(tuple, array.shape, count, error))
    return false;

  descr = descr.substr(1, descr.size() - 2); // strip the quotes
  struct Type {
    const char *name;
    size_t size;
    void (*convert)(const char *, size_t, std::vector<float> &);
  };
  static const Type types[] = {
      {"<f4", 4, convert<float>},    {"<f8", 8, convert<double>},
      {"|u1", 1, convert<uint8_t>},  {"|b1", 1, convert<uint8_t>},
      {"|i1", 1, convert<int8_t>},   {"<i2", 2, convert<int16_t>},
      {"<i4", 4, convert<int32_t>},  {"<i8", 8, convert<int64_t>},
      {"<u2", 2, convert<uint16_t>}, {"<u4", 4, convert<uint32_t>},
  };
  for (const Type &type : types) {
    if (descr != type.name)
      continue;
    // The data must be exactly count x itemsize bytes; compared by division
    // so that no product can wrap.
    size_t dataBytes = bytes.size() - headerStart - headerLength;
    if (dataBytes % type.size || dataBytes / type.size != count)
      return fail("holds " + std::to_string(dataBytes) +
                  " data bytes, its shape " + tuple + " needs " +
                  std::to_string(count) + " elements of " +
                  std::to_string(type.size) + " bytes");
    type.convert(bytes.data() + headerStart + headerLength, count,
                 array.data);
    return true;
  }
  return fail("unsupported dtype '" + descr +
              "' (float32/64, integers or bool)");
}

bool npy::read(const std::string &path, Array &array, std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(file)),
                    std::istreambuf_iterator<char>());
  if (parse(bytes, array, error))
    return true;
  error = path + ": " + error;
  return false;
}

bool npy::write(const std::string &path, const Array &array,
                std::string &error) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t d = 0; d < array.shape.size(); ++d)
    header += std::to_string(array.shape[d]) + (array.shape.size() == 1 ? "," : d + 1 < array.shape.size() ? ", " : "");
  header += "), }";
  // Pad with spaces so the data starts on a 64-byte boundary; end with \n.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot write '" + path + "'";
    return false;
  }
  uint16_t length = static_cast<uint16_t>(header.size());
  file.write("\x93NUMPY\x01\x00", 8);
  file.put(static_cast<char>(length & 0xff));
  file.put(static_cast<char>(length >> 8));
  file << header;
  file.write(reinterpret_cast<const char *>(array.data.data()),
             array.data.size() * sizeof(float));
  if (!file) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}
