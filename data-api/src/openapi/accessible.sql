-- What the current role may use in schema $1, for the OpenAPI description in
-- `openapi-mode = follow-privileges` (PostgREST's accessibleTables / accessibleFuncs).
-- Run inside the request's transaction, after switching to the request's role.
select 'relation' as kind, n.nspname as schema, c.relname as name, c.oid as oid
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'r', 'm', 'f', 'p')
  and not c.relispartition
  and n.nspname = $1::text
  and (
    pg_catalog.pg_has_role(c.relowner, 'USAGE')
    or pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
    or pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
  )
union all
select 'routine', n.nspname, p.proname, p.oid
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = $1::text
  and p.prokind = 'f'
  and pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
