# Parses; only evaluation would miss `body`.
let { a = 1; }
