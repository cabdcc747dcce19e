"""``python -m netcap.cli``: the ``netcap`` command."""

import sys

from netcap.cli import main

if __name__ == "__main__":
    sys.exit(main())
