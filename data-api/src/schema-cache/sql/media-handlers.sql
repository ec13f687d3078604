-- Media type handlers (PostgREST's mediaHandlers). A media type is a domain named after it
-- (`text/html`, `application/vnd.twkb`) or `*/*`; it makes a handler of
--   * an aggregate of an exposed schema ($1) over one relation's row type, or over anyelement,
--     whose result is that domain: it builds the body of reads of that relation (of any
--     relation for anyelement);
--   * a function of an exposed schema returning that domain (not a set): its result is the body.
-- base_type tells a binary body (bytea) from text.
with media_domain as (
  select
    t.oid,
    lower(t.typname) as media_type,
    b.typname as base_type
  from pg_catalog.pg_type t
  join pg_catalog.pg_type b on b.oid = t.typbasetype
  where t.typtype = 'd'
    and (t.typname ~ '^[A-Za-z0-9.-]+/[A-Za-z0-9.+-]+$' or t.typname = '*/*')
)
select
  'aggregate' as kind,
  n.nspname as schema,
  p.proname as name,
  case when arg.typname = 'anyelement' and arg.typnamespace = 'pg_catalog'::regnamespace then null else rn.nspname end as target_schema,
  case when arg.typname = 'anyelement' and arg.typnamespace = 'pg_catalog'::regnamespace then null else r.relname end as target_name,
  d.media_type,
  d.base_type
from media_domain d
join pg_catalog.pg_proc p on p.prorettype = d.oid and p.prokind = 'a' and p.pronargs = 1
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join pg_catalog.pg_type arg on arg.oid = p.proargtypes[0]
left join pg_catalog.pg_class r on r.reltype = arg.oid and r.relkind in ('r', 'v', 'm', 'f', 'p')
left join pg_catalog.pg_namespace rn on rn.oid = r.relnamespace
where n.nspname = any($1::text[])
  and (r.oid is not null or (arg.typname = 'anyelement' and arg.typnamespace = 'pg_catalog'::regnamespace))
union all
select
  'function' as kind,
  n.nspname as schema,
  p.proname as name,
  n.nspname as target_schema,
  p.proname as target_name,
  d.media_type,
  d.base_type
from media_domain d
join pg_catalog.pg_proc p on p.prorettype = d.oid and p.prokind = 'f' and not p.proretset
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = any($1::text[])
order by kind, schema, name
