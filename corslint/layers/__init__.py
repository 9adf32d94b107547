"""Across layers: links from a proxy's upstream to the application in the tree that answers it (`links`), the request
paths they make (`paths`), and the upstream addresses a proxy names (`targets`)."""
