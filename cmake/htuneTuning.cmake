# htune_add_tuned_library(): compile a workload with its best tuned schedule at build time.
# Installed with htune's package config; `find_package(htune)` includes it. Usage:
#
#   htune_add_tuned_library(<target>
#       OP <name> [PARAMS k=v ...] | GENERATOR_LIB <lib-or-target> GENERATOR <name> [GENERATOR_PARAMS k=v ...]
#       [DB <htune.db>] [TARGET host|<halide-target>] [FUNCTION_NAME <name>] [REQUIRE_TUNED] [TEST_SIZE])
#
# Runs `htune build` when the target is built (again whenever the database, the htune binary
# or the Generator library changes) and defines <target>: an IMPORTED STATIC library with the
# generated header's directory. The function is named FUNCTION_NAME (default: <target>, with
# non-identifier characters replaced by '_'); the header is <FUNCTION_NAME>.h. Without DB, or
# with no tuned record in it, htune uses its heuristic schedule and warns (REQUIRE_TUNED: fail).
include_guard(GLOBAL)

function(htune_add_tuned_library target)
  cmake_parse_arguments(PARSE_ARGV 1 HT "REQUIRE_TUNED;TEST_SIZE"
                        "OP;DB;TARGET;FUNCTION_NAME;GENERATOR_LIB;GENERATOR" "PARAMS;GENERATOR_PARAMS")
  if (HT_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "htune_add_tuned_library(${target}): unknown arguments: ${HT_UNPARSED_ARGUMENTS}")
  endif ()
  if (NOT HT_OP AND NOT HT_GENERATOR)
    message(FATAL_ERROR "htune_add_tuned_library(${target}): give OP <name> or GENERATOR_LIB <lib> GENERATOR <name>")
  endif ()
  if (NOT TARGET htune::htune)
    message(FATAL_ERROR "htune_add_tuned_library(${target}): htune::htune is not defined (call find_package(htune))")
  endif ()

  # HalideRuntime.h / HalideBuffer.h as installed with htune (<prefix>/include/htune).
  get_filename_component(runtime_include "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../../../include/htune" ABSOLUTE)
  set(fn "${HT_FUNCTION_NAME}")
  if (NOT fn)
    string(MAKE_C_IDENTIFIER "${target}" fn)
  endif ()
  if (NOT HT_TARGET)
    set(HT_TARGET host)
  endif ()
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/htune/${target}")
  # The include directory of an imported target must exist when CMake generates.
  file(MAKE_DIRECTORY "${out_dir}")

  set(args build -o "${out_dir}" --function-name "${fn}" --target "${HT_TARGET}")
  set(deps htune::htune)
  if (HT_OP)
    list(APPEND args --op "${HT_OP}")
    foreach (p IN LISTS HT_PARAMS)
      list(APPEND args -p "${p}")
    endforeach ()
  endif ()
  if (HT_GENERATOR OR HT_GENERATOR_LIB)
    if (TARGET "${HT_GENERATOR_LIB}")  # a library built by this project: wait for it
      list(APPEND args --generator-lib "$<TARGET_FILE:${HT_GENERATOR_LIB}>")
      list(APPEND deps "${HT_GENERATOR_LIB}")
    elseif (HT_GENERATOR_LIB)
      get_filename_component(lib "${HT_GENERATOR_LIB}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      list(APPEND args --generator-lib "${lib}")
      if (EXISTS "${lib}")
        list(APPEND deps "${lib}")
      endif ()
    endif ()
    if (HT_GENERATOR)
      list(APPEND args --generator "${HT_GENERATOR}")
    endif ()
    foreach (p IN LISTS HT_GENERATOR_PARAMS)
      list(APPEND args -g "${p}")
    endforeach ()
  endif ()
  if (HT_DB)
    get_filename_component(db "${HT_DB}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND args --db "${db}")
    # Re-run when the database changes. A missing file is left to htune, which names it.
    if (EXISTS "${db}")
      list(APPEND deps "${db}")
    endif ()
  endif ()
  if (HT_REQUIRE_TUNED)
    list(APPEND args --require-tuned)
  endif ()
  if (HT_TEST_SIZE)
    list(APPEND args --test-size)
  endif ()

  set(lib_file "${out_dir}/${fn}${CMAKE_STATIC_LIBRARY_SUFFIX}")
  set(stamp "${out_dir}/${fn}.stamp")
  # htune build leaves unchanged outputs untouched; the stamp records that the step ran.
  add_custom_command(
    OUTPUT "${stamp}" "${lib_file}" "${out_dir}/${fn}.h"
    COMMAND htune::htune ${args}
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${deps}
    WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
    COMMENT "htune build ${target} (${HT_OP}${HT_GENERATOR})"
    VERBATIM)
  add_custom_target(${target}_htune_build DEPENDS "${stamp}" "${lib_file}" "${out_dir}/${fn}.h")

  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${lib_file}"
    INTERFACE_INCLUDE_DIRECTORIES "${out_dir};${runtime_include}"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS}")
  add_dependencies(${target} ${target}_htune_build)
endfunction()
