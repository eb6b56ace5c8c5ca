# Formals take identifiers only; `{ or` starts an attribute set.
{ or ? 1 }: 2
