# Generates a C++ source holding every migration file as a raw string literal.
# Run as: cmake -DSQLITE_DIR=... -DPOSTGRES_DIR=... -DOUTPUT=file.cpp -P embed_migrations.cmake
# File names must be NNNN_name.sql (four digits, lower-case name); a bad name or a duplicate
# version fails the build rather than being silently skipped at run time.

cmake_minimum_required(VERSION 3.25)  # script mode: sets the policies (IN_LIST)

set(delimiter "gh_sql")

function(embed_dir dir array_name out_var)
  file(GLOB files RELATIVE ${dir} ${dir}/*.sql)
  list(SORT files)
  set(body "")
  set(seen_versions "")
  foreach(file ${files})
    if(NOT file MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
      message(FATAL_ERROR "${dir}/${file}: migration files must be named NNNN_name.sql")
    endif()
    set(version_text ${CMAKE_MATCH_1})
    set(name ${CMAKE_MATCH_2})
    math(EXPR version "${version_text}")  # drops leading zeros
    if(version EQUAL 0)
      message(FATAL_ERROR "${dir}/${file}: migration versions start at 0001")
    endif()
    if(version IN_LIST seen_versions)
      message(FATAL_ERROR "${dir}/${file}: duplicate migration version ${version_text}")
    endif()
    list(APPEND seen_versions ${version})
    file(READ ${dir}/${file} sql)
    string(FIND "${sql}" ")${delimiter}\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "${dir}/${file}: contains the raw-string delimiter )${delimiter}\"")
    endif()
    string(APPEND body "    {${version}, \"${name}\", R\"${delimiter}(${sql})${delimiter}\"},\n")
  endforeach()
  if(body STREQUAL "")
    set(body "    {0, nullptr, nullptr},  // no migrations: sentinel only\n")
  endif()
  set(${out_var} "const EmbeddedMigrationFile ${array_name}[] = {\n${body}};\n" PARENT_SCOPE)
endfunction()

embed_dir(${SQLITE_DIR} kSqliteMigrationFiles sqlite_block)
embed_dir(${POSTGRES_DIR} kPostgresMigrationFiles postgres_block)

set(content "// Generated from src/store/migrations/ by embed_migrations.cmake. Do not edit.
#include \"store/migrations_embedded.hpp\"

namespace gatehouse::store::internal {

${sqlite_block}
${postgres_block}
std::span<const EmbeddedMigrationFile> SqliteMigrationFiles() {
  return kSqliteMigrationFiles[0].name ? std::span(kSqliteMigrationFiles)
                                       : std::span<const EmbeddedMigrationFile>();
}

std::span<const EmbeddedMigrationFile> PostgresMigrationFiles() {
  return kPostgresMigrationFiles[0].name ? std::span(kPostgresMigrationFiles)
                                         : std::span<const EmbeddedMigrationFile>();
}

}  // namespace gatehouse::store::internal
")

# Only touch the output when it changed, so an unrelated re-run does not recompile it.
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} previous)
  if(previous STREQUAL content)
    return()
  endif()
endif()
file(WRITE ${OUTPUT} "${content}")
