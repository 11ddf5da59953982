"""HTTP views: one module per resource, every route written out in it. Views parse, call, and return.

A route's docstring is its summary in the OpenAPI document; its longer description is given
with ``@blp.doc(description=...)``, because a docstring's line breaks would end up in the spec.
"""
