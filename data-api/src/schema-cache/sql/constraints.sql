-- Primary key, unique and foreign key constraints of the whole database (not of partitions):
-- relationships may go through tables of schemas that are not exposed (views over them).
select
  con.oid as oid,
  con.conname as name,
  con.contype as type,
  con.conrelid as relid,
  rn.nspname as schema,
  r.relname as relation,
  r.relkind as relkind,
  coalesce(
    (select json_agg(json_build_object('num', a.attnum, 'name', a.attname) order by k.ord)
     from unnest(con.conkey) with ordinality as k(attnum, ord)
     join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum),
    '[]'
  ) as columns,
  con.confrelid as frelid,
  fn.nspname as fschema,
  f.relname as frelation,
  f.relkind as frelkind,
  coalesce(
    (select json_agg(json_build_object('num', a.attnum, 'name', a.attname) order by k.ord)
     from unnest(con.confkey) with ordinality as k(attnum, ord)
     join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum),
    '[]'
  ) as foreign_columns
from pg_catalog.pg_constraint con
join pg_catalog.pg_class r on r.oid = con.conrelid
join pg_catalog.pg_namespace rn on rn.oid = r.relnamespace
left join pg_catalog.pg_class f on f.oid = con.confrelid
left join pg_catalog.pg_namespace fn on fn.oid = f.relnamespace
where con.contype in ('p', 'u', 'f')
  and con.conparentid = 0
  and rn.nspname not in ('pg_catalog', 'information_schema')
order by con.conrelid, con.conname
