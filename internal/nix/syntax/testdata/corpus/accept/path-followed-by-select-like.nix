# A path ends at the first non-path character, then application follows.
let f = x: x; in f ./a/b
