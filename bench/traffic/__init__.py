"""The cost of the router's traffic shaping (`python -m bench.traffic`)."""
