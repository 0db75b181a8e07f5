# cmake -P script run by ctest (see CMakeLists.txt here): install htune into a temporary
# prefix, tune into a fresh database, build and run examples/tuned_project, then bad uses.
cmake_minimum_required(VERSION 3.17)
foreach (v BUILD_DIR SOURCE_DIR WORK_DIR GEN_LIB GENERATOR)
  if (NOT DEFINED ${v})
    message(FATAL_ERROR "InstallTest.cmake needs -D${v}=...")
  endif ()
endforeach ()

# Runs a command; fails the test (with its output) unless the exit status is as expected.
function(run name expect_ok)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${name}_out "${out}${err}" PARENT_SCOPE)
  if (expect_ok AND NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} failed (${rc}): ${ARGN}\n${out}\n${err}")
  elseif (NOT expect_ok AND rc EQUAL 0)
    message(FATAL_ERROR "${name} succeeded but must fail: ${ARGN}\n${out}\n${err}")
  endif ()
  message(STATUS "${name}: ok")
endfunction()

function(expect_in name text)
  string(FIND "${${name}_out}" "${text}" pos)
  if (pos EQUAL -1)
    message(FATAL_ERROR "${name}: expected '${text}' in the output:\n${${name}_out}")
  endif ()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(db "${WORK_DIR}/htune.db")

run(install TRUE "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
foreach (f bin/htune lib/cmake/htune/htuneConfig.cmake lib/cmake/htune/htuneConfigVersion.cmake
         lib/cmake/htune/htuneTuning.cmake include/htune/HalideRuntime.h)
  if (NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "cmake --install did not install ${f}")
  endif ()
endforeach ()
set(htune "${prefix}/bin/htune")

# Tune the example's matmul (128^3) and blur (256x128) into a fresh database: a few measured
# candidates each, by the installed binary. `htune tune` when this htune has it, else `sample`.
execute_process(COMMAND "${htune}" --help OUTPUT_VARIABLE help ERROR_VARIABLE help)
string(FIND "${help}" "\n  tune " has_tune)
set(fast --min-seconds 0.05 --db "${db}")
if (has_tune EQUAL -1)
  message(STATUS "tuning with htune sample (this htune has no tune command)")
else ()
  message(STATUS "tuning with htune tune")
endif ()
function(tune_into_db name op count seed)
  if (has_tune EQUAL -1)
    run(${name} TRUE "${htune}" sample --op ${op} ${ARGN} --count ${count} --seed ${seed} ${fast})
  else ()
    # --trials counts the heuristic and earlier measurements of the workload too.
    math(EXPR trials "${count} + 1")
    run(${name} TRUE "${htune}" tune --op ${op} ${ARGN} --trials ${trials} --batch-size ${count} --confirm 0
        --seed ${seed} ${fast})
  endif ()
endfunction()
tune_into_db(tune_matmul matmul 4 1 -p M=128 -p N=128 -p K=128)
tune_into_db(tune_blur blur3x3 3 1 -p W=256 -p H=128)

set(example "${WORK_DIR}/example")
run(configure_example TRUE "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/examples/tuned_project" -B "${example}"
    -G "${GENERATOR}" -DCMAKE_PREFIX_PATH=${prefix} -DHTUNE_DB=${db} -DHTUNE_EXAMPLE_GEN=${GEN_LIB})
run(build_example TRUE "${CMAKE_COMMAND}" --build "${example}")
# The Generator has no tuned record: htune's heuristic warning shows in the build output.
expect_in(build_example "warning: no tuned record for sharpen_blend")
run(run_example TRUE "${example}/tuned_example")
expect_in(run_example "all outputs correct")
message(STATUS "example output:\n${run_example_out}")
file(READ "${example}/htune/tuned_matmul/tuned_matmul.h" header)
string(FIND "${header}" "record:       none" untuned)
if (NOT untuned EQUAL -1)
  message(FATAL_ERROR "tuned_matmul was built without its tuned record:\n${header}")
endif ()

# Nothing changed: the build does not run htune again. A changed database: it does.
run(rebuild_same TRUE "${CMAKE_COMMAND}" --build "${example}")
string(FIND "${rebuild_same_out}" "htune build tuned_matmul" rerun)
if (NOT rerun EQUAL -1)
  message(FATAL_ERROR "htune build ran again with nothing changed:\n${rebuild_same_out}")
endif ()
# More measurements of the matmul (sample: tune's --trials would count the earlier ones).
run(tune_more TRUE "${htune}" sample --op matmul -p M=128 -p N=128 -p K=128 --count 2 --seed 7 ${fast})
run(rebuild_changed TRUE "${CMAKE_COMMAND}" --build "${example}")
expect_in(rebuild_changed "htune build tuned_matmul")
run(rerun_example TRUE "${example}/tuned_example")
expect_in(rerun_example "all outputs correct")

# Bad uses fail the build, and htune's one-line message is in the build output.
file(WRITE "${WORK_DIR}/bad.db" "this is not a database\n")
set(bad "${WORK_DIR}/bad_use")
run(configure_bad_use TRUE "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/install/bad_use" -B "${bad}"
    -G "${GENERATOR}" -DCMAKE_PREFIX_PATH=${prefix} -DGOOD_DB=${db} -DBAD_DB=${WORK_DIR}/bad.db)
run(unknown_op FALSE "${CMAKE_COMMAND}" --build "${bad}" --target use_unknown_op)
expect_in(unknown_op "htune: error: unknown operator 'no_such_op'")
run(unreadable_db FALSE "${CMAKE_COMMAND}" --build "${bad}" --target use_unreadable_db)
expect_in(unreadable_db "htune: error: ")
expect_in(unreadable_db "bad.db")
run(unknown_target FALSE "${CMAKE_COMMAND}" --build "${bad}" --target use_unknown_target)
expect_in(unknown_target "htune: error: build: unknown target 'x86-65-nosuch'")
run(untuned FALSE "${CMAKE_COMMAND}" --build "${bad}" --target use_untuned)
expect_in(untuned "--require-tuned")
file(READ "${WORK_DIR}/bad.db" bad_after)
if (NOT bad_after STREQUAL "this is not a database\n")
  message(FATAL_ERROR "htune build modified the unreadable database")
endif ()
