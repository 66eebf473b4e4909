"""The promises of docs/security.md, one module each, named after the promise it protects."""
