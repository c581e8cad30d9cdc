SELECT count(*), coalesce(max(created_at), 'epoch') FROM transactions
