"""The library swaps on the request path, timed beside the hand-written code they replaced."""
