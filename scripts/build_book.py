"""Build the book: `python scripts/build_book.py --help` (what `make book` runs)."""

import sys

from surveillance_book.build import main

sys.exit(main())
