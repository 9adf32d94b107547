"""Built-in checks: one module per rule, named by the rule's slug; the registry imports them all."""
