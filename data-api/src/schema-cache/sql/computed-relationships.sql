-- Computed relationships (PostgREST's allComputedRels): functions of the exposed schemas ($1)
-- taking one argument of a relation's row type and returning a relation's row type (or a set
-- of them). `returns setof x rows 1` or `returns x` make a to-one relationship.
select
  n.nspname as schema,
  p.proname as name,
  sn.nspname as source_schema,
  s.relname as source_name,
  tn.nspname as target_schema,
  t.relname as target_name,
  (not p.proretset or p.prorows = 1) as to_one
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join pg_catalog.pg_class s on s.reltype = p.proargtypes[0] and s.relkind in ('v', 'r', 'm', 'f', 'p')
join pg_catalog.pg_namespace sn on sn.oid = s.relnamespace
join pg_catalog.pg_class t on t.reltype = p.prorettype and t.relkind in ('v', 'r', 'm', 'f', 'p')
join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
where n.nspname = any($1::text[])
  and p.pronargs = 1
  and p.prokind = 'f'
order by n.nspname, p.proname, p.oid
