"""Apache httpd: httpd.conf, vhosts and .htaccess, one CorsPolicy per scope that sends CORS headers.

`source` claims files and drives the rest: `tree` (parse), `files` (includes), `scopes` (sections and .htaccess
nesting), `headers` (the two header tables), `origins` (origin values) and `policy` (the policy builder). Only
`source` is imported before a file of this kind is met.
"""

from corslint.sources.apache.source import ApacheSource

__all__ = ["ApacheSource"]
