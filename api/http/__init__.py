"""Everything about HTTP that is not a route: the smorest subclasses, JSON, auth and keys, rate limits, guards, security headers, caching, observability, docs assets."""
