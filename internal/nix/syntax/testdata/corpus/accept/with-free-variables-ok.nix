# Inside `with`, unknown variables are resolved at evaluation time.
with builtins; [ anything goes here ]
