"""`python -m bench.request_path`: time the request-path library swaps (bench/request_path)."""

from bench.request_path.swaps import main

main()
