let f = x: x + 1; g = x: x * 2; in g <| (1 |> f)
