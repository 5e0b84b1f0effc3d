"""`python -m bench`: the gateway benchmark (bench/gateways)."""

import sys

from bench.gateways.cli import main

sys.exit(main())
