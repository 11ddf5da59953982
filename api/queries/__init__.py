"""Every SELECT of the service. Functions take the session as a keyword and never commit."""
