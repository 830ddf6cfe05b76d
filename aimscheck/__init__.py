"""aimscheck: ISO/IEC 42001 conformity rules evaluated over an AIMS export."""

__version__ = "0.1.0"
