"""The curated dataset on disk: seed files, the loader, the report and extraction scoring."""
