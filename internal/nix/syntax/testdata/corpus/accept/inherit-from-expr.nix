let s = { t = { a = 1; }; }; in { inherit (s.t // { }) a; }
