"""`jupyter-book`, as the build runs it in a process of its own (``build.sphinx``): the same command, in a
process this package has set up first (``__init__``: jsonschema without its IRI grammar)."""

import sys

from jupyter_book.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
