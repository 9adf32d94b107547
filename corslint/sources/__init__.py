"""Input sources: one package per family of configuration files (`nginx/`, `apache/`, `javascript/`, `python/`),
each exposing its `Source`; `base` holds the interface and `include_files` the include layer the servers share."""
