-- What a deletion takes with it (README.md, "Deleting"):
--   a property: everything in it, and its documents' files (documents/<property_id>/…);
--   an account (admin.deleteUser, soft or not, or delete_my_account()): the person's captures and
--   their files (captures/<user id>/…) and their memberships — a property they were the last owner
--   of passes to the longest-standing member, one nobody is left in is deleted (0003's trigger) —
--   while what they added to shared homes stays with the household, created_by set null.
-- Files go through storage.objects: deleting the rows queues their bytes (base template
-- storage.removed_objects) and storage-service deletes them within a minute.

-- created_by is kept through updates (0003), which also undid the foreign key's `on delete set
-- null` when an account went: the row kept naming a user who no longer exists. Null is now let
-- through when that account is gone. SECURITY DEFINER: request roles cannot read auth.users.
create or replace function haven_internal.stamp_created_by() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    new.created_by := coalesce(auth.uid(), new.created_by);
  elsif not (new.created_by is null and not exists (select 1 from auth.users u where u.id = old.created_by)) then
    new.created_by := old.created_by;
  end if;
  return new;
end
$$;
revoke all on function haven_internal.stamp_created_by() from public;

-- `<folder>/…` of a bucket, through the (bucket_id, name text_pattern_ops) index: '0' is the
-- byte after '/'
create function haven_internal.delete_folder(bucket text, folder text) returns void
language sql volatile security definer set search_path = '' as $$
  delete from storage.objects o
   where o.bucket_id = bucket
     and o.name operator(pg_catalog.~>=~) (folder || '/')
     and o.name operator(pg_catalog.~<~) (folder || '0')
$$;

create function haven_internal.property_deleted() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform haven_internal.delete_folder('documents', old.id::text);
  return null;
end
$$;
create trigger haven_property_files after delete on public.properties
  for each row execute function haven_internal.property_deleted();

-- A soft-deleted account (GoTrue's should_soft_delete) keeps its row, anonymised: Haven lets the
-- person go all the same. A hard delete cascades through the foreign keys; this adds the files.
create function haven_internal.account_deleted() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'UPDATE' then
    delete from public.property_members m where m.user_id = old.id;
    delete from public.captures c where c.owner_id = old.id;
  end if;
  perform haven_internal.delete_folder('captures', old.id::text);
  -- the household's documents they uploaded stay, no longer naming them
  update storage.objects o set owner = null, owner_id = null where o.owner = old.id or o.owner_id = old.id::text;
  return null;
end
$$;
create trigger haven_account_deleted after delete on auth.users
  for each row execute function haven_internal.account_deleted();
create trigger haven_account_soft_deleted after update of deleted_at on auth.users
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function haven_internal.account_deleted();

-- GoTrue has no endpoint for deleting one's own account (only the service key's
-- admin.deleteUser): an app offers it itself, and what it takes with it is the app's to decide.
create function public.delete_my_account() returns void
language plpgsql volatile security definer set search_path = '' as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null then
    raise sqlstate '42501' using
      message = 'sign in to delete your account',
      hint = 'the service key deletes accounts with the auth admin API (DELETE /auth/v1/admin/users/<id>)';
  end if;
  delete from auth.users u where u.id = caller;
  if not found then
    perform haven_internal.not_found('account');
  end if;
end
$$;
comment on function public.delete_my_account() is
  'Deletes the signed-in account: its captures and their files, its memberships (a home it alone owned passes to another member, or goes if nobody is left); what it added to shared homes stays.';

revoke execute on function public.delete_my_account() from public, anon;
grant execute on function public.delete_my_account() to authenticated;
revoke all on function haven_internal.delete_folder(text, text), haven_internal.property_deleted(), haven_internal.account_deleted() from public;
