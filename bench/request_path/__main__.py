"""`python -m bench.request_path`: time the request-path library swaps and the router's own
checks (bench/request_path)."""

from bench.request_path import checks, swaps

swaps.main()
print()
checks.main()
