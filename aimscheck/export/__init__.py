"""Reading an AIMS export: loading files, validating them against the schema."""
