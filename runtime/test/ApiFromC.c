/*===- ApiFromC.c - the C API used from C ----------------------------------===*
 *
 * Part of SparseFlow.
 *
 * The runtime's whole life cycle written in C, with a counting allocator:
 * the headers compile as C, and the objects may be released in any order
 * (a session keeps its model alive, a model its instance). ApiTest.cpp
 * calls it.
 *
 *===----------------------------------------------------------------------===*/

#include "sparseflow/runtime/api.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct counter_t {
  long live;
  long allocations;
} counter_t;

static void *count_allocate(void *self, size_t size, size_t alignment) {
  counter_t *counter = (counter_t *)self;
  void *memory =
      aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  if (memory) {
    counter->live += 1;
    counter->allocations += 1;
  }
  return memory;
}

static void count_deallocate(void *self, void *memory) {
  ((counter_t *)self)->live -= 1;
  free(memory);
}

#define CHECK(condition)                                                       \
  do {                                                                         \
    if (!(condition)) {                                                        \
      result = __LINE__;                                                       \
      goto done;                                                               \
    }                                                                          \
  } while (0)

/* Loads `artifact` (one input, one output), runs it once on ones and
 * releases everything. 0 on success, else the line of the failed check. */
int sf_test_api_from_c(const void *artifact, size_t size) {
  counter_t counter = {0, 0};
  sf_allocator_t allocator = {&counter, count_allocate, count_deallocate};
  sf_instance_t *instance = NULL;
  sf_model_t *model = NULL;
  sf_session_t *session = NULL;
  sf_tensor_t *x = NULL, *y = NULL;
  sf_status_t status = SF_OK;
  int64_t shape[SF_MAX_RANK];
  size_t rank = 0, i;
  int result = 0;
  const sf_runtime_version_t *version = sf_runtime_version();

  CHECK(version && version->string && version->artifact_major > 0);
  CHECK(sf_instance_create(NULL, &allocator, &instance) == SF_OK);
  CHECK(sf_model_create_from_memory(instance, artifact, size, &allocator,
                                    &model) == SF_OK);
  sf_instance_release(instance); /* the model holds it */
  instance = NULL;
  CHECK(sf_session_create(model, NULL, &allocator, &session) == SF_OK);
  CHECK(sf_model_input_shape(model, 0, &rank, shape) == SF_OK);
  CHECK(sf_tensor_create(shape, rank, &allocator, &x) == SF_OK);
  for (i = 0; i < sf_tensor_element_count(x); ++i)
    sf_tensor_data(x)[i] = 1.0f;
  CHECK(sf_model_output_shape(model, 0, &rank, shape) == SF_OK);
  CHECK(sf_tensor_create(shape, rank, &allocator, &y) == SF_OK);
  sf_model_release(model); /* the session holds it */
  model = NULL;

  status = sf_session_run(session, &x, 1, &y, 1);
  CHECK(status == SF_OK);
  status = sf_session_run(session, &x, 1, &y, 0);
  CHECK(sf_status_code(status) == SF_STATUS_INVALID_ARGUMENT);
  /* Five objects, the artifact's copy, the arena, the tensors' data. */
  CHECK(counter.allocations >= 9);

done:
  sf_status_free(status);
  sf_tensor_release(x);
  sf_tensor_release(y);
  sf_session_release(session);
  sf_model_release(model);
  sf_instance_release(instance);
  if (!result && counter.live != 0)
    result = __LINE__;
  return result;
}
