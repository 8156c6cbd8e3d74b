"""`python -m api` runs the `hocba` command line."""

from .cli import main

main()
