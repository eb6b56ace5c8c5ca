# `//` sits above `!`, so this is (!a) // b
let a = true; b = { }; in !a // b
