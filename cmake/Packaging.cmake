# `cpack -G DEB` in a release build directory: coffee-api_<version>_amd64.deb with the binary
# (migrations embedded), the systemd unit, its environment file (a conffile, mode 0640) and the
# operator documentation. Runtime dependencies come from dpkg-shlibdeps.
install(TARGETS coffee-api RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/coffee-api.service
        DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/coffee-api.env
        DESTINATION /etc/coffee-api
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/CONFIGURATION.md
              ${PROJECT_SOURCE_DIR}/docs/DEPLOYMENT.md
        DESTINATION share/doc/coffee-api)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME coffee-api)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Coffee API maintainers <coffee-api@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Order-taking backend for coffee shops with a business rules engine")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not found by dpkg-shlibdeps: the zone database that SHOP_TIMEZONE reads.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
