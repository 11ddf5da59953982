"""Marshmallow schemas: request arguments and response shapes. Never imports ``api``."""
