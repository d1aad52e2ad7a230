# The layers of src/ and the edges between them, enforced by the compiler.
#
# Every target compiles against an include directory of its own that holds only the folders of
# src/ it may use (symbolic links in build/layers/<target>/), never src/ itself. Including a
# header of a layer that is not listed fails to compile, so an edge the design forbids cannot
# creep in. The allowed edges (docs/design.md, "Layers and their edges"):
#
#   domain    ← nothing
#   rules     ← domain
#   app       ← rules, domain
#   security  ← app (its ports), rules, domain
#   config    ← app, rules, domain
#   storage   ← app (its ports), rules, domain
#   http      ← app, rules, domain
#   server    ← everything (the composition root), and main.cpp with it
#
# A layer's USES list is the transitive closure (its public headers include those of the layers
# beneath it).

set(COFFEE_LAYER_USES_domain "")
set(COFFEE_LAYER_USES_rules domain)
set(COFFEE_LAYER_USES_app rules domain)
set(COFFEE_LAYER_USES_security app rules domain)
set(COFFEE_LAYER_USES_config app rules domain)
set(COFFEE_LAYER_USES_storage app rules domain)
set(COFFEE_LAYER_USES_http app rules domain)
set(COFFEE_LAYER_USES_server http storage security config app rules domain)

# coffee_layer(<target> <layer>): <target> may include <layer>'s headers and those of the layers
# <layer> may use, and nothing else of src/. For libraries, tests, fuzz targets and benchmarks.
function(coffee_layer target layer)
  if(NOT DEFINED COFFEE_LAYER_USES_${layer})
    message(FATAL_ERROR "coffee_layer: unknown layer '${layer}'")
  endif()
  set(dir ${PROJECT_BINARY_DIR}/layers/${target})
  file(MAKE_DIRECTORY ${dir})
  foreach(folder IN ITEMS ${layer} ${COFFEE_LAYER_USES_${layer}})
    if(NOT EXISTS ${dir}/${folder})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${folder} ${dir}/${folder} SYMBOLIC)
    endif()
  endforeach()
  target_include_directories(${target} PRIVATE ${dir})
endfunction()
