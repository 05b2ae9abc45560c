"""Release an edition (what `make release VERSION=X.Y.Z` runs)."""

import sys

from surveillance_book.release import main

sys.exit(main())
