"""The command-line commands, one module each; `aimscheck.cli` registers them."""
