SELECT physics_seal_hash, id FROM transactions WHERE physics_seal_hash = ANY($1::text[])
