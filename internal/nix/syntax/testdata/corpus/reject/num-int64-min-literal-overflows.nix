# The literal is lexed before negation, so the minimum cannot be written.
-9223372036854775808
