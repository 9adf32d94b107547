"""corslint: a static linter for CORS configuration."""

__version__ = "0.1.0"
