let f = x: x; in true -> false |> f
