//===- Npy.cpp - NumPy .npy files for sf-run ------------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace sparseflow;

namespace {

/// The value of `key` in the header dict, e.g. "'<f4'" or "(1, 2)".
bool field(const std::string &header, const std::string &key,
           std::string &value) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return false;
  size_t colon = header.find(':', at);
  if (colon == std::string::npos)
    return false;
  size_t begin = header.find_first_not_of(' ', colon + 1);
  if (begin == std::string::npos)
    return false;
  size_t end = header[begin] == '(' ? header.find(')', begin) + 1
                                    : header.find_first_of(",}", begin);
  if (end == std::string::npos || end == 0)
    return false;
  value = header.substr(begin, end - begin);
  return true;
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

} // namespace

bool npy::read(const std::string &path, Array &array, std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(file)),
                    std::istreambuf_iterator<char>());
  auto fail = [&](const std::string &what) {
    error = path + ": " + what;
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
  if (bytes.size() < headerStart + headerLength)
    return fail("truncated header");
  std::string header = bytes.substr(headerStart, headerLength);
  std::string descr, order, shape;
  if (!field(header, "descr", descr) || !field(header, "fortran_order", order) ||
      !field(header, "shape", shape))
    return fail("malformed header: " + header);
  if (order != "False")
    return fail("Fortran-ordered arrays are not supported");

  array.shape.clear();
  std::string dims = shape.substr(1, shape.size() - 2);
  std::stringstream stream(dims);
  std::string item;
  size_t count = 1;
  while (std::getline(stream, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos)
      continue;
    char *end = nullptr;
    long long d = std::strtoll(item.c_str(), &end, 10);
    if (end == item.c_str() || d < 0)
      return fail("malformed shape " + shape);
    array.shape.push_back(d);
    count *= static_cast<size_t>(d);
  }

  descr = descr.substr(1, descr.size() - 2); // strip quotes
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
    size_t dataStart = headerStart + headerLength;
    if (bytes.size() - dataStart != count * type.size)
      return fail("holds " + std::to_string(bytes.size() - dataStart) +
                  " data bytes, its shape needs " +
                  std::to_string(count * type.size));
    type.convert(bytes.data() + dataStart, count, array.data);
    return true;
  }
  return fail("unsupported dtype '" + descr +
              "' (float32/64, integers or bool)");
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
