https://example.org/p#frag
