let f = x: x + 1; in 1 + 2 * 3 |> f
