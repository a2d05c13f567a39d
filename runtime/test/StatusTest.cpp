//===- StatusTest.cpp - sf_status_t tests ---------------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/runtime/status.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

extern "C" sf_status_t sf_test_status_from_c(int code);
extern "C" const char *sf_test_code_string_from_c(int code);

namespace {

TEST(Status, OkIsNullAndZero) {
  sf_status_t status = sf_status_make(SF_STATUS_OK, "ignored %d", 1);
  EXPECT_EQ(status, SF_OK);
  EXPECT_EQ(sf_status_code(status), SF_STATUS_OK);
  EXPECT_STREQ(sf_status_message(status), "");
  sf_status_free(status);
}

TEST(Status, CarriesCodeAndFormattedMessage) {
  sf_status_t status = sf_status_make(SF_STATUS_DATA_LOSS,
                                      "artifact truncated at offset %zu of %s",
                                      size_t(128), "model.sfa");
  ASSERT_NE(status, SF_OK);
  EXPECT_EQ(sf_status_code(status), SF_STATUS_DATA_LOSS);
  EXPECT_STREQ(sf_status_message(status),
               "artifact truncated at offset 128 of model.sfa");
  sf_status_free(status);
}

TEST(Status, KeepsLongMessagesWhole) {
  std::string detail(10000, 'x');
  sf_status_t status =
      sf_status_make(SF_STATUS_INVALID_ARGUMENT, "bad: %s!", detail.c_str());
  EXPECT_EQ(std::string(sf_status_message(status)), "bad: " + detail + "!");
  sf_status_free(status);
}

TEST(Status, NullFormatGivesEmptyMessage) {
  sf_status_t status = sf_status_make(SF_STATUS_INTERNAL, nullptr);
  EXPECT_EQ(sf_status_code(status), SF_STATUS_INTERNAL);
  EXPECT_STREQ(sf_status_message(status), "");
  sf_status_free(status);
}

TEST(Status, EveryCodeHasADistinctName) {
  std::set<std::string> names;
  for (int code = SF_STATUS_OK; code <= SF_STATUS_INTERNAL; ++code) {
    std::string name = sf_status_code_string(sf_status_code_t(code));
    EXPECT_NE(name, "unknown") << "code " << code;
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
  }
  EXPECT_STREQ(sf_status_code_string(sf_status_code_t(999)), "unknown");
}

// A C caller can pass any int as a code (StatusFromC.c; in C++ that would
// itself be undefined): it is kept as INTERNAL, and no value outside the
// enumeration is ever loaded or returned.
TEST(Status, UnknownCodesBecomeInternal) {
  sf_status_t status = sf_test_status_from_c(99);
  EXPECT_EQ(sf_status_code(status), SF_STATUS_INTERNAL);
  EXPECT_STREQ(sf_status_message(status), "from C");
  EXPECT_STREQ(sf_test_code_string_from_c(99), "unknown");
  EXPECT_STREQ(sf_test_code_string_from_c(-1), "unknown");
  sf_status_free(status);
}

} // namespace
