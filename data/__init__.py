"""The default database lives here, with the generator of the built-in demo data."""
