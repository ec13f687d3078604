-- Data representations (PostgREST's dataRepresentations): implicit casts done by a function
-- between a domain and json or text, whose function the connecting role may execute. Any
-- schema: a domain used by an exposed table may live elsewhere. Types are printed by
-- format_type under search_path = '' — as the columns' types are — so they compare as text.
select
  pg_catalog.format_type(
    case when src.typtype = 'd' then c.castsource else c.casttarget end, null) as domain,
  case
    when src.typtype = 'd' then 'to_' || pg_catalog.format_type(c.casttarget, null)
    else 'from_' || pg_catalog.format_type(c.castsource, null)
  end as direction,
  fn.nspname as function_schema,
  p.proname as function_name
from pg_catalog.pg_cast c
join pg_catalog.pg_type src on src.oid = c.castsource
join pg_catalog.pg_type dst on dst.oid = c.casttarget
join pg_catalog.pg_proc p on p.oid = c.castfunc
join pg_catalog.pg_namespace fn on fn.oid = p.pronamespace
where c.castcontext = 'i'
  and c.castmethod = 'f'
  and pg_catalog.has_function_privilege(c.castfunc, 'execute')
  and (
    (src.typtype = 'd' and c.casttarget in ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.text'::pg_catalog.regtype))
    or (dst.typtype = 'd' and c.castsource in ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.text'::pg_catalog.regtype))
  )
order by 1, 2
