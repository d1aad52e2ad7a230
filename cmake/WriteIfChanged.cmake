# write_if_changed(PATH CONTENT): writes CONTENT to PATH only when it differs, so generated
# sources keep their timestamps and nothing that includes them is rebuilt needlessly.
function(write_if_changed path content)
  if(EXISTS "${path}")
    file(READ "${path}" old)
  else()
    set(old "")
  endif()
  if(NOT old STREQUAL content)
    file(WRITE "${path}" "${content}")
  endif()
endfunction()
