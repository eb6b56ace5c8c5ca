# `''\'` is an escape for ', leaving a lone ' and no closer.
''a''\''
