"""Lets `python -m renku_fed.cli` run the `renku-fed` command."""

import sys

from renku_fed.cli.main import main

sys.exit(main())
