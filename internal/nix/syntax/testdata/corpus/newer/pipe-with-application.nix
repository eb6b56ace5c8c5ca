let map = f: l: l; in [ 1 2 ] |> map (x: x + 1) |> builtins.length
