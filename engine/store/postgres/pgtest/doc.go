// Package pgtest gives tests a PostgreSQL database of their own on the
// server CARDFLOW_TEST_POSTGRES names (.ci/postgres.sh starts one and sets
// it). Without it the tests skip, unless CI=true or
// CARDFLOW_REQUIRE_POSTGRES=1, where they fail: CI must not pass by
// skipping them.
package pgtest
