-- Which files of the base and app templates each project database has, as one fingerprint
-- (ProjectTemplates.fingerprint): at boot only the projects whose fingerprint differs from the
-- shipped templates' are connected to and upgraded, so a thousand current projects cost one query.
-- Null: not known yet (made before this column): checked once at the next boot.

alter table platform.projects add column templates_applied text;
