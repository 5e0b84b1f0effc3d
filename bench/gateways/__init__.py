"""A benchmark of `renku-fed router` against Apollo Gateway and Hive Gateway on one query."""
