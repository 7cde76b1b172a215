-- Training yards (issue 14, "demo / live"; sync-server/src/training/training-yard.ts): beside a
-- live yard, a yard of made-up data anyone may practise in. It is an ordinary site, so shapes and
-- commands keep it apart from the live yard as they keep any two yards apart.
--
-- * training_for: the live yard it trains for (null for a live yard);
-- * retired_at: set when an admin resets it; a fresh one is made and the retired one's accounts
--   are disabled. Rows are never deleted (the ledger and the audit log are append-only).
--
-- Neither column is synced to tablets (contract/src/shapes.ts hides them).

alter table sites
  add column training_for uuid references sites(id),
  add column retired_at   timestamptz,
  add constraint sites_training_not_itself check (training_for is distinct from id);

-- One current training yard per live yard.
create unique index sites_current_training_key on sites (training_for) where training_for is not null and retired_at is null;
