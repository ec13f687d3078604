-- Parse trees of the views and materialized views of the exposed schemas ($1), and of every
-- view they are built on (recursively), to map view columns onto base table columns.
with recursive wanted(oid) as (
  select c.oid
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('v', 'm') and n.nspname = any($1::text[])
  union
  select c.oid
  from wanted w
  join pg_catalog.pg_rewrite r on r.ev_class = w.oid
  join pg_catalog.pg_depend d
    on d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass and d.objid = r.oid
    and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
  join pg_catalog.pg_class c on c.oid = d.refobjid and c.relkind in ('v', 'm')
)
select
  c.oid as oid,
  n.nspname as schema,
  c.relname as name,
  r.ev_action::text as definition
from wanted w
join pg_catalog.pg_class c on c.oid = w.oid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_rewrite r on r.ev_class = c.oid and r.rulename = '_RETURN'
