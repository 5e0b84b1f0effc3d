"""`python -m bench.soak`: steady load on `renku-fed up` (bench/soak/README.md)."""

import sys

from bench.soak.run import main

sys.exit(main())
