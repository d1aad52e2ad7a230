# coffee_embed_directory(<out_var> DIRECTORY <dir> FUNCTION <ns::Name> HEADER <decl.hpp>
#                        [FILES <relative paths>...])
# Adds a build step that regenerates `<out_var>` (a .cpp in the current binary dir, named after
# the function) from the files of <dir> with cmake/EmbedDirectory.cmake whenever one of them
# changes; a file added or removed re-runs CMake (CONFIGURE_DEPENDS). Put the .cpp in a target.
function(coffee_embed_directory out_var)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "DIRECTORY;FUNCTION;HEADER" "FILES")
  string(REGEX REPLACE "^.*::" "" name "${arg_FUNCTION}")
  set(output "${CMAKE_CURRENT_BINARY_DIR}/embedded_${name}.cpp")
  if(arg_FILES)
    set(inputs "")
    foreach(relative IN LISTS arg_FILES)
      list(APPEND inputs "${arg_DIRECTORY}/${relative}")
    endforeach()
  else()
    file(GLOB_RECURSE inputs CONFIGURE_DEPENDS "${arg_DIRECTORY}/*")
  endif()
  find_program(COFFEE_GZIP gzip)
  set(gzip_arg "")
  if(COFFEE_GZIP)
    set(gzip_arg "-DGZIP=${COFFEE_GZIP}")
  endif()
  string(REPLACE ";" "|" files_arg "${arg_FILES}")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} "-DDIRECTORY=${arg_DIRECTORY}" "-DOUTPUT=${output}"
            "-DFUNCTION=${arg_FUNCTION}" "-DHEADER=${arg_HEADER}" "-DFILES=${files_arg}"
            ${gzip_arg} -P "${PROJECT_SOURCE_DIR}/cmake/EmbedDirectory.cmake"
    DEPENDS ${inputs} "${PROJECT_SOURCE_DIR}/cmake/EmbedDirectory.cmake"
            "${PROJECT_SOURCE_DIR}/cmake/WriteIfChanged.cmake"
    COMMENT "Embedding ${arg_DIRECTORY}"
    VERBATIM)
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()
