if true then x: x else y: y
