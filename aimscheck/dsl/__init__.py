"""The rule language: grammar, parser, typed AST and compiler."""
