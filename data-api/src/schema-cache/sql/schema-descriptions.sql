-- COMMENT ON SCHEMA of the exposed schemas ($1).
select n.nspname as schema, d.description as description
from pg_catalog.pg_namespace n
left join pg_catalog.pg_description d
  on d.objoid = n.oid and d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass and d.objsubid = 0
where n.nspname = any($1::text[])
