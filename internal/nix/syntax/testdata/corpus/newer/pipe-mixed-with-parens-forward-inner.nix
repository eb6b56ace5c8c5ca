let f = x: x + 1; g = x: x * 2; in (1 |> f) |> g
