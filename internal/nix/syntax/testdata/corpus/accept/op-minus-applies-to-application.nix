# Unary minus is looser than application: -(f 1).
let f = x: x; in - f 1
