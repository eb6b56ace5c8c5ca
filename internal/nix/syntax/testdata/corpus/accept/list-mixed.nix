[ 1 2.5 "s" ''i'' ./p <sp> https://u.example { } [ ] (x: x) null ]
