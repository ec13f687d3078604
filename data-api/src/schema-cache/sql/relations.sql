-- Relations of the exposed schemas ($1): tables, views, materialized views, foreign and
-- partitioned tables, and partitions (readable as PostgREST 12 reads any table, but kept out
-- of relationships and the OpenAPI description), with their columns and primary keys.
-- Runs with search_path = '' so that format_type() schema-qualifies every non-catalog type.
select
  c.oid as oid,
  n.nspname as schema,
  c.relname as name,
  c.relkind as relkind,
  c.relispartition as is_partition,
  d.description as description,
  (c.relkind in ('r', 'p')
    or (c.relkind in ('v', 'f') and (pg_catalog.pg_relation_is_updatable(c.oid::pg_catalog.regclass, true) & 8) = 8)) as insertable,
  (c.relkind in ('r', 'p')
    or (c.relkind in ('v', 'f') and (pg_catalog.pg_relation_is_updatable(c.oid::pg_catalog.regclass, true) & 4) = 4)) as updatable,
  (c.relkind in ('r', 'p')
    or (c.relkind in ('v', 'f') and (pg_catalog.pg_relation_is_updatable(c.oid::pg_catalog.regclass, true) & 16) = 16)) as deletable,
  coalesce(pk.columns, '{}') as primary_key,
  coalesce(cols.columns, '[]') as columns
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_description d
  on d.objoid = c.oid and d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objsubid = 0
left join lateral (
  select array_agg(a.attname::text order by k.ord) as columns
  from pg_catalog.pg_constraint con
  cross join lateral unnest(con.conkey) with ordinality as k(attnum, ord)
  join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
  where con.conrelid = c.oid and con.contype = 'p'
) pk on true
left join lateral (
  select json_agg(json_build_object(
    'name', a.attname,
    'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
    'dataType',
      case
        when t.typtype = 'd' then
          case when bn.nspname = 'pg_catalog' then pg_catalog.format_type(t.typbasetype, null)
               else pg_catalog.format_type(a.atttypid, a.atttypmod) end
        else
          case when tn.nspname = 'pg_catalog' then pg_catalog.format_type(a.atttypid, null)
               else pg_catalog.format_type(a.atttypid, a.atttypmod) end
      end,
    'udtName', coalesce(bt.typname, t.typname),
    'nullable', not (a.attnotnull or (t.typtype = 'd' and t.typnotnull)),
    'defaultExpr',
      case
        when a.attgenerated <> '' then null
        when a.attidentity = 'd' then pg_catalog.format('nextval(%s)', pg_catalog.quote_literal(seqn.nspname || '.' || seq.relname))
        when ad.adbin is not null then pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)
        when t.typtype = 'd' then pg_catalog.pg_get_expr(t.typdefaultbin, 0)
      end,
    'generated', a.attgenerated <> '' or a.attidentity = 'a',
    'isArray', coalesce(bt.typcategory, t.typcategory) = 'A',
    'description', cd.description,
    'position', a.attnum,
    'enumValues', (
      select array_agg(e.enumlabel order by e.enumsortorder)
      from pg_catalog.pg_enum e
      where e.enumtypid = coalesce(bt.oid, t.oid)
    ),
    'maxLength',
      case
        when coalesce(bt.oid, t.oid) in ('pg_catalog.bpchar'::pg_catalog.regtype, 'pg_catalog.varchar'::pg_catalog.regtype)
          and (case when t.typtype = 'd' then t.typtypmod else a.atttypmod end) > 0
          then (case when t.typtype = 'd' then t.typtypmod else a.atttypmod end) - 4
        when coalesce(bt.oid, t.oid) in ('pg_catalog.bit'::pg_catalog.regtype, 'pg_catalog.varbit'::pg_catalog.regtype)
          and (case when t.typtype = 'd' then t.typtypmod else a.atttypmod end) > 0
          then (case when t.typtype = 'd' then t.typtypmod else a.atttypmod end)
      end
  ) order by a.attnum) as columns
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_type t on t.oid = a.atttypid
  join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace
  left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
  left join pg_catalog.pg_namespace bn on bn.oid = bt.typnamespace
  left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
  left join pg_catalog.pg_description cd
    on cd.objoid = a.attrelid and cd.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass and cd.objsubid = a.attnum
  left join pg_catalog.pg_depend dep
    on a.attidentity = 'd' and dep.refobjid = a.attrelid and dep.refobjsubid = a.attnum and dep.deptype = 'i'
    and dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
  left join pg_catalog.pg_class seq on seq.oid = dep.objid and seq.relkind = 'S'
  left join pg_catalog.pg_namespace seqn on seqn.oid = seq.relnamespace
  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    and (a.attidentity <> 'd' or seq.oid is not null)
) cols on true
where c.relkind in ('r', 'v', 'm', 'f', 'p')
  and n.nspname = any($1::text[])
order by n.nspname, c.relname
