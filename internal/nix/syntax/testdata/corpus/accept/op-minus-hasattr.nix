# `?` binds looser than unary minus: (-s) ? a
let s = { }; in -s ? a
