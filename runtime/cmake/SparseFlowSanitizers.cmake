# Sanitizers and libFuzzer, shared by the runtime (which may be configured
# on its own) and the top-level project.
#
#   sf_apply_sanitizers()  in a directory: every target below it builds with
#       -fsanitize=${SF_SANITIZE} (any report aborts) and, with
#       SF_BUILD_FUZZERS, libFuzzer's coverage instrumentation.
#   sf_add_fuzzer(NAME SOURCE SEEDS DIR [FIXTURE F] [ENVIRONMENT E]
#                 LIBRARIES ...)
#       fuzz-NAME from SOURCE, and the test fuzz.NAME: it replays the seeds
#       in DIR and regressions/NAME beside the calling CMakeLists.txt (the
#       runtime's in runtime/test/fuzz, the compiler's in
#       test/fuzz-compiler), then fuzzes for
#       SF_FUZZ_SECONDS. Any crash, leak, sanitizer report, 10 s input or
#       2 GB of memory fails it.
include_guard(GLOBAL)

set(SF_SANITIZE "" CACHE STRING "Sanitizers to build with (-fsanitize=...)")
option(SF_BUILD_FUZZERS "Build the libFuzzer targets (needs clang)" OFF)
set(SF_FUZZ_SECONDS 10 CACHE STRING
    "Seconds the test suite fuzzes each target for")

macro(sf_apply_sanitizers)
  if(SF_SANITIZE)
    add_compile_options(-fsanitize=${SF_SANITIZE} -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${SF_SANITIZE})
  endif()
  if(SF_BUILD_FUZZERS)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      message(FATAL_ERROR "SF_BUILD_FUZZERS needs clang (libFuzzer); "
                          "configure with -DCMAKE_CXX_COMPILER=clang++-19")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
endmacro()

function(sf_add_fuzzer name source)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "" "SEEDS;FIXTURE;ENVIRONMENT"
                        "LIBRARIES")
  add_executable(fuzz-${name} ${source})
  target_compile_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-${name} PRIVATE ${ARG_LIBRARIES})
  # New inputs go to the work corpus; the seeds and regressions are read.
  set(work ${CMAKE_CURRENT_BINARY_DIR}/corpus/${name})
  file(MAKE_DIRECTORY ${work})
  set(found ${CMAKE_CURRENT_SOURCE_DIR}/regressions/${name})
  if(NOT EXISTS ${found})
    set(found)
  endif()
  add_test(NAME fuzz.${name}
    COMMAND fuzz-${name} -max_total_time=${SF_FUZZ_SECONDS} -timeout=10
            -rss_limit_mb=2048 -print_final_stats=1
            -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/crash-${name}-
            ${work} ${ARG_SEEDS}/${name} ${found})
  if(ARG_FIXTURE)
    set_tests_properties(fuzz.${name} PROPERTIES
      FIXTURES_REQUIRED ${ARG_FIXTURE})
  endif()
  if(ARG_ENVIRONMENT)
    set_tests_properties(fuzz.${name} PROPERTIES
      ENVIRONMENT "${ARG_ENVIRONMENT}")
  endif()
endfunction()
