# `/b` is an absolute path, so this is a applied to /b, not a division.
let a = x: x; in a /b
