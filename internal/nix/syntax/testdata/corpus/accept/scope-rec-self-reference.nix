rec { a = b; b = 1; }
