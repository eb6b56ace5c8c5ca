let map = f: l: l; in map (x: x) [ ]
