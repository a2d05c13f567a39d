/*===- sparseflow/runtime/status.h - status codes and messages -----*- C -*-===*
 *
 * Part of SparseFlow.
 *
 * Every fallible runtime call returns an sf_status_t. SF_OK (a null pointer,
 * numerically 0) means success; any other value is a failure that owns a code
 * and a human-readable message, and that the caller must release with
 * sf_status_free(). Statuses are plain values: they are not tied to the
 * thread or object that produced them.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_STATUS_H
#define SPARSEFLOW_RUNTIME_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Failure classes, modelled on the canonical codes of absl/IREE. */
typedef enum sf_status_code_e {
  SF_STATUS_OK = 0,
  SF_STATUS_INVALID_ARGUMENT = 1,   /* the caller passed something malformed */
  SF_STATUS_NOT_FOUND = 2,          /* a file, backend or name is missing */
  SF_STATUS_OUT_OF_RANGE = 3,       /* an index or size exceeds a bound */
  SF_STATUS_DATA_LOSS = 4,          /* truncated or corrupted data */
  SF_STATUS_INCOMPATIBLE = 5,       /* e.g. an artifact newer than the runtime */
  SF_STATUS_UNIMPLEMENTED = 6,      /* valid, but not supported by this build */
  SF_STATUS_UNAVAILABLE = 7,        /* e.g. no CUDA device present */
  SF_STATUS_RESOURCE_EXHAUSTED = 8, /* out of memory or capacity */
  SF_STATUS_FAILED_PRECONDITION = 9, /* object in the wrong state for the call */
  SF_STATUS_INTERNAL = 10,          /* a runtime bug: please report it */
} sf_status_code_t;

/* Opaque failure record; SF_OK (NULL) is success. */
typedef struct sf_status_impl_t *sf_status_t;

#define SF_OK ((sf_status_t)0)

/* Creates a failure with `code` and a printf-style message. A `code` of
 * SF_STATUS_OK returns SF_OK. Never fails: when memory for the message cannot
 * be had, a static RESOURCE_EXHAUSTED status is returned instead. */
sf_status_t sf_status_make(sf_status_code_t code, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The status's code; SF_STATUS_OK for SF_OK. */
sf_status_code_t sf_status_code(sf_status_t status);

/* The status's message, valid until sf_status_free(); "" for SF_OK. */
const char *sf_status_message(sf_status_t status);

/* A stable lower-case name for `code`, e.g. "invalid argument". */
const char *sf_status_code_string(sf_status_code_t code);

/* Releases a status; SF_OK and statuses returned by this library's
 * out-of-memory path are accepted and ignored. */
void sf_status_free(sf_status_t status);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSEFLOW_RUNTIME_STATUS_H */
