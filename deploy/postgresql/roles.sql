-- The database and its two roles, run once as PostgreSQL's superuser:
--
--   sudo -u postgres psql -v owner_password=... -v app_password=... \
--        -f deploy/postgresql/roles.sql
--
-- mm_owner owns the schema and runs the migrations (DATABASE_OWNER_URL, used by
-- `mm db upgrade` in mojlighetsmodellen-release.service only). mm_app serves (DATABASE_URL,
-- every other process): it reads and writes rows, and can neither change tables, drop the
-- audit log's triggers nor TRUNCATE anything. Tables the owner creates later are granted to
-- mm_app by the default privileges below, so a new migration needs nothing here.
\set ON_ERROR_STOP on
\if :{?database}
\else
  \set database mojlighetsmodellen
\endif

CREATE ROLE mm_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE mm_app LOGIN PASSWORD :'app_password';
CREATE DATABASE :"database" OWNER mm_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO mm_owner, mm_app;

\connect :"database"
ALTER SCHEMA public OWNER TO mm_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO mm_app;
ALTER DEFAULT PRIVILEGES FOR ROLE mm_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mm_app;
ALTER DEFAULT PRIVILEGES FOR ROLE mm_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO mm_app;
-- A database migrated before this script: its tables too.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mm_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO mm_app;
