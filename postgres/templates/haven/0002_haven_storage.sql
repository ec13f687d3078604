-- Haven's files: documents (manuals, receipts) and the photos and voice notes of captures, in two
-- private buckets. Each homeowner's files live under a folder named by their user id
-- (`<auth.uid()>/…`), and only they may list, read, write or delete there; the service key (the
-- worker) sees everything. Applied as the project's owner, which owns storage.objects.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values
  ('documents', 'documents', false, 52428800, null),
  ('captures', 'captures', false, 52428800, array['image/*', 'audio/*', 'text/plain'])
on conflict (id) do nothing;

create policy haven_owner_folder on storage.objects
  for all to authenticated
  using (bucket_id in ('documents', 'captures') and (storage.foldername(name))[1] = (select auth.uid())::text)
  with check (bucket_id in ('documents', 'captures') and (storage.foldername(name))[1] = (select auth.uid())::text);

-- homeowners may see Haven's two buckets (names, limits, allowed types), as an app shows them
create policy haven_buckets_visible on storage.buckets
  for select to authenticated
  using (id in ('documents', 'captures'));
