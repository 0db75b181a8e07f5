# Writes OUT (a header defining HTUNE_GIT_COMMIT) from `git describe` of SRC, only when it
# changes, so that JSON reports name the commit that produced them. Run at every build by the
# htune_git_commit target (tuner/CMakeLists.txt); "unknown" outside a git checkout.
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --abbrev=12
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if (NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
endif ()
set(text "#pragma once\n#define HTUNE_GIT_COMMIT \"${commit}\"\n")
if (EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif ()
if (NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif ()
