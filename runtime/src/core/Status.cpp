//===- Status.cpp - sf_status_t implementation ----------------------------===//
//
// Part of SparseFlow.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/runtime/status.h"

#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct sf_status_impl_t {
  sf_status_code_t code;
  bool isStatic;   // the out-of-memory fallback, never freed
  char message[1]; // flexible: allocated to hold the whole message
};

namespace {

sf_status_impl_t outOfMemoryStatus = {
    SF_STATUS_RESOURCE_EXHAUSTED, true, {'\0'}};

/// The code's value as an int, read without loading an enumerator that
/// may not exist (a C caller can pass any int).
int rawCode(const sf_status_code_t &code) {
  int raw;
  static_assert(sizeof(raw) == sizeof(code), "enums are int-sized");
  std::memcpy(&raw, &code, sizeof(raw));
  return raw;
}

bool knownCode(int raw) {
  return raw >= SF_STATUS_OK && raw <= SF_STATUS_INTERNAL;
}

} // namespace

extern "C" sf_status_t sf_status_make(sf_status_code_t code, const char *format,
                                      ...) {
  int raw = rawCode(code);
  if (raw == SF_STATUS_OK)
    return SF_OK;
  // An unknown code is kept as INTERNAL, so sf_status_code never returns a
  // value outside the enumeration.
  if (!knownCode(raw))
    code = SF_STATUS_INTERNAL;
  if (!format)
    format = "";

  va_list args;
  va_start(args, format);
  va_list measure;
  va_copy(measure, args);
  int length = std::vsnprintf(nullptr, 0, format, measure);
  va_end(measure);
  if (length < 0)
    length = 0;

  size_t size = offsetof(sf_status_impl_t, message) + size_t(length) + 1;
  auto *status = static_cast<sf_status_impl_t *>(std::malloc(size));
  if (!status) {
    va_end(args);
    return &outOfMemoryStatus;
  }
  status->code = code;
  status->isStatic = false;
  std::vsnprintf(status->message, size_t(length) + 1, format, args);
  va_end(args);
  return status;
}

extern "C" sf_status_code_t sf_status_code(sf_status_t status) {
  return status ? status->code : SF_STATUS_OK;
}

extern "C" const char *sf_status_message(sf_status_t status) {
  return status ? status->message : "";
}

extern "C" const char *sf_status_code_string(sf_status_code_t code) {
  int raw = rawCode(code);
  if (!knownCode(raw))
    return "unknown";
  switch (static_cast<sf_status_code_t>(raw)) {
  case SF_STATUS_OK:
    return "ok";
  case SF_STATUS_INVALID_ARGUMENT:
    return "invalid argument";
  case SF_STATUS_NOT_FOUND:
    return "not found";
  case SF_STATUS_OUT_OF_RANGE:
    return "out of range";
  case SF_STATUS_DATA_LOSS:
    return "data loss";
  case SF_STATUS_INCOMPATIBLE:
    return "incompatible";
  case SF_STATUS_UNIMPLEMENTED:
    return "unimplemented";
  case SF_STATUS_UNAVAILABLE:
    return "unavailable";
  case SF_STATUS_RESOURCE_EXHAUSTED:
    return "resource exhausted";
  case SF_STATUS_FAILED_PRECONDITION:
    return "failed precondition";
  case SF_STATUS_INTERNAL:
    return "internal";
  }
  return "unknown";
}

extern "C" void sf_status_free(sf_status_t status) {
  if (status && !status->isStatic)
    std::free(status);
}
