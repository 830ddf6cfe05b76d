"""`python -m aimscheck` runs the command line."""

from aimscheck.cli import main

main(prog_name="aimscheck")
