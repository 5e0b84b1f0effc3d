"""The test suite; `tests.support` holds the helpers that test folders share."""
