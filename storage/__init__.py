"""Storage: SQLAlchemy models, the database connection, aggregate queries, migrations."""
