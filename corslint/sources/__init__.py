"""Input sources: one module per kind of configuration file, all behind the `Source` interface."""
