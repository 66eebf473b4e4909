"""Safety helpers every layer may use: secrets and redaction, hardened XML parsing, safe file I/O, and
the bounds on everything that comes from outside. Nothing here imports another part of the package."""
