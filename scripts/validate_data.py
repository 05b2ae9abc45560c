"""Validate data/ (what `make validate` runs); exit status 1 on errors."""

import sys

from surveillance_book.validate import main

sys.exit(main())
