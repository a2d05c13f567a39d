//===- NpyTest.cpp - the .npy reader rejects malformed files --------------===//
//
// Part of SparseFlow.
//
// Every case here once crashed sf-run or made it read past its buffers: a
// shape whose element count wraps, a count times item size that wraps,
// empty header fields. Each must end in a precise error.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/format/npy.h"
#include "TestArtifacts.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace sparseflow;
using sparseflow::runtime::test::npyFile;
using sparseflow::runtime::test::npyHeader;

namespace {

/// "" when `bytes` parses, else the error.
std::string parse(const std::string &bytes, npy::Array *out = nullptr) {
  npy::Array array;
  std::string error;
  if (!npy::parse(bytes, array, error))
    return error;
  if (out)
    *out = array;
  return "";
}

TEST(Npy, ReadsWhatItWrites) {
  float values[] = {1.5f, -2.0f, 0.0f, 7.0f, 3.25f, 9.0f};
  npy::Array array;
  ASSERT_EQ(parse(npyFile(npyHeader("'<f4'", "(2, 3)"),
                          std::string(reinterpret_cast<char *>(values),
                                      sizeof(values))),
                  &array),
            "");
  EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(array.data, std::vector<float>(values, values + 6));
  ASSERT_EQ(parse(npyFile(npyHeader("'|u1'", "(3,)"), "\x01\x02\x03"), &array),
            "");
  EXPECT_EQ(array.data, (std::vector<float>{1, 2, 3}));
}

TEST(Npy, RejectsCountsThatWrap) {
  std::string data(16, '\0');
  // (2^62 + 1) x 4 elements wrapped to 4: 16 data bytes looked right.
  EXPECT_EQ(
      parse(npyFile(npyHeader("'<f4'", "(4611686018427387905, 4)"), data)),
      "shape (4611686018427387905, 4) has more elements than fit in "
      "63 bits");
  // 2^62 x 4 read as 0 elements.
  EXPECT_EQ(parse(npyFile(npyHeader("'<f4'", "(4611686018427387904, 4)"), "")),
            "shape (4611686018427387904, 4) has more elements than fit in "
            "63 bits");
  // Fits in 63 bits, but count x item size wraps: compared by division.
  EXPECT_EQ(
      parse(npyFile(npyHeader("'<f8'", "(1152921504606846977, 2)"), data)),
      "holds 16 data bytes, its shape (1152921504606846977, 2) needs "
      "2305843009213693954 elements of 8 bytes");
  EXPECT_EQ(parse(npyFile(npyHeader("'<f4'", "(99999999999999999999,)"), "")),
            "malformed shape '(99999999999999999999,)': dimension "
            "'99999999999999999999' is not an integer in [0, 2^63)");
}

TEST(Npy, RejectsMalformedHeaders) {
  const std::string malformed = "malformed header (needs a quoted 'descr', "
                                "'fortran_order' and a 'shape' tuple): ";
  // Empty values threw std::out_of_range.
  std::string empty = "{'descr':, 'fortran_order': False, 'shape': (1,), }";
  EXPECT_EQ(parse(npyFile(empty, "")), malformed + empty);
  empty = "{'descr': '<f4', 'fortran_order': False, 'shape':, }";
  EXPECT_EQ(parse(npyFile(empty, "")), malformed + empty);
  std::string open = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,";
  EXPECT_EQ(parse(npyFile(open, "")), malformed + open);
  EXPECT_EQ(parse(npyFile(npyHeader("'<f4'", "(-1,)"), "")),
            "malformed shape '(-1,)': dimension '-1' is not an integer in "
            "[0, 2^63)");
  EXPECT_EQ(parse(npyFile(npyHeader("'<f4'", "(2x,)"), "")),
            "malformed shape '(2x,)': dimension '2x' is not an integer in "
            "[0, 2^63)");
  EXPECT_EQ(parse(npyFile(npyHeader("'<c8'", "(1,)"), "12345678")),
            "unsupported dtype '<c8' (float32/64, integers or bool)");
  EXPECT_EQ(parse(npyFile(npyHeader("'<f4'", "(2,)"), "1234")),
            "holds 4 data bytes, its shape (2,) needs 2 elements of 4 bytes");
  std::string truncated = npyFile(npyHeader("'<f4'", "(1,)"), "");
  EXPECT_EQ(parse(truncated.substr(0, 20)),
            "truncated header: it declares " +
                std::to_string(truncated.size() - 10) +
                " bytes, the file has 10");
  EXPECT_EQ(parse("\x93NUMPX\x01"), "not a .npy file (wrong magic)");
}

} // namespace
