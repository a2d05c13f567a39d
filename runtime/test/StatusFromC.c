/*===- StatusFromC.c - the status API called from C ------------------------===*
 *
 * Part of SparseFlow.
 *
 * C converts any int to an enum; the runtime must cope with codes outside
 * sf_status_code_t (StatusTest.cpp).
 *
 *===----------------------------------------------------------------------===*/

#include "sparseflow/runtime/status.h"

sf_status_t sf_test_status_from_c(int code) {
  return sf_status_make((sf_status_code_t)code, "from C");
}

const char *sf_test_code_string_from_c(int code) {
  return sf_status_code_string((sf_status_code_t)code);
}
