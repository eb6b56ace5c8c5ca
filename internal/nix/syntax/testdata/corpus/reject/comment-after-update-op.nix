# Longest match: `//` is taken first, leaving `*c*/a`.
let a = { }; in a//*c*/a
