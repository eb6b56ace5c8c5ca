let f = x: x; in if 1 |> f == 1 then 1 |> f else f <| 2
