-- Functions of the exposed schemas ($1) that PostgREST can call: plain functions (no
-- aggregates, window functions or procedures) that are not trigger functions. Which of them
-- are callable (named parameters, or a single unnamed json/jsonb/text/xml/bytea one) is
-- decided by the caller from `arguments`.
with recursive
domain_bases(oid, base) as (
  select t.oid, t.typbasetype from pg_catalog.pg_type t where t.typtype = 'd'
  union
  select d.oid, b.typbasetype
  from domain_bases d
  join pg_catalog.pg_type b on b.oid = d.base and b.typtype = 'd'
),
routines as (
  select
    p.*,
    coalesce(
      (select db.base
       from domain_bases db
       join pg_catalog.pg_type b on b.oid = db.base
       where db.oid = p.prorettype and b.typtype <> 'd'),
      p.prorettype
    ) as rettype
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where n.nspname = any($1::text[])
    and p.prokind = 'f'
    and p.prorettype not in ('pg_catalog.trigger'::pg_catalog.regtype, 'pg_catalog.event_trigger'::pg_catalog.regtype)
)
select
  p.oid as oid,
  n.nspname as schema,
  p.proname as name,
  d.description as description,
  p.provolatile as volatility,
  p.proretset as returns_set,
  p.pronargs as input_count,
  p.pronargdefaults as default_count,
  coalesce(args.list, '[]') as arguments,
  rt.typtype as return_typtype,
  pg_catalog.format_type(rt.oid, null) as return_type,
  rr.relkind as return_relkind,
  rrn.nspname as return_relation_schema,
  rr.relname as return_relation_name,
  coalesce(
    (select json_agg(json_build_object('name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod)) order by a.attnum)
     from pg_catalog.pg_attribute a
     where a.attrelid = rt.typrelid and a.attnum > 0 and not a.attisdropped),
    '[]'
  ) as return_columns,
  (select pg_catalog.lower(pg_catalog.split_part(s.setting, '=', 2))
   from unnest(p.proconfig) as s(setting)
   where s.setting like 'default\_transaction\_isolation=%'
   limit 1) as isolation_level
from routines p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join pg_catalog.pg_type rt on rt.oid = p.rettype
left join pg_catalog.pg_class rr on rr.oid = rt.typrelid
left join pg_catalog.pg_namespace rrn on rrn.oid = rr.relnamespace
left join pg_catalog.pg_description d
  on d.objoid = p.oid and d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass and d.objsubid = 0
left join lateral (
  select json_agg(json_build_object(
    'name', coalesce(arg.name, ''),
    'type', pg_catalog.format_type(arg.type, null),
    'udtName', coalesce(bt.typname, t.typname),
    'mode', coalesce(arg.mode, 'i')
  ) order by arg.ord) as list
  from unnest(
    coalesce(p.proallargtypes, p.proargtypes::pg_catalog.oid[]),
    p.proargmodes::text[],
    p.proargnames
  ) with ordinality as arg(type, mode, name, ord)
  join pg_catalog.pg_type t on t.oid = arg.type
  left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
) args on true
order by n.nspname, p.proname, p.pronargs, p.oid
