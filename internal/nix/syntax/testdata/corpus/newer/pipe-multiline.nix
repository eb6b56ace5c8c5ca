let
  inc = x: x + 1;
  double = x: x * 2;
in
[ 1 2 3 ]
|> map inc
|> map double
|> builtins.foldl' (a: b: a + b) 0
