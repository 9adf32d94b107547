"""nginx: configuration files parsed with crossplane's token rules, one CorsPolicy per place a request is answered.

`source` claims files and drives the rest: `tree` (parse), `files` (includes), `levels` (scopes and inheritance),
`values` (variables and maps), `flow` (`if`/`set` evaluation) and `policy` (the policy builder). Only `source` is
imported before a file of this kind is met.
"""

from corslint.sources.nginx.source import NginxSource

__all__ = ["NginxSource"]
