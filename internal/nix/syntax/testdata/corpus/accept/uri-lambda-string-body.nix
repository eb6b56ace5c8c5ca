# `x:"y"` is a lambda because `"` is not a URI character.
x:"y"
