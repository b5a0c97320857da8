"""``python -m microtensor`` runs the command line, as the ``microtensor`` script does."""

import sys

from microtensor.cli import main

sys.exit(main())
