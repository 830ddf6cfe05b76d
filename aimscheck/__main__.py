"""`python -m aimscheck` runs the command line."""

from aimscheck.cli import run

run()
