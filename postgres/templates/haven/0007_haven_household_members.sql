-- Who is who in a household: property_members holds user ids, and auth.users — where the
-- addresses are — is not readable by request roles. household_members() lets the members of a
-- property see each other's addresses (and the addresses invitations wait for); anyone else
-- learns nothing, not even that the property exists.

create function public.household_members(property_id uuid)
returns table (
  user_id uuid,
  role text,
  -- the account's address; for a pending invitation, the address it waits for
  email text,
  -- true while the invitation waits for its address to sign up (user_id is null then)
  pending boolean,
  invited_at timestamptz,
  joined_at timestamptz
)
language plpgsql stable security definer set search_path = '' as $$
#variable_conflict use_column
begin
  perform haven_internal.role_on(household_members.property_id, haven_internal.caller());
  return query
    select m.user_id, m.role, coalesce(u.email, m.invited_email)::text, m.user_id is null, m.created_at, m.joined_at
      from public.property_members m
      left join auth.users u on u.id = m.user_id
     where m.property_id = household_members.property_id
     order by m.user_id is null, m.role = 'member', m.joined_at, m.created_at, m.id;
end
$$;
comment on function public.household_members(uuid) is
  'The members of a property with their addresses (owners first, pending invitations last); members only.';

revoke execute on function public.household_members(uuid) from public, anon;
grant execute on function public.household_members(uuid) to authenticated, service_role;
